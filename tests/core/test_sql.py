"""core/sql.py's ``first_row_models``: the hot lookups (organization of the URL, assessment of the URL) load the
same model instances the ORM would, on PostgreSQL and SQLite, and find nothing of another organization."""

from decimal import Decimal

import pytest
from django.http import Http404

from assessments.models import Assessment
from assessments.selectors import assessment_of_org
from core.sql import BIGINT_MAX, first_row_models
from organizations.models import Membership, Organization
from organizations.tenancy import membership_of_url
from tests.factories import assessment_create, model_1_1


def _values(instance) -> dict:
    return {field.attname: getattr(instance, field.attname) for field in instance._meta.concrete_fields}


@pytest.fixture
def assessment(org):
    made = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    Assessment.objects.filter(pk=made.pk).update(
        subject={"name": "Root CA", "nested": {"list": [1, 2]}},
        summary_overall_value=Decimal("2.518519"),
        summary_assessed=7,
    )
    return made


def test_the_assessment_of_the_url_is_loaded_as_the_orm_loads_it(assessment, org, other_org):
    loaded = assessment_of_org(organization=org, assessment_id=assessment.pk)
    orm = Assessment.objects.select_related("model_version").get(pk=assessment.pk)
    assert _values(loaded) == _values(orm)
    assert _values(loaded.model_version) == _values(orm.model_version)
    assert loaded.subject["nested"]["list"] == [1, 2] and loaded.summary_overall_value == Decimal("2.518519")
    assert not loaded._state.adding
    loaded.name = "Renamed"
    loaded.save(update_fields=["name"])  # a loaded instance saves as an ORM one does
    assert Assessment.objects.get(pk=assessment.pk).name == "Renamed"
    for foreign in (other_org, other_org.pk):
        with pytest.raises(Http404):
            assessment_of_org(organization=foreign, assessment_id=assessment.pk)
    for wrong in (0, -1, BIGINT_MAX + 1, "12x", None):
        with pytest.raises(Http404):
            assessment_of_org(organization=org, assessment_id=wrong)


def test_the_membership_of_the_url_is_loaded_as_the_orm_loads_it(org, lead, outsider, other_org):
    loaded = membership_of_url(org_slug=org.slug, user=lead)
    orm = Membership.objects.select_related("organization").get(organization=org, user=lead)
    assert _values(loaded) == _values(orm) and _values(loaded.organization) == _values(orm.organization)
    assert membership_of_url(org_slug=org.slug, user=outsider) is None
    assert membership_of_url(org_slug="no-such-org", user=lead) is None
    assert membership_of_url(org_slug=other_org.slug, user=lead) is None


def test_no_row_is_none(db):
    assert (
        first_row_models(
            source=f"{Organization._meta.db_table} o",
            where="o.slug = %(slug)s",
            params={"slug": "x"},
            models={"o": Organization},
        )
        is None
    )
