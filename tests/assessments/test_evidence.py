"""Evidence files: size and type checked by content, private storage, membership-checked download."""

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Evidence
from assessments.services.common import AssessmentError
from assessments.services.evidence import evidence_add_file, evidence_add_link, evidence_delete
from audit.models import AuditEntry

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
ELF = b"\x7fELF\x02\x01\x01" + b"\x00" * 100


def _zip(files: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def upload(assessment, requirement, by, name, content):
    return evidence_add_file(
        assessment=assessment, requirement=requirement, upload=SimpleUploadedFile(name, content), by=by
    )


def stored_files(settings):
    root = settings.MEDIA_ROOT
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("policy.pdf", PDF, "application/pdf"),
        ("diagram.png", PNG, "image/png"),
        ("notes.txt", "Ceremony log – key generation done\n".encode(), "text/plain"),
        ("inventory.csv", b"name,algorithm\nroot,RSA\n", "text/plain"),
        (
            "cps.docx",
            _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<w/>"}),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            "keys.xlsx",
            _zip({"[Content_Types].xml": "<Types/>", "xl/workbook.xml": "<x/>"}),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "plan.odt",
            _zip({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": "<c/>"}),
            "application/vnd.oasis.opendocument.text",
        ),
        ("logs.zip", _zip({"a.log": "line"}), "application/zip"),
    ],
)
def test_accepted_types_are_detected_from_content(formal, requirement, assessor, name, content, content_type):
    evidence = upload(formal, requirement, assessor, name, content)
    assert evidence.content_type == content_type
    assert evidence.size == len(content)
    assert evidence.original_name == name
    assert name not in evidence.file.name  # stored under a random name
    assert default_storage.open(evidence.file.name).read() == content
    assert AuditEntry.objects.filter(action="evidence.added", object_id=str(evidence.pk)).exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("report.pdf", ELF),  # an executable named like a PDF
        ("tool.exe", b"MZ" + b"\x00" * 200),
        ("page.txt", b"binary\x00\x01\x02 content"),  # text name, binary content
        ("script.sh", b"#!/bin/sh\nrm -rf /\n"),  # text, but not a text document type
        ("broken.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_refused_types_get_a_clear_message_and_leave_nothing_behind(
    formal, requirement, assessor, settings, name, content
):
    with pytest.raises(AssessmentError, match="not an accepted kind of file"):
        upload(formal, requirement, assessor, name, content)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_file_over_the_limit_is_refused(formal, requirement, assessor, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    with pytest.raises(AssessmentError, match="limited to"):
        upload(formal, requirement, assessor, "big.pdf", PDF + b"0" * 2000)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_default_limit_is_25_megabytes():
    from pkimm import settings as project_settings

    assert project_settings.EVIDENCE_MAX_BYTES == 25 * 1024 * 1024


def test_upload_view_reports_a_refused_file(client_for, formal, requirement, assessor, settings):
    settings.EVIDENCE_MAX_BYTES = 1024
    url = reverse("assessments:evidence_upload", args=[formal.organization.slug, formal.pk, "G.1.1"])
    response = client_for(assessor).post(url, {"file": SimpleUploadedFile("big.pdf", PDF + b"0" * 4096)}, follow=True)
    assert "File not added: “big.pdf” is larger than the limit of 0.0 MB." in response.content.decode()
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []


def test_link_evidence_needs_a_web_address(formal, requirement, assessor):
    with pytest.raises(AssessmentError, match="web address"):
        evidence_add_link(assessment=formal, requirement=requirement, url="javascript:alert(1)", by=assessor)
    link = evidence_add_link(assessment=formal, requirement=requirement, url="https://wiki.example/pki", by=assessor)
    assert link.kind == Evidence.Kind.LINK


def test_delete_removes_row_and_file(formal, requirement, assessor, settings, django_capture_on_commit_callbacks):
    evidence = upload(formal, requirement, assessor, "policy.pdf", PDF)
    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(evidence=evidence, by=assessor)
    assert not Evidence.objects.exists()
    assert stored_files(settings) == []
    assert AuditEntry.objects.filter(action="evidence.deleted").exists()


@pytest.fixture
def pdf_evidence(formal, requirement, assessor):
    return upload(formal, requirement, assessor, "policy.pdf", PDF)


def download_url(evidence):
    return reverse(
        "assessments:evidence_download", args=[evidence.organization.slug, evidence.assessment_id, evidence.pk]
    )


def test_member_downloads_as_attachment_with_nosniff(client_for, pdf_evidence, lead):
    response = client_for(lead).get(download_url(pdf_evidence))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="policy.pdf"' in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "private, no-store"
    entry = AuditEntry.objects.get(action="evidence.downloaded")
    assert (entry.actor, entry.after["file"], entry.after["sha256"]) == (lead, "policy.pdf", pdf_evidence.sha256)


def test_non_member_gets_404(client_for, pdf_evidence, outsider):
    assert client_for(outsider).get(download_url(pdf_evidence)).status_code == 404


def test_viewer_without_evidence_permission_gets_403(client_for, pdf_evidence, viewer):
    assert client_for(viewer).get(download_url(pdf_evidence)).status_code == 403


def test_evidence_of_another_assessment_is_404(client_for, pdf_evidence, lead, org):
    from tests.factories import assessment_create

    other = assessment_create(org, name="Other")
    url = reverse("assessments:evidence_download", args=[org.slug, other.pk, pdf_evidence.pk])
    assert client_for(lead).get(url).status_code == 404


def test_evidence_files_have_no_public_url(settings):
    assert settings.STORAGES["default"]["OPTIONS"]["base_url"] is None
