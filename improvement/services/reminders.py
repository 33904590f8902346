"""Daily reminders: re-assessments that are due (to owners) and overdue action plans (to their owners).

Reminders are notifications (notifications app): an inbox row, and an e-mail now, in the daily
digest or not at all, as the person chose. Each reminder has a unique key. Its ReminderSent row is
inserted in the same transaction that records and sends it: a second run (or a concurrent one,
which waits on the unique index) finds the key taken and sends nothing. A failed send rolls the
row back, so the reminder is tried again on the next run.
"""

import logging

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Subquery
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from audit.services import audit_log
from core.events import PLAN_OVERDUE, event_announce
from core.validators import single_line_text
from improvement.dates import reassessment_due_date
from improvement.models import ActionPlan, ReminderSent
from notifications.services import Kind, notification_deliver
from organizations.models import Membership, Organization
from organizations.roles import Role

logger = logging.getLogger(__name__)


def reminders_send(*, today=None) -> int:
    """Send every reminder that is due and not sent yet; returns how many were sent."""
    today = today or timezone.localdate()
    _overdue_plan_events(today)
    return _reassessment_reminders(today) + _overdue_plan_reminders(today)


def _overdue_plan_events(today) -> None:
    """Announce every open plan past its due date (e.g. for the organization's webhooks, which deliver each
    plan and due date once: the key names the occurrence)."""
    plans = ActionPlan.objects.filter(status__in=ActionPlan.OPEN_STATUSES, due_date__lt=today).select_related(
        "organization"
    )
    for plan in plans.order_by("due_date", "pk"):
        event_announce(
            organization=plan.organization,
            event=PLAN_OVERDUE,
            data={
                "plan": {
                    "id": plan.pk,
                    "title": plan.title,
                    "category_key": plan.category_key,
                    "due_date": plan.due_date,
                    "status": plan.status,
                }
            },
            dedupe_key=f"plan-overdue:{plan.pk}:{plan.due_date.isoformat()}",
        )


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _reassessment_reminders(today) -> int:
    latest = Assessment.objects.filter(
        organization=OuterRef("pk"), status=Assessment.Status.SIGNED_OFF, signed_off_at__isnull=False
    ).order_by("-signed_off_at", "-pk")
    organizations = Organization.objects.annotate(
        last_assessment_id=Subquery(latest.values("pk")[:1]),
        last_signed_off_at=Subquery(latest.values("signed_off_at")[:1]),
        last_assessment_name=Subquery(latest.values("name")[:1]),
    ).filter(last_assessment_id__isnull=False)
    due = []
    for organization in organizations:
        due_date = reassessment_due_date(
            signed_off_at=organization.last_signed_off_at, interval_months=organization.reassessment_interval_months
        )
        if due_date <= today:
            due.append((organization, due_date))
    owners = Membership.objects.filter(organization__in=[o for o, _ in due], role=Role.OWNER).select_related("user")
    owners_by_org: dict[int, list] = {}
    for membership in owners:
        owners_by_org.setdefault(membership.organization_id, []).append(membership.user)
    sent = 0
    for organization, due_date in due:
        start_path = reverse("plans:reassess", args=[organization.slug, organization.last_assessment_id])
        start_url = _absolute(start_path)
        for user in owners_by_org.get(organization.pk, []):
            if not user.email or not user.is_active:
                continue
            sent += _send_once(
                key=f"reassessment-due:{organization.last_assessment_id}:{user.pk}",
                organization=organization,
                user=user,
                url=start_path,
                subject=f"{organization.name}: the next PKIMM assessment is due",
                body=(
                    f'The last signed-off assessment of {organization.name}, "{organization.last_assessment_name}", '
                    f"was signed off on {timezone.localdate(organization.last_signed_off_at):%d %B %Y}.\n"
                    f"With a re-assessment every {organization.reassessment_interval_months} months, the next one "
                    f"was due on {due_date:%d %B %Y}.\n\n"
                    f"Start it from the previous assessment: {start_url}\n"
                ),
            )
    return sent


def _overdue_plan_reminders(today) -> int:
    plans = (
        ActionPlan.objects.filter(
            status__in=ActionPlan.OPEN_STATUSES,
            due_date__lt=today,
            responsible_user__isnull=False,
            responsible_user__is_active=True,
            # Only while the person is still a member of the plan's organization.
            responsible_user__memberships__organization=F("organization"),
        )
        .select_related("organization", "responsible_user")
        .order_by("due_date", "pk")
    )
    sent = 0
    for plan in plans:
        user = plan.responsible_user
        if not user.email:
            continue
        sent += _send_once(
            key=f"plan-overdue:{plan.pk}:{plan.due_date.isoformat()}:{user.pk}",
            organization=plan.organization,
            user=user,
            url=reverse("plans:detail", args=[plan.organization.slug, plan.pk]),
            subject=f"{plan.organization.name}: action plan overdue: {plan.title}",
            body=(
                f'The action plan "{plan.title}" ({plan.item_key} {plan.category_name}, target level '
                f"{plan.target_level}) was due on {plan.due_date:%d %B %Y} and is still "
                f"{plan.get_status_display().lower()}.\n\n"
                f"Update it or its due date: "
                f"{_absolute(reverse('plans:detail', args=[plan.organization.slug, plan.pk]))}\n"
            ),
        )
    return sent


def _send_once(*, key: str, organization, user, subject: str, body: str, url: str) -> int:
    """A reminder is a notification like any other (inbox row, e-mail per the person's preference)."""
    # Names and titles written before single-line validation may hold line breaks: a subject never does.
    subject = single_line_text(subject)
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key)
            notification_deliver(
                organization_id=organization.pk,
                kind=Kind.REMINDER,
                event_key=f"reminder:{key}",
                recipient_ids=[user.pk],
                title=subject,
                body=body,
                url=url,
            )
            audit_log(
                organization=organization,
                actor=None,
                action="reminder.sent",
                object_type="reminder",
                object_repr=subject,
                after={"key": key, "to": user.email},
            )
    except IntegrityError:
        return 0  # sent before, or being sent right now by a concurrent run
    except Exception:
        # SMTP trouble or a value the mail library refuses: the row is rolled back with the transaction, so the
        # next run tries again; the other reminders (of this and every other organization) still go out.
        logger.exception("Reminder %s to user %s could not be sent", key, user.pk)
        return 0
    return 1
