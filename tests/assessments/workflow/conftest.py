"""Fixtures for the assessment management tests (scope, assignments, review, sign-off)."""

import pytest

from assessments.models import Assessment
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
