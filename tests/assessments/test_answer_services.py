"""answer_set, category_answer_set and extension_answer_set: versions, conflicts, scope, locks, audit."""

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Applicability, CategoryReview, ExtensionAnswer, RequirementAnswer
from assessments.selectors import answer_history, applicability_map, history_object_id, is_applicable
from assessments.services.answers import answer_set, category_answer_set, extension_answer_set
from assessments.services.common import AnswerConflict, AssessmentError
from audit.models import AuditEntry
from tests.assessments.conftest import pqc_extension
from tests.factories import model_1_0


def save(assessment, requirement, by, *, level=3, notes="", expected_version=0):
    return answer_set(
        assessment=assessment,
        requirement=requirement,
        level=level,
        notes=notes,
        expected_version=expected_version,
        by=by,
    )


def test_first_save_creates_version_1_and_later_saves_increment(formal, requirement, assessor):
    first = save(formal, requirement, assessor, level=2, notes="Draft")
    assert (first.version, first.level, first.notes, first.updated_by) == (1, 2, "Draft", assessor)
    second = save(formal, requirement, assessor, level=4, expected_version=1)
    assert (second.version, second.level) == (2, 4)
    assert RequirementAnswer.objects.get().version == 2


def test_stale_version_is_refused_and_reports_the_current_answer(formal, requirement, assessor, lead):
    save(formal, requirement, assessor, level=2, notes="Mine")
    with pytest.raises(AnswerConflict) as conflict:
        save(formal, requirement, lead, level=5, notes="Theirs", expected_version=0)
    assert conflict.value.current.level == 2
    assert conflict.value.current.notes == "Mine"
    assert conflict.value.current.updated_by == assessor
    assert conflict.value.current.version == 1
    stored = RequirementAnswer.objects.get()
    assert (stored.level, stored.notes, stored.version) == (2, "Mine", 1)


def test_a_save_based_on_an_old_version_after_several_changes_is_refused(formal, requirement, assessor, lead):
    save(formal, requirement, assessor, level=1)
    save(formal, requirement, assessor, level=2, expected_version=1)
    with pytest.raises(AnswerConflict):
        save(formal, requirement, lead, level=3, expected_version=1)
    assert RequirementAnswer.objects.get().level == 2


def test_version_for_a_missing_answer_is_a_conflict(formal, requirement, assessor):
    with pytest.raises(AnswerConflict) as conflict:
        save(formal, requirement, assessor, expected_version=3)
    assert conflict.value.current.version == 0
    assert not RequirementAnswer.objects.exists()


def test_clearing_the_level_is_allowed(formal, requirement, assessor):
    save(formal, requirement, assessor, level=3)
    cleared = save(formal, requirement, assessor, level=None, expected_version=1)
    assert cleared.level is None and cleared.version == 2


@pytest.mark.parametrize("level", [0, 6, "x", "2.5", -1])
def test_levels_outside_1_to_5_are_refused(formal, requirement, assessor, level):
    with pytest.raises(AssessmentError, match="1 to 5"):
        save(formal, requirement, assessor, level=level)
    assert not RequirementAnswer.objects.exists()


def test_missing_version_is_refused(formal, requirement, assessor):
    with pytest.raises(AssessmentError, match="version"):
        save(formal, requirement, assessor, expected_version=None)


def test_unchanged_save_keeps_the_version_and_writes_no_audit(formal, requirement, assessor):
    save(formal, requirement, assessor, level=3, notes="n")
    again = save(formal, requirement, assessor, level=3, notes="n", expected_version=1)
    assert again.version == 1
    assert AuditEntry.objects.filter(action="answer.changed").count() == 1


def test_saving_confirms_a_carried_over_answer(formal, requirement, assessor):
    RequirementAnswer.objects.create(
        organization=formal.organization,
        assessment=formal,
        requirement=requirement,
        level=3,
        version=1,
        carried_over=True,
    )
    confirmed = save(formal, requirement, assessor, level=3, expected_version=1)
    assert confirmed.carried_over is False
    assert confirmed.version == 2


def test_every_change_is_audited_with_before_and_after_and_readable_as_history(formal, requirement, assessor, lead):
    save(formal, requirement, assessor, level=2, notes="a")
    save(formal, requirement, lead, level=4, notes="b", expected_version=1)
    entries = answer_history(assessment=formal, key="G.1.1", object_type="requirementanswer")
    assert [(e.actor, e.before, e.after) for e in entries] == [
        (lead, {"level": 2, "notes": "a"}, {"level": 4, "notes": "b"}),
        (assessor, {"level": None, "notes": ""}, {"level": 2, "notes": "a"}),
    ]
    assert entries[0].object_id == history_object_id(formal, "G.1.1") == f"{formal.pk}:G.1.1"
    assert answer_history(assessment=formal, key="G.1.2", object_type="requirementanswer") == []


def test_viewer_may_not_answer(formal, requirement, viewer):
    with pytest.raises(PermissionDenied):
        save(formal, requirement, viewer)
    assert not RequirementAnswer.objects.exists()


def test_outsider_may_not_answer(formal, requirement, outsider):
    with pytest.raises(PermissionDenied):
        save(formal, requirement, outsider)


def test_requirement_of_another_model_version_is_refused(formal, assessor):
    other = model_1_0().requirements.get(key="G.1.1")
    with pytest.raises(AssessmentError, match="model version"):
        save(formal, other, assessor)


@pytest.mark.parametrize("key", ["G", "G.1", "G.1.1"])
def test_not_applicable_on_the_requirement_or_above_refuses_answers(formal, requirement, assessor, key):
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key=key, level=Applicability.Level.NOT_APPLICABLE
    )
    with pytest.raises(AssessmentError, match="not applicable"):
        save(formal, requirement, assessor)


def test_partially_applicable_can_be_answered(formal, requirement, assessor):
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key="G.1", level=Applicability.Level.PARTIAL
    )
    assert save(formal, requirement, assessor).level == 3


def test_applicability_map_and_is_applicable(formal):
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key="M", level=Applicability.Level.NOT_APPLICABLE
    )
    Applicability.objects.create(
        organization=formal.organization, assessment=formal, key="G.2.1", level=Applicability.Level.NOT_APPLICABLE
    )
    amap = applicability_map(assessment=formal)
    assert amap == {"M": "not_applicable", "G.2.1": "not_applicable"}
    assert not is_applicable(amap, "M.6.2")
    assert not is_applicable(amap, "M.6")
    assert not is_applicable(amap, "G.2.1")
    assert is_applicable(amap, "G.2.2")
    assert is_applicable(amap, "G.2")


def test_category_accepted_in_review_is_locked(formal, requirement, assessor):
    CategoryReview.objects.create(
        organization=formal.organization,
        assessment=formal,
        category=requirement.category,
        status=CategoryReview.Status.ACCEPTED,
    )
    with pytest.raises(AssessmentError, match="accepted in review"):
        save(formal, requirement, assessor)


def test_category_sent_back_is_editable(formal, requirement, assessor):
    CategoryReview.objects.create(
        organization=formal.organization,
        assessment=formal,
        category=requirement.category,
        status=CategoryReview.Status.SENT_BACK,
    )
    assert save(formal, requirement, assessor).version == 1


def test_self_assessment_category_answer_with_conflict(self_assessment, assessor, lead):
    category = self_assessment.model_version.categories.get(key="G.2")
    common = {"assessment": self_assessment, "category": category, "notes": ""}
    first = category_answer_set(level=3, expected_version=0, by=assessor, **common)
    assert first.version == 1
    with pytest.raises(AnswerConflict) as conflict:
        category_answer_set(level=1, expected_version=0, by=lead, **common)
    assert conflict.value.current.level == 3
    entry = AuditEntry.objects.get(action="answer.changed")
    assert (entry.object_type, entry.object_id) == ("categoryanswer", f"{self_assessment.pk}:G.2")


def test_formal_assessment_has_no_category_answers_and_self_has_no_requirement_answers(
    formal, self_assessment, assessor
):
    with pytest.raises(AssessmentError):
        category_answer_set(
            assessment=formal,
            category=formal.model_version.categories.get(key="G.1"),
            level=3,
            notes="",
            expected_version=0,
            by=assessor,
        )
    with pytest.raises(AssessmentError):
        save(self_assessment, self_assessment.model_version.requirements.get(key="G.1.1"), assessor)


def test_extension_relevance_answer(formal, assessor, lead):
    extension = pqc_extension()
    common = {"assessment": formal, "extension": extension, "category_key": "G.1", "notes": ""}
    with pytest.raises(AssessmentError, match="not enabled"):
        extension_answer_set(level=2, expected_version=0, by=assessor, **common)
    formal.extensions.add(extension)
    saved = extension_answer_set(level=2, expected_version=0, by=assessor, **common)
    assert (saved.level, saved.version) == (2, 1)
    with pytest.raises(AnswerConflict):
        extension_answer_set(level=4, expected_version=0, by=lead, **common)
    assert ExtensionAnswer.objects.get().level == 2
    uncovered = extension.relevances.values_list("category_key", flat=True)
    missing = next(c.key for c in formal.model_version.categories.all() if c.key not in set(uncovered))
    with pytest.raises(AssessmentError, match="asks nothing"):
        extension_answer_set(
            assessment=formal, extension=extension, category_key=missing, level=2, notes="", expected_version=0, by=lead
        )
