"""The benchmarks' own data, built through the application's services (never from tests/).

Model 1.1.0 is the built-in starter model (the official structure, ids and weights, with short texts), so
the benchmarks run on a fresh clone; the organization, its members and the answered assessment are made
by the same services the pages use.
"""

NOTE = (
    "Interviewed the PKI operations lead and reviewed the current **certificate policy** and the\n"
    "operations manual. The documents are approved and reviewed yearly; the last review was in March."
)


def starter_model():
    """Model 1.1.0 as the built-in starter model has it, loaded by the same service as ``manage.py migrate`` users."""
    from catalog.services import starter_model_load

    return starter_model_load().model_version


def organization_with_lead(*, name: str, slug: str):
    """An organization (its owner created it) and a lead assessor, as an accepted invitation leaves them;
    both have given their names."""
    from django.contrib.auth import get_user_model

    from core.profiles import profile_update
    from organizations.models import Membership
    from organizations.roles import Role
    from organizations.services import organization_create

    users = get_user_model().objects
    owner = users.create_user(username=f"owner@{slug}.test", email=f"owner@{slug}.test", password="bench")
    lead = users.create_user(username=f"lead@{slug}.test", email=f"lead@{slug}.test", password="bench")
    # Named, as at first sign-in (pages ask for the name first otherwise).
    profile_update(user=owner, full_name="Bench Owner", job_title="PKI manager")
    profile_update(user=lead, full_name="Bench Lead", job_title="Lead assessor")
    organization = organization_create(name=name, slug=slug, by=owner)
    Membership.objects.create(organization=organization, user=lead, role=Role.LEAD)
    return organization, lead


def answered_formal_assessment(
    *, organization, lead, model_version, name="PKI assessment 2026", notes=None, threads=True
):
    """Every requirement answered (levels 1-5 in turn), with one comment and one evidence link each
    (``threads``)."""
    from assessments.services.answers import answer_set
    from assessments.services.assessments import assessment_create
    from assessments.services.comments import comment_add
    from assessments.services.evidence import evidence_add_link

    assessment = assessment_create(organization=organization, by=lead, name=name, model_version=model_version)
    for i, requirement in enumerate(model_version.requirements.select_related("category").order_by("position")):
        answer_set(
            assessment=assessment,
            requirement=requirement,
            level=i % 5 + 1,
            notes=notes or f"Observed during the workshop, item {i}.",
            expected_version=0,
            by=lead,
        )
        if not threads:
            continue
        comment_add(assessment=assessment, requirement=requirement, body="Evidence reviewed.", by=lead)
        evidence_add_link(
            assessment=assessment, requirement=requirement, url=f"https://wiki.bench.test/pki/{i}", by=lead
        )
    return assessment
