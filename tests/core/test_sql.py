"""core/sql.py's ``first_row_models``: the hot lookups (organization of the URL, assessment of the URL) load the
same model instances the ORM would, on PostgreSQL and SQLite, and find nothing of another organization."""

from decimal import Decimal

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

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
    loaded, url_objects = membership_of_url(org_slug=org.slug, user=lead)
    orm = Membership.objects.select_related("organization").get(organization=org, user=lead)
    assert _values(loaded) == _values(orm) and _values(loaded.organization) == _values(orm.organization)
    assert url_objects == {}
    assert membership_of_url(org_slug=org.slug, user=outsider) == (None, {})
    assert membership_of_url(org_slug="no-such-org", user=lead) == (None, {})
    assert membership_of_url(org_slug=other_org.slug, user=lead) == (None, {})


def test_the_assessment_of_the_url_comes_with_the_membership_in_one_statement(assessment, org, lead, other_org):
    other = assessment_create(other_org, model_version=model_1_1())
    with CaptureQueriesContext(connection) as captured:
        membership, url_objects = membership_of_url(
            org_slug=org.slug, user=lead, url_kwargs={"assessment_id": assessment.pk}
        )
    assert len(captured) == 1
    requested, loaded = url_objects["assessment_id"]
    orm = Assessment.objects.select_related("model_version").get(pk=assessment.pk)
    assert requested == assessment.pk and membership.organization == org
    assert _values(loaded) == _values(orm) and _values(loaded.model_version) == _values(orm.model_version)
    # Another organization's assessment, or no such id, or one no column holds: not loaded (the loader says 404).
    for foreign_id in (other.pk, 999_999_999):
        membership, url_objects = membership_of_url(
            org_slug=org.slug, user=lead, url_kwargs={"assessment_id": foreign_id}
        )
        assert membership is not None and url_objects == {"assessment_id": (foreign_id, None)}
    assert membership_of_url(org_slug=org.slug, user=lead, url_kwargs={"assessment_id": BIGINT_MAX + 1})[1] == {}


def test_a_page_of_an_assessment_reads_membership_and_assessment_in_one_statement(
    assessment, org, other_org, lead, client_for
):
    client = client_for(lead)
    url = reverse("assessments:detail", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk})
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    assessment_reads = [q["sql"] for q in captured.captured_queries if 'FROM "assessments_assessment"' in q["sql"]]
    assert len(assessment_reads) <= 1, assessment_reads
    other = assessment_create(other_org, model_version=model_1_1())
    foreign = reverse("assessments:detail", kwargs={"org_slug": org.slug, "assessment_id": other.pk})
    assert client.get(foreign).status_code == 404


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
