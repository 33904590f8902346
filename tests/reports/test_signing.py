"""init_signing, PAdES signatures of final reports, and their validation with pyHanko against the CA."""

import io
import stat

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from reports import services, signing
from reports.models import Report
from reports.rendering import report_pdf_render
from tests.reports.builders import sign_off


def test_init_signing_writes_private_files(settings, tmp_path):
    directory = tmp_path / "signing"
    settings.SIGNING_DIR = directory
    settings.SIGNING_P12 = ""
    out = io.StringIO()
    call_command("init_signing", stdout=out)
    for name in (signing.CA_CERT_FILE, signing.CA_KEY_FILE, signing.SIGNING_CERT_FILE, signing.SIGNING_KEY_FILE):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert "ca-cert.pem" in out.getvalue()
    with pytest.raises(CommandError, match="already exist"):
        call_command("init_signing")
    call_command("init_signing", "--force", stdout=io.StringIO())


def test_init_signing_if_missing_makes_the_files_once(settings, tmp_path):
    """`make run` calls it on every start: the first run creates the files, later runs keep them."""
    directory = tmp_path / "signing"
    settings.SIGNING_DIR = directory
    settings.SIGNING_P12 = ""
    call_command("init_signing", "--if-missing", stdout=io.StringIO())
    certificate = (directory / signing.SIGNING_CERT_FILE).read_bytes()
    out = io.StringIO()
    call_command("init_signing", "--if-missing", stdout=out)
    assert (directory / signing.SIGNING_CERT_FILE).read_bytes() == certificate
    assert f"signed with the certificate in {directory}" in out.getvalue()


def _validate(pdf: bytes, ca_path):
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(ca_path))])
    return validate_pdf_signature(embedded, context)


def test_signed_off_report_validates_against_the_installation_ca(org, answered, lead, signing_dir):
    signoff = sign_off(answered, user=lead)
    report = Report.objects.create(
        organization=org, assessment=answered, type="attestation", requested_by=lead, is_final=True, signoff=signoff
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    pdf = default_storage.open(report.file.name).read()
    status = _validate(pdf, signing_dir / signing.CA_CERT_FILE)
    assert status.intact and status.valid and status.trusted
    assert status.bottom_line
    assert "PKIMM Test Report Signing" in status.signing_cert.subject.human_friendly
    assert status.coverage.name == "ENTIRE_FILE"

    # Against another installation's CA the same signature is intact but not trusted.
    other = signing.signing_init(directory=signing_dir.parent / "other", common_name="Other")
    assert not _validate(pdf, other[signing.CA_CERT_FILE]).trusted


def test_one_changed_byte_breaks_the_signature(signing_dir):
    pdf = signing.pdf_sign(report_pdf_render("<p>Signed content</p>"), reason="test")
    assert signing.pdf_signature_check(pdf).intact
    altered = bytearray(pdf)
    position = len(pdf) // 4
    altered[position] = (altered[position] + 1) % 256
    check = signing.pdf_signature_check(bytes(altered))
    assert check.signed and not check.intact


def test_signing_with_a_pkcs12_file_from_the_environment(settings, tmp_path, signing_dir):
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, load_pem_private_key, pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    key = load_pem_private_key((signing_dir / signing.SIGNING_KEY_FILE).read_bytes(), None)
    cert = load_pem_x509_certificate((signing_dir / signing.SIGNING_CERT_FILE).read_bytes())
    ca = load_pem_x509_certificate((signing_dir / signing.CA_CERT_FILE).read_bytes())
    p12 = tmp_path / "signing.p12"
    p12.write_bytes(pkcs12.serialize_key_and_certificates(b"pkimm", key, cert, [ca], BestAvailableEncryption(b"pw")))
    settings.SIGNING_DIR = tmp_path / "unused"
    settings.SIGNING_P12 = str(p12)
    settings.SIGNING_P12_PASSPHRASE = "pw"
    pdf = signing.pdf_sign(report_pdf_render("<p>Signed with PKCS#12</p>"), reason="test")
    check = signing.pdf_signature_check(pdf)
    assert check.intact and check.trusted
    assert _validate(pdf, signing_dir / signing.CA_CERT_FILE).bottom_line

    settings.SIGNING_P12_PASSPHRASE = "wrong"
    with pytest.raises(signing.SigningError, match="PKCS#12"):
        signing.signing_material_load()


def test_without_key_material_signing_says_how_to_set_it_up(settings, tmp_path):
    settings.SIGNING_DIR = tmp_path / "empty"
    settings.SIGNING_P12 = ""
    with pytest.raises(signing.SigningError, match="init_signing"):
        signing.signing_material_load()
