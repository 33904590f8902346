from django.db.models import Prefetch

from assessments.models import Assessment
from organizations.tenancy import tenant_get_or_404
from reports.countersign import countersigners_of
from reports.models import Report, ReportRevision
from reports.services import FORMAL_ONLY_TYPES, SELF_ONLY_TYPES


def report_history(*, assessment, finished_only: bool = False):
    """Every report of the assessment, newest first (final reports stay for good), with its counter-signed
    revisions. ``finished_only``: for members who cannot request reports (viewers see finished ones only)."""
    reports = (
        Report.objects.for_org(assessment.organization)
        .filter(assessment=assessment)
        .select_related("requested_by", "signoff")
        .prefetch_related(Prefetch("revisions", queryset=ReportRevision.objects.order_by("number")))
        .order_by("-created_at", "-id")
    )
    if finished_only:
        reports = reports.filter(status=Report.Status.DONE)
    reports = list(reports)
    for report in reports:
        report.countersign_rows = _countersign_rows(report)
    return reports


def _countersign_rows(report) -> list[dict]:
    """Per person named at sign-off: their counter-signature (the revision that added it) or None."""
    if not (report.is_final and report.signoff_id):
        return []
    signed = {revision.field_name: revision for revision in report.revisions.all()}
    return [
        {"name": person["name"], "title": person.get("title", ""), "revision": signed.get(field)}
        for field, person in countersigners_of(report).items()
    ]


def report_types_for(*, assessment):
    """The report types that fit the assessment's method, as (value, label) pairs."""
    excluded = FORMAL_ONLY_TYPES if assessment.method == Assessment.Method.SELF else SELF_ONLY_TYPES
    labels = dict(Report.Type.choices)
    if assessment.method == Assessment.Method.SELF:
        labels[Report.Type.ATTESTATION] = "Self-assessment declaration (no attestation)"
    return [(value, labels[value]) for value in Report.Type.values if value not in excluded]


def reports_of_org(*, organization, related: tuple[str, ...] = ()):
    """The organization's reports (a queryset: the caller picks one by id)."""
    reports = Report.objects.for_org(organization)
    return reports.select_related(*related) if related else reports


def report_list(*, organization, assessment):
    return Report.objects.for_org(organization).filter(assessment=assessment)


def report_of_org(*, organization, report_id, related: tuple[str, ...] = (), **lookups) -> Report:
    """A report of the organization by its id (``lookups`` narrow it further); any other is 404."""
    reports = Report.objects.select_related(*related) if related else Report
    return tenant_get_or_404(reports, organization, pk=report_id, **lookups)
