"""What the public verification page may say about an uploaded PDF, and nothing more."""

import hashlib
from dataclasses import dataclass

from reports import signing
from reports.models import Report


@dataclass(frozen=True)
class Verification:
    verdict: str  # one of the VERDICT_* values
    organization: str = ""
    assessment: str = ""
    report_type: str = ""
    signed_off_by: str = ""
    signed_off_at: object = None
    sha256: str = ""


VERDICT_VALID = "valid"  # a final report of ours, unchanged, signature intact
VERDICT_DRAFT = "draft"  # an unchanged draft of ours: not signed off, attests nothing
VERDICT_ALTERED = "altered"  # carries our signature but the bytes changed
VERDICT_UNKNOWN_SIGNED = "unknown_signed"  # our key signed it, but it is not in our report history
VERDICT_FOREIGN = "foreign"  # not issued by this installation (or changed beyond recognition)


def report_verify(*, pdf: bytes) -> Verification:
    sha256 = hashlib.sha256(pdf).hexdigest()
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
            assessment=report.assessment.name,
            report_type=report.get_type_display(),
            sha256=sha256,
        )
    if report is not None and check.intact and check.trusted:
        return Verification(
            verdict=VERDICT_VALID,
            organization=report.organization.name,
            assessment=report.assessment.name,
            report_type=report.get_type_display(),
            signed_off_by=report.signoff.signed_by_label if report.signoff else "",
            signed_off_at=report.signoff.signed_at if report.signoff else None,
            sha256=sha256,
        )
    if check.signed and not check.intact:
        return Verification(verdict=VERDICT_ALTERED, sha256=sha256)
    if check.signed:
        return Verification(verdict=VERDICT_UNKNOWN_SIGNED, sha256=sha256)
    return Verification(verdict=VERDICT_FOREIGN, sha256=sha256)
