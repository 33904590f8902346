"""Webhooks: owners register URLs; events become signed JSON deliveries, sent by Celery with retries.

Each delivery carries ``X-PKIMM-Event``, ``X-PKIMM-Delivery`` (the event id, the same on every retry),
``X-PKIMM-Timestamp`` (Unix seconds) and ``X-PKIMM-Signature: sha256=<hex>``, the HMAC-SHA256 with the
webhook's secret of ``"<timestamp>.<body>"``. A receiver recomputes it and rejects old timestamps.
"""

import hashlib
import hmac
import json
import secrets
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.services import audit_log
from core.events import EVENTS
from organizations.roles import Perm
from organizations.tenancy import ensure_perm
from webhooks.addresses import AddressRefused, resolved_check, url_check
from webhooks.models import Webhook, WebhookDelivery

TEST_EVENT = "webhook.test"
MAX_RESPONSE_BYTES = 64 * 1024


class WebhookError(Exception):
    """A refused webhook change, with a message for the user."""


def signature(*, secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def webhook_create(*, organization, url: str, events, by, membership=None) -> Webhook:
    ensure_perm(organization=organization, user=by, permission=Perm.ORG_SETTINGS, membership=membership)
    events = sorted(set(events))
    if not events or not set(events) <= set(EVENTS):
        raise WebhookError(f"Choose one or more of: {', '.join(EVENTS)}.")
    try:
        url_check(url)
    except AddressRefused as error:
        raise WebhookError(str(error)) from None
    with transaction.atomic():
        webhook = Webhook.objects.create(
            organization=organization, url=url, events=events, secret=secrets.token_urlsafe(32), created_by=by
        )
        audit_log(
            organization=organization,
            actor=by,
            action="webhook.created",
            obj=webhook,
            after={"url": url, "events": events},
        )
    return webhook


def webhook_delete(*, webhook: Webhook, by, membership=None) -> None:
    ensure_perm(organization=webhook.organization, user=by, permission=Perm.ORG_SETTINGS, membership=membership)
    with transaction.atomic():
        audit_log(organization=webhook.organization, actor=by, action="webhook.deleted", obj=webhook)
        webhook.delete()


def _enqueue(delivery_ids) -> None:
    from webhooks.tasks import deliver_webhook_task

    for delivery_id in delivery_ids:
        transaction.on_commit(lambda delivery_id=delivery_id: deliver_webhook_task.delay(delivery_id))


def webhook_event_dispatch(*, organization, event: str, data: dict, dedupe_key: str = "") -> list[WebhookDelivery]:
    """One delivery per active webhook of ``organization`` that takes ``event``; sent in the background.
    With ``dedupe_key``, an occurrence already recorded for a webhook is not delivered again."""
    payload = json.loads(json.dumps(data, cls=DjangoJSONEncoder))
    deliveries = []
    with transaction.atomic():
        for webhook in Webhook.objects.for_org(organization).filter(active=True):
            if event not in webhook.events:
                continue
            if dedupe_key and WebhookDelivery.objects.filter(webhook=webhook, dedupe_key=dedupe_key).exists():
                continue
            try:
                with transaction.atomic():
                    deliveries.append(
                        WebhookDelivery.objects.create(
                            organization=organization,
                            webhook=webhook,
                            event=event,
                            payload=payload,
                            dedupe_key=dedupe_key,
                        )
                    )
            except IntegrityError:
                continue  # a concurrent run recorded this occurrence first
        _enqueue([d.pk for d in deliveries])
    return deliveries


def webhook_test(*, webhook: Webhook, by, membership=None) -> WebhookDelivery:
    """The test button: a ``webhook.test`` delivery through the same path as real events."""
    ensure_perm(organization=webhook.organization, user=by, permission=Perm.ORG_SETTINGS, membership=membership)
    with transaction.atomic():
        delivery = WebhookDelivery.objects.create(
            organization=webhook.organization,
            webhook=webhook,
            event=TEST_EVENT,
            payload={"message": "A test delivery", "requested_by": by.get_username()},
        )
        _enqueue([delivery.pk])
    return delivery


def _body(delivery: WebhookDelivery) -> bytes:
    document = {
        "id": str(delivery.event_id),
        "event": delivery.event,
        "created_at": delivery.created_at.isoformat(),
        "organization": delivery.organization.slug,
        "data": delivery.payload,
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":")).encode()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # a redirect could lead anywhere: it counts as a failed attempt


def webhook_deliver_attempt(*, delivery_id: int) -> bool | None:
    """Send one attempt; True when delivered (or already), False when it should be retried, None when given up."""
    delivery = WebhookDelivery.objects.select_related("webhook", "organization").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING:
        return True
    webhook = delivery.webhook
    body = _body(delivery)
    timestamp = str(int(time.time()))
    status_code, error, refused = None, "", False
    try:
        resolved_check(webhook.url)
        request = urllib.request.Request(
            webhook.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "PKIMM-Assess-Webhooks/1",
                "X-PKIMM-Event": delivery.event,
                "X-PKIMM-Delivery": str(delivery.event_id),
                "X-PKIMM-Timestamp": timestamp,
                "X-PKIMM-Signature": signature(secret=webhook.secret, timestamp=timestamp, body=body),
            },
        )
        opener = urllib.request.build_opener(_NoRedirect)
        with opener.open(request, timeout=settings.WEBHOOK_TIMEOUT_SECONDS) as response:
            response.read(MAX_RESPONSE_BYTES)
            status_code = response.status
    except AddressRefused as reason:
        error, refused = str(reason), True
    except urllib.error.HTTPError as failed:
        status_code, error = failed.code, f"HTTP {failed.code}"
    except (urllib.error.URLError, OSError, ValueError) as failed:
        error = str(getattr(failed, "reason", failed))[:500]
    delivered = status_code is not None and 200 <= status_code < 300
    attempts = delivery.attempts + 1
    # A refused address is not retried: only a change of the allow-list would help.
    given_up = not delivered and (refused or attempts >= settings.WEBHOOK_MAX_ATTEMPTS)
    now = timezone.now()
    if delivered:
        status = WebhookDelivery.Status.DELIVERED
    else:
        status = WebhookDelivery.Status.FAILED if given_up else WebhookDelivery.Status.PENDING
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        attempts=attempts,
        response_status=status_code,
        error=error[:500],
        last_attempt_at=now,
        status=status,
        delivered_at=now if delivered else None,
    )
    if delivered:
        return True
    return None if given_up else False


def retry_delay(attempt: int) -> int:
    """Seconds before the next attempt: exponential backoff from WEBHOOK_RETRY_BASE_SECONDS, at most an hour."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** max(attempt - 1, 0), 3600)
