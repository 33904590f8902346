"""Workflow pages, and the read-only rule seen through the views: a message, and nothing changed."""

import pytest
from django.contrib.auth.models import User
from django.core import serializers

from assessments.models import Applicability, Assessment, Assignment, CategoryReview, SignOff, UseCase
from assessments.services.scoping import use_case_add
from assessments.services.workflow import assessment_request_review, assessment_sign_off
from audit.models import AuditEntry
from catalog.models import Category
from tests.assessments.workflow.helpers import accept_all, answer_all, requirement, url


def test_start_and_request_review_buttons(client_for, lead, assessment):
    client = client_for(lead)
    assert client.post(url("start", assessment)).status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "in_progress"
    response = client.post(url("request_review", assessment))
    assert response["Location"] == url("review", assessment)
    assert CategoryReview.objects.filter(assessment=assessment, status="pending").count() == 16


def test_review_page_accept_send_back_reopen(client_for, lead, assessment):
    answer_all(assessment, skip={"G.1.1"})
    assessment_request_review(assessment=assessment, by=lead)
    client = client_for(lead)
    html = client.get(url("review", assessment)).content.decode()
    assert "3 / 4" in html and "4 / 4" in html  # G.1 has one open requirement
    client.post(url("review_action", assessment, category_key="G.1"), {"action": "accept"})
    assert CategoryReview.objects.get(category__key="G.1").status == "accepted"
    response = client.post(
        url("review_action", assessment, category_key="G.1"), {"action": "send_back", "comment": "x"}, follow=True
    )
    assert "reopen it first" in response.content.decode()
    client.post(url("review_action", assessment, category_key="G.1"), {"action": "reopen"})
    response = client.post(
        url("review_action", assessment, category_key="G.1"), {"action": "send_back", "comment": ""}, follow=True
    )
    assert "comment is required" in response.content.decode()
    client.post(
        url("review_action", assessment, category_key="G.1"), {"action": "send_back", "comment": "G.1.1 missing"}
    )
    review = CategoryReview.objects.get(category__key="G.1")
    assert (review.status, review.comment) == ("sent_back", "G.1.1 missing")


def test_sign_off_page_lists_blocking_items(client_for, lead, assessment):
    answer_all(assessment, skip={"G.1.2"})
    assessment_request_review(assessment=assessment, by=lead)
    client = client_for(lead)
    html = client.get(url("sign_off", assessment)).content.decode()
    assert f"G.1.2 {requirement(assessment, 'G.1.2').title}" in html
    assert "Categories not accepted yet: G.1, G.2" in html
    response = client.post(url("sign_off", assessment), {"statement": "We confirm"})
    assert response.status_code == 400
    assert "Sign-off refused" in response.content.decode()
    assert not SignOff.objects.exists()


def test_sign_off_and_reopen_through_the_pages(client_for, lead, owner, assessment):
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    response = client_for(lead).post(url("sign_off", assessment), {"statement": "All good"})
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.status == "signed_off"
    response = client_for(owner).post(url("reopen", assessment), {"reason": "Late evidence for M.6"})
    assert response.status_code == 302
    html = client_for(owner).get(url("detail", assessment)).content.decode()
    assert "Reopened" in html and "Late evidence for M.6" in html and "All good" in html


@pytest.fixture
def signed_off(assessment, lead, assessor):
    use_case_add(assessment=assessment, name="Corporate PKI", by=lead)
    Assignment.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        category=Category.objects.get(model_version=assessment.model_version, key="G.1"),
        assignee=assessor,
    )
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    assessment_sign_off(assessment=assessment, statement="Confirmed", by=lead)
    return assessment


POSTS = {
    "edit": (lambda a: url("edit", a), {"name": "Renamed", "method": "formal", "assessor_type": "internal"}),
    "scope_matrix": (
        lambda a: url("scope_matrix", a),
        {"level:G": "not_applicable", "reason:G": "x", "basis:G": "0:applicable:"},
    ),
    "scope_environment": (lambda a: url("scope_environment", a), {"environment_design": "Changed"}),
    "use_case_create": (lambda a: url("use_case_create", a), {"name": "Another"}),
    "use_case_edit": (lambda a: url("use_case_edit", a, use_case_pk=UseCase.objects.get().pk), {"name": "Renamed"}),
    "use_case_delete": (lambda a: url("use_case_delete", a, use_case_pk=UseCase.objects.get().pk), {}),
    "assignment_set": (lambda a: url("assignments", a), {"target": "G.2", "assignee": "ASSESSOR"}),
    "assignment_unset": (lambda a: url("assignments", a), {"target": "G.1", "assignee": ""}),
    "assignment_delete": (lambda a: url("assignment_delete", a, assignment_pk=Assignment.objects.get().pk), {}),
    "start": (lambda a: url("start", a), {}),
    "request_review": (lambda a: url("request_review", a), {}),
    "review_action": (lambda a: url("review_action", a, category_key="G.1"), {"action": "reopen"}),
    "sign_off": (lambda a: url("sign_off", a), {"statement": "Again"}),
}


def _state():
    models = [Assessment, UseCase, Applicability, Assignment, CategoryReview, SignOff, AuditEntry]
    return {model.__name__: serializers.serialize("json", model.objects.order_by("pk")) for model in models}


@pytest.mark.parametrize("name", sorted(POSTS))
def test_views_change_nothing_after_sign_off_and_say_why(client_for, owner, signed_off, name):
    make_url, data = POSTS[name]
    target = make_url(signed_off)
    data = {k: (User.objects.get(email="assessor@acme.test").pk if v == "ASSESSOR" else v) for k, v in data.items()}
    before = _state()
    response = client_for(owner).post(target, data, follow=True)
    assert _state() == before
    html = response.content.decode()
    assert "signed off and read-only" in html
    assert "alert-danger" in html


def test_scope_page_is_read_only_after_sign_off(client_for, owner, signed_off):
    html = client_for(owner).get(url("scope", signed_off)).content.decode()
    assert 'name="level:G"' not in html and "Add use-case" not in html


@pytest.mark.parametrize("answered", [False, True])
def test_review_and_sign_off_pages_query_count_does_not_grow(
    client_for, lead, assessment, answered, django_assert_max_num_queries
):
    if answered:
        answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    client = client_for(lead)
    with django_assert_max_num_queries(14):
        assert client.get(url("review", assessment)).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(url("sign_off", assessment)).status_code == 200


@pytest.mark.parametrize("assigned", [0, 16])
def test_assignments_page_query_count_does_not_grow(
    client_for, lead, assessor, assessment, assigned, django_assert_max_num_queries
):
    for category in Category.objects.filter(model_version=assessment.model_version)[:assigned]:
        Assignment.objects.create(
            organization=assessment.organization, assessment=assessment, category=category, assignee=assessor
        )
    client = client_for(lead)
    with django_assert_max_num_queries(14):
        assert client.get(url("assignments", assessment)).status_code == 200
