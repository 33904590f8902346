"""The machine-readable result embedded in every report (a JSON associated file of the PDF).

A final report's credential is the signed-off snapshot: the exchange-format document of the assessment
as signed off, its scores and its evidence manifest (file name, size, SHA-256), with the report's own
metadata. A draft's holds the live scores and evidence and no exchange document (nothing is signed off).
``/verify/`` reads it back from an uploaded file and compares it with the stored sign-off.
"""

import json
from io import BytesIO

from django.conf import settings

from assessments.services.snapshot import assessment_snapshot_build
from reports.rendering import CREDENTIAL_NAME

CREDENTIAL_TYPE = "pkimm-assessment-credential"
CREDENTIAL_VERSION = 1
MAX_CREDENTIAL_BYTES = 20 * 1024 * 1024
COMPARED_PARTS = ("exchange", "scores", "evidence")


def report_credential_build(*, report, data: dict) -> dict:
    signoff = report.signoff if report.is_final else None
    snapshot = signoff.snapshot if signoff is not None else assessment_snapshot_build(assessment=report.assessment)
    organization = report.organization
    return {
        "type": CREDENTIAL_TYPE,
        "version": CREDENTIAL_VERSION,
        "issuer": {"installation": settings.SITE_NAME, "url": settings.SITE_URL},
        "report": {
            "type": report.type,
            "final": report.is_final,
            "issued_at": data["issued_at"],
            "claim": data["overall"]["level"]["label"] if data["overall"]["level"] else None,
            "assurance": data.get("assurance"),
        },
        "organization": {"name": data["organization"]["name"], "name_verified": organization.name_verified},
        "assessment": {
            "id": report.assessment_id,
            "name": data["assessment"]["name"],
            "method": data["assessment"]["method"],
            "model_version": data["model"]["version"],
        },
        "signoff": {
            "id": signoff.pk,
            "signed_at": signoff.signed_at.isoformat(),
            "signed_by": signoff.signed_by_name or signoff.signed_by_label,
            "signed_by_title": signoff.signed_by_title,
            "statement": signoff.statement,
            "countersigners": signoff.countersigners,
        }
        if signoff is not None
        else None,
        "exchange": snapshot.get("exchange") if signoff is not None else None,
        "scores": snapshot.get("results"),
        "evidence": snapshot.get("evidence", []),
    }


def pdf_credential_read(pdf: bytes) -> dict | None:
    """The embedded credential of ``pdf``, or None when there is none or it is not readable JSON."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    try:
        attachments = PdfReader(BytesIO(pdf)).attachments
        contents = attachments.get(CREDENTIAL_NAME) or []
        if not contents or len(contents[0]) > MAX_CREDENTIAL_BYTES:
            return None
        credential = json.loads(contents[0])
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError):
        return None
    if not isinstance(credential, dict) or credential.get("type") != CREDENTIAL_TYPE:
        return None
    return credential


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


def credential_compare(*, credential: dict, signoff) -> list[str]:
    """The parts of the credential that differ from the stored sign-off (empty: it matches)."""
    expected = {"exchange": signoff.snapshot.get("exchange"), "scores": signoff.snapshot.get("results")}
    expected["evidence"] = signoff.snapshot.get("evidence", [])
    differing = [part for part in COMPARED_PARTS if _canonical(credential.get(part)) != _canonical(expected[part])]
    stored_signoff = (credential.get("signoff") or {}).get("id")
    if stored_signoff != signoff.pk:
        differing.append("signoff")
    return differing
