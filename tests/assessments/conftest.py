"""Fixtures for the assessment management tests: a formal 1.1.0 assessment and answer helpers.

Answers are written straight into the tables: the questionnaire's services live on another branch
and these tests are about scope, review and sign-off.
"""

import pytest

from assessments.models import Assessment, CategoryAnswer, RequirementAnswer
from assessments.selectors_manage import categories_in_scope
from catalog.models import Requirement
from tests.factories import assessment_create, model_1_1


@pytest.fixture
def model(db):
    return model_1_1()


@pytest.fixture
def assessment(org, model):
    return assessment_create(org, model_version=model)


@pytest.fixture
def self_assessment(org, model):
    return assessment_create(org, model_version=model, method=Assessment.Method.SELF, name="Quick self-assessment")


def answer_all(assessment, *, level=3, skip=()):
    """Answer every applicable item in scope except the keys in ``skip``."""
    for category in categories_in_scope(assessment=assessment):
        if assessment.is_formal:
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
