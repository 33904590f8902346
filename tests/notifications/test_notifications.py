"""Each notification: an inbox row and an e-mail, once per event and person, with a link to the item;
preferences (immediately, daily digest, off); sanitized mail headers; the inbox pages."""

import pytest
from django.core import mail

from assessments.models import Assessment
from assessments.services.assignments import assignment_set
from assessments.services.comments import comment_add
from assessments.services.workflow import (
    assessment_request_review,
    assessment_sign_off,
    category_review_send_back,
)
from notifications.models import EmailPreference, Notification
from notifications.services import header_value, notification_deliver, notifications_send_digests
from notifications.tasks import deliver_notification_task
from tests.assessments.workflow.helpers import accept_all, answer_all
from tests.factories import assessment_create, model_1_1


@pytest.fixture
def formal(org):
    return assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS, name="PKI 2026")


@pytest.fixture
def category(formal):
    return formal.model_version.categories.get(key="G.1")


def only(recipient, kind):
    rows = list(Notification.objects.filter(recipient=recipient, kind=kind))
    assert len(rows) == 1, rows
    return rows[0]


def mails_to(user):
    return [m for m in mail.outbox if m.to == [user.email]]


def test_assigned(formal, category, lead, assessor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assignment_set(assessment=formal, assignee=assessor, category=category, by=lead)
    n = only(assessor, "assigned")
    assert n.url == f"/o/{formal.organization.slug}/assessments/{formal.pk}/questionnaire/G.1/"
    assert n.actor == lead and "Assigned to you: G.1" in n.title
    [message] = mails_to(assessor)
    assert message.subject == n.title and f"http://127.0.0.1:8000{n.url}" in message.body
    # The same event delivered again (a retried task): nothing new.
    callbacks[0]()
    assert Notification.objects.filter(kind="assigned").count() == 1 and len(mail.outbox) == 1
    # Assigning the same again is no event; the assigner is never told about their own action.
    with django_capture_on_commit_callbacks(execute=True):
        assignment_set(assessment=formal, assignee=assessor, category=category, by=lead)
        assignment_set(
            assessment=formal, assignee=lead, category=formal.model_version.categories.get(key="G.2"), by=lead
        )
    assert Notification.objects.count() == 1


def test_mention(formal, lead, assessor, viewer, django_capture_on_commit_callbacks):
    requirement = formal.model_version.requirements.get(key="G.1.2")
    with django_capture_on_commit_callbacks(execute=True):
        comment_add(
            assessment=formal,
            requirement=requirement,
            body="@lead@acme.test please check, and @viewer@acme.test FYI (mail me at x@example.com)",
            by=assessor,
        )
    n = only(lead, "mention")
    assert n.url.endswith("/questionnaire/G.1/#item-G-1-2") and "assessor@acme.test mentioned you on G.1.2" in n.title
    only(viewer, "mention")
    assert Notification.objects.count() == 2
    assert sorted(m.to[0] for m in mail.outbox) == [lead.email, viewer.email]


def test_review_requested_and_sent_back(formal, category, owner, lead, assessor, django_capture_on_commit_callbacks):
    assignment_set(assessment=formal, assignee=assessor, category=category, by=lead)
    Notification.objects.all().delete()  # (no on-commit here: the assignment's was not delivered)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_request_review(assessment=formal, by=lead)
    n = only(owner, "review_requested")  # owners and leads review; the requester is not told
    assert n.url == f"/o/{formal.organization.slug}/assessments/{formal.pk}/review/"
    assert not Notification.objects.filter(recipient=lead).exists()
    with django_capture_on_commit_callbacks(execute=True):
        category_review_send_back(assessment=formal, category_key="G.1", comment="Add the CP/CPS", by=owner)
    n = only(assessor, "sent_back")
    assert "Add the CP/CPS" in n.body and n.url.endswith("/questionnaire/G.1/")
    assert [m.subject for m in mails_to(assessor)] == [n.title]


def test_the_dashboard_shows_what_is_for_you(formal, category, owner, assessor, client_for):
    notification_deliver(
        organization_id=formal.organization_id,
        kind="sent_back",
        event_key="e",
        recipient_ids=[assessor.pk],
        title="G.1 sent back: PKI 2026",
        body="",
        url="/",
    )
    html = client_for(assessor).get("/").content.decode()
    assert 'class="card mb-3 border-primary for-you"' in html and "G.1 sent back: PKI 2026" in html


def test_sign_off_done(formal, owner, lead, assessor, viewer, django_capture_on_commit_callbacks):
    answer_all(formal)
    assessment_request_review(assessment=formal, by=lead)
    accept_all(formal, lead)
    with django_capture_on_commit_callbacks(execute=True):
        assessment_sign_off(assessment=formal, statement="Confirmed", by=lead)
    for user in (owner, assessor, viewer):
        n = only(user, "signed_off")
        assert n.url == f"/o/{formal.organization.slug}/assessments/{formal.pk}/" and len(mails_to(user)) == 1
    assert not Notification.objects.filter(recipient=lead).exists()


def test_report_ready(org, assessor, django_capture_on_commit_callbacks):
    from reports import services
    from tests.reports.builders import answered_assessment

    assessment = answered_assessment(org)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.report_request(assessment=assessment, report_type="assessment", by=assessor)
    n = only(assessor, "report_ready")
    assert n.url == f"/o/{org.slug}/reports/{assessment.pk}/" and report.pk
    assert len(mails_to(assessor)) == 1


def test_preferences_daily_digest_and_off(formal, lead, assessor, viewer, client_for):
    client_for(assessor).post("/notifications/settings/", {"email": EmailPreference.DAILY})
    client_for(viewer).post("/notifications/settings/", {"email": EmailPreference.OFF})
    for i in range(2):
        deliver_notification_task.delay(
            organization_id=formal.organization_id,
            kind="mention",
            event_key=f"test:{i}",
            recipient_ids=[assessor.pk, viewer.pk],
            title=f"Event {i}",
            body="",
            url="/x/",
        )
    assert Notification.objects.filter(recipient=assessor).count() == 2
    assert Notification.objects.filter(recipient=viewer).count() == 2
    assert mail.outbox == []  # the digest person waits, the "off" person gets none
    assert notifications_send_digests() == 1
    assert notifications_send_digests() == 0
    [digest] = mail.outbox
    assert digest.to == [assessor.email] and "Event 0" in digest.body and "Event 1" in digest.body


def test_mail_headers_are_single_line_and_sanitized(org, assessor):
    notification_deliver(
        organization_id=org.pk,
        kind="mention",
        event_key="evil",
        recipient_ids=[assessor.pk],
        title="Hello\r\nBcc: victim@example.com\u2028X-Evil: 1",
        body="Body",
        url="/",
    )
    [message] = mail.outbox
    assert message.subject == "Hello Bcc: victim@example.com X-Evil: 1"
    assert "\n" not in message.message()["Subject"] and message.bcc == []
    assert header_value("a" * 500).endswith("…") and len(header_value("a" * 500)) == 150


def test_one_refused_e_mail_does_not_keep_the_others_from_theirs(org, assessor, lead, monkeypatch, caplog):
    from notifications import services

    real_send = services._send

    def refuses_lead(*, to, subject, body):
        if to == lead.email:
            raise ValueError("a value the mail library refuses")
        return real_send(to=to, subject=subject, body=body)

    monkeypatch.setattr(services, "_send", refuses_lead)
    event = {"organization_id": org.pk, "kind": "mention", "event_key": "both", "title": "T", "body": "B", "url": "/"}
    with pytest.raises(OSError):  # the task retries (autoretry_for=OSError)
        notification_deliver(recipient_ids=[lead.pk, assessor.pk], **event)
    assert [m.to for m in mail.outbox] == [[assessor.email]]
    assert "could not be e-mailed" in caplog.text
    # The retry sends only what is still owed: the lead's e-mail, never the assessor's a second time.
    monkeypatch.setattr(services, "_send", real_send)
    notification_deliver(recipient_ids=[lead.pk, assessor.pk], **event)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([assessor.email, lead.email])


def test_inbox_bell_open_and_mark_read(org, assessor, lead, client_for):
    for i in range(2):
        notification_deliver(
            organization_id=org.pk,
            kind="mention",
            event_key=f"e{i}",
            recipient_ids=[assessor.pk],
            title=f"Item {i}",
            body="",
            url=f"/o/{org.slug}/",
        )
    client = client_for(assessor)
    assert client.get("/notifications/count/").json() == {"unread": 2}
    assert 'data-count-url="/notifications/count/"' in client.get("/notifications/settings/").content.decode()
    inbox = client.get("/notifications/").content.decode()
    assert "Item 0" in inbox and "Item 1" in inbox
    first = Notification.objects.get(title="Item 0")
    assert client.get(f"/notifications/{first.pk}/")["Location"] == f"/o/{org.slug}/"
    first.refresh_from_db()
    assert first.read_at is not None
    client.post("/notifications/read/")
    assert not Notification.objects.filter(read_at=None).exists()
    assert client.get("/notifications/count/").json() == {"unread": 0}
    assert client_for(lead).get(f"/notifications/{first.pk}/").status_code == 404  # someone else's
