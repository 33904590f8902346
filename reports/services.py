"""Requesting and rendering reports.

``report_request`` creates the row and enqueues the task after commit; ``report_render`` is the
task's work and is idempotent: a redelivered or repeated call never renders twice into two files
(the file name derives from the report), a finished report is left alone, and a draft whose input
(assessment state and type) equals a finished report's reuses that file instead of rendering.
"""

import hashlib
import logging
import os
import threading
import time
from contextlib import contextmanager
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import DatabaseError, connections, transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from assessments.models import Assessment, SignOff
from audit.services import audit_log
from core.events import REPORT_READY, event_announce
from organizations.roles import Perm
from organizations.tenancy import ensure_perm, member_perms
from reports import rendering, signing
from reports.credential import report_credential_build
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


def report_request(*, assessment: Assessment, report_type: str, by, membership=None) -> Report:
    """Create a report of ``assessment`` and render it in the background (a worker, or in-process)."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.REPORT_REQUEST, membership=membership)
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
    if not transaction.get_connection().in_atomic_block:
        report.refresh_from_db()  # the enqueue ran: its outcome (status, queue note) is on the row
    return report


def report_types_of(assessment) -> list[str]:
    excluded = FORMAL_ONLY_TYPES if assessment.method == Assessment.Method.SELF else SELF_ONLY_TYPES
    return [value for value in Report.Type.values if value not in excluded]


def signoff_freeze_reports(*, signoff, **_) -> None:
    """Receiver of ``signoff_created`` (inside the sign-off transaction): the data of every report type
    is frozen into the sign-off's snapshot, and final reports are rendered from it ever after."""
    frozen = {
        report_type: rendering.report_data_build(assessment=signoff.assessment, report_type=report_type)
        for report_type in report_types_of(signoff.assessment)
    }
    snapshot = dict(signoff.snapshot, reports=frozen)
    SignOff.objects.filter(pk=signoff.pk).update(snapshot=snapshot)
    signoff.snapshot = snapshot


PENDING = (Report.Status.QUEUED, Report.Status.RUNNING)
# Publishing gives up quickly when the broker is down: the request must answer, the sweeper tries again.
PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


def report_enqueue(*, report_id: int) -> bool:
    """Hand the report to a worker. Never raises: an unreachable broker is noted on the row (the outbox) and
    the sweeper enqueues it again later. True when the task was published (or ran in-process)."""
    from reports.tasks import render_report_task

    try:
        render_report_task.apply_async((report_id,), retry=True, retry_policy=PUBLISH_RETRY_POLICY)
    except Exception as error:  # noqa: BLE001 - any broker failure (kombu, redis, socket) is the same to us
        logger.warning("Report %s could not be enqueued: %r", report_id, error)
        _note_safely(
            report_id,
            queue_note="The task queue was unreachable; the report starts when the worker is reachable.",
            retry_at=timezone.now() + timedelta(seconds=settings.REPORT_SWEEP_SECONDS),
        )
        return False
    # Published: the "unreachable" note of an earlier failed enqueue goes; a "worker lost" note stays until claimed.
    _note_safely(
        report_id,
        queue_note=Case(When(retry_at__isnull=False, then=Value("")), default=F("queue_note")),
        retry_at=None,
        heartbeat_at=timezone.now(),
        only_queued=True,
    )
    return True


def _note_safely(report_id: int, *, only_queued=False, **fields) -> None:
    """Write queue bookkeeping on the row; a database that is away at this instant is logged, not raised:
    the sweeper's next run finds the report by its old heartbeat."""
    statuses = (Report.Status.QUEUED,) if only_queued else PENDING
    try:
        Report.objects.filter(pk=report_id, status__in=statuses).update(**fields)
    except DatabaseError as error:
        logger.warning("Report %s: queue state not recorded (%r)", report_id, error)


def report_sweep(*, now=None) -> list[int]:
    """The sweeper (a beat task every REPORT_SWEEP_SECONDS): enqueue again each pending report without a sign
    of life for REPORT_STALE_SECONDS, or whose enqueue failed and is due; fail those past REPORT_MAX_ATTEMPTS.
    Returns the ids enqueued again. Safe to run twice at once: the render's claim lets one delivery win."""
    now = now or timezone.now()
    stale_before = now - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    due = Report.objects.filter(status__in=PENDING).filter(
        Q(retry_at__lte=now) | Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at=None, created_at__lt=stale_before)
    )
    requeued = []
    for report in due.only("pk", "status", "attempts", "heartbeat_at", "organization_id"):
        if report.attempts >= settings.REPORT_MAX_ATTEMPTS:
            report_fail(
                report_id=report.pk,
                message=f"The report could not be rendered in {report.attempts} attempts. Please request it again.",
            )
            continue
        if report.status == Report.Status.RUNNING:
            lost_at = timezone.localtime(report.heartbeat_at).strftime("%H:%M:%S") if report.heartbeat_at else "?"
            note = f"The worker rendering this report was lost (last sign of life {lost_at}); queued again."
            Report.objects.filter(pk=report.pk, status=Report.Status.RUNNING, heartbeat_at=report.heartbeat_at).update(
                status=Report.Status.QUEUED, queue_note=note
            )
            logger.warning("Report %s: worker lost, enqueued again", report.pk)
        if report_enqueue(report_id=report.pk):
            requeued.append(report.pk)
    return requeued


def _claim(report_id: int, task_id: str) -> bool:
    """Compare-and-set: a queued report; a running one whose worker went silent (no heartbeat for
    REPORT_STALE_SECONDS); or a redelivery of the very task that claimed it (its worker died). A duplicate
    message (the sweeper's, while the render lives) claims nothing."""
    now = timezone.now()
    stale_before = now - timedelta(seconds=settings.REPORT_STALE_SECONDS)
    claimable = Q(status=Report.Status.QUEUED) | Q(
        Q(heartbeat_at__lt=stale_before) | Q(heartbeat_at=None), status=Report.Status.RUNNING
    )
    if task_id:
        claimable |= Q(status=Report.Status.RUNNING, claimed_task_id=task_id)
    claimed = Report.objects.filter(claimable, pk=report_id).update(
        status=Report.Status.RUNNING,
        started_at=now,
        heartbeat_at=now,
        claimed_task_id=task_id,
        attempts=F("attempts") + 1,
        progress=5,
        error="",
        queue_note="",
        retry_at=None,
    )
    return claimed == 1


def _progress(report_id: int, value: int) -> None:
    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING).update(
        progress=value, heartbeat_at=timezone.now()
    )


@contextmanager
def _heartbeat(report_id: int, task_id: str, enabled: bool):
    """While the body runs, a thread writes heartbeat_at every REPORT_HEARTBEAT_SECONDS (own connection)."""
    if not enabled:
        yield
        return
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(settings.REPORT_HEARTBEAT_SECONDS):
                try:
                    Report.objects.filter(pk=report_id, status=Report.Status.RUNNING, claimed_task_id=task_id).update(
                        heartbeat_at=timezone.now()
                    )
                except DatabaseError as error:
                    logger.warning("Report %s: heartbeat not written (%r)", report_id, error)
                    connections.close_all()
        finally:
            connections.close_all()

    thread = threading.Thread(target=beat, name=f"report-{report_id}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()


def _test_delay() -> None:
    """Tests make a render slow (to kill its worker in the middle); ignored outside tests."""
    delay = float(os.environ.get("PKIMM_TEST_RENDER_DELAY", "0") or 0)
    if settings.TESTING and delay:
        time.sleep(delay)


def report_render(*, report_id: int, task_id: str = "", heartbeat: bool = False) -> Report | None:
    """Render one report, once. Returns the report, or None when it was not ours to render.

    ``task_id`` is the delivering task's id (see ``_claim``); ``heartbeat`` starts the heartbeat thread (workers).
    """
    if not _claim(report_id, task_id):
        return None
    with _heartbeat(report_id, task_id, heartbeat):
        return _render_claimed(report_id)


def _render_claimed(report_id: int) -> Report:
    report = Report.objects.select_related("assessment", "signoff", "organization").get(pk=report_id)
    data = rendering.report_data_for(report=report)
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
    pdf, boxes = rendering.report_pdf_build(html, credential=report_credential_build(report=report, data=data))
    _progress(report_id, 80)
    if report.is_final:
        named = {person["field"] for person in (data["signoff"] or {}).get("countersigners", [])}
        pdf = signing.pdf_sign(
            pdf,
            reason=f"{report.get_type_display()} of a signed-off PKIMM assessment",
            empty_fields=tuple(box for box in boxes if box.name in named),
        )
    name = report_file_name(report)
    # A redelivered task replaces the file of its own earlier attempt instead of adding a second one.
    if default_storage.exists(name):
        default_storage.delete(name)
    stored = default_storage.save(name, ContentFile(pdf))
    return _finish(
        report, file_name=stored, sha256=hashlib.sha256(pdf).hexdigest(), size=len(pdf), input_hash=input_hash
    )


@transaction.atomic
def _finish(report, *, file_name, sha256, size, input_hash) -> Report:
    """Done and its audit entry in one transaction: no reader sees a finished report without its entry."""
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
    event_announce(
        organization=report.organization,
        event=REPORT_READY,
        data={
            "report": {"id": report.pk, "type": report.type, "final": report.is_final, "sha256": sha256, "size": size},
            "assessment": {"id": report.assessment_id},
        },
    )
    _notify_ready(report)
    return report


def _notify_ready(report) -> None:
    from django.urls import reverse

    from notifications.services import Kind, notify

    assessment = report.assessment
    notify(
        organization=report.organization,
        kind=Kind.REPORT_READY,
        event_key=f"report:{report.pk}",
        recipient_ids=[report.requested_by_id],
        title=f"Report ready: {report.get_type_display()} of {assessment.name}",
        body=f"The {report.get_type_display().lower()} of {assessment.name} you asked for is ready to download.",
        url=reverse("reports:list", kwargs={"org_slug": report.organization.slug, "assessment_id": assessment.pk}),
    )


def report_fail(*, report_id: int, message: str) -> None:
    """Store a failure with a message the user can read."""
    Report.objects.filter(pk=report_id).exclude(status=Report.Status.DONE).update(
        status=Report.Status.FAILED, error=message[:2000], finished_at=timezone.now(), retry_at=None
    )


def report_retry(*, report: Report, by, membership=None) -> Report:
    """A failed report is queued again (same row, same file name): for those who may request reports."""
    ensure_perm(organization=report.organization, user=by, permission=Perm.REPORT_REQUEST, membership=membership)
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, status=Report.Status.FAILED).update(
            status=Report.Status.QUEUED, error="", progress=0, finished_at=None
        )
        if not updated:
            raise ReportRequestError("Only a failed report can be retried.")
        audit_log(organization=report.organization, actor=by, action="report.retried", obj=report)
        transaction.on_commit(lambda: report_enqueue(report_id=report.pk))
    report.refresh_from_db()
    return report


def report_can_download(*, report: Report, user, membership=None) -> bool:
    perms = member_perms(organization=report.organization, user=user, membership=membership)
    needed = Perm.REPORT_DOWNLOAD_SIGNED if report.is_final else Perm.REPORT_DOWNLOAD_DRAFT
    return needed in perms and report.status == Report.Status.DONE


def report_open_for_download(*, report: Report, user, membership=None):
    """The newest stored revision (counter-signed ones included), for a member allowed to download it
    (viewers: final reports only). Returns (file handle, download name)."""
    if not report_can_download(report=report, user=user, membership=membership):
        raise PermissionDenied("You may not download this report.")
    revision = report.revisions.order_by("-number").first()
    if revision is None:
        handle, name, sha256 = default_storage.open(report.file.name, "rb"), report.download_name(), report.sha256
    else:
        name = report.download_name(suffix=f"-countersigned-r{revision.number}")
        handle, sha256 = default_storage.open(revision.file.name, "rb"), revision.sha256
    audit_log(
        organization=report.organization,
        actor=user,
        action="report.downloaded",
        obj=report,
        after={"file": name, "sha256": sha256, "final": report.is_final},
    )
    return handle, name
