"""Bulk actions in real headless Chromium: 15 categories assigned in one action, and a category's
carried-over answers confirmed at once."""

import datetime
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assignment, RequirementAnswer
from assessments.services.assignments import assignment_set
from audit.models import AuditEntry
from catalog.models import Category
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.browser import PHONE, chromium, signed_in_page
from tests.conftest import make_user
from tests.factories import assessment_create, model_1_1

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
SHOTS = Path("/tmp/i15b-shots")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _team():
    organization = Organization.objects.create(name="Acme Trust Services", slug="acme")
    people = {}
    for email, role, name in (
        ("lead@acme.test", Role.LEAD, "Lena Lead"),
        ("assessor@acme.test", Role.ASSESSOR, "Ari Assessor"),
        ("owner@acme.test", Role.OWNER, "Olga Owner"),
    ):
        people[role] = make_user(email, full_name=name)
        Membership.objects.create(organization=organization, user=people[role], role=role)
    return organization, people


def test_fifteen_categories_assigned_in_one_action(live_server):
    organization, people = _team()
    assessment = assessment_create(organization, model_version=model_1_1(), name="Formal assessment 2026")
    g1 = Category.objects.get(model_version=assessment.model_version, key="G.1")
    assignment_set(assessment=assessment, category=g1, assignee=people[Role.OWNER], by=people[Role.LEAD])
    url = live_server.url + reverse("assessments:assignments", args=["acme", assessment.pk])
    due = timezone.localdate() + datetime.timedelta(days=21)
    SHOTS.mkdir(exist_ok=True)
    with chromium() as browser:
        page = signed_in_page(browser, live_server, people[Role.LEAD])
        page.goto(url)
        page.screenshot(path=str(SHOTS / "bulk-assignment-1400.png"), full_page=True)
        # A past due date is refused with a clear message and nothing is assigned.
        page.select_option("#bulk-assignee", label="Ari Assessor")
        page.evaluate("document.getElementById('bulk-due').removeAttribute('min')")
        page.fill("#bulk-due", "2020-01-31")
        page.get_by_role("button", name="Assign all unassigned (15)").click()
        page.wait_for_load_state()
        assert "is in the past" in page.locator(".alert-danger").inner_text()
        assert Assignment.objects.count() == 1
        # Then one action assigns the 15 unassigned categories with one due date.
        page.select_option("#bulk-assignee", label="Ari Assessor")
        page.fill("#bulk-due", due.isoformat())
        page.get_by_role("button", name="Assign all unassigned (15)").click()
        page.wait_for_load_state()
        assert "15 categories assigned to Ari Assessor" in page.locator(".alert-success").inner_text()
        assert page.get_by_role("button", name="Assign all unassigned (0)").is_disabled()
        page.screenshot(path=str(SHOTS / "bulk-assignment-done-1400.png"), full_page=True)
        phone = signed_in_page(browser, live_server, people[Role.LEAD], viewport=PHONE)
        phone.goto(url)
        phone.screenshot(path=str(SHOTS / "bulk-assignment-390.png"), full_page=True)
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    mine = Assignment.objects.filter(assignee=people[Role.ASSESSOR])
    assert mine.count() == 15 and set(mine.values_list("due_date", flat=True)) == {due}
    assert AuditEntry.objects.filter(action="assignment.bulk_set").count() == 1


def test_carried_over_answers_of_a_category_confirmed_at_once(live_server):
    organization, people = _team()
    assessment = assessment_create(organization, model_version=model_1_1(), name="Re-assessment 2027")
    requirements = list(g1_requirements(assessment))
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(
            organization=organization,
            assessment=assessment,
            requirement=r,
            level=3,
            notes="As in 2026",
            carried_over=True,
        )
        for r in requirements
    )
    url = live_server.url + reverse("assessments:questionnaire_category", args=["acme", assessment.pk, "G.1"])
    with chromium() as browser:
        page = signed_in_page(browser, live_server, people[Role.ASSESSOR])
        page.goto(url)
        page.screenshot(path=str(SHOTS / "confirm-carried-over-1400.png"))
        button = page.get_by_role("button", name=f"Confirm {len(requirements)} unchanged answers")
        button.click()
        page.wait_for_load_state()
        assert (
            f"{len(requirements)} carried-over answers of G.1 confirmed" in page.locator(".alert-success").inner_text()
        )
        assert page.locator(".carried-over-confirm").count() == 0
    answers = RequirementAnswer.objects.filter(assessment=assessment)
    assert not answers.filter(carried_over=True).exists()
    assert set(answers.values_list("level", "notes")) == {(3, "As in 2026")}
    assert set(answers.values_list("updated_by", flat=True)) == {people[Role.ASSESSOR].pk}


def g1_requirements(assessment):
    from catalog.models import Requirement

    return Requirement.objects.filter(model_version=assessment.model_version, category__key="G.1").order_by("position")
