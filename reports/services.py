"""Requesting and rendering reports.

``report_request`` creates the row and enqueues the task after commit; ``report_render`` is the
task's work and is idempotent: a redelivered or repeated call never renders twice into two files
(the file name derives from the report), a finished report is left alone, and a draft whose input
(assessment state and type) equals a finished report's reuses that file instead of rendering.
"""

import hashlib
import logging
import os
import time

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from assessments.models import Assessment, SignOff
from audit.services import audit_log
from organizations.roles import Perm
from organizations.tenancy import ensure_perm, member_perms
from reports import rendering, signing
from reports.models import Report, report_file_name

logger = logging.getLogger(__name__)

SELF_ONLY_TYPES = {Report.Type.SELF}
FORMAL_ONLY_TYPES = {Report.Type.DETAILED}


class ReportRequestError(Exception):
    """A report that cannot be requested, with a message for the user."""


def _current_signoff(assessment):
    if not assessment.is_signed_off:
        return None
    return (
        SignOff.objects.for_org(assessment.organization)
        .filter(assessment=assessment, reopened_at=None, imported=False)
        .order_by("-signed_at", "-id")
        .first()
    )


def report_request(*, assessment: Assessment, report_type: str, by) -> Report:
    """Create a report of ``assessment`` and render it in the background (a worker, or in-process)."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.REPORT_REQUEST)
    if report_type not in Report.Type.values:
        raise ReportRequestError("Unknown report type.")
    if report_type in SELF_ONLY_TYPES and assessment.method != Assessment.Method.SELF:
        raise ReportRequestError("The self-assessment report is for self-assessments; choose the assessment report.")
    if report_type in FORMAL_ONLY_TYPES and assessment.method == Assessment.Method.SELF:
        raise ReportRequestError("A self-assessment has no requirement answers for a detailed report.")
    signoff = _current_signoff(assessment)
    if signoff is not None:
        # A signed-off state is reported once: its final report is never regenerated over.
        existing = (
            Report.objects.for_org(assessment.organization)
            .filter(assessment=assessment, type=report_type, signoff=signoff)
            .exclude(status=Report.Status.FAILED)
            .first()
        )
        if existing:
            return existing
    with transaction.atomic():
        report = Report.objects.create(
            organization=assessment.organization,
            assessment=assessment,
            type=report_type,
            is_final=signoff is not None,
            signoff=signoff,
            requested_by=by,
        )
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="report.requested",
            obj=report,
            after={"type": report_type, "assessment": assessment.pk, "final": report.is_final},
        )
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    return report


def report_enqueue(*, report_id: int) -> None:
    from reports.tasks import render_report_task

    render_report_task.delay(report_id)


def _claim(report_id: int) -> bool:
    """Compare-and-set: only a queued report, or a running one whose worker was lost, is taken."""
    claimed = Report.objects.filter(pk=report_id, status__in=(Report.Status.QUEUED, Report.Status.RUNNING)).update(
        status=Report.Status.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=5, error=""
    )
    return claimed == 1


def _progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(progress=value)


def _test_delay() -> None:
    """Tests make a render slow (to kill its worker in the middle); ignored outside tests."""
    delay = float(os.environ.get("PKIMM_TEST_RENDER_DELAY", "0") or 0)
    if settings.TESTING and delay:
        time.sleep(delay)


def report_render(*, report_id: int) -> Report | None:
    """Render one report, once. Returns the report, or None when it was not ours to render."""
    if not _claim(report_id):
        return None
    report = Report.objects.select_related("assessment", "signoff").get(pk=report_id)
    data = rendering.report_data_build(assessment=report.assessment, report_type=report.type)
    input_hash = rendering.report_input_hash(data)
    Report.objects.filter(pk=report_id).update(input_hash=input_hash, progress=20)
    if not report.is_final:
        same = (
            Report.objects.for_org(report.organization)
            .filter(type=report.type, input_hash=input_hash, is_final=False, status=Report.Status.DONE)
            .exclude(pk=report_id)
            .exclude(file="")
            .order_by("-finished_at")
            .first()
        )
        if same is not None and default_storage.exists(same.file.name):
            return _finish(report, file_name=same.file.name, sha256=same.sha256, size=same.size, input_hash=input_hash)
    _test_delay()
    html = rendering.report_html_render(data, report.type)
    _progress(report_id, 40)
    pdf = rendering.report_pdf_render(html)
    _progress(report_id, 80)
    if report.is_final:
        pdf = signing.pdf_sign(pdf, reason=f"{report.get_type_display()} of a signed-off PKIMM assessment")
    name = report_file_name(report)
    # A redelivered task replaces the file of its own earlier attempt instead of adding a second one.
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(pdf))
    return _finish(
        report, file_name=stored, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), input_hash=input_hash
    )


def _finish(report, *, file_name, sha256, size, input_hash) -> Report:
    Report.objects.filter(pk=report.pk).update(
        status=Report.Status.DONE,
        progress=100,
        file=file_name,
        sha256=sha256,
        size=size,
        input_hash=input_hash,
        finished_at=timezone.now(),
        error="",
    )
    report.refresh_from_db()
    audit_log(
        organization=report.organization,
        actor=None,
        action="report.rendered",
        obj=report,
        after={"sha256": sha256, "size": size, "final": report.is_final},
    )
    return report


def report_fail(*, report_id: int, message: str) -> None:
    """Store an expected failure with a message the user can read."""
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
        status=Report.Status.FAILED, error=message[:2000], finished_at=timezone.now()
    )


def report_can_download(*, report: Report, user) -> bool:
    perms = member_perms(organization=report.organization, user=user)
    needed = Perm.REPORT_DOWNLOAD_SIGNED if report.is_final else Perm.REPORT_DOWNLOAD_DRAFT
    return needed in perms and report.status == Report.Status.DONE


def report_open_for_download(*, report: Report, user):
    """The stored file, for a member allowed to download it (viewers: final reports only)."""
    if not report_can_download(report=report, user=user):
        raise PermissionDenied("You may not download this report.")
    handle = default_storage.open(report.file.name, "rb")
    audit_log(
        organization=report.organization,
        actor=user,
        action="report.downloaded",
        obj=report,
        after={"file": report.download_name, "sha256": report.sha256, "final": report.is_final},
    )
    return handle
