"""The first saved answer of a draft assessment starts it, in the same transaction, audited."""

import threading

import pytest
from django.db import connection
from django.utils import timezone

from assessments.models import Assessment, RequirementAnswer
from assessments.services.answers import answer_set, category_answer_set
from assessments.services.common import AnswerConflict, AssessmentError
from audit.models import AuditEntry
from tests.factories import assessment_create, model_1_1
from tests.services import require_postgres


@pytest.fixture
def draft(org):
    return assessment_create(org, model_version=model_1_1())


def _answer(assessment, key, by, *, expected_version=0, level=3):
    requirement = assessment.model_version.requirements.get(key=key)
    return answer_set(
        assessment=assessment, requirement=requirement, level=level, notes="", expected_version=expected_version, by=by
    )


def test_first_answer_moves_a_draft_to_in_progress(draft, assessor):
    assert draft.status == Assessment.Status.DRAFT and draft.start_date is None
    _answer(draft, "G.1.1", assessor)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.IN_PROGRESS
    assert draft.start_date == timezone.localdate()
    started = AuditEntry.objects.get(action="assessment.started")
    assert (started.actor, started.before, started.after) == (assessor, {"status": "draft"}, {"status": "in_progress"})


def test_later_answers_do_not_start_it_again(draft, assessor):
    _answer(draft, "G.1.1", assessor)
    _answer(draft, "G.1.2", assessor)
    stale = Assessment.objects.get(pk=draft.pk)
    stale.status = Assessment.Status.DRAFT  # a copy loaded before the first answer
    _answer(stale, "G.1.3", assessor)
    assert AuditEntry.objects.filter(action="assessment.started").count() == 1


def test_a_refused_first_answer_leaves_the_draft_as_it_was(draft, assessor, lead):
    with pytest.raises(AnswerConflict):
        _answer(draft, "G.1.1", assessor, expected_version=3)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.DRAFT
    assert not AuditEntry.objects.exists()


def test_first_self_assessment_answer_starts_it_too(org, assessor):
    draft = assessment_create(org, model_version=model_1_1(), method=Assessment.Method.SELF)
    category = draft.model_version.categories.get(key="G.1")
    category_answer_set(assessment=draft, category=category, level=2, notes="", expected_version=0, by=assessor)
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.IN_PROGRESS


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_first_answers_start_it_once_and_are_all_kept(org, assessor, lead, owner):
    """Three people answer different requirements of a draft at the same moment: the assessment row lock
    lets one of them start it; every answer is kept."""
    require_postgres()
    draft = assessment_create(org, model_version=model_1_1())
    people = [assessor, lead, owner]
    keys = ["G.1.1", "G.1.2", "G.1.3"]
    barrier = threading.Barrier(len(people))
    outcomes = []

    def work(user, key):
        try:
            barrier.wait()
            _answer(Assessment.objects.get(pk=draft.pk), key, user)
            outcomes.append("saved")
        except Exception as error:  # noqa: BLE001 - reported to the test below
            outcomes.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=pair) for pair in zip(people, keys, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes == ["saved"] * 3
    draft.refresh_from_db()
    assert draft.status == Assessment.Status.IN_PROGRESS
    assert AuditEntry.objects.filter(action="assessment.started").count() == 1
    assert RequirementAnswer.objects.filter(assessment=draft).count() == 3


def test_a_first_answer_from_a_stale_draft_copy_is_refused_once_signed_off(draft, assessor):
    stale = Assessment.objects.get(pk=draft.pk)
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SIGNED_OFF)
    with pytest.raises(AssessmentError, match="signed off and read-only"):
        _answer(stale, "G.1.1", assessor)
    assert not RequirementAnswer.objects.exists()
