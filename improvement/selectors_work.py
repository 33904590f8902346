""" "My work": what waits for one person across all their organizations.

Assigned to me (overdue first), sent back to me, reviews waiting for me, my open action plans. One
query per kind over all the person's organizations together: the cost does not grow with their number
(tests/improvement/test_my_work.py holds it to that).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, Assignment, CategoryAnswer, CategoryReview, RequirementAnswer
from assessments.services.common import questionnaire_url
from improvement.models import ActionPlan
from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS, Perm

KINDS = {
    "assigned": "Assigned to me",
    "sent_back": "Sent back to me",
    "reviews": "Reviews waiting for me",
    "plans": "My action plans",
}


@dataclass(frozen=True)
class WorkFilters:
    organization: str = ""  # an organization slug, or "" for all
    kind: str = ""  # a key of KINDS, or "" for all
    overdue: bool = False


@dataclass(frozen=True)
class WorkItem:
    kind: str
    organization: object
    title: str
    detail: str
    url: str
    due_date: datetime.date | None = None

    @property
    def overdue(self) -> bool:
        return bool(self.due_date and self.due_date < timezone.localdate())


@dataclass
class MyWork:
    organizations: list
    filters: WorkFilters
    sections: list = field(default_factory=list)  # (kind, label, [WorkItem])

    @property
    def total(self) -> int:
        return sum(len(items) for _kind, _label, items in self.sections)

    @property
    def overdue_count(self) -> int:
        return sum(1 for _kind, _label, items in self.sections for item in items if item.overdue)


def _by_urgency(items: list[WorkItem]) -> list[WorkItem]:
    """Overdue first, then by due date (undated last)."""
    return sorted(items, key=lambda i: (not i.overdue, i.due_date is None, i.due_date or datetime.date.max))


def my_work_for(*, user, filters: WorkFilters = WorkFilters(), second_factor: bool = True) -> MyWork:
    """``second_factor``: whether this session used one; without it, organizations that require one are left
    out (as everywhere in them: organizations/tenancy.py)."""
    memberships = Membership.objects.filter(user=user)
    if not second_factor:
        memberships = memberships.exclude(organization__require_mfa=True)
    memberships = list(memberships.select_related("organization").order_by("organization__name"))
    organizations = [m.organization for m in memberships]
    chosen = [o for o in organizations if not filters.organization or o.slug == filters.organization]
    perms = {m.organization_id: ROLE_PERMISSIONS[m.role] for m in memberships}
    work = MyWork(organizations=organizations, filters=filters)
    wanted = [filters.kind] if filters.kind in KINDS else list(KINDS)
    readers = {"assigned": _assigned, "sent_back": _sent_back, "reviews": _reviews, "plans": _plans}
    for kind in wanted:
        items = _by_urgency(readers[kind](user=user, organizations=chosen, perms=perms)) if chosen else []
        if filters.overdue:
            items = [item for item in items if item.overdue]
        work.sections.append((kind, KINDS[kind], items))
    return work


def _open_assessments():
    return ~Q(assessment__status=Assessment.Status.SIGNED_OFF)


def _assigned(*, user, organizations, perms) -> list[WorkItem]:
    rows = (
        Assignment.objects.filter(_open_assessments(), organization__in=organizations, assignee=user)
        .select_related("assessment__organization", "category", "requirement__category")
        .order_by(F("due_date").asc(nulls_last=True), "pk")
    )
    items = []
    for a in rows:
        assessment = a.assessment
        if a.requirement_id:
            key, name = a.requirement.key, a.requirement.title
            url = questionnaire_url(assessment, a.requirement.category.key, a.requirement.key)
        else:
            key, name = a.category.key, a.category.name
            url = questionnaire_url(assessment, a.category.key)
        items.append(
            WorkItem(
                kind="assigned",
                organization=assessment.organization,
                title=f"{key} {name}",
                detail=f"{assessment.name} · {assessment.get_method_display()}",
                url=url,
                due_date=a.due_date or assessment.target_date,
            )
        )
    return items


def _sent_back(*, user, organizations, perms) -> list[WorkItem]:
    """Categories sent back in review that are assigned to me (the category or one of its requirements);
    in a category nobody is assigned to, those I answered in (whom the reviewer's notification went to)."""
    assignments = Assignment.objects.filter(assessment=OuterRef("assessment")).filter(
        Q(category=OuterRef("category"), requirement=None) | Q(requirement__category=OuterRef("category"))
    )
    answered = Exists(
        RequirementAnswer.objects.filter(
            assessment=OuterRef("assessment"), requirement__category=OuterRef("category"), updated_by=user
        )
    ) | Exists(
        CategoryAnswer.objects.filter(assessment=OuterRef("assessment"), category=OuterRef("category"), updated_by=user)
    )
    rows = (
        CategoryReview.objects.filter(
            organization__in=organizations,
            status=CategoryReview.Status.SENT_BACK,
            assessment__status=Assessment.Status.IN_REVIEW,
        )
        .filter(Exists(assignments.filter(assignee=user)) | (~Exists(assignments) & answered))
        .select_related("assessment__organization", "category", "reviewed_by")
        .order_by("assessment__target_date", "category__position")
    )
    return [
        WorkItem(
            kind="sent_back",
            organization=r.assessment.organization,
            title=f"{r.category.key} {r.category.name}",
            detail=f"{r.assessment.name} · “{r.comment}”" if r.comment else r.assessment.name,
            url=questionnaire_url(r.assessment, r.category.key),
            due_date=r.assessment.target_date,
        )
        for r in rows
    ]


def _reviews(*, user, organizations, perms) -> list[WorkItem]:
    reviewing = [o for o in organizations if Perm.ASSESSMENT_REVIEW in perms[o.pk]]
    if not reviewing:
        return []
    rows = (
        Assessment.objects.filter(organization__in=reviewing, status=Assessment.Status.IN_REVIEW)
        .annotate(waiting=Count("reviews", filter=Q(reviews__status=CategoryReview.Status.PENDING)))
        .filter(waiting__gt=0)
        .select_related("organization")
    )
    return [
        WorkItem(
            kind="reviews",
            organization=a.organization,
            title=a.name,
            detail=f"{a.waiting} categor{'y' if a.waiting == 1 else 'ies'} waiting · {a.get_method_display()}",
            url=reverse("assessments:review", kwargs={"org_slug": a.organization.slug, "pk": a.pk}),
            due_date=a.target_date,
        )
        for a in rows
    ]


def _plans(*, user, organizations, perms) -> list[WorkItem]:
    rows = (
        ActionPlan.objects.filter(
            organization__in=organizations, responsible_user=user, status__in=ActionPlan.OPEN_STATUSES
        )
        .annotate(open_tasks=Count("tasks", filter=Q(tasks__done=False)))
        .select_related("organization")
    )
    return [
        WorkItem(
            kind="plans",
            organization=p.organization,
            title=p.title,
            detail=f"{p.requirement_key or p.category_key} {p.category_name} · {p.get_status_display()}"
            + (f" · {p.open_tasks} open task{'s' if p.open_tasks != 1 else ''}" if p.open_tasks else ""),
            url=reverse("plans:detail", kwargs={"org_slug": p.organization.slug, "plan_id": p.pk}),
            due_date=p.due_date,
        )
        for p in rows
    ]
