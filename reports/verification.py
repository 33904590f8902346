"""What the public verification page may say about an uploaded PDF, and nothing more.

It tells the whole truth a relying party needs: whether our signature is intact, who signed when (the
trusted time of the timestamp), the sign-off the report belongs to and whether that sign-off is still
current, reopened or superseded, the counter-signatures the file carries, and whether its embedded
machine-readable result matches the stored sign-off. An organization's name is self-declared unless
staff verified it.
"""

import hashlib
import json
from dataclasses import dataclass, field

from assessments.models import SignOff
from reports import signing
from reports.countersign import countersign_trust_roots, countersigners_of
from reports.credential import credential_compare, pdf_credential_read
from reports.models import Report, ReportRevision

VERDICT_VALID = "valid"  # a final report of ours, unchanged, signature intact
VERDICT_DRAFT = "draft"  # an unchanged draft of ours: not signed off, attests nothing
VERDICT_ALTERED = "altered"  # carries our signature but the bytes changed
VERDICT_UNKNOWN_SIGNED = "unknown_signed"  # our key signed it, but it is not in our report history
VERDICT_FOREIGN = "foreign"  # not issued by this installation (or changed beyond recognition)

SIGNOFF_CURRENT = "current"
SIGNOFF_REOPENED = "reopened"
SIGNOFF_SUPERSEDED = "superseded"
CREDENTIAL_SHOWN_CHARS = 20_000


@dataclass(frozen=True)
class CounterSignatureInfo:
    field: str
    named: str  # the person named at sign-off for this field
    title: str
    certificate: str  # what the signature's certificate says
    signed_at: object
    intact: bool
    trusted: bool


@dataclass(frozen=True)
class Verification:
    verdict: str  # one of the VERDICT_* values
    organization: str = ""
    organization_verified: bool = False
    assessment: str = ""
    report_type: str = ""
    signed_off_by: str = ""
    signed_off_title: str = ""
    signed_off_at: object = None
    sha256: str = ""
    signer: str = ""  # the installation's signing certificate
    signed_at: object = None  # the time the signature claims
    trusted_time: object = None  # the time attested by the timestamp authority
    timestamp_authority: str = ""
    level: str = ""
    signoff_state: str = ""  # SIGNOFF_*
    reopened_at: object = None
    reopen_reason: str = ""
    superseded_at: object = None
    countersignatures: list = field(default_factory=list)
    awaiting: list = field(default_factory=list)  # named counter-signers who have not signed this file
    revision: int = 0  # 0: the report as issued; n: the n-th counter-signed revision
    credential_present: bool = False
    credential_mismatch: list = field(default_factory=list)  # parts differing from the stored sign-off
    credential_claim: str = ""
    credential_assurance: str = ""
    credential_evidence_count: int = 0
    credential_text: str = ""


def _signoff_state(signoff: SignOff) -> dict:
    if signoff.reopened_at is not None:
        return {
            "signoff_state": SIGNOFF_REOPENED,
            "reopened_at": signoff.reopened_at,
            "reopen_reason": signoff.reopen_reason,
        }
    newer = (
        # An imported sign-off (a file's claim, any date it likes) never supersedes one made here.
        SignOff.objects.filter(assessment_id=signoff.assessment_id, signed_at__gt=signoff.signed_at, imported=False)
        .order_by("signed_at")
        .first()
    )
    if newer is not None:
        return {"signoff_state": SIGNOFF_SUPERSEDED, "superseded_at": newer.signed_at}
    return {"signoff_state": SIGNOFF_CURRENT}


def _countersignatures(pdf: bytes, report: Report) -> tuple[list, list]:
    named = countersigners_of(report)
    try:
        roots = countersign_trust_roots()
    except Exception:  # noqa: BLE001 - a bad trust list shows as "not checked", never as an error page
        roots = ()
    found = []
    for signature in signing.pdf_field_signatures(pdf, trust_roots=roots):
        person = named.get(signature.field)
        if person is None:
            continue
        found.append(
            CounterSignatureInfo(
                field=signature.field,
                named=person["name"],
                title=person.get("title", ""),
                certificate=signature.signer,
                signed_at=signature.signed_at,
                intact=signature.intact,
                trusted=signature.trusted,
            )
        )
    signed_fields = {c.field for c in found}
    awaiting = [
        f"{p['name']}{', ' + p['title'] if p.get('title') else ''}" for f, p in named.items() if f not in signed_fields
    ]
    return found, awaiting


def _credential(pdf: bytes, report: Report) -> dict:
    credential = pdf_credential_read(pdf)
    if credential is None:
        return {"credential_present": False}
    text = json.dumps(credential, indent=1, sort_keys=True)
    mismatch = credential_compare(credential=credential, signoff=report.signoff) if report.signoff_id else []
    scores = credential.get("report") or {}
    return {
        "credential_present": True,
        "credential_mismatch": mismatch,
        "credential_claim": str(scores.get("claim") or ""),
        "credential_assurance": str((scores.get("assurance") or {}).get("label", "")),
        "credential_evidence_count": len(credential.get("evidence") or []),
        "credential_text": text[:CREDENTIAL_SHOWN_CHARS] + ("\n…" if len(text) > CREDENTIAL_SHOWN_CHARS else ""),
    }


def report_verify(*, pdf: bytes) -> Verification:
    sha256 = hashlib.sha256(pdf).hexdigest()
    revision = ReportRevision.objects.filter(sha256=sha256).select_related("report").order_by("id").first()
    if revision is not None:
        report = Report.objects.select_related("organization", "assessment", "signoff").get(pk=revision.report_id)
    else:
        report = (
            Report.objects.filter(sha256=sha256, status=Report.Status.DONE)
            .select_related("organization", "assessment", "signoff")
            .order_by("-is_final", "id")
            .first()
        )
    try:
        check = signing.pdf_signature_check(pdf)
    except signing.SigningError:
        check = signing.SignatureCheck(signed=False, intact=False, trusted=False)
    if report is not None and not report.is_final:
        return Verification(
            verdict=VERDICT_DRAFT,
            organization=report.organization.name,
            organization_verified=report.organization.name_verified,
            assessment=report.assessment.name,
            report_type=report.get_type_display(),
            sha256=sha256,
        )
    # The report as issued covers the whole file; a stored counter-signed revision extends it.
    if report is not None and check.intact and check.trusted and (revision is not None or not check.extended):
        signoff = report.signoff
        countersignatures, awaiting = _countersignatures(pdf, report)
        return Verification(
            verdict=VERDICT_VALID,
            organization=report.organization.name,
            organization_verified=report.organization.name_verified,
            assessment=report.assessment.name,
            report_type=report.get_type_display(),
            signed_off_by=(signoff.signed_by_name or signoff.signed_by_label) if signoff else "",
            signed_off_title=signoff.signed_by_title if signoff else "",
            signed_off_at=signoff.signed_at if signoff else None,
            sha256=sha256,
            signer=check.signer,
            signed_at=check.signed_at,
            trusted_time=check.trusted_time,
            timestamp_authority=check.timestamp_authority,
            level=check.level,
            countersignatures=countersignatures,
            awaiting=awaiting,
            revision=revision.number if revision else 0,
            **(_signoff_state(signoff) if signoff else {}),
            **_credential(pdf, report),
        )
    if check.signed and not check.intact:
        return Verification(verdict=VERDICT_ALTERED, sha256=sha256)
    if check.signed:
        return Verification(verdict=VERDICT_UNKNOWN_SIGNED, sha256=sha256)
    return Verification(verdict=VERDICT_FOREIGN, sha256=sha256)
