"""Helpers for the assessment management tests.

Answers are written straight into the tables: answering is the questionnaire's part, and these
tests are about scope, review and sign-off.
"""

from django.urls import reverse

from assessments.models import CategoryAnswer, CategoryReview, Evidence, RequirementAnswer
from assessments.selectors_manage import categories_in_scope
from catalog.models import Requirement


def answer_all(assessment, *, level=3, skip=(), evidence=True):
    """Answer every applicable item in scope except the keys in ``skip`` (formal: each with a link as
    evidence, unless ``evidence`` is False, so that the sign-off checklist is empty)."""
    for category in categories_in_scope(assessment=assessment):
        if assessment.is_formal:
            if evidence:
                Evidence.objects.bulk_create(
                    Evidence(
                        organization=assessment.organization,
                        assessment=assessment,
                        requirement=req.object,
                        category=category.object,
                        kind=Evidence.Kind.LINK,
                        url=f"https://example.com/evidence/{req.key}",
                    )
                    for req in category.children
                    if req.applicable and req.key not in skip
                )
            RequirementAnswer.objects.bulk_create(
                RequirementAnswer(
                    organization=assessment.organization,
                    assessment=assessment,
                    requirement=req.object,
                    level=level,
                )
                for req in category.children
                if req.applicable and req.key not in skip
            )
        elif category.key not in skip:
            CategoryAnswer.objects.create(
                organization=assessment.organization, assessment=assessment, category=category.object, level=level
            )


def requirement(assessment, key) -> Requirement:
    return Requirement.objects.get(model_version=assessment.model_version, key=key)


def accept_all(assessment, by):
    """Every review accepted in one statement (the accept service itself is tested one by one)."""
    CategoryReview.objects.filter(assessment=assessment).update(status=CategoryReview.Status.ACCEPTED, reviewed_by=by)


def url(name, assessment=None, **kwargs):
    if assessment is not None:
        kwargs.update(assessment_id=assessment.pk)
    return reverse(f"assessments:{name}", kwargs={"org_slug": "acme", **kwargs})
