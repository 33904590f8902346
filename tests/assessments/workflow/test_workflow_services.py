import threading

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Applicability, Assessment, CategoryReview, RequirementAnswer, SignOff
from assessments.selectors_manage import open_items
from assessments.services.common import AssessmentError, category_ensure_editable
from assessments.services.scoping import applicability_set
from assessments.services.workflow import (
    assessment_reopen,
    assessment_request_review,
    assessment_sign_off,
    assessment_start,
    category_review_accept,
    category_review_reopen,
    category_review_send_back,
)
from audit.models import AuditEntry
from tests.assessments.workflow.helpers import accept_all, answer_all, requirement
from tests.factories import assessment_create
from tests.services import require_postgres

Status = Assessment.Status
ReviewStatus = CategoryReview.Status


def ready_for_sign_off(assessment, by):
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=by)
    accept_all(assessment, by)


def test_start_moves_draft_to_in_progress(assessment, lead):
    assessment_start(assessment=assessment, by=lead)
    assert assessment.status == Status.IN_PROGRESS and assessment.start_date is not None
    with pytest.raises(AssessmentError, match="draft"):
        assessment_start(assessment=assessment, by=lead)
    entry = AuditEntry.objects.get(action="assessment.started")
    assert (entry.before, entry.after) == ({"status": "draft"}, {"status": "in_progress"})


def test_request_review_creates_pending_reviews_for_categories_in_scope(assessment, lead):
    applicability_set(assessment=assessment, key="R", level=Applicability.Level.NOT_APPLICABLE, reason="x", by=lead)
    assessment_start(assessment=assessment, by=lead)
    assessment_request_review(assessment=assessment, by=lead)
    assert assessment.status == Status.IN_REVIEW
    reviews = CategoryReview.objects.filter(assessment=assessment)
    assert reviews.count() == 13  # 16 categories of 1.1.0 minus the three of module R
    assert set(reviews.values_list("status", flat=True)) == {ReviewStatus.PENDING}
    assert AuditEntry.objects.filter(action="assessment.review_requested").count() == 1


@pytest.mark.parametrize("role", ["assessor", "viewer"])
def test_request_review_needs_manage(assessment, team, role):
    with pytest.raises(PermissionDenied):
        assessment_request_review(assessment=assessment, by=team[role])


def test_review_actions_need_review_permission(assessment, lead, assessor):
    assessment_request_review(assessment=assessment, by=lead)
    with pytest.raises(PermissionDenied):
        category_review_accept(assessment=assessment, category_key="G.1", by=assessor)


def test_send_back_requires_a_comment_and_unlocks_the_category(assessment, lead):
    assessment_request_review(assessment=assessment, by=lead)
    with pytest.raises(AssessmentError, match="comment is required"):
        category_review_send_back(assessment=assessment, category_key="G.1", comment=" ", by=lead)
    review = category_review_send_back(
        assessment=assessment, category_key="G.1", comment="Evidence for G.1.2 missing", by=lead
    )
    assert (review.status, review.comment, review.reviewed_by) == (
        ReviewStatus.SENT_BACK,
        "Evidence for G.1.2 missing",
        lead,
    )
    category_ensure_editable(assessment=assessment, category=review.category)
    entry = AuditEntry.objects.get(action="category_review.sent_back")
    assert entry.after == {"category": "G.1", "status": "sent_back", "comment": "Evidence for G.1.2 missing"}


def test_accepted_category_is_locked_until_reopened(assessment, lead):
    assessment_request_review(assessment=assessment, by=lead)
    review = category_review_accept(assessment=assessment, category_key="G.1", by=lead)
    with pytest.raises(AssessmentError, match="locked"):
        category_ensure_editable(assessment=assessment, category=review.category)
    with pytest.raises(AssessmentError, match="reopen it first"):
        category_review_send_back(assessment=assessment, category_key="G.1", comment="x", by=lead)
    category_review_reopen(assessment=assessment, category_key="G.1", by=lead)
    category_ensure_editable(assessment=assessment, category=review.category)
    actions = AuditEntry.objects.filter(action__startswith="category_review.").order_by("id")
    assert list(actions.values_list("action", flat=True)) == ["category_review.accepted", "category_review.reopened"]


def test_review_of_category_out_of_scope_is_refused(assessment, lead):
    applicability_set(assessment=assessment, key="G.1", level=Applicability.Level.NOT_APPLICABLE, reason="x", by=lead)
    assessment_request_review(assessment=assessment, by=lead)
    with pytest.raises(AssessmentError, match="not a category in scope"):
        category_review_accept(assessment=assessment, category_key="G.1", by=lead)


def test_sign_off_refused_with_open_items_lists_them(assessment, lead):
    answer_all(assessment, skip={"G.1.2", "O.13.1"})
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    with pytest.raises(AssessmentError) as excinfo:
        assessment_sign_off(assessment=assessment, statement="We confirm.", by=lead)
    message = str(excinfo.value)
    assert "2 applicable item(s) are not answered" in message
    assert f"G.1.2 {requirement(assessment, 'G.1.2').title}" in message
    assert f"O.13.1 {requirement(assessment, 'O.13.1').title}" in message
    assessment.refresh_from_db()
    assert assessment.status == Status.IN_REVIEW and not SignOff.objects.exists()


def test_unanswered_not_applicable_items_do_not_block(assessment, lead):
    applicability_set(assessment=assessment, key="G.1.2", level=Applicability.Level.NOT_APPLICABLE, reason="x", by=lead)
    applicability_set(assessment=assessment, key="O", level=Applicability.Level.NOT_APPLICABLE, reason="x", by=lead)
    answer_all(assessment)
    assert open_items(assessment=assessment) == []
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    assessment_sign_off(assessment=assessment, statement="Done.", by=lead)


def test_carried_over_answers_count_as_open(assessment, lead):
    answer_all(assessment)
    RequirementAnswer.objects.filter(assessment=assessment, requirement__key="M.6.1").update(carried_over=True)
    assert [item.split()[0] for item in open_items(assessment=assessment)] == ["M.6.1"]


def test_self_assessment_open_items_are_categories(self_assessment, lead):
    answer_all(self_assessment, skip={"R.16"})
    assert open_items(assessment=self_assessment) == ["R.16 Awareness"]


def test_sign_off_refused_while_categories_are_not_accepted(assessment, lead):
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    category_review_reopen(assessment=assessment, category_key="M.7", by=lead)
    category_review_reopen(assessment=assessment, category_key="M.8", by=lead)
    category_review_send_back(assessment=assessment, category_key="M.8", comment="Redo", by=lead)
    with pytest.raises(AssessmentError, match="not accepted yet: M.7, M.8"):
        assessment_sign_off(assessment=assessment, statement="We confirm.", by=lead)


def test_sign_off_refused_before_review(assessment, lead):
    answer_all(assessment)
    with pytest.raises(AssessmentError, match="Request a review first"):
        assessment_sign_off(assessment=assessment, statement="We confirm.", by=lead)


def test_sign_off_needs_a_statement_and_the_permission(assessment, lead, assessor):
    ready_for_sign_off(assessment, lead)
    with pytest.raises(AssessmentError, match="statement is required"):
        assessment_sign_off(assessment=assessment, statement="", by=lead)
    with pytest.raises(PermissionDenied):
        assessment_sign_off(assessment=assessment, statement="x", by=assessor)
    assert not SignOff.objects.exists()


def test_sign_off_records_who_when_statement_and_snapshot(assessment, lead):
    ready_for_sign_off(assessment, lead)
    signoff = assessment_sign_off(assessment=assessment, statement="  Reviewed and confirmed.  ", by=lead)
    assessment.refresh_from_db()
    assert assessment.status == Status.SIGNED_OFF
    assert assessment.signed_off_by == lead and assessment.signed_off_at == signoff.signed_at
    assert (signoff.signed_by, signoff.signed_by_label, signoff.statement) == (
        lead,
        "lead@acme.test",
        "Reviewed and confirmed.",
    )
    snapshot = signoff.snapshot
    assert snapshot["assessment"]["model_version"] == "1.1.0"
    assert len(snapshot["answers"]) == 78
    assert snapshot["answers"]["G.1.1"] == {
        "level": 3,
        "notes": "",
        "applicability": "applicable",
        "carried_over": False,
    }
    assert snapshot["results"]["overall"] == {"value": 3.0, "level": 3}
    assert snapshot["results"]["categories"]["G.1"]["level"] == 3
    entry = AuditEntry.objects.get(action="assessment.signed_off")
    assert entry.after["statement"] == "Reviewed and confirmed." and entry.actor == lead


def test_snapshot_is_frozen(assessment, lead):
    ready_for_sign_off(assessment, lead)
    signoff = assessment_sign_off(assessment=assessment, statement="ok", by=lead)
    RequirementAnswer.objects.filter(assessment=assessment).update(level=1)
    signoff.refresh_from_db()
    assert signoff.snapshot["answers"]["G.1.1"]["level"] == 3


def test_reopen_is_owner_only_and_keeps_the_previous_sign_off(assessment, owner, lead):
    ready_for_sign_off(assessment, lead)
    first = assessment_sign_off(assessment=assessment, statement="First", by=lead)
    with pytest.raises(PermissionDenied):
        assessment_reopen(assessment=assessment, reason="typo", by=lead)
    with pytest.raises(AssessmentError, match="reason is required"):
        assessment_reopen(assessment=assessment, reason="", by=owner)
    assessment_reopen(assessment=assessment, reason="Wrong evidence in M.6", by=owner)
    assert assessment.status == Status.IN_PROGRESS and assessment.signed_off_at is None
    first.refresh_from_db()
    assert (first.reopened_by, first.reopen_reason) == (owner, "Wrong evidence in M.6") and first.reopened_at
    entry = AuditEntry.objects.get(action="assessment.reopened")
    assert entry.after["reason"] == "Wrong evidence in M.6" and entry.actor == owner
    # Sign off again: both sign-offs stay in the history.
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    second = assessment_sign_off(assessment=assessment, statement="Second", by=owner)
    assert list(SignOff.objects.filter(assessment=assessment)) == [second, first]
    assert second.reopened_at is None


def test_reopen_refused_unless_signed_off(assessment, owner):
    with pytest.raises(AssessmentError, match="Only a signed-off"):
        assessment_reopen(assessment=assessment, reason="x", by=owner)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_double_sign_off_from_two_threads_happens_once(org, lead, owner, model):
    """Two reviewers press "sign off" at the same moment: the row lock lets exactly one through."""
    require_postgres()
    assessment = assessment_create(org, model_version=model)
    ready_for_sign_off(assessment, lead)
    barrier = threading.Barrier(2)
    outcomes = []

    def sign(user):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            assessment_sign_off(assessment=Assessment.objects.get(pk=assessment.pk), statement="Go", by=user)
            outcomes.append("ok")
        except AssessmentError as error:
            outcomes.append(str(error))
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=sign, args=(user,)) for user in (lead, owner)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[-1] == "ok" and outcomes.count("ok") == 1, outcomes
    assert SignOff.objects.filter(assessment=assessment).count() == 1
