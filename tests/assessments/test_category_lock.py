"""The lock rules of a category in review: accepted = every write locked until the reviewer reopens it;
answers and evidence are also read-only while it waits for review, until the reviewer sends it back.
A lead may still change answers and evidence: the review becomes "changed since review" and the
reviewer is told."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment, CategoryReview, Comment, Evidence, Flag, RequirementAnswer
from assessments.services.answers import answer_set, category_answer_set, extension_answer_set
from assessments.services.comments import comment_add
from assessments.services.common import AssessmentError, category_ensure_editable
from assessments.services.evidence import evidence_add_file, evidence_add_link, evidence_delete
from assessments.services.flags import flag_raise, flag_resolve
from assessments.services.workflow import (
    assessment_reopen,
    assessment_request_review,
    assessment_sign_off,
    category_review_accept,
    category_review_reopen,
    category_review_send_back,
)
from audit.models import AuditEntry
from tests.assessments.conftest import pqc_extension
from tests.assessments.workflow.helpers import accept_all, answer_all
from tests.factories import assessment_create, model_1_1

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(formal, lead, assessor, settings, tmp_path):
    """A formal assessment in review with G.1 accepted; a link and a flag on G.1.1 made before."""
    settings.MEDIA_ROOT = tmp_path
    extension = pqc_extension()
    formal.extensions.add(extension)
    req = formal.model_version.requirements.select_related("category").get(key="G.1.1")
    link = evidence_add_link(assessment=formal, requirement=req, url="https://example.com/cps", by=assessor)
    flag = flag_raise(assessment=formal, requirement=req, by=assessor)
    assessment_request_review(assessment=formal, by=lead)
    category_review_accept(assessment=formal, category_key="G.1", by=lead)
    return {"assessment": formal, "requirement": req, "link": link, "flag": flag, "extension": extension}


WRITES = {
    "answer_set": lambda w, u: answer_set(
        assessment=w["assessment"], requirement=w["requirement"], level=3, notes="", expected_version=0, by=u
    ),
    "extension_answer_set": lambda w, u: extension_answer_set(
        assessment=w["assessment"],
        extension=w["extension"],
        category_key="G.1",
        level=2,
        notes="",
        expected_version=0,
        by=u,
    ),
    "evidence_add_file": lambda w, u: evidence_add_file(
        assessment=w["assessment"], requirement=w["requirement"], upload=SimpleUploadedFile("a.pdf", PDF), by=u
    ),
    "evidence_add_link": lambda w, u: evidence_add_link(
        assessment=w["assessment"], requirement=w["requirement"], url="https://example.com/other", by=u
    ),
    "evidence_delete": lambda w, u: evidence_delete(evidence=w["link"], by=u),
    "comment_add": lambda w, u: comment_add(assessment=w["assessment"], requirement=w["requirement"], body="Hm", by=u),
    "flag_raise": lambda w, u: flag_raise(
        assessment=w["assessment"],
        requirement=w["assessment"].model_version.requirements.get(key="G.1.2"),
        note="x",
        by=u,
    ),
    "flag_resolve": lambda w, u: flag_resolve(flag=w["flag"], by=u),
}


def _state():
    return [
        list(model.objects.order_by("pk").values())
        for model in (RequirementAnswer, Evidence, Comment, Flag, AuditEntry)
    ]


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_in_an_accepted_category_is_refused(world, assessor, name):
    before = _state()
    with pytest.raises(AssessmentError, match="G.1 was accepted in review and is locked. The reviewer can reopen it."):
        WRITES[name](world, assessor)
    assert _state() == before


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_works_again_once_the_reviewer_reopens_and_sends_back_the_category(world, lead, assessor, name):
    category_review_reopen(assessment=world["assessment"], category_key="G.1", by=lead)
    category_review_send_back(assessment=world["assessment"], category_key="G.1", comment="Check again", by=lead)
    entries = AuditEntry.objects.count()
    WRITES[name](world, assessor)
    assert AuditEntry.objects.count() > entries


def test_self_assessment_answer_in_an_accepted_category_is_refused(org, lead, assessor):
    assessment = assessment_create(
        org, model_version=model_1_1(), method=Assessment.Method.SELF, status=Assessment.Status.IN_PROGRESS
    )
    assessment_request_review(assessment=assessment, by=lead)
    review = category_review_accept(assessment=assessment, category_key="G.2", by=lead)
    with pytest.raises(AssessmentError, match="G.2 was accepted in review and is locked"):
        category_answer_set(
            assessment=assessment, category=review.category, level=3, notes="", expected_version=0, by=assessor
        )


def test_other_categories_and_sent_back_ones_stay_editable(world, lead, assessor):
    assessment = world["assessment"]
    other = assessment.model_version.requirements.get(key="G.2.1")
    category_review_send_back(assessment=assessment, category_key="G.2", comment="Add evidence", by=lead)
    assert answer_set(assessment=assessment, requirement=other, level=2, notes="", expected_version=0, by=assessor)
    assert comment_add(assessment=assessment, requirement=other, body="Added", by=assessor)


def test_reopening_a_signed_off_assessment_unlocks_its_categories(org, owner, lead, assessor):
    assessment = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    assessment_sign_off(assessment=assessment, statement="Confirmed", by=lead)
    category = assessment.model_version.categories.get(key="G.1")
    assessment_reopen(assessment=assessment, reason="Late finding", by=owner)
    category_ensure_editable(assessment=assessment, category=category)
    reviews = CategoryReview.objects.filter(assessment=assessment)
    assert set(reviews.values_list("status", flat=True)) == {CategoryReview.Status.PENDING}
    # The acceptances stay in the audit log.
    assert AuditEntry.objects.filter(action="assessment.signed_off").exists()


ANSWER_WRITES = ["answer_set", "extension_answer_set", "evidence_add_file", "evidence_add_link", "evidence_delete"]


@pytest.mark.parametrize("name", ANSWER_WRITES)
def test_answers_of_a_category_waiting_for_review_are_read_only_for_assessors(world, lead, assessor, name):
    category_review_reopen(assessment=world["assessment"], category_key="G.1", by=lead)  # waiting again
    before = _state()
    with pytest.raises(AssessmentError, match="G.1 is waiting for review: its answers are read-only"):
        WRITES[name](world, assessor)
    assert _state() == before


def test_comments_and_flags_stay_open_while_waiting_for_review(world, lead, assessor):
    category_review_reopen(assessment=world["assessment"], category_key="G.1", by=lead)
    assert WRITES["comment_add"](world, assessor)
    assert WRITES["flag_raise"](world, assessor)


@pytest.mark.parametrize("name", ANSWER_WRITES)
def test_a_leads_change_marks_the_review_changed_and_tells_the_reviewer(
    world, owner, lead, name, django_capture_on_commit_callbacks
):
    """The owner accepted G.1; the lead must still change something: allowed, flagged, reviewer told."""
    from django.core import mail

    from notifications.models import Notification

    assessment = world["assessment"]
    category_review_reopen(assessment=assessment, category_key="G.1", by=lead)
    category_review_accept(assessment=assessment, category_key="G.1", by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        WRITES[name](world, lead)
        if name != "answer_set":
            WRITES["answer_set"](world, lead)  # a second change: the reviewer is told once
    review = CategoryReview.objects.get(assessment=assessment, category__key="G.1")
    assert review.status == CategoryReview.Status.ACCEPTED and review.changed_since_review_by == lead
    told = Notification.objects.filter(kind="review_changed")
    assert [(n.recipient, n.actor) for n in told] == [(owner, lead)]
    assert told[0].url.endswith("/questionnaire/G.1/")
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert AuditEntry.objects.filter(action="category_review.changed_since_review").count() == 1
    # The reviewer looking again (reopen, then accept or send back) clears it.
    category_review_reopen(assessment=assessment, category_key="G.1", by=owner)
    assert CategoryReview.objects.get(pk=review.pk).changed_since_review_at is None


def test_the_lock_rule_is_per_assessment_and_category(world, org, other_org):
    """``category_is_locked`` (used by the services and the answer form) and the page's ``locked`` agree; an
    acceptance of the same category in another assessment, or in another organization, locks nothing here."""
    from assessments.selectors import (
        category_answers_held,
        category_is_locked,
        review_status_holds_answers,
        review_status_locks,
    )

    assessment = world["assessment"]
    g1 = world["requirement"].category
    assert category_is_locked(assessment=assessment, category=g1)
    assert category_is_locked(assessment=assessment, category_key="G.1")
    assert not category_is_locked(assessment=assessment, category_key="G.2")
    assert review_status_locks(CategoryReview.Status.ACCEPTED)
    assert not review_status_locks(CategoryReview.Status.SENT_BACK) and not review_status_locks(None)
    # Answers and evidence: held as well while waiting for review in an assessment in review.
    assert category_answers_held(assessment=assessment, category_key="G.1")
    pending, in_review = CategoryReview.Status.PENDING, Assessment.Status.IN_REVIEW
    assert review_status_holds_answers(pending, assessment_status=in_review)
    assert not review_status_holds_answers(pending, assessment_status=Assessment.Status.IN_PROGRESS)
    assert not review_status_holds_answers(CategoryReview.Status.SENT_BACK, assessment_status=in_review)
    for organization in (org, other_org):
        beside = assessment_create(organization, model_version=model_1_1(), name=f"Beside {organization.slug}")
        CategoryReview.objects.create(
            organization=organization,
            assessment=beside,
            category=beside.model_version.categories.get(key="G.2"),
            status=CategoryReview.Status.ACCEPTED,
        )
        assert category_is_locked(assessment=beside, category_key="G.2")
    assert not category_is_locked(assessment=assessment, category_key="G.2")
