"""The report outbox with real workers: no report is stranded by Redis being down at request time, by a worker
killed mid-render (done within the sweeper interval, not the visibility timeout) or by a 40 s database outage.

Workers run as in tests/reports/test_celery_worker.py (keys under its per-process broker prefix).
"""

import socket
import threading
import time

import pytest
from django.db import connection
from django.urls import reverse

from audit.models import AuditEntry
from pkimm.celery import app as celery_app
from reports.models import Report
from tests.reports.builders import answered_assessment
from tests.reports.test_celery_worker import (  # noqa: F401 - fixtures
    REDIS_URL,
    _database_url,
    _drop_producer_connections,
    broker,
    report_files,
    wait_for,
    workers,
)
from tests.services import require_postgres

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

# Short outbox times, and a visibility timeout far beyond the test's patience: only the sweeper can help.
OUTBOX_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": "3600",
    "REPORT_HEARTBEAT_SECONDS": "1",
    "REPORT_STALE_SECONDS": "4",
    "REPORT_SWEEP_SECONDS": "2",
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_redis_down_at_request_time_gives_no_error_and_the_report_is_done_later(
    broker,  # noqa: F811
    workers,  # noqa: F811
    settings,
    org,
    lead,
    client_for,
):
    settings.REPORT_SWEEP_SECONDS = 2
    assessment = answered_assessment(org, user=lead)
    # Redis is down: nothing listens where the application publishes.
    celery_app.conf.broker_url = f"redis://127.0.0.1:{_free_port()}/0"
    _drop_producer_connections()
    started = time.monotonic()
    response = client_for(lead).post(
        reverse("reports:request", args=[org.slug, assessment.pk]), {"type": "attestation"}, follow=True
    )
    assert time.monotonic() - started < 10, "the request must not hang on the broker"
    assert response.status_code == 200
    assert "it will start when the worker is reachable" in response.content.decode()
    report = Report.objects.get(assessment=assessment)
    assert report.status == Report.Status.QUEUED and report.retry_at is not None
    assert "unreachable" in report.queue_note

    # Redis is back; the sweeper (beat) finds the row and enqueues it; a worker renders it.
    celery_app.conf.broker_url = REDIS_URL
    _drop_producer_connections()
    workers(queues="default", beat=True, **OUTBOX_ENV)
    renderer = workers(**OUTBOX_ENV)
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=90, worker=renderer)
    assert report.status == Report.Status.DONE, report.error
    assert report.attempts == 1 and report.queue_note == ""


def test_killed_workers_report_is_done_within_the_sweeper_interval(broker, workers, org, lead):  # noqa: F811
    assessment = answered_assessment(org, user=lead)
    from reports import services

    slow = workers(PKIMM_TEST_RENDER_DELAY="20", **OUTBOX_ENV)
    report = services.report_request(assessment=assessment, report_type="attestation", by=lead)
    wait_for(report, lambda r: r.status == Report.Status.RUNNING, timeout=60, worker=slow)
    time.sleep(2.5)  # inside the render: the heartbeat thread has beaten at least once
    report.refresh_from_db()
    assert report.heartbeat_at > report.started_at, "the render writes a heartbeat"
    slow.kill()
    killed_at = time.monotonic()
    assert broker.hlen(f"{broker_prefix()}unacked") == 1, "the message waits for the 3600 s visibility timeout"

    workers(queues="default", beat=True, **OUTBOX_ENV)
    fresh = workers(**OUTBOX_ENV)
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=90, worker=fresh)
    took = time.monotonic() - killed_at
    assert report.status == Report.Status.DONE, report.error
    # stale time (4 s) + sweep interval (2 s) + worker start-up and render; nowhere near the 3600 s timeout.
    assert took < 90
    assert report.attempts == 2
    assert report_files(org) == [report.file.name.rsplit("/", 1)[1]]
    assert AuditEntry.objects.filter(action="report.rendered", object_id=str(report.pk)).count() == 1


def broker_prefix() -> str:
    from tests.reports.test_celery_worker import PREFIX

    return PREFIX


class TcpProxy:
    """A TCP forwarder on 127.0.0.1 to the PostgreSQL server, owned by this test: stopping it breaks every
    connection through it and refuses new ones (a real outage for the worker), without touching the server."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.port = _free_port()
        self.listener = None
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(64)
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def stop(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(); close() alone would not
        except OSError:
            pass
        self.listener.close()
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()
            self.sockets.clear()

    def _accept(self, listener) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # stopped
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            upstream.settimeout(None)
            with self.lock:
                self.sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass


def test_render_that_loses_the_database_for_40_seconds_ends_done(broker, workers, org, lead):  # noqa: F811
    require_postgres()
    from reports import services

    db = connection.settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    url = _database_url().replace(f"{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}", f"127.0.0.1:{proxy.port}")
    assert f":{proxy.port}/" in url
    assessment = answered_assessment(org, user=lead)
    worker = workers(DATABASE_URL=url, PKIMM_TEST_RENDER_DELAY="6", REPORT_RETRY_BACKOFF="3")
    report = services.report_request(assessment=assessment, report_type="attestation", by=lead)
    wait_for(report, lambda r: r.status == Report.Status.RUNNING, timeout=60, worker=worker)
    proxy.stop()  # mid-render: the worker's connection breaks and no new one gets through
    try:
        time.sleep(40)
        report.refresh_from_db()
        assert report.status == Report.Status.RUNNING, "nothing could be written during the outage"
    finally:
        proxy.start()
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=120, worker=worker)
    assert report.status == Report.Status.DONE, report.error
    assert report.attempts >= 2
    assert report_files(org) == [report.file.name.rsplit("/", 1)[1]]
    log = worker.output()
    assert "Retry in" in log, log[-3000:]
    proxy.stop()
