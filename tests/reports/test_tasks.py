"""The task's options and its handling of transient and expected errors (eager, as without REDIS_URL)."""

from django.conf import settings
from django.db import OperationalError

from pkimm.celery import app as celery_app
from reports import services
from reports.models import Report
from reports.tasks import render_report_task


def test_task_options_match_the_broker():
    assert render_report_task.acks_late and render_report_task.reject_on_worker_lost
    assert render_report_task.max_retries == settings.REPORT_RETRIES >= 5
    # Backoff over minutes, not seconds: 5, 10, 20, ... capped at 300 s, without jitter shortening it.
    assert render_report_task.retry_backoff == settings.REPORT_RETRY_BACKOFF and not render_report_task.retry_jitter
    assert OperationalError in render_report_task.autoretry_for
    assert (
        render_report_task.soft_time_limit < render_report_task.time_limit < settings.CELERY_BROKER_VISIBILITY_TIMEOUT
    )
    route = celery_app.amqp.router.route({}, render_report_task.name, args=(1,), kwargs={})
    assert route["queue"].name == "reports"
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_transient_error_is_retried(monkeypatch, org, answered, lead):
    report = Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)
    real = services.report_render
    calls = []

    def flaky(*, report_id, **options):
        calls.append(report_id)
        if len(calls) == 1:
            raise OperationalError("database is locked")
        return real(report_id=report_id, **options)

    monkeypatch.setattr(services, "report_render", flaky)
    monkeypatch.setattr(render_report_task, "retry_backoff", False)
    render_report_task.delay(report.pk)
    report.refresh_from_db()
    assert len(calls) == 2
    assert report.status == Report.Status.DONE


def test_persistent_transient_error_fails_with_a_message(monkeypatch, org, answered, lead):
    report = Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)
    calls = []

    def down(*, report_id, **options):
        calls.append(report_id)
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "report_render", down)
    monkeypatch.setattr(render_report_task, "retry_backoff", False)
    render_report_task.delay(report.pk)
    report.refresh_from_db()
    assert len(calls) == settings.REPORT_RETRIES + 1  # the first try and every retry
    assert report.status == Report.Status.FAILED
    assert "after several tries" in report.error


def test_failure_handler_survives_a_database_that_is_away(monkeypatch, org, answered, lead):
    """The last retry failed and the database is still away: nothing raises, the row keeps its heartbeat
    (the sweeper takes it up later)."""
    report = Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)

    def down(**kwargs):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(services, "report_render", down)
    monkeypatch.setattr(services, "report_fail", down)
    monkeypatch.setattr(render_report_task, "max_retries", 0)
    render_report_task.delay(report.pk)  # eager: raises nothing although report_fail cannot write
    report.refresh_from_db()
    assert report.status == Report.Status.QUEUED
