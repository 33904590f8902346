"""The questionnaire keeps each model version's catalogue (and rendered texts) in the process: no query once
loaded, and a fresh load after an import changed the version (the official file replacing the starter's texts)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment
from assessments.selectors import questionnaire_catalogue
from catalog.models import Requirement
from catalog.services import TEXTS_UPDATED, model_version_import, starter_model_load
from core.markdown import render_markdown
from scoring.selectors import scoring_model_for
from tests.catalog.files import MODEL_1_1
from tests.factories import assessment_create


def fresh(assessment):
    """The assessment as the next request reads it (with its model version)."""
    return Assessment.objects.select_related("model_version").get(pk=assessment.pk)


def guidance_html(assessment, key):
    catalogue = questionnaire_catalogue(model_version=assessment.model_version)
    requirement = catalogue.requirement_by_key[key]
    return catalogue.texts(catalogue.category_by_id[requirement.category_id]).requirements[requirement.pk][0]


def test_catalogue_is_loaded_once_per_model_version(org):
    assessment = fresh(assessment_create(org))
    with CaptureQueriesContext(connection) as first:
        catalogue = questionnaire_catalogue(model_version=assessment.model_version)
    again = fresh(assessment)  # as the next request reads it
    with CaptureQueriesContext(connection) as cached:
        assert questionnaire_catalogue(model_version=again.model_version) is catalogue
    with CaptureQueriesContext(connection) as scoring:
        model = scoring_model_for(model_version=again.model_version)
        assert scoring_model_for(model_version=again.model_version) is model
    assert len(first) == 3  # modules, categories, requirements
    assert len(cached) == 0
    assert len(scoring) == 3  # its own first load, then none
    assert [c.key for c in catalogue.categories][:2] == ["G.1", "G.2"]
    assert (
        len(catalogue.requirement_by_key) == Requirement.objects.filter(model_version=assessment.model_version).count()
    )


def test_official_import_over_the_starter_replaces_the_cached_texts(org, client_for, lead):
    starter = starter_model_load().model_version
    assessment = assessment_create(org, model_version=starter, status=Assessment.Status.IN_PROGRESS)
    starter_guidance = Requirement.objects.get(model_version=starter, key="G.1.1").guidance
    assert guidance_html(fresh(assessment), "G.1.1") == render_markdown(starter_guidance)
    spec_before = scoring_model_for(model_version=fresh(assessment).model_version)
    page = reverse("assessments:questionnaire_category", args=[org.slug, assessment.pk, "G.1"])
    client = client_for(lead)
    assert render_markdown(starter_guidance) in client.get(page).content.decode()

    outcome = model_version_import(text=MODEL_1_1.read_bytes(), source_name=MODEL_1_1.name)

    assert outcome.status == TEXTS_UPDATED and outcome.model_version.pk == starter.pk
    official_guidance = Requirement.objects.get(model_version=starter, key="G.1.1").guidance
    assert official_guidance != starter_guidance
    assert guidance_html(fresh(assessment), "G.1.1") == render_markdown(official_guidance)
    html = client.get(page).content.decode()
    assert render_markdown(official_guidance) in html and render_markdown(starter_guidance) not in html
    # Same ids and weights: the scoring model is rebuilt equal.
    spec_after = scoring_model_for(model_version=fresh(assessment).model_version)
    assert spec_after is not spec_before and spec_after == spec_before


def test_cached_rows_make_instances_the_services_accept(org):
    assessment = fresh(assessment_create(org))
    catalogue = questionnaire_catalogue(model_version=assessment.model_version)
    requirement = catalogue.requirement_instance("M.7.2")
    stored = Requirement.objects.select_related("category").get(model_version=assessment.model_version, key="M.7.2")
    assert (requirement.pk, requirement.title, requirement.guidance) == (stored.pk, stored.title, stored.guidance)
    assert (requirement.category.pk, requirement.category.key) == (stored.category.pk, "M.7")
    assert requirement.category.levels == stored.category.levels
    requirement.category.levels.clear()  # a caller changing its copy leaves the cache alone
    assert catalogue.requirement_instance("M.7.2").category.levels == stored.category.levels
    assert catalogue.requirement_instance("M.7.99") is None
