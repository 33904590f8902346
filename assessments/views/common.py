"""Shared by the views of every app that shows an assessment."""

from django.http import Http404

from assessments.models import Assessment
from assessments.selectors import assessment_of_org


def assessment_of_url(request, assessment_id) -> Assessment:
    """The one loader of "the assessment of this URL": the ``assessment_id`` of this URL's organization, with
    its model version; another organization's id (or none) is 404. Inside an ``org_view`` only."""
    url_objects = getattr(request, "url_objects", {})
    requested, assessment = url_objects.get("assessment_id", (None, None))
    if requested is not None and str(requested) == str(assessment_id):
        # org_view loaded it with the membership (one statement); used once, a second call reads it again.
        del url_objects["assessment_id"]
        if assessment is None:
            raise Http404("No such assessment")
    else:
        assessment = assessment_of_org(organization=request.organization, assessment_id=assessment_id)
    assessment.organization = request.organization  # loaded by org_view already
    return assessment
