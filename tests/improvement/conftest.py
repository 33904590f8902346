"""Shared helpers for the improvement tests: signed-off assessments with answers, plans, members."""

import datetime

import pytest
from django.utils import timezone

from assessments.models import Assessment, RequirementAnswer
from catalog.models import Category, Requirement
from improvement.models import ActionPlan
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.conftest import make_user
from tests.factories import assessment_create, model_1_0, model_1_1


def sign_off(assessment, when: datetime.datetime | None = None):
    """Mark signed off without the workflow (these tests are about what comes after)."""
    assessment.status = Assessment.Status.SIGNED_OFF
    assessment.signed_off_at = when or timezone.now()
    assessment.save(update_fields=["status", "signed_off_at"])
    return assessment


def answer_all_requirements(assessment, level_of=lambda requirement: 3, notes=""):
    requirements = Requirement.objects.filter(model_version=assessment.model_version).order_by("position")
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(
            organization=assessment.organization,
            assessment=assessment,
            requirement=r,
            level=level_of(r),
            notes=notes,
        )
        for r in requirements
    )


def signed_off_assessment(org, *, model_version=None, level=3, when=None, name="Signed-off assessment"):
    assessment = assessment_create(org, model_version=model_version or model_1_1(), name=name)
    answer_all_requirements(assessment, lambda r: level)
    return sign_off(assessment, when)


def plan_create(org, *, origin, category_key="G.1", requirement_key="", target_level=4, **fields):
    """A plan row straight in the table (the services are tested on their own)."""
    category = Category.objects.get(model_version=origin.model_version, key=category_key)
    return ActionPlan.objects.create(
        organization=org,
        origin=origin,
        category_key=category_key,
        category_name=category.name,
        requirement_key=requirement_key,
        title=fields.pop("title", f"Improve {requirement_key or category_key}"),
        target_level=target_level,
        **fields,
    )


def org_with_member(slug: str, user, role=Role.LEAD) -> Organization:
    organization = Organization.objects.create(name=f"Client {slug}", slug=slug)
    Membership.objects.create(organization=organization, user=user, role=role)
    return organization


@pytest.fixture
def mv10(db):
    return model_1_0()


@pytest.fixture
def mv11(db):
    return model_1_1()


@pytest.fixture
def consultant(db):
    return make_user("consultant@advisors.test")
