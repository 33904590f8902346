"""Generated PDF reports of an assessment, rendered by Celery workers (see ``reports.services``)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from core.downloads import download_name
from organizations.models import TenantModel


def report_file_name(report) -> str:
    """Derived from the report (id and its random token): a redelivered task overwrites, never duplicates."""
    return f"reports/{report.organization_id}/{report.pk}-{report.file_token}.pdf"


def _new_file_token() -> str:
    return secrets.token_hex(16)


class Report(TenantModel):
    class Type(models.TextChoices):
        SELF = "self", "Self-assessment report"
        ASSESSMENT = "assessment", "Assessment report (management)"
        DETAILED = "detailed", "Detailed report (PKI team)"
        ATTESTATION = "attestation", "Attestation report"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Rendering"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    assessment = models.ForeignKey("assessments.Assessment", on_delete=models.CASCADE, related_name="reports")
    type = models.CharField(max_length=20, choices=Type.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    progress = models.PositiveSmallIntegerField(default=0)  # 0-100
    error = models.TextField(blank=True)
    # Private storage (MEDIA_ROOT is never served): files go out only through the download view.
    file = models.FileField(max_length=255, blank=True)
    file_token = models.CharField(max_length=32, default=_new_file_token, editable=False)
    sha256 = models.CharField(max_length=64, blank=True, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    input_hash = models.CharField(max_length=64, blank=True, db_index=True)
    is_final = models.BooleanField(default=False, help_text="A report of a signed-off assessment: signed, immutable.")
    # RESTRICT: a sign-off with final reports cannot be deleted alone, but with its assessment it can.
    signoff = models.ForeignKey(
        "assessments.SignOff", null=True, blank=True, on_delete=models.RESTRICT, related_name="reports"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # The outbox: the row is the queue's source of truth. A render writes heartbeat_at while it runs (and a
    # successful enqueue sets it); the sweeper (reports.tasks.sweep_reports_task) enqueues again any pending
    # report whose last sign of life is older than REPORT_STALE_SECONDS, or whose enqueue failed (retry_at).
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(null=True, blank=True)
    queue_note = models.CharField(max_length=300, blank=True)
    # The Celery task id that claimed the render: its own redelivery may claim again, a duplicate may not.
    claimed_task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.get_type_display()} of {self.assessment_id} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)

    @property
    def is_worker_lost(self) -> bool:
        """Rendering, but without a heartbeat for longer than REPORT_STALE_SECONDS: its worker is gone."""
        if self.status != self.Status.RUNNING or self.heartbeat_at is None:
            return False
        return self.heartbeat_at < timezone.now() - timedelta(seconds=settings.REPORT_STALE_SECONDS)

    @property
    def expected_retry_at(self):
        """When the sweeper takes a lost or unqueued report up again (at its next run after that time)."""
        if self.retry_at:
            return self.retry_at
        if self.heartbeat_at:
            return self.heartbeat_at + timedelta(seconds=settings.REPORT_STALE_SECONDS + settings.REPORT_SWEEP_SECONDS)
        return None

    def download_name(self, *, suffix: str = "") -> str:
        """ "acme-pki-assessment-2026-detailed-report-signed-2026-12-01.pdf" or "...-draft-..." (needs assessment and
        organization loaded: one query each otherwise)."""
        kind = f"{self.type}-report-{'signed' if self.is_final else 'draft'}{suffix}"
        finished = timezone.localdate(self.finished_at) if self.finished_at else None
        return download_name(
            organization=self.organization, assessment=self.assessment, kind=kind, ext="pdf", on=finished
        )


def revision_file_name(revision) -> str:
    return f"reports/{revision.organization_id}/{revision.report_id}-{revision.file_token}-r{revision.number}.pdf"


class ReportRevision(TenantModel):
    """A newer revision of a final report: the stored file with one counter-signature added, uploaded back.

    The file extends the previous revision byte for byte (an incremental update), so the installation's
    signature and earlier counter-signatures stay valid. The newest revision is what members download.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()  # 1 for the first counter-signed revision
    field_name = models.CharField(max_length=64)
    countersigner_name = models.CharField(max_length=150)  # the person named at sign-off for the field
    countersigner_title = models.CharField(max_length=150, blank=True)
    certificate_subject = models.CharField(max_length=500)  # what the signature's certificate says
    signed_at = models.DateTimeField(null=True, blank=True)
    trusted = models.BooleanField(default=False, help_text="The certificate chains to a configured trusted CA.")
    file = models.FileField(max_length=255)
    file_token = models.CharField(max_length=32, default=_new_file_token, editable=False)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveBigIntegerField(default=0)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["report_id", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_revision_number_unique")]

    def __str__(self):
        return f"Revision {self.number} of report {self.report_id} ({self.field_name})"
