"""The public verification page: genuine, altered, draft and foreign PDFs, and its rate limit."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services, signing
from reports.models import Report
from reports.rendering import report_pdf_render
from tests.reports.builders import sign_off
from tests.services import require_redis

URL = reverse("verify:index")


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def upload(client, content: bytes, name="report.pdf"):
    return client.post(URL, {"file": SimpleUploadedFile(name, content, content_type="application/pdf")})


def render(org, assessment, lead, *, signoff=None):
    report = Report.objects.create(
        organization=org,
        assessment=assessment,
        type="attestation",
        requested_by=lead,
        is_final=signoff is not None,
        signoff=signoff,
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    return default_storage.open(report.file.name).read()


@pytest.fixture
def final_pdf(org, answered, lead, signing_dir):
    sign_off(answered, user=lead, label="Lee Lead <lead@acme.test>")
    return render(org, answered, lead, signoff=answered.signoffs.get())


def test_page_is_public(client):
    response = client.get(URL)
    assert response.status_code == 200
    assert b"Verify a report" in response.content


def test_genuine_signed_report_names_organization_assessment_and_signer(client, org, answered, final_pdf):
    response = upload(client, final_pdf)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Genuine and unchanged" in body
    assert org.name in body and answered.name in body
    assert "Lee Lead" in body
    assert answered.signoffs.get().signed_at.strftime("%Y-%m-%d") in body


def test_one_changed_byte_is_reported_as_altered(client, org, final_pdf):
    altered = bytearray(final_pdf)
    position = len(altered) // 3
    altered[position] = (altered[position] + 1) % 256
    body = upload(client, bytes(altered)).content.decode()
    assert "Altered" in body
    assert "Genuine" not in body and org.name not in body.split("Verify a report", 1)[1]


def test_foreign_pdf_is_not_ours(client, db, signing_dir):
    body = upload(client, report_pdf_render("<h1>Acme Trust Services</h1><p>Level 5 Optimized</p>")).content.decode()
    assert "Not issued by this installation" in body


def test_pdf_signed_by_another_installation_is_not_ours(client, db, settings, tmp_path, signing_dir):
    other = tmp_path / "other"
    signing.signing_init(directory=other, common_name="Elsewhere")
    settings.SIGNING_DIR = other
    foreign = signing.pdf_sign(report_pdf_render("<p>Elsewhere</p>"), reason="test")
    settings.SIGNING_DIR = signing_dir
    assert "Not issued by this installation" in upload(client, foreign).content.decode()


def test_unchanged_draft_is_named_a_draft(client, org, answered, lead, signing_dir):
    body = upload(client, render(org, answered, lead)).content.decode()
    assert "Unchanged draft" in body and "attests nothing" in body


def test_not_a_pdf_is_refused(client, db, signing_dir):
    response = upload(client, b"hello", name="x.pdf")
    assert response.status_code == 400
    assert "This is not a PDF file." in response.content.decode()


def test_uploads_are_rate_limited_per_client(client, db, settings, signing_dir):
    settings.VERIFY_UPLOADS_PER_MINUTE = 3
    pdf = report_pdf_render("<p>x</p>")
    for _ in range(3):
        assert upload(client, pdf).status_code == 200
    limited = upload(client, pdf)
    assert limited.status_code == 429
    assert "Too many uploads" in limited.content.decode()
    other_client = client.__class__(REMOTE_ADDR="127.0.0.2")
    assert upload(other_client, pdf).status_code == 200


def test_rate_limit_uses_the_proxy_header_when_configured(client, db, settings, signing_dir):
    settings.VERIFY_UPLOADS_PER_MINUTE = 1
    settings.VERIFY_CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    pdf = report_pdf_render("<p>x</p>")

    def post(address):
        upload_file = SimpleUploadedFile("r.pdf", pdf, content_type="application/pdf")
        return client.post(URL, {"file": upload_file}, HTTP_X_REAL_IP=address)

    assert post("198.51.100.1").status_code == 200
    assert post("198.51.100.1").status_code == 429
    assert post("198.51.100.2").status_code == 200


def test_pdf_signed_with_our_key_but_not_in_the_history_is_not_vouched_for(client, db, signing_dir):
    pdf = signing.pdf_sign(report_pdf_render("<p>Made outside the report history</p>"), reason="test")
    body = upload(client, pdf).content.decode()
    assert "Not in our report history" in body and "Genuine" not in body


REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/8"

# Asks the production settings (with REDIS_URL) whether one more upload from ADDRESS is over the limit.
OTHER_PROCESS = """
import django, sys
django.setup()
from django.conf import settings
from django.test import RequestFactory
from reports.verify_views import _rate_limited
assert settings.CACHES["default"]["BACKEND"].endswith("RedisCache"), settings.CACHES
print("limited" if _rate_limited(RequestFactory().post("/verify/", REMOTE_ADDR=sys.argv[1])) else "allowed")
"""


def test_rate_limit_holds_across_processes_with_redis(client, db, settings, signing_dir):
    """With REDIS_URL the counter lives in Redis, so each gunicorn worker sees the uploads of the others."""
    require_redis(REDIS_URL)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    settings.VERIFY_UPLOADS_PER_MINUTE = 2
    pdf = report_pdf_render("<p>x</p>")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "pkimm.settings",
        "PKIMM_TESTING": "1",
        "REDIS_URL": REDIS_URL,
        "VERIFY_UPLOADS_PER_MINUTE": "2",
    }
    # The counter is per clock minute. On a loaded machine the other process may start in the next minute, where
    # it rightly counts afresh: such a round proves nothing and is repeated (a few times at most).
    for _ in range(3):
        if time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)
        window = int(time.time() // 60)
        address = f"client-{uuid.uuid4().hex}"  # a counter of its own
        for _ in range(2):
            uploaded = SimpleUploadedFile("r.pdf", pdf, content_type="application/pdf")
            assert client.post(URL, {"file": uploaded}, REMOTE_ADDR=address).status_code == 200
        result = subprocess.run(
            [sys.executable, "-c", OTHER_PROCESS, address],
            cwd=settings.BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        if int(time.time() // 60) == window:
            break
    assert result.stdout.strip() == "limited", result.stdout + result.stderr
