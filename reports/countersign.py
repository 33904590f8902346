"""Counter-signatures: a final report comes back with one more signature, in a field named at sign-off.

``report_countersign_upload`` accepts the file only when it extends the newest stored revision byte for
byte (so everything signed before is unchanged), the installation's signature still validates, exactly
one new signature fills a counter-signature field, that signature is intact and covers the whole file,
and (when PKIMM_COUNTERSIGN_TRUST_ROOTS is set) its certificate chains to one of those CAs.
"""

import hashlib
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from audit.services import audit_log
from organizations.roles import Perm
from organizations.tenancy import ensure_perm
from reports import rendering, signing
from reports.models import Report, ReportRevision, revision_file_name


class CountersignError(Exception):
    """An upload that is refused, with a message for the user (nothing is stored)."""


def countersign_trust_roots() -> tuple:
    path = settings.COUNTERSIGN_TRUST_ROOTS
    if not path:
        return ()
    try:
        return tuple(signing.pem_certificates_load(Path(path)))
    except (OSError, ValueError) as error:
        raise CountersignError(f"The trusted CA list (PKIMM_COUNTERSIGN_TRUST_ROOTS) cannot be read: {error}") from None


def report_newest_file(*, report: Report) -> tuple[str, str]:
    """(storage name, sha256) of the newest revision of a report: the last counter-signed one, else the report."""
    revision = report.revisions.order_by("-number").first()
    return (revision.file.name, revision.sha256) if revision else (report.file.name, report.sha256)


def countersigners_of(report: Report) -> dict:
    """Field name -> {"name", "title"} of the people named at the report's sign-off."""
    people = report.signoff.countersigners if report.signoff_id else []
    return {rendering.countersign_field_name(i): person for i, person in enumerate(people or [])}


def report_countersign_upload(*, report: Report, pdf: bytes, by, membership=None) -> ReportRevision:
    ensure_perm(organization=report.organization, user=by, permission=Perm.REPORT_COUNTERSIGN, membership=membership)
    if not (report.is_final and report.status == Report.Status.DONE):
        raise CountersignError("Only a finished final report can be counter-signed.")
    named = countersigners_of(report)
    if not named:
        raise CountersignError("Nobody was named at sign-off to counter-sign this report.")
    if len(pdf) > settings.VERIFY_MAX_BYTES:
        raise CountersignError(f"The file is larger than {settings.VERIFY_MAX_BYTES // (1024 * 1024)} MB.")
    roots = countersign_trust_roots()
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",)).select_related("signoff", "organization").get(pk=report.pk)
        )
        name, _ = report_newest_file(report=report)
        with default_storage.open(name, "rb") as handle:
            base = handle.read()
        if len(pdf) <= len(base) or not pdf.startswith(base):
            raise CountersignError(
                "This file does not extend the newest version of this report unchanged: sign the file you "
                "downloaded from here (its earlier content must stay byte for byte as it was) and upload it."
            )
        ours = signing.pdf_signature_check(pdf)
        if not (ours.intact and ours.trusted):
            raise CountersignError("The installation's signature in this file no longer validates.")
        filled_before = signing.pdf_signature_fields(base)
        signatures = signing.pdf_field_signatures(pdf, trust_roots=roots)
        new = [s for s in signatures if not filled_before.get(s.field)]
        if not new:
            raise CountersignError("The file carries no new signature.")
        if len(new) > 1:
            raise CountersignError("Upload one counter-signature at a time: this file adds several.")
        added = new[0]
        if added.field not in named:
            raise CountersignError(
                f"The new signature is in the field {added.field!r}, which is not a counter-signature field."
            )
        if not (added.intact and added.covers_file):
            raise CountersignError("The new signature does not validate or does not cover the whole file.")
        if roots and not added.trusted:
            raise CountersignError("The signer's certificate does not chain to a trusted certificate authority.")
        number = report.revisions.count() + 1
        person = named[added.field]
        revision = ReportRevision(
            organization=report.organization,
            report=report,
            number=number,
            field_name=added.field,
            countersigner_name=person["name"],
            countersigner_title=person.get("title", ""),
            certificate_subject=added.signer[:500],
            signed_at=added.signed_at,
            trusted=added.trusted,
            sha256=hashlib.sha256(pdf).hexdigest(),
            size=len(pdf),
            uploaded_by=by,
        )
        file_name = revision_file_name(revision)
        if default_storage.exists(file_name):
            default_storage.delete(file_name)
        revision.file = default_storage.save(file_name, ContentFile(pdf))
        revision.save()
        audit_log(
            organization=report.organization,
            actor=by,
            action="report.countersigned",
            obj=revision,
            after={
                "report": report.pk,
                "field": added.field,
                "countersigner": person["name"],
                "certificate": added.signer,
                "trusted": added.trusted,
                "sha256": revision.sha256,
            },
        )
    return revision
