"""Notifications: recorded after the change that caused them commits, delivered by a Celery task.

``notify`` is called inside the service's transaction; on commit it enqueues
``deliver_notification_task`` with the event (ids and the texts written at event time). The task
creates one inbox row per recipient (unique per event and recipient: a retry or a second delivery
finds it) and e-mails it according to the recipient's preference: immediately (one e-mail per
notification, at most once: the row is locked and marked in the sending transaction), in the daily
digest (``notifications_send_digests``), or not at all.

Mail headers are built only from single-line, sanitized values (``header_value``).
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.validators import single_line_text
from notifications.models import EmailPreference, Kind, Notification, NotificationPreference

logger = logging.getLogger(__name__)

__all__ = ["Kind", "notify", "notification_deliver", "notifications_send_digests", "header_value"]

MAX_SUBJECT = 150


def header_value(value, *, limit: int = MAX_SUBJECT) -> str:
    """One line: control characters (CR, LF, tabs, separators) become spaces, runs of spaces one."""
    text = single_line_text(str(value or ""))
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def absolute_url(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def notify(*, organization, kind: str, event_key: str, recipient_ids, title: str, body: str, url: str, actor=None):
    """Inside the caller's transaction: deliver this event to these people once it commits."""
    recipient_ids = sorted({int(pk) for pk in recipient_ids if pk})
    if not recipient_ids:
        return
    event = {
        "organization_id": getattr(organization, "pk", organization),
        "kind": str(kind),
        "event_key": event_key,
        "recipient_ids": recipient_ids,
        "title": title,
        "body": body,
        "url": url,
        "actor_id": getattr(actor, "pk", None),
    }

    def enqueue():
        from notifications.tasks import deliver_notification_task

        deliver_notification_task.delay(**event)

    transaction.on_commit(enqueue)


def notification_deliver(
    *, organization_id, kind, event_key, recipient_ids, title, body, url, actor_id=None
) -> list[Notification]:
    """Inbox rows for the recipients (once each) and the e-mails due now. Safe to run again."""
    from django.contrib.auth import get_user_model

    title = header_value(title, limit=300)
    delivered, failed = [], []
    recipients = get_user_model().objects.filter(pk__in=recipient_ids, is_active=True)
    for user in recipients:
        try:
            with transaction.atomic():
                notification, _created = Notification.objects.get_or_create(
                    recipient=user,
                    event_key=event_key[:200],
                    defaults={
                        "organization_id": organization_id,
                        "kind": kind,
                        "title": title,
                        "body": body,
                        "url": url[:500],
                        "actor_id": actor_id,
                        "email_skipped": email_preference(user) == EmailPreference.OFF or not user.email,
                    },
                )
        except IntegrityError:  # a concurrent delivery of the same event created it
            notification = Notification.objects.get(recipient=user, event_key=event_key[:200])
        delivered.append(notification)
        if email_preference(user) == EmailPreference.IMMEDIATELY:
            # Each e-mail in its own try: one refused address does not keep the others from theirs.
            try:
                _email_once(notification.pk)
            except Exception as error:
                logger.exception("Notification %s to user %s could not be e-mailed", notification.pk, user.pk)
                failed.append(error)
    if failed:
        # The task retries on OSError; rows and e-mails already sent are not repeated (see _email_once).
        raise OSError(f"{len(failed)} of {len(delivered)} notification e-mails could not be sent") from failed[0]
    return delivered


def email_preference(user) -> str:
    pref = NotificationPreference.objects.filter(user=user).values_list("email", flat=True).first()
    return pref or EmailPreference.IMMEDIATELY


def _email_once(notification_id) -> bool:
    """E-mail one notification unless it was e-mailed (or skipped) before; the row lock makes it once."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update()
            .select_related("recipient")
            .filter(pk=notification_id, emailed_at=None, email_skipped=False)
            .first()
        )
        if notification is None:
            return False
        body = f"{notification.body}\n\nOpen it: {absolute_url(notification.url)}\n"
        _send(to=notification.recipient.email, subject=notification.title, body=body)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return True


def _send(*, to: str, subject: str, body: str) -> None:
    footer = f"\n--\nPKIMM Assess. Choose how you get these e-mails: {absolute_url('/notifications/settings/')}\n"
    EmailMessage(subject=header_value(subject), body=body + footer, to=[header_value(to, limit=254)]).send()


def notifications_send_digests() -> int:
    """Daily: one e-mail per person who chose the digest, listing what they were not e-mailed yet."""
    pending = (
        Notification.objects.filter(
            emailed_at=None,
            email_skipped=False,
            recipient__notification_pref__email=EmailPreference.DAILY,
            recipient__is_active=True,
        )
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for recipient_id in list(pending):
        try:
            with transaction.atomic():
                rows = list(
                    Notification.objects.select_for_update()
                    .select_related("recipient")
                    .filter(recipient_id=recipient_id, emailed_at=None, email_skipped=False)
                    .order_by("created_at", "id")
                )
                if not rows:
                    continue
                lines = [f"- {n.title}\n  {absolute_url(n.url)}" for n in rows]
                _send(
                    to=rows[0].recipient.email,
                    subject=f"PKIMM Assess: {len(rows)} notification{'s' if len(rows) != 1 else ''} today",
                    body="What happened since the last digest:\n\n" + "\n".join(lines) + "\n",
                )
                Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=timezone.now())
                sent += 1
        except Exception:  # each digest in its own try: the others still go out
            logger.exception("Digest for user %s could not be sent; it is tried again next time", recipient_id)
    return sent


def notification_open(*, notification: Notification) -> str:
    """Mark it read; the path to go to (always a path on this site)."""
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk, read_at=None).update(read_at=timezone.now())
    return notification.url if notification.url.startswith("/") and not notification.url.startswith("//") else "/"


def notifications_mark_all_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).update(read_at=timezone.now())


def notification_preference_set(*, user, email: str) -> NotificationPreference:
    if email not in EmailPreference.values:
        raise ValueError("Choose immediately, daily or off.")
    pref, _ = NotificationPreference.objects.update_or_create(user=user, defaults={"email": email})
    return pref
