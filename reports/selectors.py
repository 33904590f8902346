from assessments.models import Assessment
from reports.models import Report
from reports.services import FORMAL_ONLY_TYPES, SELF_ONLY_TYPES


def report_history(*, assessment):
    """Every report of the assessment, newest first (final reports stay for good)."""
    return list(
        Report.objects.for_org(assessment.organization)
        .filter(assessment=assessment)
        .select_related("requested_by", "signoff")
        .order_by("-created_at", "-id")
    )


def report_types_for(*, assessment):
    """The report types that fit the assessment's method, as (value, label) pairs."""
    excluded = FORMAL_ONLY_TYPES if assessment.method == Assessment.Method.SELF else SELF_ONLY_TYPES
    return [(value, label) for value, label in Report.Type.choices if value not in excluded]
