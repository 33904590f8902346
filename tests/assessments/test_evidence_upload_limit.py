"""The evidence size limit holds while the upload arrives: nothing of an oversized file is kept."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.test import Client
from django.urls import reverse

from assessments.models import Evidence
from assessments.upload_handlers import FORM_OVERHEAD_BYTES

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LIMIT = 100_000


@pytest.fixture
def limited(settings, tmp_path):
    """A small limit, files above 1 KB spooled to a temporary directory we can inspect."""
    settings.EVIDENCE_MAX_BYTES = LIMIT
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    (tmp_path / "spool").mkdir()
    return tmp_path / "spool"


def _url(assessment):
    return reverse("assessments:evidence_upload", args=[assessment.organization.slug, assessment.pk, "G.1.1"])


def _pdf(size: int) -> bytes:
    return PDF + b"0" * (size - len(PDF))


def _stored(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_file_one_byte_over_the_limit_is_refused_while_it_arrives(
    client_for, formal, assessor, settings, limited, monkeypatch
):
    service_calls = []
    monkeypatch.setattr("assessments.views.evidence.evidence_add_file", lambda **kw: service_calls.append(kw))
    response = client_for(assessor).post(
        _url(formal), {"file": SimpleUploadedFile("big.pdf", _pdf(LIMIT + 1))}, follow=True
    )
    page = response.content.decode()
    assert "File not added: “big.pdf” is larger than the limit of 0.1 MB." in page
    assert service_calls == []  # the handler skipped the file: the view never got it
    assert not Evidence.objects.exists()
    assert _stored(settings) == []
    assert list(limited.iterdir()) == []  # the spooled temporary file was deleted


def test_a_file_of_exactly_the_limit_is_accepted(client_for, formal, assessor, settings, limited):
    response = client_for(assessor).post(
        _url(formal), {"file": SimpleUploadedFile("max.pdf", _pdf(LIMIT))}, follow=True
    )
    assert "“max.pdf” added as evidence for G.1.1." in response.content.decode()
    assert Evidence.objects.get().size == LIMIT


def test_a_request_declared_larger_than_the_limit_is_refused_before_parsing(
    client_for, formal, assessor, settings, limited, monkeypatch
):
    def parse_not_allowed(self):
        raise AssertionError("the body of an oversized request must not be parsed")

    monkeypatch.setattr(MultiPartParser, "parse", parse_not_allowed)
    size = LIMIT + FORM_OVERHEAD_BYTES + 1
    response = client_for(assessor).post(
        _url(formal), {"file": SimpleUploadedFile("huge.pdf", _pdf(size))}, follow=True
    )
    assert "File not added: files are limited to 0.1 MB." in response.content.decode()
    assert not Evidence.objects.exists()
    assert _stored(settings) == [] and list(limited.iterdir()) == []


def test_the_upload_still_checks_the_csrf_token(formal, assessor, limited):
    client = Client(enforce_csrf_checks=True)
    client.force_login(assessor)
    response = client.post(_url(formal), {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert response.status_code == 403
    assert not Evidence.objects.exists()


def test_the_limit_handler_is_installed_on_the_evidence_upload_only(client_for, formal, assessor, settings):
    from django.conf import settings as django_settings

    assert "assessments.upload_handlers.EvidenceSizeLimitHandler" not in django_settings.FILE_UPLOAD_HANDLERS
