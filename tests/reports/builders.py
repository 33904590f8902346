"""A fully answered assessment for report tests and the benchmark (bench/report_render.py)."""

import hashlib

from django.utils import timezone

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    Comment,
    Evidence,
    RequirementAnswer,
    SignOff,
    UseCase,
)
from catalog.models import Category, Requirement
from tests.factories import assessment_create, model_1_1

NOTE = (
    "Interviewed the PKI operations lead and reviewed the current **certificate policy** and the\n"
    "operations manual. The documents are approved and reviewed yearly; the last review was in March."
)


def answered_assessment(org, *, user=None, method=Assessment.Method.FORMAL, name="PKI assessment 2026"):
    """Every requirement (or category) answered with a spread of levels, plus scope, notes, comments, evidence."""
    model_version = model_1_1()
    assessment = assessment_create(
        org,
        model_version=model_version,
        method=method,
        name=name,
        assessor_name="Dana Auditor",
        assessor_company="Example Assurance Ltd",
        assessor_type=Assessment.AssessorType.EXTERNAL,
        start_date=timezone.localdate() - timezone.timedelta(days=30),
        finish_date=timezone.localdate(),
        environment_design="Offline root CA, two online issuing CAs (TLS and S/MIME), OCSP responders.",
        environment_interactions="Registration officers approve requests; relying parties check OCSP and CRLs.",
        sampling_notes="Ten certificates of each profile were sampled from the last quarter.",
        status=Assessment.Status.IN_REVIEW,
    )
    scoped = {"organization": org, "assessment": assessment}
    UseCase.objects.create(
        **scoped,
        name="Corporate TLS",
        description="Server certificates for internal services.",
        components="Issuing CA 1, ACME server, OCSP",
        out_of_scope="Code signing (run by a separate team).",
    )
    categories = list(Category.objects.filter(model_version=model_version))
    requirements = list(Requirement.objects.filter(model_version=model_version))
    not_applicable = requirements[5]
    Applicability.objects.create(
        **scoped, key=not_applicable.key, level=Applicability.Level.NOT_APPLICABLE, reason="No such component."
    )
    Applicability.objects.create(
        **scoped, key=categories[10].key, level=Applicability.Level.PARTIAL, reason="Only the TLS CA is automated."
    )
    now = timezone.now()
    if method == Assessment.Method.SELF:
        CategoryAnswer.objects.bulk_create(
            CategoryAnswer(**scoped, category=c, level=1 + i % 5, notes=NOTE, updated_by=user, updated_at=now)
            for i, c in enumerate(categories)
        )
    else:
        RequirementAnswer.objects.bulk_create(
            RequirementAnswer(
                **scoped, requirement=r, level=1 + (i * 7) % 5, notes=NOTE, updated_by=user, updated_at=now
            )
            for i, r in enumerate(requirements)
            if r != not_applicable
        )
    Comment.objects.bulk_create(
        Comment(**scoped, requirement=r, author=user, body="Agreed in the review workshop.") for r in requirements[::4]
    )
    Comment.objects.bulk_create(
        Comment(**scoped, category=c, author=user, body="Category reviewed with the CISO.") for c in categories[::3]
    )
    Evidence.objects.bulk_create(
        Evidence(
            **scoped,
            requirement=r,
            kind=Evidence.Kind.FILE,
            title=f"Operations manual, chapter {i + 1}",
            original_name=f"ops-manual-ch{i + 1}.pdf",
            size=120_000 + i,
            sha256=hashlib.sha256(str(i).encode()).hexdigest(),
            uploaded_by=user,
        )
        for i, r in enumerate(requirements[::3])
    )
    return assessment


def sign_off(assessment, *, user=None, label="Lee Lead <lead@acme.test>", statement=None):
    """What the workflow's sign-off does to the rows a report reads."""
    signed_at = timezone.now()
    signoff = SignOff.objects.create(
        organization=assessment.organization,
        assessment=assessment,
        signed_by=user,
        signed_by_label=label,
        signed_at=signed_at,
        statement=statement or "I confirm that this assessment reflects the state of our PKI on the date above.",
    )
    assessment.status = Assessment.Status.SIGNED_OFF
    assessment.signed_off_at = signed_at
    assessment.signed_off_by = user
    assessment.save(update_fields=["status", "signed_off_at", "signed_off_by"])
    return signoff
