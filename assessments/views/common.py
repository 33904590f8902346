"""Shared by the assessment management views."""

from assessments.models import Assessment
from organizations.tenancy import tenant_get_or_404


def get_assessment(request, pk) -> Assessment:
    return tenant_get_or_404(
        Assessment.objects.select_related("model_version", "organization"), request.organization, pk=pk
    )
