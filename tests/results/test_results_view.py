"""The results page, its JSON variant and their cost."""

import re
import xml.etree.ElementTree as ET
from fractions import Fraction

import pytest
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from assessments.services.answers import answer_set
from scoring.levels import LEVELS
from tests.factories import assessment_create, model_1_0
from tests.factories_extensions import pqc_extension
from tests.scoring.results_helpers import (
    answer_categories,
    answer_every_requirement,
    answer_relevance,
    answer_requirements,
    scope,
)

pytestmark = pytest.mark.django_db

PRIMER_LEVELS = {"G.1.1": 4, "G.1.2": 3, "G.1.4": 2, "G.2.1": 2, "G.2.2": 2, "G.2.3": 2, "G.2.4": 2, "G.2.5": 2}
MAX_QUERIES = 16


def url(assessment, name="results:detail"):
    return reverse(name, kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk})


@pytest.fixture
def primer(org):
    assessment = assessment_create(org)
    answer_requirements(assessment, PRIMER_LEVELS)
    scope(assessment, "G.1.3")
    return assessment


def _svgs(html: str) -> list[ET.Element]:
    return [ET.fromstring(svg) for svg in re.findall(r"<svg .*?</svg>", html, flags=re.S)]


def test_viewer_sees_the_overall_level_value_and_completeness(client_for, viewer, primer):
    response = client_for(viewer).get(url(primer))

    assert response.status_code == 200
    html = response.content.decode()
    basic = LEVELS[1]
    assert "Level 2 · Basic" in html
    assert basic.indicators in html and basic.risks in html
    assert re.search(r'data-testid="overall-value">\s*2\.74\s*<', html)
    assert "8 of 77 requirements assessed" in html
    assert "3.33" in html  # G.1 in the table


def test_table_lists_modules_and_categories_with_scope(client_for, viewer, primer):
    scope(primer, "O")
    scope(primer, "M.6", level="partial")
    html = client_for(viewer).get(url(primer)).content.decode()

    for label in ("G.1 Strategy and Vision", "M.6 Key management", "R.16 Awareness", "O.10 Resilience"):
        assert label in html
    o_row = re.search(r"<tr[^>]*>\s*<th[^>]*>\s*O Operations.*?</tr>", html, flags=re.S).group(0)
    assert "N/A" in o_row
    m6_row = re.search(r"<tr[^>]*>\s*<th[^>]*>\s*M\.6 Key management.*?</tr>", html, flags=re.S).group(0)
    assert "Partial" in m6_row
    g1_row = re.search(r"<tr[^>]*>\s*<th[^>]*>\s*G\.1 Strategy and Vision.*?</tr>", html, flags=re.S).group(0)
    # 10/3: levels 1-3 full, level 4 at 33 %, level 5 empty; 3 of 3 applicable requirements assessed.
    assert re.findall(r"pct-(\d+)", g1_row) == ["100", "100", "100", "33", "0"]
    assert "3 of 3" in g1_row and ">5<" in g1_row  # weight


def test_page_has_both_charts_as_valid_svg(client_for, viewer, primer):
    html = client_for(viewer).get(url(primer)).content.decode()

    charts = _svgs(html)
    assert len(charts) == 2
    radar, bars = charts
    radar_text = " ".join(t.text or "" for t in radar.iter("{http://www.w3.org/2000/svg}text"))
    assert "3.33" in radar_text and "Strategy" in radar_text
    bar_text = " ".join(t.text or "" for t in bars.iter("{http://www.w3.org/2000/svg}text"))
    assert "G Governance" in bar_text and "2.74" in bar_text


def test_priorities_list_the_top_ten_categories_and_requirements(client_for, viewer, org):
    assessment = assessment_create(org)
    answer_every_requirement(assessment, level_of=lambda n: 1 + n % 4)  # nothing at 5: all 78 are candidates
    html = client_for(viewer).get(url(assessment)).content.decode()

    section = html[html.index('id="priorities-heading"') : html.index('id="targets-heading"')]
    tables = section.split("<h3")[1:]
    assert "Categories" in tables[0] and "Requirements" in tables[1]
    assert tables[0].count("<tr>") == 11 and tables[1].count("<tr>") == 11  # header + 10 rows each
    gains = [float(g) for g in re.findall(r"\+(\d+\.\d\d)<", tables[0])]
    assert gains == sorted(gains, reverse=True)


def test_self_assessment_lists_category_priorities_only(client_for, viewer, org):
    assessment = assessment_create(org, method=Assessment.Method.SELF)
    answer_categories(assessment, {"G.1": 3, "G.2": 2})
    html = client_for(viewer).get(url(assessment)).content.decode()

    assert "2 of 16 categories assessed" in html
    assert "2.56" in html
    section = html[html.index('id="priorities-heading"') : html.index('id="targets-heading"')]
    assert "Requirements" not in section
    assert "G.1" in section and "G.2" in section


def test_empty_assessment_says_it_is_not_assessed(client_for, viewer, org):
    assessment = assessment_create(org)
    html = client_for(viewer).get(url(assessment)).content.decode()

    assert "Not assessed yet" in html
    assert "0 of 78 requirements assessed" in html
    assert len(_svgs(html)) == 2


def test_outsider_gets_404_and_another_organizations_assessment_is_404(client_for, outsider, viewer, primer, other_org):
    assert client_for(outsider).get(url(primer)).status_code == 404
    foreign = assessment_create(other_org, name="Foreign")
    foreign_url = reverse("results:detail", kwargs={"org_slug": primer.organization.slug, "assessment_id": foreign.pk})
    assert client_for(viewer).get(foreign_url).status_code == 404


def test_json_variant(client_for, viewer, primer):
    response = client_for(viewer).get(url(primer, "results:json"))

    assert response.status_code == 200
    data = response.json()
    assert data["overall"] == {"value": pytest.approx(float(Fraction(74, 27))), "level": 2}
    assert data["categories"]["G.1"]["level"] == 3
    assert data["modules"]["M"] == {"value": None, "level": None}
    assert data["extensions"] == {}


@pytest.mark.parametrize("name", ["results:detail", "results:json"])
def test_query_count_does_not_grow_with_answers(client_for, viewer, org, django_assert_max_num_queries, name):
    extension = pqc_extension()
    few = assessment_create(org, name="Few")
    answer_requirements(few, {"G.1.1": 3})
    many = assessment_create(org, name="All answered")
    answer_every_requirement(many)
    answer_relevance(many, extension, {"G.1": 2, "G.2": 3, "G.3": 4, "G.4": 5})
    scope(many, "R")
    scope(many, "G.1.3", level="partial")
    for assessment in (few, many):
        assessment.extensions.add(extension)
    client = client_for(viewer)

    for assessment in (few, many):
        with django_assert_max_num_queries(MAX_QUERIES):
            assert client.get(url(assessment, name)).status_code == 200


def test_requirements_per_level_are_counted(client_for, viewer, primer):
    html = client_for(viewer).get(url(primer)).content.decode()

    card = html[html.index("Requirements per level") : html.index('id="table-heading"')]
    rows = re.findall(r"<tr>.*?</tr>", card, flags=re.S)
    counts = {
        re.sub(r"<[^>]+>", "", re.search(r"<th.*?</th>", row, flags=re.S).group(0)).strip(): int(
            re.search(r'fw-semibold">(\d+)<', row).group(1)
        )
        for row in rows
    }
    assert counts == {
        "1 Initial": 0,
        "2 Basic": 6,
        "3 Advanced": 1,
        "4 Managed": 1,
        "5 Optimized": 0,
        "Not applicable": 1,
        "Not assessed": 69,
    }


def test_model_1_0_assessment(client_for, viewer, org):
    assessment = assessment_create(org, model_version=model_1_0(), name="On 1.0.0")
    answer_requirements(assessment, {"M.5.1": 3})  # Key management is category 5 in 1.0.0

    html = client_for(viewer).get(url(assessment)).content.decode()

    assert "PKIMM 1.0.0" in html
    assert "1 of 72 requirements assessed" in html
    assert "M.5 Key management" in html and "G.5 Cryptography" not in html
    assert "Level 3 · Advanced" in html


def test_results_follow_an_answer_change_at_once(client_for, viewer, lead, primer):
    """Nothing is cached between answers and results: the next page view computes from the new answer."""
    client = client_for(viewer)
    assert re.search(r'data-testid="overall-value">\s*2\.74\s*<', client.get(url(primer)).content.decode())
    answer = RequirementAnswer.objects.select_related("requirement").get(assessment=primer, requirement__key="G.2.1")
    answer_set(
        assessment=primer,
        requirement=answer.requirement,
        level=5,
        notes="",
        expected_version=answer.version,
        by=lead,
    )

    html = client.get(url(primer)).content.decode()
    value = client.get(url(primer, "results:json")).json()["overall"]["value"]
    assert value > 74 / 27
    assert re.search(rf'data-testid="overall-value">\s*{value:.2f}\s*<', html)
