"""Targets (default: the next level) and the projection of open action plans onto the scores."""

from fractions import Fraction as F

import pytest
from django.urls import reverse

from assessments.models import Assessment
from improvement.models import ActionPlan, TargetLevel
from improvement.selectors import assessment_targets_and_projection
from tests.factories import assessment_create
from tests.improvement.conftest import plan_create
from tests.scoring.results_helpers import answer_categories, answer_requirements, scope

pytestmark = pytest.mark.django_db

G1_AT_2 = {"G.1.1": 2, "G.1.2": 2, "G.1.3": 2, "G.1.4": 2}  # weights 3, 2, 2, 1


@pytest.fixture
def assessment(org, mv11):
    assessment = assessment_create(org, model_version=mv11)
    answer_requirements(assessment, {**G1_AT_2, "G.2.1": 4, "G.2.2": 4, "G.2.3": 4, "G.2.4": 4, "G.2.5": 4})
    return assessment


def _rows(data):
    return {row.key: row for row in data["categories"]}


def test_default_targets_are_the_next_level(assessment):
    data = assessment_targets_and_projection(assessment=assessment)
    rows = _rows(data)

    assert (rows["G.1"].current.value, rows["G.1"].target_value, rows["G.1"].target_is_default) == (2, 3, True)
    assert rows["G.2"].target_value == 5
    assert rows["G.3"].current.value is None and rows["G.3"].target_value is None
    # Module and overall targets: category targets weighted like the values (G.1 weight 5, G.2 weight 4).
    [module_g] = [m for m in data["modules"] if m.key == "G"]
    assert module_g.target_value == F(3 * 5 + 5 * 4, 9)
    assert data["overall"].target_value == F(35, 9)
    assert [row.key for row in module_g.children][:2] == ["G.1", "G.2"]
    # No plans: the projection is the current score.
    assert data["overall"].projected.value == data["overall"].current.value
    assert rows["G.1"].gap_display == "1.00"


def test_a_chosen_target_replaces_the_default(assessment):
    TargetLevel.objects.create(organization=assessment.organization, assessment=assessment, category_key="G.1", level=5)
    rows = _rows(assessment_targets_and_projection(assessment=assessment))
    assert (rows["G.1"].target_value, rows["G.1"].target_is_default) == (5, False)


def test_a_requirement_plan_raises_that_requirement(org, assessment):
    plan_create(org, origin=assessment, category_key="G.1", requirement_key="G.1.1", target_level=4)

    data = assessment_targets_and_projection(assessment=assessment)
    rows = _rows(data)
    assert rows["G.1"].current.value == 2
    assert rows["G.1"].projected.value == F(4 * 3 + 2 * 2 + 2 * 2 + 2 * 1, 8)
    assert rows["G.2"].projected.value == 4  # untouched
    assert data["overall"].projected.value == F(F(22, 8) * 5 + 4 * 4, 9)
    assert [p.title for p in rows["G.1"].plans] == ["Improve G.1.1"]


def test_a_category_plan_raises_every_requirement_below_its_level(org, assessment):
    answer_requirements(assessment, {"M.6.1": 5})
    plan_create(org, origin=assessment, category_key="G.1", target_level=3)
    plan_create(org, origin=assessment, category_key="G.1", requirement_key="G.1.1", target_level=4)
    plan_create(org, origin=assessment, category_key="M.6", target_level=3)  # never lowers M.6.1 from 5

    rows = _rows(assessment_targets_and_projection(assessment=assessment))
    assert rows["G.1"].projected.value == F(4 * 3 + 3 * 2 + 3 * 2 + 3 * 1, 8)
    assert rows["M.6"].projected.value == 5


def test_done_and_dropped_plans_do_not_count(org, assessment):
    plan_create(org, origin=assessment, category_key="G.1", target_level=5, status=ActionPlan.Status.DONE)
    plan_create(org, origin=assessment, category_key="G.1", target_level=5, status=ActionPlan.Status.DROPPED)
    plan_create(org, origin=assessment, category_key="G.1", target_level=3, status=ActionPlan.Status.IN_PROGRESS)

    data = assessment_targets_and_projection(assessment=assessment)
    assert _rows(data)["G.1"].projected.value == 3
    assert len(data["plans"]) == 1


def test_not_applicable_requirements_stay_out(org, assessment):
    scope(assessment, "G.1.4")
    plan_create(org, origin=assessment, category_key="G.1", requirement_key="G.1.4", target_level=5)
    rows = _rows(assessment_targets_and_projection(assessment=assessment))
    assert rows["G.1"].projected.value == rows["G.1"].current.value == 2


def test_plans_from_an_older_model_version_find_their_category_by_name(org, mv10, assessment):
    old = assessment_create(org, model_version=mv10, name="2025")
    # Key management was M.5 in 1.0.0; in 1.1.0 it is M.6.
    plan_create(org, origin=old, category_key="M.5", requirement_key="M.5.2", target_level=5)
    answer_requirements(assessment, {"M.6.1": 1, "M.6.2": 1})

    rows = _rows(assessment_targets_and_projection(assessment=assessment))
    assert rows["M.6"].current.value == 1
    assert rows["M.6"].projected.value == F(1 * 2 + 5 * 2, 4)  # weights 2 and 2


def test_a_plan_without_a_category_in_this_version_is_listed_as_unmapped(org, mv11, assessment):
    plan = plan_create(org, origin=assessment, category_key="G.1", target_level=5)
    ActionPlan.objects.filter(pk=plan.pk).update(category_name="Quantum readiness")
    data = assessment_targets_and_projection(assessment=assessment)
    assert [p.pk for p in data["unmapped_plans"]] == [plan.pk]
    assert data["overall"].projected.value == data["overall"].current.value


def test_self_assessment_category_plans_set_the_category_level(org, mv11):
    assessment = assessment_create(org, model_version=mv11, method=Assessment.Method.SELF)
    answer_categories(assessment, {"G.1": 2, "G.2": 3})
    plan_create(org, origin=assessment, category_key="G.1", target_level=4)
    plan_create(org, origin=assessment, category_key="G.2", requirement_key="G.2.1", target_level=5)  # not scored

    rows = _rows(assessment_targets_and_projection(assessment=assessment))
    assert (rows["G.1"].current.value, rows["G.1"].projected.value) == (2, 4)
    assert rows["G.2"].projected.value == 3


def test_plans_of_another_organization_never_count(org, other_org, mv11, assessment):
    theirs = assessment_create(other_org, model_version=mv11)
    plan_create(other_org, origin=theirs, category_key="G.1", target_level=5)
    data = assessment_targets_and_projection(assessment=assessment)
    assert data["plans"] == [] and _rows(data)["G.1"].projected.value == 2


def test_targets_page_shows_and_saves_targets(org, assessment, lead, client_for):
    client = client_for(lead)
    url = reverse("plans:assessment_targets", args=[org.slug, assessment.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Targets and projection" in page.content.decode()

    response = client.post(url, {"target-G.1": "5", "target-G.2": ""})
    assert response.status_code == 302
    assert dict(TargetLevel.objects.values_list("category_key", "level")) == {"G.1": 5}
    response = client.post(url, {"target-G.1": "9"}, follow=True)
    assert "must be a level" in response.content.decode()
    assert dict(TargetLevel.objects.values_list("category_key", "level")) == {"G.1": 5}


def test_targets_page_is_read_only_for_viewers(org, assessment, viewer, client_for):
    client = client_for(viewer)
    url = reverse("plans:assessment_targets", args=[org.slug, assessment.pk])
    page = client.get(url).content.decode()
    assert "Save targets" not in page and 'name="target-G.1"' not in page
    assert client.post(url, {"target-G.1": "5"}).status_code == 403
    assert not TargetLevel.objects.exists()


def test_the_results_page_shows_targets_and_projection(org, assessment, lead, client_for):
    html = client_for(lead).get(reverse("results:detail", args=[org.slug, assessment.pk])).content.decode()
    assert "Targets and projection" in html and "Strategy and Vision" in html


def test_the_results_page_can_hand_over_its_results(org, assessment, django_assert_num_queries):
    from assessments.selectors_scores import assessment_results

    results = assessment_results(assessment=assessment)
    plan_create(org, origin=assessment, category_key="G.1", target_level=4)
    with django_assert_num_queries(2):  # the targets and the open plans only
        data = assessment_targets_and_projection(assessment=assessment, results=results)
    assert _rows(data)["G.1"].projected.value == 4


def test_targets_page_uses_a_constant_number_of_queries(
    org, assessment, mv10, lead, client_for, django_assert_max_num_queries
):
    client = client_for(lead)
    url = reverse("plans:assessment_targets", args=[org.slug, assessment.pk])
    plan_create(org, origin=assessment, category_key="G.1", requirement_key="G.1.1", target_level=4)
    with django_assert_max_num_queries(25) as few:
        assert client.get(url).status_code == 200
    old = assessment_create(org, model_version=mv10, name="2025")
    for n in range(30):
        plan_create(org, origin=old, category_key=f"M.{5 + n % 4}", requirement_key=f"M.{5 + n % 4}.1", target_level=5)
        TargetLevel.objects.get_or_create(
            organization=org, assessment=assessment, category_key=f"O.1{n % 4}", defaults={"level": 4}
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200


def _create_page(client, assessment, query=""):
    url = reverse("plans:create", args=[assessment.organization.slug, assessment.pk]) + query
    return client.get(url).context["form"]


def test_new_plan_targets_the_next_level_above_the_current_value(org, assessment, lead, client_for):
    """G.1 at 2, G.2 at 4 (overall 2.89): a plan starts one level above its item's value, not at level 1."""
    client = client_for(lead)
    overall = assessment_targets_and_projection(assessment=assessment)["overall"].current.value
    assert 2 < overall < 3
    form = _create_page(client, assessment)  # the item select shows G.1 first
    assert form.initial["target_level"] == 3
    assert _create_page(client, assessment, "?item=G.2").initial["target_level"] == 5
    assert _create_page(client, assessment, "?item=G.1.3").initial["target_level"] == 3  # its category's value
    # A target in the link (from the targets table) wins; the page carries the defaults for the item select.
    assert _create_page(client, assessment, "?item=G.1&target=5").initial["target_level"] == "5"
    html = client.get(reverse("plans:create", args=[org.slug, assessment.pk])).content.decode()
    assert 'data-default-targets="{&quot;&quot;: 3, &quot;G.1&quot;: 3, &quot;G.2&quot;: 5}"' in html
    assert "js/plan_form.js" in html
    # An item without a value yet (G.3): one level above the overall value.
    assert _create_page(client, assessment, "?item=G.3").initial["target_level"] == 3
