"""Bulk actions (assessments/services/bulk.py): many categories in one action, all or nothing, audited."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from assessments.models import Assessment, Assignment, CategoryAnswer, CategoryReview, RequirementAnswer
from assessments.selectors_manage import categories_in_scope
from assessments.services.assignments import assignment_set
from assessments.services.bulk import assignments_bulk_set, carried_over_answers_confirm, category_reviews_accept_all
from assessments.services.common import AssessmentError
from assessments.services.workflow import assessment_request_review
from audit.models import AuditEntry
from catalog.models import Category
from notifications.models import Notification
from tests.assessments.workflow.helpers import answer_all

NEXT_MONTH = timezone.localdate() + datetime.timedelta(days=30)


def _keys(assessment):
    return [category.key for category in categories_in_scope(assessment=assessment)]


def test_all_unassigned_categories_go_to_one_person_in_one_action(
    assessment, lead, assessor, owner, django_capture_on_commit_callbacks
):
    g1 = Category.objects.get(model_version=assessment.model_version, key="G.1")
    assignment_set(assessment=assessment, category=g1, assignee=owner, by=lead)
    with django_capture_on_commit_callbacks(execute=True):
        assigned = assignments_bulk_set(assessment=assessment, assignee=assessor, due_date=NEXT_MONTH, by=lead)
    keys = _keys(assessment)
    assert len(keys) == 16 and assigned == keys[1:]  # G.1 was taken: the other 15
    rows = Assignment.objects.filter(assessment=assessment)
    assert rows.get(category=g1).assignee == owner
    assert sorted(r.category.key for r in rows.filter(assignee=assessor)) == sorted(keys[1:])
    assert set(rows.filter(assignee=assessor).values_list("due_date", flat=True)) == {NEXT_MONTH}
    entry = AuditEntry.objects.get(action="assignment.bulk_set")
    assert entry.after["categories"] == keys[1:] and entry.after["assignee"] == "assessor@acme.test"
    # One notification for the whole action, not fifteen.
    notes = Notification.objects.filter(recipient=assessor, kind="assigned")
    assert notes.count() == 1 and "15 categories" in notes.get().title


def test_a_selection_is_reassigned_and_only_real_changes_are_logged(assessment, lead, assessor, owner):
    assignments_bulk_set(assessment=assessment, assignee=assessor, category_keys=["G.1", "G.2"], by=lead)
    assert assignments_bulk_set(assessment=assessment, assignee=assessor, category_keys=["G.1"], by=lead) == []
    assert assignments_bulk_set(assessment=assessment, assignee=owner, category_keys=["G.2", "G.3"], by=lead) == [
        "G.3",
        "G.2",
    ]
    assert dict(Assignment.objects.values_list("category__key", "assignee__email")) == {
        "G.1": "assessor@acme.test",
        "G.2": "owner@acme.test",
        "G.3": "owner@acme.test",
    }
    last = AuditEntry.objects.filter(action="assignment.bulk_set").latest("id")
    assert last.before == {"G.2": {"assignee": "assessor@acme.test", "due_date": None}}


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"due_date": timezone.localdate() - datetime.timedelta(days=1)}, "is in the past"),
        ({"category_keys": ["G.1", "Z.9"]}, "Z.9"),
    ],
)
def test_bad_input_changes_nothing(assessment, lead, assessor, kwargs, message):
    with pytest.raises(AssessmentError, match=message):
        assignments_bulk_set(assessment=assessment, assignee=assessor, by=lead, **kwargs)
    assert not Assignment.objects.exists() and not AuditEntry.objects.filter(action="assignment.bulk_set").exists()


def test_a_past_due_date_is_refused_for_a_single_assignment_too(assessment, lead, assessor):
    g1 = Category.objects.get(model_version=assessment.model_version, key="G.1")
    with pytest.raises(AssessmentError, match="in the past"):
        assignment_set(
            assessment=assessment, category=g1, assignee=assessor, due_date=datetime.date(2020, 1, 1), by=lead
        )
    assert not Assignment.objects.exists()


def test_viewers_cannot_be_assigned_and_assessors_cannot_assign(assessment, lead, assessor, viewer):
    with pytest.raises(AssessmentError, match="Only members who can answer"):
        assignments_bulk_set(assessment=assessment, assignee=viewer, by=lead)
    with pytest.raises(PermissionDenied):
        assignments_bulk_set(assessment=assessment, assignee=assessor, by=assessor)
    assert not Assignment.objects.exists()


def test_the_reviewer_accepts_every_waiting_category_at_once(assessment, lead, owner):
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    g2 = CategoryReview.objects.get(assessment=assessment, category__key="G.2")
    g2.status = CategoryReview.Status.SENT_BACK
    g2.save()
    accepted = category_reviews_accept_all(assessment=assessment, by=owner)
    assert len(accepted) == 15 and "G.2" not in accepted
    statuses = dict(CategoryReview.objects.filter(assessment=assessment).values_list("category__key", "status"))
    assert statuses.pop("G.2") == "sent_back" and set(statuses.values()) == {"accepted"}
    assert AuditEntry.objects.filter(action="category_review.accepted").count() == 15
    with pytest.raises(AssessmentError, match="No category is waiting"):
        category_reviews_accept_all(assessment=assessment, by=owner)


def test_accept_all_needs_the_review_role_and_a_review(assessment, lead, assessor, owner):
    with pytest.raises(AssessmentError, match="only while the assessment is in review"):
        category_reviews_accept_all(assessment=assessment, by=owner)
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    with pytest.raises(PermissionDenied):
        category_reviews_accept_all(assessment=assessment, by=assessor)
    assert not CategoryReview.objects.filter(status="accepted").exists()


def _carry_over(assessment, keys=None):
    model = RequirementAnswer if assessment.is_formal else CategoryAnswer
    rows = model.objects.filter(assessment=assessment)
    if keys:
        rows = rows.filter(requirement__key__in=keys)
    rows.update(carried_over=True)


def test_confirm_every_carried_over_answer_of_a_category(assessment, assessor):
    answer_all(assessment, level=2)
    _carry_over(assessment)
    before = dict(RequirementAnswer.objects.filter(requirement__category__key="G.1").values_list("pk", "version"))
    confirmed = carried_over_answers_confirm(assessment=assessment, category_key="G.1", by=assessor)
    assert confirmed and all(key.startswith("G.1.") for key in confirmed)
    g1 = RequirementAnswer.objects.filter(assessment=assessment, requirement__category__key="G.1")
    assert not g1.filter(carried_over=True).exists() and set(g1.values_list("level", flat=True)) == {2}
    assert all(answer.version == before[answer.pk] + 1 and answer.updated_by == assessor for answer in g1)
    # Other categories keep waiting; each confirmed answer has its own history entry.
    assert RequirementAnswer.objects.filter(carried_over=True).exclude(requirement__category__key="G.1").exists()
    assert AuditEntry.objects.filter(action="answer.confirmed").count() == len(confirmed)
    with pytest.raises(AssessmentError, match="No answer of G.1"):
        carried_over_answers_confirm(assessment=assessment, category_key="G.1", by=assessor)


def test_confirm_in_a_self_assessment(self_assessment, assessor):
    answer_all(self_assessment)
    _carry_over(self_assessment)
    assert carried_over_answers_confirm(assessment=self_assessment, category_key="G.2", by=assessor) == ["G.2"]


def test_confirm_is_refused_for_viewers_and_signed_off_assessments(assessment, viewer, assessor):
    answer_all(assessment)
    _carry_over(assessment)
    with pytest.raises(PermissionDenied):
        carried_over_answers_confirm(assessment=assessment, category_key="G.1", by=viewer)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SIGNED_OFF)
    with pytest.raises(AssessmentError, match="signed off"):
        carried_over_answers_confirm(assessment=assessment, category_key="G.1", by=assessor)
    assert not RequirementAnswer.objects.filter(carried_over=False).exists()
