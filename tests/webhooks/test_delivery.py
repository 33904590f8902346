"""Webhooks against a real receiver on 127.0.0.1 (a free port): signed deliveries, retries after a 500,
exactly one delivery recorded per event, and the allow-list."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment
from assessments.services.workflow import assessment_request_review
from improvement.models import ActionPlan
from improvement.services.reminders import reminders_send
from tests.factories import assessment_create
from webhooks.models import WebhookDelivery
from webhooks.services import WebhookError, webhook_create, webhook_event_dispatch, webhook_test


class Receiver:
    """An HTTP server on 127.0.0.1 that answers with the given statuses in turn (then 200)."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((self.headers, body))  # header names: case-insensitive
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["127.0.0.1"]  # loopback is refused unless named explicitly
    receivers = []

    def make(statuses=()):
        receivers.append(Receiver(statuses))
        return receivers[-1]

    yield make
    for r in receivers:
        r.close()


def _verifies(webhook, headers, body) -> bool:
    expected = hmac.new(
        webhook.secret.encode(), headers["X-PKIMM-Timestamp"].encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    return hmac.compare_digest(headers["X-PKIMM-Signature"], f"sha256={expected}")


def test_review_requested_is_delivered_signed_and_retried_after_a_500(
    org, owner, lead, receiver, django_capture_on_commit_callbacks
):
    server = receiver([500])
    webhook = webhook_create(organization=org, url=server.url, events=["review.requested"], by=owner)
    assessment = assessment_create(org, status=Assessment.Status.IN_PROGRESS)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_request_review(assessment=assessment, by=lead)
    assert len(server.requests) == 2  # the 500, then the retry
    (first_headers, first_body), (headers, body) = server.requests
    assert first_headers["X-PKIMM-Delivery"] == headers["X-PKIMM-Delivery"]
    assert _verifies(webhook, headers, body) and _verifies(webhook, first_headers, first_body)
    assert not _verifies(webhook, headers, body + b" ")
    document = json.loads(body)
    assert (document["event"], document["organization"]) == ("review.requested", "acme")
    assert document["data"]["assessment"]["id"] == assessment.pk
    delivery = WebhookDelivery.objects.get()  # exactly one delivery recorded for the event
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("delivered", 2, 200)
    assert str(delivery.event_id) == headers["X-PKIMM-Delivery"] == document["id"]


def test_only_subscribed_webhooks_of_the_organization_receive_an_event(org, other_org, owner, outsider, receiver):
    ours, theirs = receiver(), receiver()
    webhook_create(organization=org, url=ours.url, events=["plan.overdue"], by=owner)
    webhook_create(organization=other_org, url=theirs.url, events=["plan.overdue", "report.ready"], by=outsider)
    webhook_event_dispatch(organization=org, event="report.ready", data={})
    assert ours.requests == [] and theirs.requests == []


def test_overdue_plans_are_announced_once(org, owner, receiver, django_capture_on_commit_callbacks):
    server = receiver()
    webhook_create(organization=org, url=server.url, events=["plan.overdue"], by=owner)
    origin = assessment_create(org)
    ActionPlan.objects.create(
        organization=org,
        origin=origin,
        category_key="G.1",
        category_name="G.1",
        title="Late",
        target_level=3,
        due_date=timezone.localdate() - timedelta(days=2),
    )
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            reminders_send()
    assert [json.loads(body)["data"]["plan"]["title"] for _, body in server.requests] == ["Late"]
    assert WebhookDelivery.objects.count() == 1


def test_gives_up_after_the_last_attempt(org, owner, receiver, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    server = receiver([500, 502, 503, 500])
    webhook = webhook_create(organization=org, url=server.url, events=["report.ready"], by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test(webhook=webhook, by=owner)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts, delivery.response_status) == ("failed", 3, 503)
    assert len(server.requests) == 3


def test_the_test_button(client_for, org, owner, receiver, django_capture_on_commit_callbacks):
    server = receiver()
    webhook = webhook_create(organization=org, url=server.url, events=["report.ready"], by=owner)
    client = client_for(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("webhooks:test", args=[org.slug, webhook.pk]), follow=True)
    assert "Test delivery queued" in response.content.decode()
    assert json.loads(server.requests[0][1])["event"] == "webhook.test"
    page = client.get(reverse("webhooks:detail", args=[org.slug, webhook.pk])).content.decode()
    assert "webhook.test" in page and "Delivered" in page


@pytest.mark.parametrize(
    ("allowed", "url"),
    [
        ([], "http://127.0.0.1:9/hook"),  # nothing allowed by default
        (["*"], "http://127.0.0.1:9/hook"),  # "any public address" is not loopback
        (["*"], "http://10.0.0.5/hook"),
        (["*"], "http://[::1]/hook"),
        (["hooks.example.com"], "https://other.example.com/hook"),
        (["*"], "ftp://hooks.example.com/hook"),
        (["*"], "https://user:pw@hooks.example.com/hook"),
    ],
)
def test_addresses_not_allowed_are_refused(org, owner, settings, allowed, url):
    settings.WEBHOOK_ALLOWED_HOSTS = allowed
    with pytest.raises(WebhookError):
        webhook_create(organization=org, url=url, events=["report.ready"], by=owner)


def test_a_name_resolving_to_loopback_is_refused_at_delivery(org, owner, settings, django_capture_on_commit_callbacks):
    settings.WEBHOOK_ALLOWED_HOSTS = ["localhost"]
    webhook = webhook_create(organization=org, url="http://localhost:9/hook", events=["report.ready"], by=owner)
    with django_capture_on_commit_callbacks(execute=True):
        webhook_test(webhook=webhook, by=owner)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "failed" and delivery.attempts == 1 and "not allowed" in delivery.error


def test_webhooks_are_for_owners(org, lead, settings):
    settings.WEBHOOK_ALLOWED_HOSTS = ["*"]
    with pytest.raises(Exception, match="not allowed"):
        webhook_create(organization=org, url="https://hooks.example.com/x", events=["report.ready"], by=lead)
