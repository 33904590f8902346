"""Action plans and their task checklists. Every write checks Perm.PLAN_MANAGE and is audited."""

import datetime

from django.db import transaction
from django.db.models import Case, Max, Value, When

from audit.services import audit_log
from catalog.models import Category, Requirement
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters
from improvement.models import ActionPlan, ActionPlanTask
from improvement.services.common import ImprovementError
from organizations.models import Membership
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

# The fields a user edits; category, requirement and origin are fixed when the plan is created.
EDITABLE_FIELDS = (
    "title",
    "target_level",
    "objectives",
    "responsible_user",
    "responsible_text",
    "due_date",
    "resources",
    "dependencies",
    "outputs",
    "comments",
)
TEXT_FIELDS = ("objectives", "resources", "dependencies", "outputs", "comments")


def _snapshot(plan: ActionPlan) -> dict:
    data = {name: getattr(plan, name) for name in EDITABLE_FIELDS if name != "responsible_user"}
    data["responsible_user"] = plan.responsible_user_id
    data["status"] = plan.status
    if isinstance(data["due_date"], datetime.date):
        data["due_date"] = data["due_date"].isoformat()
    return data


def _clean_fields(*, organization, fields: dict) -> dict:
    """Validate the editable fields; raises ImprovementError with the first problem found."""
    cleaned = dict(fields)
    if "title" in cleaned:
        cleaned["title"] = (cleaned["title"] or "").strip()
        if not cleaned["title"]:
            raise ImprovementError("An action plan needs a title.")
        if len(cleaned["title"]) > 200:
            raise ImprovementError("The title is limited to 200 characters.")
        if has_control_characters(cleaned["title"]):
            raise ImprovementError(f"Title: {SINGLE_LINE_MESSAGE}")
    if "target_level" in cleaned:
        level = cleaned["target_level"]
        if isinstance(level, bool) or not isinstance(level, int) or not 1 <= level <= 5:
            raise ImprovementError("The target level is a whole number from 1 to 5.")
    if "responsible_text" in cleaned:
        cleaned["responsible_text"] = (cleaned["responsible_text"] or "").strip()[:200]
        if has_control_characters(cleaned["responsible_text"]):
            raise ImprovementError(f"Responsible: {SINGLE_LINE_MESSAGE}")
    user = cleaned.get("responsible_user")
    if user is not None and not Membership.objects.filter(organization=organization, user=user).exists():
        raise ImprovementError("The responsible person must be a member of this organization (or named as text).")
    if "due_date" in cleaned and cleaned["due_date"] is not None:
        if not isinstance(cleaned["due_date"], datetime.date):
            raise ImprovementError("The due date is not a valid date.")
    for name in TEXT_FIELDS:
        if name in cleaned:
            cleaned[name] = cleaned[name] or ""
    unknown = set(cleaned) - set(EDITABLE_FIELDS)
    if unknown:
        raise ImprovementError(f"These fields cannot be set on an action plan: {', '.join(sorted(unknown))}.")
    return cleaned


@transaction.atomic
def action_plan_create(*, origin, category_key: str, requirement_key: str = "", by, tasks=(), **fields) -> ActionPlan:
    """A plan to bring one category (or one requirement of it) of ``origin`` to ``target_level``."""
    organization = origin.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE)
    category = Category.objects.filter(model_version_id=origin.model_version_id, key=category_key).first()
    if category is None:
        raise ImprovementError(f"The model {origin.model_version.version} has no category {category_key}.")
    if requirement_key:
        if not Requirement.objects.filter(category=category, key=requirement_key).exists():
            raise ImprovementError(f"Category {category_key} has no requirement {requirement_key}.")
    fields.setdefault("title", f"{requirement_key or category_key} {category.name}")
    if "target_level" not in fields:
        raise ImprovementError("An action plan names the level it aims for.")
    cleaned = _clean_fields(organization=organization, fields=fields)
    plan = ActionPlan.objects.create(
        organization=organization,
        origin=origin,
        category_key=category.key,
        category_name=category.name,
        requirement_key=requirement_key,
        created_by=by,
        **cleaned,
    )
    ActionPlanTask.objects.bulk_create(
        ActionPlanTask(organization=organization, plan=plan, text=text.strip()[:300], position=position)
        for position, text in enumerate(tasks)
        if text.strip()
    )
    audit_log(organization=organization, actor=by, action="plan.created", obj=plan, after=_snapshot(plan))
    return plan


@transaction.atomic
def action_plan_update(*, plan: ActionPlan, by, expected_updated_at=None, **fields) -> ActionPlan:
    """Change the editable fields. With ``expected_updated_at`` (the plan as the form showed it), a save
    over someone else's newer change is refused instead of silently overwriting it."""
    organization = plan.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE)
    cleaned = _clean_fields(organization=organization, fields=fields)
    current = ActionPlan.objects.select_for_update().get(pk=plan.pk)
    if expected_updated_at is not None and current.updated_at != expected_updated_at:
        raise ImprovementError(
            "Someone else changed this plan while you were editing it. Your changes were not saved: "
            "look at the plan as it is now and edit it again."
        )
    before = _snapshot(current)
    for name, value in cleaned.items():
        setattr(current, name, value)
    after = _snapshot(current)
    if after != before:
        # Only the edited fields are written: a concurrent status change or task toggle stays.
        current.save(update_fields=[*cleaned, "updated_at"])
        changed = {key for key in after if after[key] != before[key]}
        audit_log(
            organization=organization,
            actor=by,
            action="plan.updated",
            obj=current,
            before={key: before[key] for key in changed},
            after={key: after[key] for key in changed},
        )
    plan.refresh_from_db()
    return plan


@transaction.atomic
def action_plan_set_status(*, plan: ActionPlan, status: str, by) -> ActionPlan:
    organization = plan.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE)
    if status not in ActionPlan.Status.values:
        raise ImprovementError(f"Unknown status {status!r}.")
    if plan.status == status:
        return plan
    before = plan.status
    plan.status = status
    plan.save(update_fields=["status", "updated_at"])
    audit_log(
        organization=organization,
        actor=by,
        action="plan.status_changed",
        obj=plan,
        before={"status": before},
        after={"status": status},
    )
    return plan


@transaction.atomic
def action_plan_task_add(*, plan: ActionPlan, text: str, by) -> ActionPlanTask:
    organization = plan.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE)
    text = (text or "").strip()
    if not text:
        raise ImprovementError("A task needs a description.")
    if len(text) > 300:
        raise ImprovementError("A task is limited to 300 characters.")
    last = ActionPlanTask.objects.for_org(organization).filter(plan=plan).aggregate(last=Max("position"))["last"]
    task = ActionPlanTask.objects.create(
        organization=organization, plan=plan, text=text, position=0 if last is None else last + 1
    )
    audit_log(organization=organization, actor=by, action="plan.task_added", obj=plan, after={"task": text})
    return task


@transaction.atomic
def action_plan_task_toggle(*, task: ActionPlanTask, by) -> ActionPlanTask:
    organization = task.organization
    ensure_perm(organization=organization, user=by, permission=Perm.PLAN_MANAGE)
    # Flip in the database so that two clicks at once give two flips, not one lost update.
    ActionPlanTask.objects.for_org(organization).filter(pk=task.pk).update(
        done=Case(When(done=True, then=Value(False)), default=Value(True))
    )
    task.refresh_from_db(fields=["done"])
    audit_log(
        organization=organization,
        actor=by,
        action="plan.task_toggled",
        obj=task.plan,
        after={"task": task.text, "done": task.done},
    )
    return task
