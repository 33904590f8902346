"""PDF signatures (PAdES) of final reports with this installation's key, and their verification.

Key material comes from ``settings.SIGNING_P12`` (a PKCS#12 file and passphrase, production) or from
the files that ``manage.py init_signing`` writes to ``settings.SIGNING_DIR``. The private key is only
ever read from there: never stored in the database, never served.
"""

import datetime
import os
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from django.conf import settings

CA_CERT_FILE = "ca-cert.pem"
CA_KEY_FILE = "ca-key.pem"
SIGNING_CERT_FILE = "signing-cert.pem"
SIGNING_KEY_FILE = "signing-key.pem"
SIGNATURE_FIELD = "PKIMMReportSignature"


class SigningError(Exception):
    """Signing is not set up or the key material cannot be read."""


@dataclass(frozen=True)
class SigningMaterial:
    signer: object  # pyhanko SimpleSigner
    signing_cert: object  # asn1crypto certificate
    trust_roots: tuple  # asn1crypto certificates


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def signing_init(*, directory: Path, common_name: str, organization: str = "", force: bool = False) -> dict:
    """A self-signed certificate authority and a signing certificate issued by it, as PEM files (0600)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    paths = {name: directory / name for name in (CA_CERT_FILE, CA_KEY_FILE, SIGNING_CERT_FILE, SIGNING_KEY_FILE)}
    if not force and any(path.exists() for path in paths.values()):
        raise SigningError(f"Signing files already exist in {directory}; use --force to replace them.")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)

    def name(cn):
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn)]
        if organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
        return x509.Name(attributes)

    now = datetime.datetime.now(datetime.UTC)
    ca_key = ec.generate_private_key(ec.SECP384R1())
    ca_name = name(f"{common_name} Report CA")
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650 * 2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing_cert = (
        x509.CertificateBuilder()
        .subject_name(name(f"{common_name} Report Signing"))
        .issuer_name(ca_name)
        .public_key(signing_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(signing_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA384())
    )
    pem = serialization.Encoding.PEM
    no_password = serialization.NoEncryption()
    pkcs8 = serialization.PrivateFormat.PKCS8
    _write_private(paths[CA_KEY_FILE], ca_key.private_bytes(pem, pkcs8, no_password))
    _write_private(paths[SIGNING_KEY_FILE], signing_key.private_bytes(pem, pkcs8, no_password))
    _write_private(paths[CA_CERT_FILE], ca_cert.public_bytes(pem))
    _write_private(paths[SIGNING_CERT_FILE], signing_cert.public_bytes(pem))
    return {key: str(value) for key, value in paths.items()}


def signing_material_load() -> SigningMaterial:
    """The installation's signer, from PKIMM_SIGNING_P12 or the files of init_signing."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign import signers

    if settings.SIGNING_P12:
        try:
            data = Path(settings.SIGNING_P12).read_bytes()
            signer = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=[], passphrase=(settings.SIGNING_P12_PASSPHRASE or "").encode() or None
            )
        except (OSError, ValueError) as error:
            raise SigningError(f"The PKCS#12 file in PKIMM_SIGNING_P12 cannot be loaded: {error}") from None
        chain = list(signer.cert_registry)
        # The self-signed certificates shipped in the file are the roots; a lone certificate is its own root.
        roots = tuple(c for c in chain if c.self_signed) or (signer.signing_cert,)
        return SigningMaterial(signer=signer, signing_cert=signer.signing_cert, trust_roots=roots)
    directory = Path(settings.SIGNING_DIR)
    files = [directory / name for name in (SIGNING_KEY_FILE, SIGNING_CERT_FILE, CA_CERT_FILE)]
    if not all(path.exists() for path in files):
        raise SigningError(
            "Report signing is not set up: run `manage.py init_signing` or set PKIMM_SIGNING_P12 and its passphrase."
        )
    signer = signers.SimpleSigner.load(key_file=str(files[0]), cert_file=str(files[1]), ca_chain_files=(str(files[2]),))
    if signer is None:
        raise SigningError(f"The signing key or certificate in {directory} cannot be read.")
    return SigningMaterial(
        signer=signer, signing_cert=signer.signing_cert, trust_roots=(load_cert_from_pemder(str(files[2])),)
    )


def pdf_sign(pdf: bytes, *, reason: str, material: SigningMaterial | None = None) -> bytes:
    """A PAdES baseline signature over the whole file, as a new revision."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    material = material or signing_material_load()
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=reason,
        name=settings.SITE_NAME,
    )
    output = signers.sign_pdf(writer, metadata, signer=material.signer)
    return output.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the file has a signature of this installation's certificate
    intact: bool  # and the signed bytes are unchanged, covering the whole file
    trusted: bool  # and the certificate chains to this installation's CA
    signer: str = ""
    signed_at: datetime.datetime | None = None


def pdf_signature_check(pdf: bytes, *, material: SigningMaterial | None = None) -> SignatureCheck:
    """Whether ``pdf`` carries an intact signature of this installation (never raises on bad input)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    material = material or signing_material_load()
    ours = material.signing_cert.sha256
    try:
        reader = PdfFileReader(BytesIO(pdf), strict=False)
        signatures = [s for s in reader.embedded_signatures if s.signer_cert and s.signer_cert.sha256 == ours]
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, IndexError):
        signatures = []
    if not signatures:
        # An unreadable file that still holds our certificate (hex in the signature) was ours once.
        signed = material.signing_cert.dump().hex().encode() in pdf.lower()
        return SignatureCheck(signed=signed, intact=False, trusted=False)
    embedded = signatures[-1]
    context = ValidationContext(trust_roots=list(material.trust_roots), allow_fetching=False)
    try:
        status = validate_pdf_signature(embedded, context)
    except Exception:  # noqa: BLE001 - any failure of a tampered signature means "not intact"
        return SignatureCheck(signed=True, intact=False, trusted=False)
    covers_all = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and covers_all),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
    )
