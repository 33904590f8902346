"""Evidence: uploaded files (private storage, size and type checked by content) and links.

Files are stored under a random name in the default storage, which is never served by a URL;
they go out only through the download view, which checks membership and permission.
"""

import hashlib
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.validators import URLValidator
from django.db import transaction

from assessments.models import Evidence, evidence_upload_path
from assessments.services.common import AssessmentError, category_review_lock
from assessments.services.targets import target_category, target_check, target_label
from audit.services import audit_log
from core.sizes import megabytes
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

# Content types accepted, as detected from the bytes (never from the name or the browser's claim).
ALLOWED_BINARY_TYPES = {
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/tiff",
    "image/bmp",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/rtf",
    "application/gzip",
    "application/x-tar",
    "application/x-7z-compressed",
    "application/x-bzip2",
    "application/x-xz",
}
# Zip-based formats are told apart by what the archive contains.
OOXML_TYPES = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
}
TEXT_EXTENSIONS = {".txt", ".csv", ".md", ".log", ".json", ".xml", ".yaml", ".yml", ".pem", ".crt", ".cer", ".conf"}
ACCEPTED_DESCRIPTION = "PDF, images, office documents, text files or archives (zip, tar, gz, 7z)"
_HEAD_BYTES = 8192
# The longest ODF media type is 46 characters; a "mimetype" member declared larger is not an ODF marker.
_ODF_MIMETYPE_MAX_BYTES = 100


@dataclass(frozen=True)
class DetectedType:
    content_type: str


def evidence_detect_type(*, head: bytes, stream, name: str) -> DetectedType | None:
    """The accepted type of a file from its content, or None when refused."""
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in ALLOWED_BINARY_TYPES:
            return DetectedType(kind.mime)
        if kind.mime in ODF_TYPES or kind.mime in OOXML_TYPES.values() or kind.mime == "application/zip":
            return _zip_type(stream)
        return None
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(stream)
    return _text_type(stream=stream, name=name)


def _zip_type(stream) -> DetectedType | None:
    stream.seek(0)
    try:
        with zipfile.ZipFile(stream) as archive:
            names = archive.namelist()
            if "mimetype" in names:
                # Judged by its declared size and read at most a few bytes: a zip bomb's member is never inflated.
                info = archive.getinfo("mimetype")
                if info.file_size <= _ODF_MIMETYPE_MAX_BYTES:
                    with archive.open(info) as member:
                        mimetype = member.read(_ODF_MIMETYPE_MAX_BYTES).decode("ascii", "replace").strip()
                    if mimetype in ODF_TYPES:
                        return DetectedType(mimetype)
            if "[Content_Types].xml" in names:
                for prefix, mime in OOXML_TYPES.items():
                    if any(n.startswith(prefix) for n in names):
                        return DetectedType(mime)
    except (zipfile.BadZipFile, OSError, KeyError, EOFError, zlib.error, NotImplementedError):
        return None
    return DetectedType("application/zip")  # a plain archive


def _text_type(*, stream, name: str) -> DetectedType | None:
    """Plain text: a text file name and content that is UTF-8 (or Latin-1) without control bytes."""
    if PurePath(name).suffix.lower() not in TEXT_EXTENSIONS:
        return None
    stream.seek(0)
    while chunk := stream.read(64 * 1024):
        if b"\x00" in chunk or any(b < 9 or 13 < b < 32 and b != 27 for b in chunk[:4096]):
            return None
    return DetectedType("text/plain")


def _ensure_can_change_evidence(*, assessment, by, category):
    """The review to mark "changed since review" after the change (a lead's, in a category under review)."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER)
    return category_review_lock(assessment=assessment, category=category, by=by)


def _mark_review(review, *, assessment, by, what) -> None:
    if review is not None:
        from assessments.services.workflow import category_review_mark_changed

        category_review_mark_changed(assessment=assessment, review=review, by=by, what=what)


def evidence_add_file(*, assessment, upload, by, title="", requirement=None, category=None) -> Evidence:
    """Store an uploaded file as evidence. A refused file leaves nothing behind (no row, no stored file)."""
    target = target_check(assessment=assessment, requirement=requirement, category=category)
    review = _ensure_can_change_evidence(
        assessment=assessment, by=by, category=target_category(requirement=requirement, category=category)
    )
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise AssessmentError(f"“{upload.name}” is {megabytes(upload.size)}; files are limited to {megabytes(limit)}.")
    if upload.size == 0:
        raise AssessmentError(f"“{upload.name}” is empty.")
    upload.seek(0)
    head = upload.read(_HEAD_BYTES)
    detected = evidence_detect_type(head=head, stream=upload, name=upload.name)
    if detected is None:
        raise AssessmentError(f"“{upload.name}” is not an accepted kind of file. Accepted: {ACCEPTED_DESCRIPTION}.")
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)

    original_name = PurePath(upload.name).name[:255]
    evidence = Evidence(
        organization_id=assessment.organization_id,
        assessment=assessment,
        kind=Evidence.Kind.FILE,
        title=(title or "").strip()[:255] or original_name,
        original_name=original_name,
        content_type=detected.content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        **target,
    )
    stored_name = default_storage.save(evidence_upload_path(evidence, original_name), upload)
    try:
        with transaction.atomic():
            evidence.file.name = stored_name
            evidence.save()
            audit_log(
                organization=assessment.organization,
                actor=by,
                action="evidence.added",
                obj=evidence,
                object_repr=f"Evidence for {target_label(requirement=requirement, category=category)}",
                after={"file": original_name, "size": upload.size, "sha256": evidence.sha256},
            )
            _mark_review(review, assessment=assessment, by=by, what=f"the evidence of {evidence.target_key}")
    except Exception:
        default_storage.delete(stored_name)
        raise
    return evidence


def evidence_add_link(*, assessment, url, by, title="", requirement=None, category=None) -> Evidence:
    target = target_check(assessment=assessment, requirement=requirement, category=category)
    review = _ensure_can_change_evidence(
        assessment=assessment, by=by, category=target_category(requirement=requirement, category=category)
    )
    url = (url or "").strip()
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise AssessmentError("Enter a complete web address starting with https:// or http://.") from None
    if len(url) > 1000:
        raise AssessmentError("Links are limited to 1000 characters.")
    with transaction.atomic():
        evidence = Evidence.objects.create(
            organization_id=assessment.organization_id,
            assessment=assessment,
            kind=Evidence.Kind.LINK,
            url=url,
            title=(title or "").strip()[:255],
            uploaded_by=by,
            **target,
        )
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="evidence.added",
            obj=evidence,
            object_repr=f"Evidence for {target_label(requirement=requirement, category=category)}",
            after={"url": url},
        )
        _mark_review(review, assessment=assessment, by=by, what=f"the evidence of {evidence.target_key}")
    return evidence


def evidence_delete(*, evidence, by) -> None:
    assessment = evidence.assessment
    review = _ensure_can_change_evidence(assessment=assessment, by=by, category=evidence.category)
    stored_name = evidence.file.name if evidence.kind == Evidence.Kind.FILE else ""
    with transaction.atomic():
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="evidence.deleted",
            obj=evidence,
            before={"file": evidence.original_name, "url": evidence.url, "sha256": evidence.sha256},
        )
        _mark_review(review, assessment=assessment, by=by, what=f"the evidence of {evidence.target_key}")
        evidence.delete()
        if stored_name:
            transaction.on_commit(lambda: default_storage.delete(stored_name))


def evidence_open_for_download(*, evidence, by):
    """The stored file of ``evidence`` for a member who may see evidence; every download is in the audit log."""
    ensure_perm(organization=evidence.organization, user=by, permission=Perm.EVIDENCE_VIEW)
    handle = evidence.file.open("rb")
    audit_log(
        organization=evidence.organization,
        actor=by,
        action="evidence.downloaded",
        obj=evidence,
        after={"file": evidence.original_name, "sha256": evidence.sha256, "assessment": evidence.assessment_id},
    )
    return handle
