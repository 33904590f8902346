"""Daily reminders: each one is sent once, however often (or concurrently) the job runs."""

import datetime
import threading

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from improvement.models import ActionPlan, ReminderSent
from improvement.services.reminders import reminders_send
from improvement.tasks import send_reminders_task
from notifications import services as notification_services
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.conftest import make_user
from tests.factories import assessment_create
from tests.improvement.conftest import plan_create, sign_off

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 30)


def _signed_off_on(org, day: datetime.date):
    assessment = assessment_create(org, name=f"Assessment of {day}")
    return sign_off(assessment, timezone.make_aware(datetime.datetime.combine(day, datetime.time(12))))


def test_running_twice_sends_each_reminder_once(org, owner, lead, assessor):
    org.reassessment_interval_months = 12
    org.save()
    origin = _signed_off_on(org, datetime.date(2025, 11, 1))
    plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY - datetime.timedelta(days=3))
    plan_create(org, origin=origin, responsible_user=lead, due_date=TODAY - datetime.timedelta(days=1))

    assert reminders_send(today=TODAY) == 3
    assert reminders_send(today=TODAY) == 0
    assert reminders_send(today=TODAY + datetime.timedelta(days=1)) == 0

    assert sorted(m.to[0] for m in mail.outbox) == [assessor.email, lead.email, owner.email]
    due = next(m for m in mail.outbox if m.to == [owner.email])
    assert "next PKIMM assessment is due" in due.subject
    assert f"/o/{org.slug}/plans/assessments/{origin.pk}/reassess/" in due.body
    assert ReminderSent.objects.count() == 3


def test_the_management_command_and_the_task_share_the_once_only_rule(org, assessor, capsys):
    origin = assessment_create(org)
    plan_create(org, origin=origin, responsible_user=assessor, due_date=timezone.localdate() - datetime.timedelta(1))

    call_command("send_reminders")
    assert "1 reminder(s) sent" in capsys.readouterr().out
    assert send_reminders_task.delay().get() == 0
    call_command("send_reminders")
    assert len(mail.outbox) == 1


def test_nothing_before_it_is_due(org, owner, assessor):
    _signed_off_on(org, datetime.date(2026, 1, 15))  # due 15 January 2027
    origin = assessment_create(org)
    plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY)  # due today: not overdue yet
    assert reminders_send(today=TODAY) == 0
    assert reminders_send(today=datetime.date(2027, 1, 15)) == 2
    assert mail.outbox[0].to == [assessor.email] or mail.outbox[1].to == [assessor.email]


def test_the_latest_sign_off_decides(org, owner):
    _signed_off_on(org, datetime.date(2024, 5, 1))
    _signed_off_on(org, datetime.date(2026, 6, 1))  # re-assessed: next one due June 2027
    assert reminders_send(today=TODAY) == 0


def test_closed_plans_outsiders_and_former_members_get_nothing(org, assessor, lead):
    origin = assessment_create(org)
    overdue = TODAY - datetime.timedelta(days=10)
    plan_create(org, origin=origin, responsible_user=lead, due_date=overdue, status=ActionPlan.Status.DONE)
    plan_create(org, origin=origin, responsible_user=lead, due_date=overdue, status=ActionPlan.Status.DROPPED)
    plan_create(org, origin=origin, responsible_text="External consultant", due_date=overdue)
    plan_create(org, origin=origin, responsible_user=assessor, due_date=overdue)
    Membership.objects.filter(user=assessor).delete()
    assert reminders_send(today=TODAY) == 0


def test_a_new_due_date_gets_its_own_reminder(org, assessor):
    origin = assessment_create(org)
    plan = plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY - datetime.timedelta(days=1))
    assert reminders_send(today=TODAY) == 1
    plan.due_date = TODAY + datetime.timedelta(days=7)
    plan.save()
    assert reminders_send(today=TODAY + datetime.timedelta(days=8)) == 1
    assert len(mail.outbox) == 2


def test_a_failed_send_is_tried_again(org, assessor, monkeypatch):
    origin = assessment_create(org)
    plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY - datetime.timedelta(days=1))

    def broken(*args, **kwargs):
        raise OSError("SMTP down")

    monkeypatch.setattr("django.core.mail.EmailMessage.send", broken)
    assert reminders_send(today=TODAY) == 0
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert reminders_send(today=TODAY) == 1


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_send_once(org, assessor):
    """Two threads with their own connections; on SQLite the writes serialize, on PostgreSQL the unique index."""
    origin = assessment_create(org)
    plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY - datetime.timedelta(days=1))
    results, barrier = [], threading.Barrier(2)

    def run():
        try:
            barrier.wait()
            results.append(reminders_send(today=TODAY))
        except Exception as error:  # a locked SQLite database is a refusal, not a second send
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mail.outbox) == 1
    assert ReminderSent.objects.count() == 1
    assert sorted(r for r in results if isinstance(r, int)) in ([0, 1], [1])


def test_the_daily_beat_schedule_runs_the_registered_task(settings):
    from pkimm.celery import app

    [entry] = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("send_reminders_task")]
    assert entry["task"] == send_reminders_task.name == "improvement.tasks.send_reminders_task"
    assert entry["task"] in app.tasks
    assert entry["schedule"].hour == {7}


def test_a_line_break_in_one_tenants_name_stops_no_one(org, other_org, owner, assessor, caplog):
    """A CR/LF written before names were checked: its reminders go out with a clean subject, and the other
    tenant's reminders go out whatever happens to the first one."""
    Organization.objects.filter(pk=org.pk).update(name="Acme\r\nBcc: victim@example.test")
    org.refresh_from_db()
    other_owner = make_user("owner@globex.test")
    Membership.objects.create(organization=other_org, user=other_owner, role=Role.OWNER)
    _signed_off_on(org, datetime.date(2024, 1, 1))
    _signed_off_on(other_org, datetime.date(2024, 1, 1))
    origin = assessment_create(org)
    ActionPlan.objects.filter(pk=plan_create(org, origin=origin, responsible_user=assessor, due_date=TODAY).pk).update(
        title="Rotate\nthe keys", due_date=TODAY - datetime.timedelta(days=1)
    )

    assert reminders_send(today=TODAY) == 3
    subjects = sorted(m.subject for m in mail.outbox)
    assert all("\n" not in s and "\r" not in s for s in subjects)
    assert "Acme Bcc: victim@example.test: action plan overdue: Rotate the keys" in subjects
    assert any(m.to == [other_owner.email] for m in mail.outbox)


def test_one_failing_reminder_is_logged_and_the_job_goes_on(org, other_org, owner, monkeypatch, caplog):
    other_owner = make_user("owner@globex.test")
    Membership.objects.create(organization=other_org, user=other_owner, role=Role.OWNER)
    _signed_off_on(org, datetime.date(2024, 1, 1))
    _signed_off_on(other_org, datetime.date(2024, 1, 1))
    real_send = notification_services._send  # reminders are notifications: their e-mails leave through _send

    def refuses_acme(*, to, subject, body):
        if to == owner.email:
            raise ValueError("a value the mail library refuses")
        return real_send(to=to, subject=subject, body=body)

    monkeypatch.setattr(notification_services, "_send", refuses_acme)
    assert reminders_send(today=TODAY) == 1
    assert [m.to for m in mail.outbox] == [[other_owner.email]]
    assert "could not be sent" in caplog.text
    assert not ReminderSent.objects.filter(key__endswith=f":{owner.pk}").exists()  # tried again next run
