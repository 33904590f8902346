"""Real Celery workers against Redis, as CI runs them: a rendered report, and a worker killed mid-render.

The worker processes open the test database (a file for SQLite, test_<name> for PostgreSQL) and the
test's media directory; the test process publishes through Redis instead of running tasks eagerly.
"""

import io
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pypdf
import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from kombu import pools as kombu_pools

from assessments.selectors_scores import assessment_score
from audit.models import AuditEntry
from pkimm.celery import app as celery_app
from reports import services
from reports.models import Report
from scoring.levels import level_label
from tests.reports.builders import answered_assessment
from tests.services import require_redis

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8"
# Short broker timeouts for the tests, with time limits below the visibility timeout as in production.
WORKER_ENV = {
    "CELERY_VISIBILITY_TIMEOUT": "30",
    "CELERY_RESTORE_INTERVAL": "2",
    "REPORT_SOFT_TIME_LIMIT": "20",
    "REPORT_TIME_LIMIT": "25",
}
# Broker keys of this test process (queue, unacknowledged messages...) all start with it: see celery_worker_app.
PREFIX = f"pkimm-test-{uuid.uuid4().hex[:12]}:"


@pytest.fixture
def broker():
    """Redis for broker and the test process switched from eager tasks to publishing through it."""
    client = require_redis(REDIS_URL)
    _delete_our_keys(client)  # nothing left over from an earlier test
    saved = {key: celery_app.conf[key] for key in ("task_always_eager", "broker_url", "broker_transport_options")}
    celery_app.conf.task_always_eager = False
    celery_app.conf.broker_url = REDIS_URL
    celery_app.conf.broker_transport_options = {
        "visibility_timeout": int(WORKER_ENV["CELERY_VISIBILITY_TIMEOUT"]),
        "global_keyprefix": PREFIX,
    }
    _drop_producer_connections()  # new ones are made from the configuration above
    yield client
    _drop_producer_connections()
    celery_app.conf.update(saved)
    _delete_our_keys(client)


def _delete_our_keys(client):
    keys = list(client.scan_iter(match=f"{PREFIX}*"))
    if keys:
        client.delete(*keys)


def _drop_producer_connections():
    """Forget the cached broker connections (as Celery does after a fork), so new ones follow the config."""
    kombu_pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


def _database_url() -> str:
    """The URL of the database this test runs on, for the worker processes."""
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        assert db["NAME"] != ":memory:" and "mode=memory" not in db["NAME"], "the worker needs a file database"
        return f"sqlite:///{db['NAME']}"
    credentials = quote(db["USER"] or "")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"])
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{db['NAME']}"


class Worker:
    """``python -m celery -A pkimm worker -Q reports -c 1 --pool=prefork`` (keys under PREFIX), own process group;
    ``beat=True`` adds the periodic tasks (-B), ``queues`` picks the queues."""

    def __init__(self, log_path: Path, *, queues="reports", beat=False, **extra_env):
        env = {
            **os.environ,
            **WORKER_ENV,
            "DATABASE_URL": _database_url(),
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "pkimm.test_settings",
            "PKIMM_CELERY_EAGER": "0",
            "PKIMM_TEST_BROKER_PREFIX": PREFIX,
            "MEDIA_ROOT": str(settings.MEDIA_ROOT),
            **extra_env,
        }
        self.log_path = log_path
        self.log = open(log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "tests.reports.celery_worker_app",
                "worker",
                "-Q",
                queues,
                "-c",
                "1",
                "--pool=prefork",
                "--prefetch-multiplier=1",
                "-l",
                "info",
                "-n",
                f"reports-test-{uuid.uuid4().hex[:8]}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                # With beat: the periodic tasks (the report sweeper) from this process, schedule in the test's dir.
                *(["-B", "-s", str(log_path.with_suffix(".beat"))] if beat else []),
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def kill(self):
        """SIGKILL to the worker and its pool processes: no chance to acknowledge or reject anything."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(**options):
        worker = Worker(tmp_path / f"worker-{len(started)}.log", **options)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def wait_for(report, condition, *, timeout, worker):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report.refresh_from_db()
        if condition(report):
            return report
        if worker.process.poll() is not None:
            pytest.fail(f"The worker exited with {worker.process.returncode}:\n{worker.output()[-4000:]}")
        time.sleep(0.2)
    pytest.fail(
        f"Report {report.pk} is {report.status} ({report.progress} %) after {timeout} s:\n{worker.output()[-4000:]}"
    )


def report_files(org) -> list[str]:
    directory = f"reports/{org.pk}"
    return default_storage.listdir(directory)[1] if default_storage.exists(directory) else []


def test_worker_renders_a_detailed_report(broker, workers, org, lead):
    assessment = answered_assessment(org, user=lead)
    worker = workers()
    report = services.report_request(assessment=assessment, report_type="detailed", by=lead)
    assert broker.llen(f"{PREFIX}reports") + broker.hlen(f"{PREFIX}unacked") >= 1, (
        "the task went to the reports queue in Redis"
    )
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=120, worker=worker)
    assert report.status == Report.Status.DONE, report.error
    pdf = default_storage.open(report.file.name).read()
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages)
    assert org.name in text
    overall = assessment_score(assessment=assessment).overall
    assert f"Level {level_label(overall.level)}" in text and f"overall value {overall.display}" in text
    for category in assessment.model_version.categories.all():
        assert category.name in text
    assert "render_report_task[" in worker.output() and "succeeded" in worker.output()


def test_worker_killed_mid_render_and_the_report_completes_once(broker, workers, org, lead):
    assessment = answered_assessment(org, user=lead)
    slow = workers(PKIMM_TEST_RENDER_DELAY="15")
    report = services.report_request(assessment=assessment, report_type="attestation", by=lead)
    wait_for(report, lambda r: r.status == Report.Status.RUNNING, timeout=60, worker=slow)
    time.sleep(1)  # well inside the render (the hook holds it for 15 s)
    slow.kill()
    report.refresh_from_db()
    assert report.status == Report.Status.RUNNING and report.attempts == 1
    assert report_files(org) == []
    assert broker.hlen(f"{PREFIX}unacked") == 1, "the killed worker never acknowledged the message"

    # A worker comes back; the broker hands the unacknowledged task over after the visibility timeout.
    fresh = workers()
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=120, worker=fresh)
    assert report.status == Report.Status.DONE, report.error
    assert report.attempts == 2
    assert report_files(org) == [report.file.name.rsplit("/", 1)[1]]
    assert default_storage.open(report.file.name).read().startswith(b"%PDF-")
    assert AuditEntry.objects.filter(action="report.rendered", object_id=str(report.pk)).count() == 1
    time.sleep(3)  # nothing is delivered again once the work is acknowledged
    assert broker.hlen(f"{PREFIX}unacked") == 0 and broker.llen(f"{PREFIX}reports") == 0
    report.refresh_from_db()
    assert report.attempts == 2


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # the field after the state is the parent's id
            children.append(int(stat.parent.name))
    return children


def test_pool_process_killed_mid_render_is_retried_at_once(broker, workers, org, lead):
    """Only the rendering child dies: the worker rejects the task (reject_on_worker_lost) and runs it again."""
    assessment = answered_assessment(org, user=lead)
    worker = workers(PKIMM_TEST_RENDER_DELAY="6")
    report = services.report_request(assessment=assessment, report_type="attestation", by=lead)
    wait_for(report, lambda r: r.status == Report.Status.RUNNING, timeout=60, worker=worker)
    (child,) = _children(worker.process.pid)
    os.kill(child, signal.SIGKILL)
    wait_for(report, lambda r: r.status in (Report.Status.DONE, Report.Status.FAILED), timeout=90, worker=worker)
    assert report.status == Report.Status.DONE, report.error
    assert report.attempts == 2
    assert report_files(org) == [report.file.name.rsplit("/", 1)[1]]
    assert "WorkerLostError" in worker.output()
