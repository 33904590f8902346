"""Lead assessors assign categories, or single requirements, to members, with an optional due date."""

from django.db import transaction

from assessments.models import Assessment, Assignment
from assessments.services.common import (
    AssessmentError,
    assessment_lock_editable,
    due_date_ensure_not_past,
    questionnaire_url,
)
from assessments.services.history import assessment_audit
from catalog.models import Category, Requirement
from notifications.services import Kind, notify
from organizations.roles import Perm
from organizations.tenancy import ensure_perm, member_perms


def _target(assignment) -> str:
    return assignment.requirement.key if assignment.requirement_id else assignment.category.key


def assignment_set(
    *,
    assessment: Assessment,
    assignee,
    by,
    category: Category | None = None,
    requirement: Requirement | None = None,
    due_date=None,
) -> Assignment:
    """Assign (or re-assign) one category or one requirement; exactly one of the two is given."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE)
    if (category is None) == (requirement is None):
        raise AssessmentError("Assign either a category or a single requirement.")
    target = category or requirement
    if target.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"{target.key} is not part of this assessment's model version.")
    if Perm.ASSESSMENT_ANSWER not in member_perms(organization=assessment.organization, user=assignee):
        raise AssessmentError("Only members who can answer (assessors, lead assessors, owners) can be assigned.")
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        lookup = {"requirement": requirement} if requirement else {"category": category, "requirement": None}
        assignment = (
            Assignment.objects.for_org(locked.organization)
            .select_for_update()
            .filter(assessment=locked, **lookup)
            .select_related("assignee")
            .first()
        )
        after = {"assignee": assignee.get_username(), "due_date": due_date}
        if assignment is None:
            due_date_ensure_not_past(due_date)
            assignment = Assignment.objects.create(
                organization=locked.organization,
                assessment=locked,
                category=category,
                requirement=requirement,
                assignee=assignee,
                due_date=due_date,
                assigned_by=by,
            )
            before = None
        else:
            before = {"assignee": assignment.assignee.get_username(), "due_date": assignment.due_date}
            if before == after:
                return assignment
            if before["due_date"] != due_date:
                due_date_ensure_not_past(due_date)
            assignment.assignee, assignment.due_date, assignment.assigned_by = assignee, due_date, by
            assignment.save(update_fields=["assignee", "due_date", "assigned_by"])
        entry = assessment_audit(
            assessment=locked,
            by=by,
            action="assignment.set",
            subject=f"assignment of {target.key}",
            before=before,
            after=after,
        )
        if assignee.pk != by.pk and (before is None or before["assignee"] != after["assignee"]):
            due = f", due {due_date:%d %B %Y}" if due_date else ""
            category_key = category.key if category else requirement.category.key
            notify(
                organization=locked.organization,
                kind=Kind.ASSIGNED,
                event_key=f"audit:{entry.pk}",
                recipient_ids=[assignee.pk],
                actor=by,
                title=f"Assigned to you: {target.key} {target.name if category else target.title} ({locked.name})",
                body=f"{by.get_username()} assigned {target.key} of {locked.name} to you{due}.",
                url=questionnaire_url(locked, category_key, "" if category else requirement.key),
            )
    return assignment


def assignment_remove(*, assignment: Assignment, by) -> None:
    assessment = assignment.assessment
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE)
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        assessment_audit(
            assessment=locked,
            by=by,
            action="assignment.removed",
            subject=f"assignment of {_target(assignment)}",
            before={"assignee": assignment.assignee.get_username(), "due_date": assignment.due_date},
        )
        assignment.delete()
