"""Scale-out: two gunicorn instances and two Celery workers sharing PostgreSQL, Redis and an S3 API server
(moto in server mode on 127.0.0.1, started here) through django-storages.

Evidence uploaded through one instance downloads through the other; reports requested on either are rendered
by both workers into the bucket and stream out through the application, never as a bucket URL; an outsider
gets 404; an answer saved on one instance is a conflict for a stale save on the other; exports work on both.
"""

import os
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.urls import reverse

from assessments.models import Evidence
from reports.models import Report
from tests.reports.builders import answered_assessment
from tests.reports.test_celery_worker import REDIS_URL, _database_url
from tests.services import require_postgres, require_redis

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

PREFIX = f"pkimm-scale-{uuid.uuid4().hex[:12]}:"
BUCKET = "pkimm-scale-test"
CREDENTIALS = {"S3_ACCESS_KEY_ID": "testing", "S3_SECRET_ACCESS_KEY": "testing"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"{process.args[:4]} exited:\n{log.read_text(errors='replace')[-3000:]}")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    pytest.fail(f"nothing listens on {port}:\n{log.read_text(errors='replace')[-3000:]}")


class Processes:
    def __init__(self, directory: Path):
        self.directory = directory
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, args: list[str], env: dict) -> tuple[subprocess.Popen, Path]:
        log = self.directory / f"{name}.log"
        handle = open(log, "ab")  # noqa: SIM115 - the process writes to it until stopped
        process = subprocess.Popen(
            args, cwd=settings.BASE_DIR, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.started.append((process, log))
        return process, log

    def stop_all(self) -> None:
        for process, _log in self.started:
            if process.poll() is None:
                os.killpg(process.pid, 15)
        for process, _log in self.started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait(timeout=10)


@pytest.fixture
def stack(tmp_path):
    require_postgres()
    redis = require_redis(REDIS_URL)
    processes = Processes(tmp_path)
    s3_port = _free_port()
    moto, moto_log = processes.start(
        "moto", [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)], dict(os.environ)
    )
    _wait_for_port(s3_port, moto, moto_log)
    endpoint = f"http://127.0.0.1:{s3_port}"
    import boto3

    s3 = boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    s3.create_bucket(Bucket=BUCKET)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pkimm.test_settings",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": REDIS_URL,
        "PKIMM_CELERY_EAGER": "0",
        "CELERY_KEY_PREFIX": PREFIX,
        "STORAGE_BACKEND": "s3",
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": endpoint,
        **CREDENTIALS,
        "PKIMM_TEST_RENDER_DELAY": "3",  # long enough for the second report to go to the other worker
    }
    webs = []
    for index in range(2):
        port = _free_port()
        process, log = processes.start(
            f"web-{index}",
            [sys.executable, "-m", "gunicorn", "pkimm.wsgi:application", "-b", f"127.0.0.1:{port}", "-w", "2"],
            env,
        )
        webs.append((port, process, log))
    workers = []
    for index in range(2):
        workers.append(
            processes.start(
                f"worker-{index}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "pkimm",
                    "worker",
                    "-Q",
                    "reports,default",
                    "-c",
                    "1",
                    "--prefetch-multiplier=1",
                    "-n",
                    f"scale-{index}-{uuid.uuid4().hex[:6]}@%h",
                    "--without-gossip",
                    "--without-mingle",
                    "-l",
                    "info",
                ],
                env,
            )
        )
    for port, process, log in webs:
        _wait_for_port(port, process, log)
    yield {"webs": [f"http://127.0.0.1:{port}" for port, _p, _l in webs], "s3": s3, "workers": workers}
    processes.stop_all()
    keys = list(redis.scan_iter(match=f"{PREFIX}*"))
    if keys:
        redis.delete(*keys)


def _signed_in(user) -> requests.Session:
    """A browser session for ``user`` (the session row is shared by every instance through the database)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    browser = requests.Session()
    browser.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1")
    return browser


def _csrf(browser: requests.Session, base: str, path: str) -> str:
    response = browser.get(base + path, timeout=30)
    assert response.status_code == 200, response.text[:500]
    return browser.cookies.get("csrftoken")


def test_two_web_instances_and_two_workers_share_database_redis_and_s3(stack, org, lead, assessor, outsider):
    web_a, web_b = stack["webs"]
    s3 = stack["s3"]
    assessment = answered_assessment(org, user=lead)
    browser = _signed_in(lead)
    key = assessment.model_version.requirements.order_by("key").first().key
    questionnaire = reverse(
        "assessments:questionnaire_category",
        kwargs={"org_slug": org.slug, "assessment_id": assessment.pk, "category_key": key.rsplit(".", 1)[0]},
    )
    token = _csrf(browser, web_a, questionnaire)

    # Evidence: uploaded through A, stored in the bucket, downloaded through B.
    content = b"%PDF-1.4\n% evidence for the scale-out test\n" + os.urandom(2048) + b"\n%%EOF\n"
    upload_url = reverse(
        "assessments:evidence_upload", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk, "key": key}
    )
    response = browser.post(
        web_a + upload_url,
        data={"title": "Scale-out evidence"},
        files={"file": ("policy.pdf", content, "application/pdf")},
        headers={"X-CSRFToken": token},
        timeout=60,
        allow_redirects=False,
    )
    assert response.status_code == 302, response.text[:1000]
    evidence = Evidence.objects.get(assessment=assessment, title="Scale-out evidence")
    stored = s3.get_object(Bucket=BUCKET, Key=evidence.file.name)["Body"].read()
    assert stored == content
    download_url = reverse(
        "assessments:evidence_download",
        kwargs={"org_slug": org.slug, "assessment_id": assessment.pk, "evidence_id": evidence.pk},
    )
    response = browser.get(web_b + download_url, timeout=60, allow_redirects=False)
    assert response.status_code == 200 and response.content == content
    assert BUCKET not in str(response.headers) and "X-Amz" not in str(response.headers)
    assert _signed_in(outsider).get(web_b + download_url, timeout=60, allow_redirects=False).status_code == 404

    # Reports: one requested on each instance; both workers render, into the bucket.
    request_url = reverse("reports:request", kwargs={"org_slug": org.slug, "assessment_pk": assessment.pk})
    for base, report_type in ((web_a, "attestation"), (web_b, "assessment")):
        response = browser.post(
            base + request_url,
            data={"type": report_type},
            headers={"X-CSRFToken": token},
            timeout=60,
            allow_redirects=False,
        )
        assert response.status_code == 302, response.text[:1000]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        reports = list(Report.objects.filter(assessment=assessment))
        if len(reports) == 2 and all(r.status in (Report.Status.DONE, Report.Status.FAILED) for r in reports):
            break
        time.sleep(0.5)
    logs = [log.read_text(errors="replace") for _process, log in stack["workers"]]
    assert [r.status for r in reports] == [Report.Status.DONE] * 2, [r.error for r in reports] + [
        x[-2000:] for x in logs
    ]
    assert all("render_report_task" in log and "succeeded" in log for log in logs), "each worker rendered one"
    for report, base in zip(reports, (web_b, web_a), strict=True):
        body = s3.get_object(Bucket=BUCKET, Key=report.file.name)["Body"].read()
        url = reverse("reports:download", kwargs={"org_slug": org.slug, "report_pk": report.pk})
        response = browser.get(base + url, timeout=60, allow_redirects=False)
        assert response.status_code == 200 and response.content == body and body.startswith(b"%PDF-")
        assert BUCKET not in str(response.headers), "streamed by the application, never a bucket URL"
        assert _signed_in(outsider).get(base + url, timeout=60, allow_redirects=False).status_code == 404

    # Exports on both instances give the same document.
    export_url = reverse("exchange:export", kwargs={"org_slug": org.slug, "pk": assessment.pk})
    exports = [browser.get(base + export_url, timeout=60).content for base in (web_a, web_b)]
    assert exports[0] == exports[1] and b'"pkimm-assessment"' in exports[0]

    # One database decides conflicts: a save on A, then someone else's stale save of the same field on B is
    # refused (one's own later save never conflicts with oneself).
    save_url = reverse(
        "assessments:answer_save", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk, "slot": key}
    )
    version = assessment.answers.get(requirement__key=key).version
    headers = {"X-CSRFToken": token, "HX-Request": "true"}
    other = _signed_in(assessor)
    other_headers = {"X-CSRFToken": _csrf(other, web_b, questionnaire), "HX-Request": "true"}
    first = browser.post(web_a + save_url, data={"level": "5", "version": version}, headers=headers, timeout=60)
    stale = other.post(web_b + save_url, data={"level": "1", "version": version}, headers=other_headers, timeout=60)
    assert first.status_code == 200 and "Saved" in first.text
    assert "Not saved" in stale.text
    assert assessment.answers.get(requirement__key=key).level == 5
