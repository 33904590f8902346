"""Action plan services: create, update, status, tasks; validation, permissions and the audit log."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEntry
from improvement.models import ActionPlan, ActionPlanTask, TargetLevel
from improvement.services.common import ImprovementError
from improvement.services.plans import (
    action_plan_create,
    action_plan_set_status,
    action_plan_task_add,
    action_plan_task_toggle,
    action_plan_update,
)
from improvement.services.targets import target_level_set
from tests.factories import assessment_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(org, mv11):
    return assessment_create(org, model_version=mv11)


def test_create_a_requirement_plan_with_every_field(assessment, lead, assessor):
    plan = action_plan_create(
        origin=assessment,
        category_key="M.6",
        requirement_key="M.6.2",
        target_level=4,
        objectives="Keys in an HSM",
        responsible_user=assessor,
        due_date=datetime.date(2027, 3, 1),
        resources="Budget for two HSMs",
        dependencies="Data centre move",
        outputs="Key ceremony records",
        comments="Start after the audit",
        tasks=["Choose a vendor", "  ", "Install"],
        by=lead,
    )

    assert plan.organization == assessment.organization
    assert plan.category_name == "Key management"
    assert plan.title == "M.6.2 Key management"  # default title
    assert plan.status == ActionPlan.Status.PLANNED
    assert plan.requirement_code == "2"
    assert list(plan.tasks.values_list("text", "position")) == [("Choose a vendor", 0), ("Install", 2)]
    assert AuditEntry.objects.filter(action="plan.created", object_id=str(plan.pk)).count() == 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"category_key": "X.1", "target_level": 3}, "no category"),
        ({"category_key": "G.1", "requirement_key": "G.2.1", "target_level": 3}, "no requirement"),
        ({"category_key": "G.1", "target_level": 6}, "1 to 5"),
        ({"category_key": "G.1"}, "level it aims for"),
        ({"category_key": "G.1", "target_level": 3, "title": "   "}, "title"),
    ],
)
def test_create_refuses_bad_input(assessment, lead, fields, message):
    with pytest.raises(ImprovementError, match=message):
        action_plan_create(origin=assessment, by=lead, **fields)
    assert not ActionPlan.objects.exists()


def test_the_responsible_member_must_belong_to_the_organization(assessment, lead, outsider):
    with pytest.raises(ImprovementError, match="member"):
        action_plan_create(origin=assessment, category_key="G.1", target_level=3, responsible_user=outsider, by=lead)
    plan = action_plan_create(
        origin=assessment, category_key="G.1", target_level=3, responsible_text="Jane Roe, PKI Consulting", by=lead
    )
    assert plan.responsible_label == "Jane Roe, PKI Consulting"


@pytest.mark.parametrize("role", ["assessor", "viewer", "outsider"])
def test_only_plan_managers_write(assessment, lead, team, role):
    plan = action_plan_create(origin=assessment, category_key="G.1", target_level=3, by=lead)
    user = team[role]
    with pytest.raises(PermissionDenied):
        action_plan_create(origin=assessment, category_key="G.1", target_level=3, by=user)
    with pytest.raises(PermissionDenied):
        action_plan_update(plan=plan, title="Changed", by=user)
    with pytest.raises(PermissionDenied):
        action_plan_set_status(plan=plan, status="done", by=user)
    with pytest.raises(PermissionDenied):
        action_plan_task_add(plan=plan, text="x", by=user)
    with pytest.raises(PermissionDenied):
        target_level_set(assessment=assessment, category_key="G.1", level=4, by=user)
    plan.refresh_from_db()
    assert (plan.title, plan.status, plan.tasks.count()) == ("G.1 Strategy and Vision", "planned", 0)


def test_update_audits_only_what_changed(assessment, owner):
    plan = action_plan_create(origin=assessment, category_key="G.1", target_level=3, by=owner)
    action_plan_update(plan=plan, title="Strategy paper", target_level=4, objectives="", by=owner)

    entry = AuditEntry.objects.get(action="plan.updated")
    assert entry.before == {"title": "G.1 Strategy and Vision", "target_level": 3}
    assert entry.after == {"title": "Strategy paper", "target_level": 4}
    action_plan_update(plan=plan, title="Strategy paper", by=owner)  # no change, no entry
    assert AuditEntry.objects.filter(action="plan.updated").count() == 1
    with pytest.raises(ImprovementError, match="cannot be set"):
        action_plan_update(plan=plan, status="done", by=owner)


def test_status_changes(assessment, lead):
    plan = action_plan_create(origin=assessment, category_key="G.1", target_level=3, by=lead)
    action_plan_set_status(plan=plan, status="in_progress", by=lead)
    plan.refresh_from_db()
    assert plan.status == "in_progress" and plan.is_open
    with pytest.raises(ImprovementError):
        action_plan_set_status(plan=plan, status="finished", by=lead)
    action_plan_set_status(plan=plan, status="done", by=lead)
    plan.refresh_from_db()
    assert not plan.is_open
    assert list(AuditEntry.objects.filter(action="plan.status_changed").values_list("after", flat=True)) == [
        {"status": "done"},
        {"status": "in_progress"},
    ]


def test_tasks_are_added_in_order_and_toggled(assessment, lead):
    plan = action_plan_create(origin=assessment, category_key="G.1", target_level=3, tasks=["First"], by=lead)
    second = action_plan_task_add(plan=plan, text=" Second ", by=lead)
    assert (second.text, second.position) == ("Second", 1)
    with pytest.raises(ImprovementError):
        action_plan_task_add(plan=plan, text="  ", by=lead)

    assert action_plan_task_toggle(task=second, by=lead).done is True
    assert action_plan_task_toggle(task=second, by=lead).done is False
    assert ActionPlanTask.objects.get(pk=second.pk).done is False
    assert AuditEntry.objects.filter(action="plan.task_toggled").count() == 2


def test_target_levels_are_set_reset_and_audited(assessment, lead):
    target_level_set(assessment=assessment, category_key="G.1", level=4, by=lead)
    assert TargetLevel.objects.get(assessment=assessment, category_key="G.1").level == 4
    target_level_set(assessment=assessment, category_key="G.1", level=None, by=lead)
    assert not TargetLevel.objects.exists()
    with pytest.raises(ImprovementError):
        target_level_set(assessment=assessment, category_key="G.1", level=0, by=lead)
    with pytest.raises(ImprovementError):
        target_level_set(assessment=assessment, category_key="Z.9", level=3, by=lead)
    assert AuditEntry.objects.filter(action="target.set").count() == 2


def test_a_save_over_a_newer_change_is_refused(assessment, lead, owner, client_for):
    from django.urls import reverse

    plan = action_plan_create(origin=assessment, category_key="G.1", target_level=3, by=lead)
    seen = plan.updated_at
    stale_copy = ActionPlan.objects.get(pk=plan.pk)
    action_plan_update(plan=plan, title="Owner's title", by=owner, expected_updated_at=seen)
    action_plan_set_status(plan=plan, status="in_progress", by=owner)

    with pytest.raises(ImprovementError, match="Someone else changed"):
        action_plan_update(plan=stale_copy, title="Lead's title", by=lead, expected_updated_at=seen)
    plan.refresh_from_db()
    assert plan.title == "Owner's title"

    # Through the page: the stale form is refused with the message, nothing changes.
    response = client_for(lead).post(
        reverse("plans:edit", args=[assessment.organization.slug, plan.pk]),
        {"title": "Lead's title", "target_level": "3", "seen_updated_at": seen.isoformat()},
    )
    assert response.status_code == 200 and "Someone else changed" in response.content.decode()
    plan.refresh_from_db()
    assert (plan.title, plan.status) == ("Owner's title", "in_progress")
    # Without the check (no token), the status another user set is kept: only edited fields are written.
    action_plan_update(plan=stale_copy, target_level=5, by=lead)
    plan.refresh_from_db()
    assert (plan.target_level, plan.status, plan.title) == (5, "in_progress", "Owner's title")
