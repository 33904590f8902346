"""PDF signatures (PAdES) of final reports with this installation's key, and their verification.

Key material, in this order: a key in a PKCS#11 token (``PKIMM_SIGNING_PKCS11_*``, e.g. an HSM), a
PKCS#12 file (``PKIMM_SIGNING_P12``), or the files that ``manage.py init_signing`` writes to
``settings.SIGNING_DIR``. The private key is only ever read from there: never stored in the database,
never served.

Trusted time: an RFC 3161 timestamp authority at ``PKIMM_TSA_URL``, else the installation's own TSA
certificate made by ``init_signing`` (an offline installation timestamps with its own authority). With
a timestamp the signature is PAdES B-LTA: signature timestamp, validation data (certificates and a
fresh CRL of the installation's CA) in the document security store, and a document timestamp.
"""

import datetime
import os
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

from django.conf import settings

from core.signing_setup import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    SIGNING_CERT_FILE,
    SIGNING_KEY_FILE,
    TSA_CERT_FILE,
    TSA_KEY_FILE,
)

SIGNATURE_FIELD = "PKIMMReportSignature"
DOCUMENT_TIMESTAMP_FIELD = "PKIMMDocumentTimestamp"
CRL_VALIDITY = datetime.timedelta(days=7)


class SigningError(Exception):
    """Signing is not set up or the key material cannot be read."""


@dataclass
class SigningMaterial:
    signer: object  # pyhanko Signer (SimpleSigner or PKCS11Signer)
    signing_cert: object  # asn1crypto certificate
    trust_roots: tuple  # asn1crypto certificates
    timestamper: object = None  # pyhanko TimeStamper, or None (no trusted time: B-B)
    crls: tuple = ()  # asn1crypto CRLs to embed
    close: object = None  # closes a PKCS#11 session
    tsa_roots: tuple = field(default_factory=tuple)

    @property
    def level(self) -> str:
        return "PAdES B-LTA" if self.timestamper is not None else "PAdES B-B"


def _write_private(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.chmod(path, 0o600)


def _key_usage(**flags):
    from cryptography import x509

    names = (
        "digital_signature content_commitment key_encipherment data_encipherment key_agreement "
        "key_cert_sign crl_sign encipher_only decipher_only"
    ).split()
    return x509.KeyUsage(**{name: flags.get(name, False) for name in names})


def signing_init(*, directory: Path, common_name: str, organization: str = "", force: bool = False) -> dict:
    """A self-signed certificate authority, a signing certificate and a timestamping (TSA) certificate issued
    by it, as PEM files (0600). Every subject names the installation (``common_name``)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    directory = Path(directory)
    names = (CA_CERT_FILE, CA_KEY_FILE, SIGNING_CERT_FILE, SIGNING_KEY_FILE, TSA_CERT_FILE, TSA_KEY_FILE)
    paths = {name: directory / name for name in names}
    if not force and any(path.exists() for path in paths.values()):
        raise SigningError(f"Signing files already exist in {directory}; use --force to replace them.")
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)

    def name(cn):
        attributes = [x509.NameAttribute(NameOID.COMMON_NAME, cn[:64])]
        if organization:
            attributes.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization[:64]))
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
        .add_extension(_key_usage(key_cert_sign=True, crl_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )

    def leaf(subject, key, usage, eku, critical_eku):
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(ca_name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=3650))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage, critical=True)
            .add_extension(x509.ExtendedKeyUsage([eku]), critical=critical_eku)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA384())
        )

    signing_key = ec.generate_private_key(ec.SECP256R1())
    signing_cert = leaf(
        f"{common_name} Report Signing",
        signing_key,
        _key_usage(digital_signature=True, content_commitment=True),
        ExtendedKeyUsageOID.EMAIL_PROTECTION,
        False,
    )
    # RFC 3161: a TSA certificate has exactly the timeStamping extended key usage, marked critical.
    # RSA: pyHanko's local timestamper signs tokens with RSA keys only.
    tsa_key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    tsa_cert = leaf(
        f"{common_name} Time-Stamping Authority",
        tsa_key,
        _key_usage(digital_signature=True, content_commitment=True),
        ExtendedKeyUsageOID.TIME_STAMPING,
        True,
    )
    pem = serialization.Encoding.PEM
    no_password = serialization.NoEncryption()
    pkcs8 = serialization.PrivateFormat.PKCS8
    _write_private(paths[CA_KEY_FILE], ca_key.private_bytes(pem, pkcs8, no_password))
    _write_private(paths[SIGNING_KEY_FILE], signing_key.private_bytes(pem, pkcs8, no_password))
    _write_private(paths[TSA_KEY_FILE], tsa_key.private_bytes(pem, pkcs8, no_password))
    _write_private(paths[CA_CERT_FILE], ca_cert.public_bytes(pem))
    _write_private(paths[SIGNING_CERT_FILE], signing_cert.public_bytes(pem))
    _write_private(paths[TSA_CERT_FILE], tsa_cert.public_bytes(pem))
    return {key: str(value) for key, value in paths.items()}


def pem_certificates_load(path) -> list:
    from asn1crypto import pem as asn1_pem
    from asn1crypto import x509 as asn1_x509

    data = Path(path).read_bytes()
    if not asn1_pem.detect(data):
        return [asn1_x509.Certificate.load(data)]
    return [asn1_x509.Certificate.load(der) for _, _, der in asn1_pem.unarmor(data, multiple=True)]


def _fresh_crl(directory: Path):
    """A CRL of the installation's CA (no revocations), issued now, when its key is at hand; else None."""
    from asn1crypto import crl as asn1_crl
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    key_path, cert_path = directory / CA_KEY_FILE, directory / CA_CERT_FILE
    if not (key_path.is_file() and cert_path.is_file()):
        return None
    ca_key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
    ca_cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
    now = datetime.datetime.now(datetime.UTC)
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - datetime.timedelta(minutes=1))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA384())
    )
    return asn1_crl.CertificateList.load(crl.public_bytes(serialization.Encoding.DER))


def _timestamper(directory: Path, trust_roots: tuple):
    """(timestamper, tsa roots): the configured TSA, else the installation's own, else (None, ())."""
    from pyhanko.keys import load_cert_from_pemder, load_private_key_from_pemder
    from pyhanko.sign import timestamps
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    if settings.TSA_URL:
        roots = tuple(pem_certificates_load(settings.TSA_CA_CERT)) if settings.TSA_CA_CERT else trust_roots
        return timestamps.HTTPTimeStamper(settings.TSA_URL, timeout=settings.TSA_TIMEOUT), roots
    cert_path, key_path = directory / TSA_CERT_FILE, directory / TSA_KEY_FILE
    if not (cert_path.is_file() and key_path.is_file()):
        return None, ()
    ca_path = directory / CA_CERT_FILE
    embedded = SimpleCertificateStore.from_certs([load_cert_from_pemder(str(ca_path))]) if ca_path.is_file() else None
    stamper = timestamps.DummyTimeStamper(
        tsa_cert=load_cert_from_pemder(str(cert_path)),
        tsa_key=load_private_key_from_pemder(str(key_path), passphrase=None),
        certs_to_embed=embedded,
    )
    roots = (load_cert_from_pemder(str(ca_path)),) if ca_path.is_file() else trust_roots
    return stamper, roots


def _pkcs11_signer():
    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign import pkcs11

    pin_file = settings.SIGNING_PKCS11_PIN_FILE
    try:
        pin = Path(pin_file).read_text().strip() if pin_file else None
    except OSError as error:
        raise SigningError(f"The PIN file in PKIMM_SIGNING_PKCS11_PIN_FILE cannot be read: {error}") from None
    try:
        session = pkcs11.open_pkcs11_session(
            settings.SIGNING_PKCS11_MODULE,
            token_criteria=TokenCriteria(label=settings.SIGNING_PKCS11_TOKEN or None),
            user_pin=pin,
        )
    except Exception as error:  # noqa: BLE001 - any token failure is a setup problem for the admin
        raise SigningError(f"The PKCS#11 token cannot be opened: {error}") from None
    key_label = settings.SIGNING_PKCS11_KEY_LABEL
    labels = {"key_label": key_label, "cert_label": settings.SIGNING_PKCS11_CERT_LABEL or key_label}
    try:
        cert = pkcs11.PKCS11Signer(session, **labels).signing_cert
    except Exception as error:  # noqa: BLE001
        session.close()
        raise SigningError(f"The signing certificate cannot be read from the PKCS#11 token: {error!r}") from None
    # ECDSA keys: hash here and let the token sign the digest (CKM_ECDSA), which every token supports;
    # many (SoftHSM2 among them) have no hash-and-sign ECDSA mechanism.
    raw = cert.public_key.algorithm == "ec"
    return pkcs11.PKCS11Signer(session, signing_cert=cert, use_raw_mechanism=raw, **labels), cert, session.close


def signing_material_load() -> SigningMaterial:
    """The installation's signer (PKCS#11, PKCS#12 or init_signing files), timestamper and CRL."""
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.sign import signers

    directory = Path(settings.SIGNING_DIR)
    close = None
    if settings.SIGNING_PKCS11_MODULE:
        signer, cert, close = _pkcs11_signer()
        roots = tuple(pem_certificates_load(settings.SIGNING_CA_CERT)) if settings.SIGNING_CA_CERT else (cert,)
    elif settings.SIGNING_P12:
        try:
            data = Path(settings.SIGNING_P12).read_bytes()
            signer = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=[], passphrase=(settings.SIGNING_P12_PASSPHRASE or "").encode() or None
            )
        except (OSError, ValueError) as error:
            raise SigningError(f"The PKCS#12 file in PKIMM_SIGNING_P12 cannot be loaded: {error}") from None
        cert = signer.signing_cert
        # The self-signed certificates shipped in the file are the roots; a lone certificate is its own root.
        roots = tuple(c for c in signer.cert_registry if c.self_signed) or (cert,)
        if settings.SIGNING_CA_CERT:
            roots = tuple(pem_certificates_load(settings.SIGNING_CA_CERT))
    else:
        files = [directory / name for name in (SIGNING_KEY_FILE, SIGNING_CERT_FILE, CA_CERT_FILE)]
        if not all(path.exists() for path in files):
            raise SigningError(
                "Report signing is not set up: run `manage.py init_signing` or set PKIMM_SIGNING_P12 "
                "(or PKIMM_SIGNING_PKCS11_MODULE)."
            )
        signer = signers.SimpleSigner.load(
            key_file=str(files[0]), cert_file=str(files[1]), ca_chain_files=(str(files[2]),)
        )
        if signer is None:
            raise SigningError(f"The signing key or certificate in {directory} cannot be read.")
        cert = signer.signing_cert
        roots = (load_cert_from_pemder(str(files[2])),)
    timestamper, tsa_roots = _timestamper(directory, roots)
    crl = _fresh_crl(directory) if not (settings.SIGNING_PKCS11_MODULE or settings.SIGNING_P12) else None
    return SigningMaterial(
        signer=signer,
        signing_cert=cert,
        trust_roots=roots,
        timestamper=timestamper,
        crls=(crl,) if crl is not None else (),
        close=close,
        tsa_roots=tsa_roots,
    )


@dataclass(frozen=True)
class SignatureBox:
    """An empty signature field to add: its name, page (0-based) and box in PDF points (x1, y1, x2, y2)."""

    name: str
    page: int
    box: tuple


def _validation_context(material: SigningMaterial):
    from pyhanko_certvalidator import ValidationContext

    roots = list({root.sha256: root for root in (*material.trust_roots, *material.tsa_roots)}.values())
    return ValidationContext(
        trust_roots=roots,
        crls=list(material.crls),
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def pdf_sign(pdf: bytes, *, reason: str, material: SigningMaterial | None = None, empty_fields: tuple = ()) -> bytes:
    """Sign the whole file as a new revision: PAdES B-LTA when a timestamper is at hand, else B-B.

    ``empty_fields`` (SignatureBox) are added first, inside the signed revision: counter-signers fill them.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    owned = material is None
    material = material or signing_material_load()
    try:
        writer = IncrementalPdfFileWriter(BytesIO(pdf))
        for spec in empty_fields:
            fields.append_signature_field(
                writer, fields.SigFieldSpec(sig_field_name=spec.name, on_page=spec.page, box=tuple(spec.box))
            )
        lta = material.timestamper is not None
        metadata = signers.PdfSignatureMetadata(
            field_name=SIGNATURE_FIELD,
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            reason=reason,
            name=settings.SITE_NAME,
            embed_validation_info=lta,
            use_pades_lta=lta,
            timestamp_field_name=DOCUMENT_TIMESTAMP_FIELD if lta else None,
            validation_context=_validation_context(material) if lta else None,
        )
        try:
            output = signers.sign_pdf(writer, metadata, signer=material.signer, timestamper=material.timestamper)
        except SigningError:
            raise
        except Exception as error:  # noqa: BLE001 - TSA unreachable, token refused, chain not valid...
            raise SigningError(f"The report could not be signed: {error!r}") from None
        return output.getvalue()
    finally:
        if owned and material.close is not None:
            material.close()


# ---------------------------------------------------------------------------------------------------
# Verification

READ_ERRORS = (ValueError, KeyError, TypeError, AttributeError, IndexError)
# Changes after our signature that keep it standing: validation data and timestamps (B-LTA), and
# signatures filled into the fields we left empty (counter-signatures).
ALLOWED_LATER_CHANGES = ("LTA_UPDATES", "FORM_FILLING")


@dataclass(frozen=True)
class SignatureCheck:
    signed: bool  # the file has a signature of this installation's certificate
    intact: bool  # and the signed bytes are unchanged; later revisions only add validation data or signatures
    trusted: bool  # and the certificate chains to this installation's CA
    signer: str = ""
    signed_at: datetime.datetime | None = None  # the time the signer claims
    trusted_time: datetime.datetime | None = None  # the time a valid RFC 3161 timestamp attests
    timestamp_authority: str = ""
    level: str = ""  # PAdES B-B, B-T or B-LTA
    extended: bool = False  # later revisions add more than validation data (counter-signatures)


def _reader(pdf: bytes):
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(BytesIO(pdf), strict=False)


def _timestamp_of(status):
    ts = getattr(status, "timestamp_validity", None)
    if ts is not None and ts.intact and ts.valid and ts.trusted:
        return ts.timestamp, ts.signing_cert.subject.human_friendly
    return None, ""


def pdf_signature_check(pdf: bytes, *, material: SigningMaterial | None = None) -> SignatureCheck:
    """Whether ``pdf`` carries an intact signature of this installation (never raises on bad input)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.validation import validate_pdf_signature

    owned = material is None
    material = material or signing_material_load()
    if owned and material.close is not None:
        material.close()  # only the certificates are needed
    ours = material.signing_cert.sha256
    try:
        reader = _reader(pdf)
        signatures = [s for s in reader.embedded_signatures if s.signer_cert and s.signer_cert.sha256 == ours]
        doc_timestamps = list(reader.embedded_timestamp_signatures)
        has_dss = "/DSS" in reader.root
    except (PdfReadError, *READ_ERRORS):
        signatures, doc_timestamps, has_dss = [], [], False
    if not signatures:
        # An unreadable file that still holds our certificate (hex in the signature) was ours once.
        signed = material.signing_cert.dump().hex().encode() in pdf.lower()
        return SignatureCheck(signed=signed, intact=False, trusted=False)
    embedded = signatures[0]
    try:
        status = validate_pdf_signature(embedded, _validation_context(material))
    except Exception:  # noqa: BLE001 - any failure of a tampered signature means "not intact"
        return SignatureCheck(signed=True, intact=False, trusted=False)
    covers_all = status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    later_ok = status.modification_level is not None and status.modification_level.name in ALLOWED_LATER_CHANGES
    trusted_time, authority = _timestamp_of(status)
    level = "PAdES B-B"
    if trusted_time is not None:
        level = "PAdES B-LTA" if (doc_timestamps and has_dss) else "PAdES B-T"
    return SignatureCheck(
        signed=True,
        intact=bool(status.intact and status.valid and (covers_all or (later_ok and status.docmdp_ok is not False))),
        trusted=bool(status.trusted),
        signer=status.signing_cert.subject.human_friendly,
        signed_at=status.signer_reported_dt,
        trusted_time=trusted_time,
        timestamp_authority=authority,
        level=level,
        extended=not covers_all and status.modification_level.name != "LTA_UPDATES",
    )


@dataclass(frozen=True)
class FieldSignature:
    field: str
    signer: str  # the certificate's subject
    signer_common_name: str
    signed_at: datetime.datetime | None
    intact: bool
    trusted: bool
    covers_file: bool
    modification: str  # what the later revisions changed, for an earlier signature


def _personal_signature_usage():
    from pyhanko.sign.validation.settings import KeyUsageConstraints

    # People's signing certificates assert digitalSignature, nonRepudiation or both.
    return KeyUsageConstraints(key_usage={"digital_signature", "non_repudiation"}, match_all_key_usages=False)


def pdf_field_signatures(pdf: bytes, *, trust_roots=(), exclude_field: str = SIGNATURE_FIELD) -> list:
    """Every signature but ours, in file order, validated against ``trust_roots`` (never raises)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    try:
        embedded = [s for s in _reader(pdf).embedded_regular_signatures if s.field_name != exclude_field]
    except (PdfReadError, *READ_ERRORS):
        return []
    context_roots = list(trust_roots)
    usage = _personal_signature_usage()
    results = []
    for signature in embedded:
        context = ValidationContext(trust_roots=context_roots, allow_fetching=False, revocation_mode="soft-fail")
        try:
            status = validate_pdf_signature(signature, context, key_usage_settings=usage)
        except Exception:  # noqa: BLE001
            results.append(FieldSignature(signature.field_name, "", "", None, False, False, False, "unreadable"))
            continue
        subject = status.signing_cert.subject
        results.append(
            FieldSignature(
                field=signature.field_name,
                signer=subject.human_friendly,
                signer_common_name=subject.native.get("common_name", "") or subject.human_friendly,
                signed_at=_timestamp_of(status)[0] or status.signer_reported_dt,
                intact=bool(status.intact and status.valid),
                trusted=bool(status.trusted) and bool(context_roots),
                covers_file=status.coverage is not None and status.coverage.name == "ENTIRE_FILE",
                modification=status.modification_level.name if status.modification_level else "",
            )
        )
    return results


def pdf_signature_fields(pdf: bytes) -> dict:
    """Field name -> whether it is filled, for every signature field of the file (never raises)."""
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return {name: value is not None for name, value, _ in enumerate_sig_fields(_reader(pdf))}
    except (PdfReadError, *READ_ERRORS):
        return {}
