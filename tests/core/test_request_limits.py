"""Request bodies are capped per endpoint and refused before a byte is read; /verify/'s rate limit comes first."""

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test.client import FakePayload
from django.urls import reverse

from assessments.models import Assessment


@pytest.fixture
def body_reads(monkeypatch):
    """Bytes read from the request body, and files the upload handlers started to store."""
    seen = {"bytes": 0, "files": 0}
    real_read = FakePayload.read

    def read(self, size=-1):
        data = real_read(self, size)
        seen["bytes"] += len(data)
        return data

    def new_file(self, *args, **kwargs):
        seen["files"] += 1
        return original_new_file[type(self)](self, *args, **kwargs)

    original_new_file = {
        MemoryFileUploadHandler: MemoryFileUploadHandler.new_file,
        TemporaryFileUploadHandler: TemporaryFileUploadHandler.new_file,
    }
    monkeypatch.setattr(FakePayload, "read", read)
    monkeypatch.setattr(MemoryFileUploadHandler, "new_file", new_file)
    monkeypatch.setattr(TemporaryFileUploadHandler, "new_file", new_file)
    cache.clear()
    yield seen
    cache.clear()


def test_a_verify_upload_over_the_limit_is_refused_before_it_is_read(client, db, settings, body_reads):
    settings.VERIFY_MAX_BYTES = 100 * 1024
    big = SimpleUploadedFile("report.pdf", b"%PDF-" + b"x" * (400 * 1024), content_type="application/pdf")
    response = client.post(reverse("verify:index"), {"file": big})
    assert response.status_code == 413
    assert b"Nothing was saved" in response.content
    assert body_reads == {"bytes": 0, "files": 0}


def test_the_verify_rate_limit_is_checked_before_the_body_is_read(client, db, settings, body_reads):
    settings.VERIFY_UPLOADS_PER_MINUTE = 1
    small = b"%PDF-1.4 not a report"
    client.post(reverse("verify:index"), {"file": SimpleUploadedFile("a.pdf", small)})
    read_by_first = body_reads["bytes"]
    assert read_by_first > 0
    limited = client.post(reverse("verify:index"), {"file": SimpleUploadedFile("b.pdf", small)})
    assert limited.status_code == 429
    assert body_reads["bytes"] == read_by_first  # the second body was never read


def test_an_import_over_its_limit_is_refused_and_creates_nothing(org, lead, client_for, monkeypatch, body_reads):
    from assessments import exchange_views

    monkeypatch.setattr(exchange_views.import_view, "body_limit", 50 * 1024)
    monkeypatch.setattr(exchange_views.import_view, "body_limit_overhead", 0)
    upload = SimpleUploadedFile("big.json", b"{" + b" " * (200 * 1024) + b"}", content_type="application/json")
    response = client_for(lead).post(reverse("exchange:import", kwargs={"org_slug": org.slug}), {"file": upload})
    assert response.status_code == 413
    assert body_reads["files"] == 0
    assert not Assessment.objects.exists()


def test_ordinary_forms_have_the_general_cap(org, owner, client_for, settings, body_reads):
    settings.REQUEST_MAX_BYTES = 10 * 1024
    response = client_for(owner).post(
        reverse("org_settings", args=[org.slug]), {"name": "x" * 20_000, "reassessment_interval_months": 12}
    )
    assert response.status_code == 413
    org.refresh_from_db()
    assert org.name == "Acme Trust Services"


def test_the_upload_endpoints_declare_their_limits(settings):
    from assessments.exchange_views import import_view
    from assessments.services.exchange_files import MAX_FILE_BYTES
    from core.request_limits import _limit_for
    from reports.verify_views import verify_index

    assert _limit_for(verify_index) == settings.VERIFY_MAX_BYTES + 64 * 1024
    assert _limit_for(import_view) > MAX_FILE_BYTES
    assert _limit_for(lambda request: None) == settings.REQUEST_MAX_BYTES
