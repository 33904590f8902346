"""Rows for the scoring selector and results tests: answers, scope and relevance answers in the database."""

from assessments.models import Applicability, CategoryAnswer, ExtensionAnswer, RequirementAnswer
from catalog.models import Category, Requirement


def answer_requirements(assessment, levels: dict[str, int | None]) -> None:
    requirements = Requirement.objects.filter(model_version=assessment.model_version, key__in=levels)
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(
            organization=assessment.organization, assessment=assessment, requirement=r, level=levels[r.key]
        )
        for r in requirements
    )


def answer_categories(assessment, levels: dict[str, int | None]) -> None:
    categories = Category.objects.filter(model_version=assessment.model_version, key__in=levels)
    CategoryAnswer.objects.bulk_create(
        CategoryAnswer(organization=assessment.organization, assessment=assessment, category=c, level=levels[c.key])
        for c in categories
    )


def answer_every_requirement(assessment, level_of=lambda position: 1 + position % 5) -> None:
    """Every requirement of the model answered; the default spreads levels 1-5 over the model."""
    requirements = Requirement.objects.filter(model_version=assessment.model_version).order_by("position")
    answer_requirements(assessment, {r.key: level_of(n) for n, r in enumerate(requirements)})


def scope(assessment, key: str, level=Applicability.Level.NOT_APPLICABLE, reason="Out of scope") -> None:
    Applicability.objects.create(
        organization=assessment.organization, assessment=assessment, key=key, level=level, reason=reason
    )


def answer_relevance(assessment, extension, levels: dict[str, int]) -> None:
    ExtensionAnswer.objects.bulk_create(
        ExtensionAnswer(
            organization=assessment.organization, assessment=assessment, extension=extension, category_key=key, level=lv
        )
        for key, lv in levels.items()
    )
