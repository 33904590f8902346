"""Signing with a key held in a PKCS#11 token (SoftHSM2): the key never leaves the token."""

import io
import subprocess

from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader

from reports import signing
from reports.rendering import report_pdf_render
from tests.services import require_softhsm

TOKEN, SO_PIN, PIN, LABEL = "pkimm-test", "3141", "2718", "report-signing"


def _token_with_key_and_certificate(module, tmp_path, signing_dir, monkeypatch):
    """A fresh SoftHSM2 token holding the installation's signing key (imported) and certificate."""
    import pkcs11
    from pkcs11.util.x509 import decode_x509_certificate

    tokens = tmp_path / "tokens"
    tokens.mkdir()
    conf = tmp_path / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n")
    monkeypatch.setenv("SOFTHSM2_CONF", str(conf))
    env = {"SOFTHSM2_CONF": str(conf), "PATH": "/usr/bin:/bin"}
    run = {"check": True, "env": env, "capture_output": True}
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--so-pin", SO_PIN, "--pin", PIN], **run
    )
    key_file = signing_dir / signing.SIGNING_KEY_FILE
    subprocess.run(
        ["softhsm2-util", "--import", str(key_file), "--token", TOKEN, "--label", LABEL, "--id", "01", "--pin", PIN],
        **run,
    )
    cert = load_cert_from_pemder(str(signing_dir / signing.SIGNING_CERT_FILE))
    token = pkcs11.lib(str(module)).get_token(token_label=TOKEN)
    with token.open(rw=True, user_pin=PIN) as session:
        attributes = decode_x509_certificate(cert.dump())
        attributes.update({pkcs11.Attribute.TOKEN: True, pkcs11.Attribute.LABEL: LABEL, pkcs11.Attribute.ID: b"\x01"})
        session.create_object(attributes)
    key_file.unlink()  # from now on the key exists only inside the token
    return cert


def test_signing_with_a_key_in_softhsm2(settings, tmp_path, signing_dir, monkeypatch):
    module = require_softhsm()
    cert = _token_with_key_and_certificate(module, tmp_path, signing_dir, monkeypatch)
    pin_file = tmp_path / "pin"
    pin_file.write_text(PIN + "\n")
    settings.SIGNING_PKCS11_MODULE = str(module)
    settings.SIGNING_PKCS11_TOKEN = TOKEN
    settings.SIGNING_PKCS11_KEY_LABEL = LABEL
    settings.SIGNING_PKCS11_PIN_FILE = str(pin_file)
    settings.SIGNING_CA_CERT = str(signing_dir / signing.CA_CERT_FILE)

    material = signing.signing_material_load()
    assert type(material.signer).__name__ == "PKCS11Signer"
    try:
        pdf = signing.pdf_sign(report_pdf_render("<p>Signed in the HSM</p>"), reason="test", material=material)
    finally:
        material.close()
    reader = PdfFileReader(io.BytesIO(pdf))
    (embedded,) = [s for s in reader.embedded_regular_signatures if s.field_name == signing.SIGNATURE_FIELD]
    assert embedded.signer_cert.sha256 == cert.sha256
    check = signing.pdf_signature_check(pdf)
    assert check.intact and check.trusted and check.trusted_time is not None

    # A wrong PIN is a clear setup error, not a crash.
    pin_file.write_text("0000")
    try:
        signing.signing_material_load()
    except signing.SigningError as error:
        assert "PKCS#11" in str(error)
    else:
        raise AssertionError("a wrong PIN must be refused")
