"""The report outbox in-process: the claim lets one delivery render, the sweeper finds silent and unqueued
reports, the enqueue never raises, and the status row tells the truth."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from reports import services
from reports.models import Report
from reports.tasks import render_report_task


@pytest.fixture
def report(org, answered, lead):
    return Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)


def _running(report, *, task_id, silent_for):
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.RUNNING,
        claimed_task_id=task_id,
        attempts=1,
        heartbeat_at=timezone.now() - timedelta(seconds=silent_for),
    )


def test_a_duplicate_delivery_renders_nothing_while_the_render_lives(report, settings):
    _running(report, task_id="first", silent_for=1)
    assert services.report_render(report_id=report.pk, task_id="duplicate") is None
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and report.attempts == 1 and report.claimed_task_id == "first"


def test_a_silent_render_is_claimed_by_the_next_delivery(report, settings):
    _running(report, task_id="first", silent_for=settings.REPORT_STALE_SECONDS + 5)
    done = services.report_render(report_id=report.pk, task_id="second")
    assert done.status == Report.Status.DONE and done.attempts == 2 and done.claimed_task_id == "second"


def test_the_sweeper_enqueues_silent_and_unqueued_reports_only(org, answered, lead, report, settings, monkeypatch):
    sent = []
    monkeypatch.setattr(render_report_task, "apply_async", lambda args, **kw: sent.append(args[0]))
    _running(report, task_id="lost", silent_for=settings.REPORT_STALE_SECONDS + 1)
    alive = Report.objects.create(organization=org, assessment=answered, type="assessment", requested_by=lead)
    _running(alive, task_id="alive", silent_for=1)
    unqueued = Report.objects.create(
        organization=org, assessment=answered, type="detailed", requested_by=lead, retry_at=timezone.now()
    )
    assert sorted(services.report_sweep()) == sorted([report.pk, unqueued.pk]) == sorted(sent)
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and "worker rendering this report was lost" in report.queue_note
    assert services.report_sweep() == [], "enqueued again just now: not again before it is silent once more"


def test_the_sweeper_gives_up_after_the_maximum_attempts(report, settings, monkeypatch):
    monkeypatch.setattr(render_report_task, "apply_async", lambda args, **kw: None)
    _running(report, task_id="lost", silent_for=settings.REPORT_STALE_SECONDS + 1)
    Report.objects.filter(pk=report.pk).update(attempts=settings.REPORT_MAX_ATTEMPTS)
    assert services.report_sweep() == []
    report.refresh_from_db()
    assert report.status == Report.Status.FAILED and "attempts" in report.error


def test_an_unreachable_broker_never_raises_and_is_noted(report, settings, monkeypatch):
    def down(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(render_report_task, "apply_async", down)
    assert services.report_enqueue(report_id=report.pk) is False
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED and report.retry_at > timezone.now()
    assert "starts when the worker is reachable" in report.queue_note


def test_the_status_row_says_worker_lost_and_when_it_retries(report, settings, client_for, lead):
    _running(report, task_id="lost", silent_for=settings.REPORT_STALE_SECONDS + 1)
    report.refresh_from_db()
    url = reverse("reports:status", kwargs={"org_slug": report.organization.slug, "report_pk": report.pk})
    html = client_for(lead).get(url).content.decode()
    retry_at = timezone.localtime(report.expected_retry_at).strftime("%H:%M:%S")
    assert f"Worker lost, retrying at {retry_at}" in html
    assert "progressbar" not in html
