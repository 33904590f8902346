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
    call_command("init_signing", "--name", "Acme PKIMM", "--organization", "Acme Ltd", stdout=out)
    files = (signing.CA_CERT_FILE, signing.CA_KEY_FILE, signing.SIGNING_CERT_FILE, signing.SIGNING_KEY_FILE)
    for name in (*files, signing.TSA_CERT_FILE, signing.TSA_KEY_FILE):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert "ca-cert.pem" in out.getvalue()
    # Every subject names the installation; the TSA certificate is for timestamping only (RFC 3161).
    subjects = {
        name: load_cert_from_pemder(str(directory / name))
        for name in (signing.CA_CERT_FILE, signing.SIGNING_CERT_FILE, signing.TSA_CERT_FILE)
    }
    assert subjects[signing.CA_CERT_FILE].subject.native["common_name"] == "Acme PKIMM Report CA"
    assert subjects[signing.SIGNING_CERT_FILE].subject.native["organization_name"] == "Acme Ltd"
    tsa = subjects[signing.TSA_CERT_FILE]
    assert tsa.subject.native["common_name"] == "Acme PKIMM Time-Stamping Authority"
    assert tsa.extended_key_usage_value.native == ["time_stamping"]
    assert "extended_key_usage" in tsa.critical_extensions
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
    """As a relying party: trust only the CA certificate; validation data only from the file (hard-fail)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = [s for s in reader.embedded_regular_signatures if s.field_name == signing.SIGNATURE_FIELD]
    context = _relying_party_context(reader, ca_path)
    return validate_pdf_signature(embedded, context)


def _relying_party_context(reader, ca_path):
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    trust = {"trust_roots": [load_cert_from_pemder(str(ca_path))], "allow_fetching": False}
    dss = DocumentSecurityStore.read_dss(reader) if "/DSS" in reader.root else None
    if dss is None:
        return ValidationContext(**trust, revocation_mode="soft-fail")
    return dss.as_validation_context(trust)


def _assert_b_lta(pdf: bytes, ca_path, authority: str):
    """PAdES B-LTA: a trusted signature timestamp, validation data (with a CRL) in the DSS that suffices to
    validate offline with hard-fail revocation checking, and a valid document timestamp after it."""
    from pyhanko.sign.validation import validate_pdf_timestamp
    from pyhanko.sign.validation.dss import DocumentSecurityStore

    reader = PdfFileReader(io.BytesIO(pdf))
    dss = DocumentSecurityStore.read_dss(reader)
    assert list(dss.crls), "the DSS holds the CA's CRL"
    (embedded,) = [s for s in reader.embedded_regular_signatures if s.field_name == signing.SIGNATURE_FIELD]
    trust = {"trust_roots": [load_cert_from_pemder(str(ca_path))], "allow_fetching": False}
    context = dss.as_validation_context(dict(trust, revocation_mode="hard-fail"))
    status = validate_pdf_signature(embedded, context)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.timestamp_validity is not None
    assert status.timestamp_validity.intact and status.timestamp_validity.valid and status.timestamp_validity.trusted
    assert authority in status.timestamp_validity.signing_cert.subject.human_friendly
    (doc_timestamp,) = reader.embedded_timestamp_signatures
    ts_context = dss.as_validation_context(dict(trust, revocation_mode="hard-fail"))
    ts_status = validate_pdf_timestamp(doc_timestamp, validation_context=ts_context)
    assert ts_status.valid and ts_status.trusted and ts_status.intact
    assert ts_status.timestamp >= status.timestamp_validity.timestamp
    return status


def test_signed_off_report_validates_against_the_installation_ca(org, answered, lead, signing_dir):
    signoff = sign_off(answered, user=lead)
    report = Report.objects.create(
        organization=org, assessment=answered, type="attestation", requested_by=lead, is_final=True, signoff=signoff
    )
    services.report_render(report_id=report.pk)
    report.refresh_from_db()
    pdf = default_storage.open(report.file.name).read()
    status = _assert_b_lta(pdf, signing_dir / signing.CA_CERT_FILE, "PKIMM Test Time-Stamping Authority")
    assert status.bottom_line
    assert "PKIMM Test Report Signing" in status.signing_cert.subject.human_friendly
    # Only validation data and the document timestamp follow the signature.
    assert status.modification_level.name == "LTA_UPDATES"
    check = signing.pdf_signature_check(pdf)
    assert check.intact and check.trusted and check.level == "PAdES B-LTA" and check.trusted_time is not None

    # Against another installation's CA the same signature is intact but not trusted.
    other = signing.signing_init(directory=signing_dir.parent / "other", common_name="Other")
    assert not _validate(pdf, other[signing.CA_CERT_FILE]).trusted


def test_one_changed_byte_breaks_the_signature(signing_dir):
    unsigned = report_pdf_render("<p>Signed content</p>")
    pdf = signing.pdf_sign(unsigned, reason="test")
    assert signing.pdf_signature_check(pdf).intact
    altered = bytearray(pdf)
    position = len(unsigned) // 4  # inside the signed page content (not the signature's own /Contents)
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


def test_b_lta_through_a_timestamp_authority_over_http(settings, signing_dir, tsa_server):
    url, answered = tsa_server
    settings.TSA_URL = url
    material = signing.signing_material_load()
    assert material.level == "PAdES B-LTA"
    pdf = signing.pdf_sign(report_pdf_render("<p>Timestamped over HTTP</p>"), reason="test", material=material)
    assert len(answered) >= 2  # the signature timestamp and the document timestamp (and size estimates)
    _assert_b_lta(pdf, signing_dir / signing.CA_CERT_FILE, "PKIMM Test Time-Stamping Authority")


def test_an_unreachable_timestamp_authority_fails_the_signing_clearly(settings, signing_dir):
    settings.TSA_URL = "http://127.0.0.1:1/tsa"  # nothing listens on port 1: the connection is refused
    settings.TSA_TIMEOUT = 2
    with pytest.raises(signing.SigningError, match="could not be signed"):
        signing.pdf_sign(report_pdf_render("<p>No TSA</p>"), reason="test")


def test_without_a_timestamper_the_signature_is_b_b(signing_dir):
    for name in (signing.TSA_CERT_FILE, signing.TSA_KEY_FILE):
        (signing_dir / name).unlink()
    pdf = signing.pdf_sign(report_pdf_render("<p>No trusted time</p>"), reason="test")
    check = signing.pdf_signature_check(pdf)
    assert check.intact and check.level == "PAdES B-B" and check.trusted_time is None
