"""Bulk work on one assessment: one action instead of one click per row.

Each function checks the permission, runs in one transaction under the assessment's row lock, refuses
the whole action (changing nothing) on any bad input, and writes the audit log.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from assessments.live import answers_changed_signal
from assessments.models import Assessment, Assignment, CategoryAnswer, CategoryReview, RequirementAnswer
from assessments.selectors import history_object_id
from assessments.selectors_manage import categories_in_scope
from assessments.services.common import (
    AssessmentError,
    assessment_lock_editable,
    category_review_lock,
    due_date_ensure_not_past,
    questionnaire_url,
)
from assessments.services.history import assessment_audit
from assessments.services.summary import assessment_summary_refresh
from assessments.services.workflow import category_review_mark_changed
from audit.services import audit_log
from notifications.services import Kind, notify
from organizations.roles import Perm
from organizations.tenancy import ensure_perm, member_perms

MAX_LISTED = 12  # a notification names this many categories, then "and N more"


def assignments_bulk_set(
    *, assessment: Assessment, assignee, by, due_date: datetime.date | None = None, category_keys=None
) -> list[str]:
    """Assign categories to ``assignee`` with one due date, in one action; the keys assigned.

    ``category_keys``: the chosen categories (re-assigned if someone else had them); None: every category
    in scope that nobody is assigned to yet. A key out of scope, a past due date or an assignee who
    cannot answer refuses the whole action.
    """
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE)
    due_date_ensure_not_past(due_date)
    if Perm.ASSESSMENT_ANSWER not in member_perms(organization=assessment.organization, user=assignee):
        raise AssessmentError("Only members who can answer (assessors, lead assessors, owners) can be assigned.")
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        in_scope = {category.key: category.object for category in categories_in_scope(assessment=locked)}
        existing = {
            a.category_id: a
            for a in Assignment.objects.for_org(locked.organization)
            .select_for_update()
            .filter(assessment=locked, requirement=None)
            .select_related("assignee")
        }
        if category_keys is None:
            chosen = [category for category in in_scope.values() if category.pk not in existing]
        else:
            keys = list(dict.fromkeys(category_keys))
            unknown = [key for key in keys if key not in in_scope]
            if unknown:
                raise AssessmentError(f"Not categories in scope of this assessment: {', '.join(unknown)}.")
            chosen = [in_scope[key] for key in keys]
        if not chosen:
            raise AssessmentError("Nothing to assign: every category in scope is assigned already.")
        before, created, changed = {}, [], []
        for category in chosen:
            assignment = existing.get(category.pk)
            if assignment is None:
                created.append(
                    Assignment(
                        organization=locked.organization,
                        assessment=locked,
                        category=category,
                        assignee=assignee,
                        due_date=due_date,
                        assigned_by=by,
                    )
                )
            elif (assignment.assignee_id, assignment.due_date) != (assignee.pk, due_date):
                before[category.key] = {"assignee": assignment.assignee.get_username(), "due_date": assignment.due_date}
                assignment.assignee, assignment.due_date, assignment.assigned_by = assignee, due_date, by
                changed.append(assignment)
        Assignment.objects.bulk_create(created)
        Assignment.objects.bulk_update(changed, ["assignee", "due_date", "assigned_by"])
        keys = [category.key for category in chosen if category.pk not in existing] + list(before)
        if not keys:
            return []
        entry = assessment_audit(
            assessment=locked,
            by=by,
            action="assignment.bulk_set",
            subject=f"{len(keys)} categories assigned to {assignee.get_username()}",
            before=before or None,
            after={"assignee": assignee.get_username(), "due_date": due_date, "categories": keys},
        )
        if assignee.pk != by.pk:
            more = len(keys) - MAX_LISTED
            listed = ", ".join(keys[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")
            due = f", due {due_date:%d %B %Y}" if due_date else ""
            notify(
                organization=locked.organization,
                kind=Kind.ASSIGNED,
                event_key=f"audit:{entry.pk}",
                recipient_ids=[assignee.pk],
                actor=by,
                title=f"Assigned to you: {len(keys)} categories of {locked.name}",
                body=f"{by.get_username()} assigned {listed} of {locked.name} to you{due}.",
                url=questionnaire_url(locked, keys[0]),
            )
    return keys


def category_reviews_accept_all(*, assessment: Assessment, by) -> list[str]:
    """The reviewer accepts every category still waiting for review, in one action; the keys accepted.

    Categories sent back are left as they are: they wait for their assessor, not for the reviewer.
    """
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_REVIEW)
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        if locked.status != Assessment.Status.IN_REVIEW:
            raise AssessmentError("Categories are reviewed only while the assessment is in review.")
        in_scope = {category.key for category in categories_in_scope(assessment=locked)}
        waiting = [
            review
            for review in CategoryReview.objects.for_org(locked.organization)
            .select_for_update(of=("self",))
            .select_related("category")
            .filter(assessment=locked, status=CategoryReview.Status.PENDING)
            .order_by("category__position")
            if review.category.key in in_scope
        ]
        if not waiting:
            raise AssessmentError("No category is waiting for review.")
        now = timezone.now()
        for review in waiting:
            review.status, review.comment, review.reviewed_by, review.reviewed_at = (
                CategoryReview.Status.ACCEPTED,
                "",
                by,
                now,
            )
            review.changed_since_review_at = review.changed_since_review_by = None
        CategoryReview.objects.bulk_update(
            waiting,
            ["status", "comment", "reviewed_by", "reviewed_at", "changed_since_review_at", "changed_since_review_by"],
        )
        keys = [review.category.key for review in waiting]
        # One entry per category, as when accepted one by one (the history of each category shows it).
        for review in waiting:
            assessment_audit(
                assessment=locked,
                by=by,
                action="category_review.accepted",
                subject=f"{review.category.key} {review.category.name}",
                before={"category": review.category.key, "status": CategoryReview.Status.PENDING, "comment": ""},
                after={"category": review.category.key, "status": CategoryReview.Status.ACCEPTED, "comment": ""},
            )
    return keys


def carried_over_answers_confirm(*, assessment: Assessment, category_key: str, by) -> list[str]:
    """Confirm, in one action, every answer of one category still carried over unchanged from the previous
    assessment (a re-assessment); the keys confirmed. Levels and notes stay as they are."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER)
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        from catalog.models import Category

        category = Category.objects.filter(model_version_id=locked.model_version_id, key=category_key).first()
        if category is None:
            raise AssessmentError(f"{category_key} is not a category of this assessment's model version.")
        review = category_review_lock(assessment=locked, category=category, by=by)
        if locked.is_formal:
            answers = RequirementAnswer.objects.filter(requirement__category=category).select_related("requirement")
        else:
            answers = CategoryAnswer.objects.filter(category=category).select_related("category")
        rows = list(
            answers.filter(organization=locked.organization, assessment=locked, carried_over=True)
            .select_for_update(of=("self",))
            .order_by("pk")
        )
        if not rows:
            raise AssessmentError(f"No answer of {category_key} is waiting to be confirmed.")
        now = timezone.now()
        keys = []
        for answer in rows:
            key = answer.requirement.key if locked.is_formal else answer.category.key
            answer.version += 1
            answer.carried_over, answer.updated_by, answer.updated_at = False, by, now
            keys.append(key)
            audit_log(
                organization=locked.organization,
                actor=by,
                action="answer.confirmed",
                object_type=answers.model._meta.model_name,
                object_id=history_object_id(locked, key),
                object_repr=f"{key} in {locked.name}",
                before={"level": answer.level, "notes": answer.notes, "carried_over": True},
                after={"level": answer.level, "notes": answer.notes, "carried_over": False},
            )
        answers.model.objects.bulk_update(rows, ["version", "carried_over", "updated_by", "updated_at"])
        assessment_summary_refresh(assessment=locked, locked=True)
        if review is not None:
            category_review_mark_changed(
                assessment=locked, review=review, by=by, what=f"the carried-over answers of {category_key}"
            )
        answers_changed_signal(assessment_id=locked.pk)
    return keys
