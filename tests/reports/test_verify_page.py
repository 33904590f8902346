"""The public verification page: genuine, altered, draft and foreign PDFs, and its rate limit."""

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from reports import services, signing
from reports.models import Report
from reports.rendering import report_pdf_render
from tests.reports.builders import sign_off

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
