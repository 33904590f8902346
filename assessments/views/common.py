"""Shared by the views of every app that shows an assessment."""

from assessments.models import Assessment
from assessments.selectors import assessment_of_org


def assessment_of_url(request, assessment_id) -> Assessment:
    """The one loader of "the assessment of this URL": the ``assessment_id`` of this URL's organization, with
    its model version; another organization's id (or none) is 404. Inside an ``org_view`` only."""
    assessment = assessment_of_org(organization=request.organization, assessment_id=assessment_id)
    assessment.organization = request.organization  # loaded by org_view already
    return assessment
