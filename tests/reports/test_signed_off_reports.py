"""Final reports of a real sign-off: frozen content, embedded credential, counter-signatures, /verify/."""

import hashlib
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Applicability, Evidence
from assessments.services.workflow import assessment_reopen
from catalog.models import Category
from core.profiles import profile_update
from reports import services, signing
from reports.countersign import CountersignError, report_countersign_upload
from reports.credential import pdf_credential_read
from reports.models import Report
from tests.reports.conftest import workflow_sign_off
from tests.reports.countersigning import countersign, countersigner_key
from tests.reports.test_rendering import pdf_pages_text


@pytest.fixture
def signed_off(org, answered, lead, owner, signing_dir):
    profile_update(user=lead, full_name="Lee Lead", job_title="Head of PKI Operations")
    category = Category.objects.filter(model_version=answered.model_version).order_by("id")[2]
    Applicability.objects.create(
        organization=org, assessment=answered, key=category.key, level="not_applicable", reason="No such CA here."
    )
    signoff = workflow_sign_off(
        answered, user=lead, countersigners=["Eve Executive|Executive sponsor", "Sam Security|CISO"]
    )
    return signoff, category


def final_report(org, assessment, lead, signoff, report_type="assessment"):
    report = Report.objects.create(
        organization=org, assessment=assessment, type=report_type, requested_by=lead, is_final=True, signoff=signoff
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == Report.Status.DONE, report.error
    return report, default_storage.open(report.file.name).read()


def test_sign_off_records_name_title_and_counter_signers_and_freezes_report_data(signed_off):
    signoff, category = signed_off
    assert (signoff.signed_by_name, signoff.signed_by_title) == ("Lee Lead", "Head of PKI Operations")
    assert [p["name"] for p in signoff.countersigners] == ["Eve Executive", "Sam Security"]
    frozen = signoff.snapshot["reports"]
    assert set(frozen) == {"assessment", "detailed", "attestation"}
    assert frozen["attestation"]["signoff"]["by"] == "Lee Lead"
    assert signoff.snapshot["exchange"] and signoff.assessment.name in str(signoff.snapshot["exchange"])


def test_final_report_is_rendered_from_the_snapshot_not_live_rows(org, answered, lead, signed_off):
    signoff, category = signed_off
    old_name = category.name
    Category.objects.filter(pk=category.pk).update(name="Renamed after the sign-off")
    profile_update(user=lead, full_name="Somebody Else", job_title="Intern")
    report, pdf = final_report(org, answered, lead, signoff, "attestation")
    text = " ".join(" ".join(pdf_pages_text(pdf)).split())
    assert old_name in text and "Renamed after the sign-off" not in text
    assert "Lee Lead, Head of PKI Operations" in text and "Somebody Else" not in text
    assert f"Category {category.key} {old_name} Not applicable No such CA here." in text


def test_embedded_credential_matches_the_stored_assessment(client, org, answered, lead, signed_off):
    signoff, _ = signed_off
    report, pdf = final_report(org, answered, lead, signoff)
    credential = pdf_credential_read(pdf)
    assert credential["scores"] == signoff.snapshot["results"]
    assert credential["exchange"] == signoff.snapshot["exchange"]
    files = Evidence.objects.filter(assessment=answered, kind=Evidence.Kind.FILE)
    manifest = {(e["name"], e["size"], e["sha256"]) for e in credential["evidence"]}
    assert manifest == {(e.original_name, e.size, e.sha256) for e in files} and manifest
    assert credential["signoff"]["signed_by"] == "Lee Lead" and credential["organization"]["name_verified"] is False
    assert credential["report"]["assurance"]["tier"] == "formal"
    body = upload(client, pdf)
    assert "Matches the stored sign-off" in body and "self-declared" in body


def test_verify_says_when_the_sign_off_was_reopened(client, org, answered, lead, owner, signed_off):
    signoff, _ = signed_off
    report, pdf = final_report(org, answered, lead, signoff)
    assert 'Sign-off status</dt><dd class="col-sm-8" id="signoff-state">Current' in upload(client, pdf)
    assessment_reopen(assessment=answered, reason="The CRL profile answers were wrong.", by=owner)
    body = upload(client, pdf)
    assert "but its sign-off was reopened" in body
    assert "The CRL profile answers were wrong." in body
    assert "Genuine and unchanged</h2>" not in body


def test_a_counter_signature_is_checked_and_stored_as_the_newest_revision(
    client, settings, org, answered, lead, signed_off, tmp_path
):
    signoff, _ = signed_off
    report, pdf = final_report(org, answered, lead, signoff)
    fields = signing.pdf_signature_fields(pdf)
    assert fields == {
        "PKIMMCounterSignature1": False,
        "PKIMMCounterSignature2": False,
        signing.SIGNATURE_FIELD: True,
        signing.DOCUMENT_TIMESTAMP_FIELD: True,
    }
    person = countersigner_key(tmp_path)
    signed = countersign(pdf, "PKIMMCounterSignature1", person)

    # Refused: a trusted CA list that does not hold the person's CA; a file not built on ours.
    other = countersigner_key(tmp_path / "other" if (tmp_path / "other").mkdir() is None else tmp_path)
    settings.COUNTERSIGN_TRUST_ROOTS = str(other["ca"])
    with pytest.raises(CountersignError, match="trusted certificate authority"):
        report_countersign_upload(report=report, pdf=signed, by=lead)
    settings.COUNTERSIGN_TRUST_ROOTS = str(person["ca"])
    tampered = signed.replace(b"/Producer", b"/Producex", 1) if b"/Producer" in pdf else b"%PDF-1.7\n" + signed
    with pytest.raises(CountersignError, match="does not extend"):
        report_countersign_upload(report=report, pdf=tampered, by=lead)
    with pytest.raises(CountersignError, match="no new signature"):
        report_countersign_upload(report=report, pdf=pdf + b"\n%comment\n", by=lead)

    revision = report_countersign_upload(report=report, pdf=signed, by=lead)
    assert (revision.number, revision.countersigner_name, revision.trusted) == (1, "Eve Executive", True)
    assert "Eve Executive" in revision.certificate_subject
    handle, name = services.report_open_for_download(report=report, user=lead)
    assert handle.read() == signed and re.search(r"-report-signed-countersigned-r1-\d{4}-\d\d-\d\d\.pdf$", name)
    # The same upload again adds nothing new on top of the newest revision.
    with pytest.raises(CountersignError):
        report_countersign_upload(report=report, pdf=signed, by=lead)

    body = upload(client, signed)
    assert "Genuine and unchanged" in body and "counter-signed revision 1" in body
    assert (
        "Eve Executive</strong>, Executive sponsor" in body
        and "Not counter-signed in this file: Sam Security, CISO" in body
    )
    assert hashlib.sha256(signed).hexdigest() in body


def upload(client, pdf: bytes) -> str:
    response = client.post(reverse("verify:index"), {"file": SimpleUploadedFile("r.pdf", pdf, "application/pdf")})
    assert response.status_code == 200
    return response.content.decode()
