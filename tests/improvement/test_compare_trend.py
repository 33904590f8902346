"""Comparison of two assessments (before, after, delta) and the trend of signed-off assessments."""

import datetime
from fractions import Fraction as F

import pytest
from django.urls import reverse
from django.utils import timezone

from improvement.charts import trend_svg
from improvement.selectors import assessment_comparison, assessment_comparison_with_previous, assessment_trend
from tests.factories import assessment_create
from tests.improvement.conftest import answer_all_requirements, sign_off, signed_off_assessment
from tests.scoring.results_helpers import answer_requirements

pytestmark = pytest.mark.django_db


def _at(year):
    return timezone.make_aware(datetime.datetime(year, 6, 1, 12))


def test_compare_across_model_versions(org, mv10, mv11):
    before = assessment_create(org, model_version=mv10, name="2025")
    answer_all_requirements(before, lambda r: 2)
    sign_off(before, _at(2025))
    after = assessment_create(org, model_version=mv11, name="2026")
    answer_all_requirements(after, lambda r: 4 if r.category.name == "Key management" else 2)

    comparison = assessment_comparison(before=before, after=after)

    rows = {row.name: row for row in comparison["categories"]}
    key_management = rows["Key management"]
    assert (key_management.key, key_management.before_key) == ("M.6", "M.5")
    assert (key_management.before.value, key_management.after.value, key_management.delta) == (2, 4, 2)
    assert key_management.delta_display == "+2.00"
    assert rows["Cryptography"].before is None and rows["Cryptography"].delta is None
    assert rows["Compliance"].delta == 0
    modules = {row.key: row for row in comparison["modules"]}
    assert modules["M"].delta == F(4 * 4 + 2 * 4 + 2 * 2 + 2 * 3, 13) - 2
    assert comparison["overall"].before.value == 2
    assert assessment_comparison_with_previous(assessment=after)["before"] == before


def test_compare_refuses_two_organizations(org, other_org, mv11):
    with pytest.raises(ValueError):
        assessment_comparison(before=assessment_create(org), after=assessment_create(other_org))


def test_no_previous_signed_off_assessment(org, mv11):
    assert assessment_comparison_with_previous(assessment=assessment_create(org)) is None


def test_compare_page_defaults_to_the_last_two_sign_offs(org, mv11, viewer, client_for):
    signed_off_assessment(org, level=2, when=_at(2024), name="2024")
    signed_off_assessment(org, level=3, when=_at(2025), name="2025")
    latest = signed_off_assessment(org, level=4, when=_at(2026), name="2026")

    response = client_for(viewer).get(reverse("plans:compare", args=[org.slug]))

    assert response.status_code == 200
    comparison = response.context["comparison"]
    assert (comparison["before"].name, comparison["after"].name) == ("2025", "2026")
    assert comparison["overall"].delta == 1
    assert "+1.00" in response.content.decode()
    # Same assessment twice is refused with a message.
    response = client_for(viewer).get(
        reverse("plans:compare", args=[org.slug]), {"before": latest.pk, "after": latest.pk}
    )
    assert response.context["comparison"] is None and "two different" in response.content.decode()


def test_compare_page_cannot_reach_another_organizations_assessment(org, other_org, mv11, viewer, client_for):
    mine = signed_off_assessment(org, level=2)
    theirs = signed_off_assessment(other_org, level=5, name="Globex 2026")
    response = client_for(viewer).get(
        reverse("plans:compare", args=[org.slug]), {"before": mine.pk, "after": theirs.pk}
    )
    assert response.status_code == 200
    assert response.context["comparison"] is None
    assert "Globex" not in response.content.decode()


def test_trend_has_every_signed_off_assessment_oldest_first(org, mv10, mv11):
    first = assessment_create(org, model_version=mv10, name="2024")
    answer_all_requirements(first, lambda r: 1)
    sign_off(first, _at(2024))
    signed_off_assessment(org, level=3, when=_at(2025), name="2025")
    assessment_create(org, name="Draft")  # not signed off: not in the trend
    partly = assessment_create(org, name="2026")
    answer_requirements(partly, {"G.1.1": 5})
    sign_off(partly, _at(2026))

    trend = assessment_trend(organization=org)

    assert [p.assessment.name for p in trend["points"]] == ["2024", "2025", "2026"]
    assert [p.overall.value for p in trend["points"]] == [1, 3, 5]
    assert list(trend["modules"]) == ["G", "M", "O", "R"]
    assert trend["points"][2].modules["M"].value is None
    svg = str(trend_svg(trend))
    assert svg.startswith("<svg") and svg.count("<polyline") == 1 + 4 and "Overall" in svg


def test_trend_chart_escapes_names_and_handles_one_point(org, mv11):
    signed_off_assessment(org, level=3)
    trend = assessment_trend(organization=org)
    trend["modules"]["G"] = "<script>"
    svg = str(trend_svg(trend))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert "<polyline" not in svg  # one point: dots, no lines
    assert trend_svg({"points": [], "modules": {}}) == ""


@pytest.mark.parametrize("name", ["plans:compare", "plans:trend"])
def test_pages_use_a_constant_number_of_queries(org, mv11, viewer, client_for, django_assert_max_num_queries, name):
    client = client_for(viewer)
    url = reverse(name, args=[org.slug])
    for year in (2020, 2021):
        signed_off_assessment(org, level=2, when=_at(year), name=str(year))
    with django_assert_max_num_queries(20) as few:
        assert client.get(url).status_code == 200
    for year in range(2022, 2034):
        signed_off_assessment(org, level=1 + year % 5, when=_at(year), name=str(year))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)
    assert response.status_code == 200
    if name == "plans:trend":
        assert len(response.context["trend"]["points"]) == 14


def _self_check(org, *, level, when, name):
    """A quick self-assessment: one level per category."""
    from assessments.models import CategoryAnswer
    from catalog.models import Category

    assessment = assessment_create(org, method="self", name=name)
    CategoryAnswer.objects.bulk_create(
        CategoryAnswer(organization=org, assessment=assessment, category=c, level=level)
        for c in Category.objects.filter(model_version=assessment.model_version)
    )
    return sign_off(assessment, when)


def test_trend_keeps_one_series_per_method(org, mv11, owner, client_for):
    signed_off_assessment(org, level=3, when=_at(2025), name="Formal 2025")
    _self_check(org, level=2, when=_at(2026), name="Quick check 2026")
    signed_off_assessment(org, level=4, when=_at(2027), name="Formal 2027")
    trend = assessment_trend(organization=org)
    assert [(s.label, [p.assessment.name for p in s.points]) for s in trend["series"]] == [
        ("Formal", ["Formal 2025", "Formal 2027"]),
        ("Self-assessment", ["Quick check 2026"]),
    ]
    chart = str(trend_svg(trend))
    # The formal line joins 2025 and 2027 only: one polyline of two points, the self-check a lone point.
    assert chart.count("<polyline") == 1 and chart.count(" ", chart.index("points=")) > 0
    assert ">Formal<" in chart and ">Self-assessment<" in chart
    page = client_for(owner).get(reverse("plans:trend", args=[org.slug])).content.decode()
    assert "2 different methods" in page


def test_comparison_warns_when_methods_versions_or_scope_differ(org, mv10, mv11):
    from assessments.models import UseCase

    formal = signed_off_assessment(org, model_version=mv10, level=3, when=_at(2025), name="Formal 2025")
    quick = _self_check(org, level=2, when=_at(2026), name="Quick 2026")
    UseCase.objects.create(organization=org, assessment=quick, name="TLS server certificates")
    warnings = assessment_comparison(before=formal, after=quick)["warnings"]
    assert [w.split(":")[0] for w in warnings] == ["Different methods", "Different model versions", "Different scope"]
    same = signed_off_assessment(org, model_version=mv10, level=4, when=_at(2027), name="Formal 2027")
    assert assessment_comparison(before=formal, after=same)["warnings"] == []
