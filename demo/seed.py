"""A demo assessment for a fresh install: scoped, partly answered, so every page has something to show.

The answers are deterministic (derived from the requirement's position), not random, so the demo
looks the same on every machine.
"""

from datetime import timedelta

from django.utils import timezone

from assessments.models import Assessment
from assessments.services.answers import answer_set
from assessments.services.assessments import assessment_create
from assessments.services.scoping import applicability_set, assessment_environment_update, use_case_add
from assessments.services.workflow import assessment_start
from catalog.models import Requirement

DEMO_ASSESSMENT = "Corporate PKI assessment (demo)"


def demo_assessment_create(*, organization, model_version, by) -> Assessment | None:
    """Create the demo assessment once; returns None when it exists already."""
    if Assessment.objects.for_org(organization).filter(name=DEMO_ASSESSMENT).exists():
        return None
    today = timezone.localdate()
    assessment = assessment_create(
        organization=organization,
        by=by,
        name=DEMO_ASSESSMENT,
        model_version=model_version,
        method=Assessment.Method.FORMAL,
        assessor_name="Demo assessor",
        start_date=today - timedelta(days=14),
        target_date=today + timedelta(days=30),
    )
    use_case_add(
        assessment=assessment,
        by=by,
        name="Internal TLS and device certificates",
        description="The private CA hierarchy that issues server, client and device certificates.",
        components="Offline root CA, two issuing CAs, ACME and EST endpoints, HSMs, CRL/OCSP publishing.",
        out_of_scope="Public TLS certificates bought from a commercial CA.",
    )
    assessment_environment_update(
        assessment=assessment,
        by=by,
        environment_design="Two-tier hierarchy: an offline root, two online issuing CAs in separate data centres.",
        environment_interactions="Registration through the IT service desk; automated enrolment for servers.",
    )
    applicability_set(
        assessment=assessment, key="O.12", level="partial", reason="Only internal relying parties so far.", by=by
    )
    assessment_start(assessment=assessment, by=by)
    requirements = Requirement.objects.filter(model_version=model_version).order_by("position")
    for index, requirement in enumerate(requirements):
        if index % 5 == 4:
            continue  # leave some unanswered, as in a real assessment in progress
        level = 1 + (index * 7 + len(requirement.key)) % 4
        answer_set(assessment=assessment, requirement=requirement, level=level, notes="", expected_version=0, by=by)
    return assessment
