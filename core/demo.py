"""Demo data for a fresh install, made through the same services as the pages, so every page has something
to show on first sign-in:

- an earlier assessment, signed off, with its signed detailed report (verification has a file to check);
- its re-assessment, in progress, with action plans (results, trend and comparison have two points);
- the current assessment, answered and reviewed, waiting for the demo user's sign-off;
- a second member (a lead assessor) who reviewed the categories.

The answers are deterministic (derived from the requirement's position), not random, so the demo
looks the same on every machine. Each part is created once: running setup_demo again adds nothing.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from assessments.models import Assessment
from assessments.services.answers import answer_set
from assessments.services.assessments import assessment_create
from assessments.services.scoping import applicability_set, assessment_environment_update, use_case_add
from assessments.services.workflow import (
    assessment_request_review,
    assessment_sign_off,
    assessment_start,
    category_review_accept,
)
from catalog.models import Requirement
from improvement.services.plans import action_plan_create
from improvement.services.reassessment import reassessment_start
from organizations.models import Membership
from organizations.roles import Role
from reports.models import Report
from reports.services import report_request

DEMO_ASSESSMENT = "Corporate PKI assessment (demo)"
DEMO_BASELINE = "PKI baseline assessment (demo)"
DEMO_REASSESSMENT = "PKI re-assessment (demo)"
DEMO_LEAD_EMAIL = "lead@example.com"


@dataclass
class DemoOutcome:
    created: list[str] = field(default_factory=list)  # what this run added, for the command's output
    report: Report | None = None  # the signed report of the baseline, when this run requested it


def demo_lead_ensure(*, organization) -> User:
    """The second member: a lead assessor who reviews. No password: nobody signs in as them."""
    user, created = User.objects.get_or_create(
        username=DEMO_LEAD_EMAIL, defaults={"email": DEMO_LEAD_EMAIL, "first_name": "Lena", "last_name": "Lead"}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": Role.LEAD})
    return user


def _exists(organization, name: str) -> bool:
    return Assessment.objects.for_org(organization).filter(name=name).exists()


def _scoped(*, organization, model_version, by, name: str, started_days_ago: int) -> Assessment:
    today = timezone.localdate()
    assessment = assessment_create(
        organization=organization,
        by=by,
        name=name,
        model_version=model_version,
        method=Assessment.Method.FORMAL,
        assessor_name="Demo assessor",
        start_date=today - timedelta(days=started_days_ago),
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
    return assessment


def _answer(*, assessment, by, level_of, skip=lambda index: False) -> None:
    requirements = Requirement.objects.filter(model_version=assessment.model_version).order_by("position")
    for index, requirement in enumerate(requirements):
        if not skip(index):
            level = level_of(index, requirement)
            answer_set(assessment=assessment, requirement=requirement, level=level, notes="", expected_version=0, by=by)


def _reviewed(*, assessment, owner, lead) -> Assessment:
    """In review, every category accepted by the lead: ready for sign-off."""
    assessment = assessment_request_review(assessment=assessment, by=owner)
    keys = assessment.reviews.select_related("category").values_list("category__key", flat=True)
    for key in list(keys):
        category_review_accept(assessment=assessment, category_key=key, by=lead)
    assessment.refresh_from_db()
    return assessment


def _baseline_create(*, organization, model_version, owner, lead, outcome: DemoOutcome) -> Assessment:
    baseline = _scoped(
        organization=organization, model_version=model_version, by=owner, name=DEMO_BASELINE, started_days_ago=400
    )
    _answer(assessment=baseline, by=lead, level_of=lambda index, requirement: 1 + (index * 5 + 1) % 3)
    baseline = _reviewed(assessment=baseline, owner=owner, lead=lead)
    assessment_sign_off(
        assessment=baseline,
        statement="The baseline of our PKI: answers reviewed by the lead assessor (demo data).",
        by=owner,
    )
    outcome.report = report_request(assessment=baseline, report_type=Report.Type.DETAILED, by=owner)
    outcome.created.append(f"{DEMO_BASELINE}: signed off, with a signed detailed report")
    return baseline


def _reassessment_create(*, baseline, owner, lead, outcome: DemoOutcome) -> None:
    reassessment, _mapping = reassessment_start(previous=baseline, name=DEMO_REASSESSMENT, by=owner)
    assessment_start(assessment=reassessment, by=owner)
    # Progress since the baseline: the governance categories moved up one level.
    for answer in reassessment.answers.select_related("requirement").filter(
        requirement__key__startswith="G.", level__lt=5
    ):
        answer_set(
            assessment=reassessment,
            requirement=answer.requirement,
            level=answer.level + 1,
            notes="Improved since the baseline (demo).",
            expected_version=answer.version,
            by=lead,
        )
    today = timezone.localdate()
    plans = [
        ("M.6", 3, ["Inventory every key and its HSM partition", "Write the key ceremony procedure"]),
        ("O.10", 3, ["Test the restore of an issuing CA", "Document the fail-over of OCSP"]),
        ("R.15", 2, ["Run a PKI awareness session for the service desk"]),
    ]
    for number, (key, target, tasks) in enumerate(plans, start=1):
        action_plan_create(
            origin=baseline,
            category_key=key,
            by=owner,
            target_level=target,
            responsible_user=lead,
            due_date=today + timedelta(days=45 * number),
            objectives=f"Reach level {target} before the next sign-off.",
            tasks=tasks,
        )
    outcome.created.append(f"{DEMO_REASSESSMENT}: in progress, with {len(plans)} action plans")


def _current_create(*, organization, model_version, owner, lead, outcome: DemoOutcome) -> None:
    current = _scoped(
        organization=organization, model_version=model_version, by=owner, name=DEMO_ASSESSMENT, started_days_ago=14
    )
    _answer(assessment=current, by=lead, level_of=lambda index, requirement: 1 + (index * 7 + len(requirement.key)) % 4)
    _reviewed(assessment=current, owner=owner, lead=lead)
    outcome.created.append(f"{DEMO_ASSESSMENT}: reviewed, waiting for your sign-off")


def demo_data_create(*, organization, model_version, by) -> DemoOutcome:
    """Create the demo's parts that do not exist yet; ``by`` is the demo organization's owner."""
    outcome = DemoOutcome()
    lead = demo_lead_ensure(organization=organization)
    baseline = Assessment.objects.for_org(organization).filter(name=DEMO_BASELINE).first()
    if baseline is None:
        baseline = _baseline_create(
            organization=organization, model_version=model_version, owner=by, lead=lead, outcome=outcome
        )
    if not _exists(organization, DEMO_REASSESSMENT) and baseline.is_signed_off:
        _reassessment_create(baseline=baseline, owner=by, lead=lead, outcome=outcome)
    if not _exists(organization, DEMO_ASSESSMENT):
        _current_create(organization=organization, model_version=model_version, owner=by, lead=lead, outcome=outcome)
    return outcome
