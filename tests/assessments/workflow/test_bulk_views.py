"""The bulk-action pages (assessments/views/bulk.py): thin views over the bulk services."""

import datetime

from django.utils import timezone

from assessments.models import Assignment, CategoryReview, RequirementAnswer
from assessments.services.workflow import assessment_request_review
from tests.assessments.workflow.helpers import answer_all, url


def _messages(response):
    return [str(m) for m in response.context["messages"]]


def test_bulk_assignment_form(assessment, lead, assessor, client_for):
    client = client_for(lead)
    page = client.get(url("assignments", assessment)).content.decode()
    assert "Assign all unassigned (16)" in page and 'form="bulk-assign"' in page
    due = (timezone.localdate() + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        url("assignments_bulk", assessment),
        {"assignee": assessor.pk, "due_date": due, "scope": "selected", "categories": ["G.1", "M.6"]},
        follow=True,
    )
    assert _messages(response) == ["2 categories assigned to Assessor."]
    assert sorted(Assignment.objects.values_list("category__key", flat=True)) == ["G.1", "M.6"]
    response = client.post(
        url("assignments_bulk", assessment), {"assignee": assessor.pk, "scope": "unassigned"}, follow=True
    )
    assert _messages(response) == ["14 categories assigned to Assessor."]


def test_bulk_assignment_refusals_change_nothing(assessment, lead, assessor, client_for):
    client = client_for(lead)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    response = client.post(
        url("assignments_bulk", assessment),
        {"assignee": assessor.pk, "due_date": past, "scope": "unassigned"},
        follow=True,
    )
    assert "is in the past: choose today or a later date. Nothing was assigned." in _messages(response)[0]
    response = client.post(
        url("assignments_bulk", assessment), {"assignee": assessor.pk, "scope": "selected"}, follow=True
    )
    assert _messages(response) == ["Nothing assigned: Select at least one category, or assign all unassigned ones."]
    assert not Assignment.objects.exists()


def test_accept_all_button(assessment, lead, owner, client_for):
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    client = client_for(owner)
    assert "Accept all 16 waiting" in client.get(url("review", assessment)).content.decode()
    response = client.post(url("reviews_accept_all", assessment), follow=True)
    assert _messages(response) == ["16 categories accepted."]
    assert set(CategoryReview.objects.values_list("status", flat=True)) == {"accepted"}
    assert "Accept all" not in response.content.decode()


def test_confirm_carried_over_button(assessment, assessor, client_for):
    answer_all(assessment)
    RequirementAnswer.objects.filter(requirement__category__key="G.2").update(carried_over=True)
    client = client_for(assessor)
    page_url = url("questionnaire_category", assessment_id=assessment.pk, category_key="G.2")
    count = RequirementAnswer.objects.filter(carried_over=True).count()
    assert f"Confirm {count} unchanged answers" in client.get(page_url).content.decode()
    response = client.post(url("carried_over_confirm", assessment_id=assessment.pk, category_key="G.2"), follow=True)
    assert _messages(response) == [f"{count} carried-over answers of G.2 confirmed."]
    assert "carried-over-confirm" not in response.content.decode()
