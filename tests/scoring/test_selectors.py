"""The scoring selectors read the database rows into the engine, and the summary refresh stores the result."""

from decimal import Decimal
from fractions import Fraction as F

import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assessments.models import Applicability, Assessment
from assessments.services.summary import assessment_summary_refresh
from scoring.engine import extension_spec_from_dict, score_assessment
from scoring.selectors import (
    assessment_improvements,
    assessment_results,
    assessment_score,
    scoring_input_for,
)
from tests.catalog.files import PQC_EXTENSION
from tests.factories import assessment_create, model_1_1
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


@pytest.fixture
def primer_assessment(org):
    assessment = assessment_create(org)
    answer_requirements(assessment, PRIMER_LEVELS)
    scope(assessment, "G.1.3")
    return assessment


def test_primer_worked_example_from_rows(primer_assessment):
    result = assessment_score(assessment=primer_assessment)

    assert result.categories["G.1"].value == F(10, 3)
    assert result.categories["G.1"].level == 3
    assert result.categories["G.2"].value == 2
    assert result.modules["G"].value == F(74, 27)
    assert result.modules["G"].level == 2
    assert result.overall.value == F(74, 27)
    assert result.overall.level == 2
    assert result.overall.display == "2.74"
    assert result.modules["M"].value is None
    assert str(result.completeness) == "8 of 77 requirements assessed"


def test_primer_self_assessment_from_rows(org):
    assessment = assessment_create(org, method=Assessment.Method.SELF)
    answer_categories(assessment, {"G.1": 3, "G.2": 2})
    # Requirement answers of a self-assessment are not its answers: they must be ignored.
    answer_requirements(assessment, {"G.1.1": 5})

    result = assessment_score(assessment=assessment)

    assert result.modules["G"].value == F(23, 9)
    assert result.modules["G"].level == 2
    assert result.overall.display == "2.56"
    assert str(result.completeness) == "2 of 16 categories assessed"


def test_third_party_assessment_scores_requirements(org):
    assessment = assessment_create(org, method=Assessment.Method.THIRD_PARTY)
    answer_requirements(assessment, {"G.1.1": 4})

    assert assessment_score(assessment=assessment).overall.value == 4


def test_model_spec_matches_the_catalogue(primer_assessment):
    model, answers, extensions = scoring_input_for(assessment=primer_assessment)

    assert model.modules == ("G", "M", "O", "R")
    assert len(model.categories) == 16
    assert len(model.requirement_keys) == 78
    g1 = model.categories[0]
    assert (g1.key, g1.module, g1.weight) == ("G.1", "G", 5)
    assert [(r.key, r.weight) for r in g1.requirements] == [("G.1.1", 3), ("G.1.2", 2), ("G.1.3", 2), ("G.1.4", 1)]
    assert answers.method == "formal"
    assert dict(answers.requirement_levels) == PRIMER_LEVELS
    assert answers.not_applicable == {"G.1.3"}
    assert extensions == []


def test_not_assessed_rows_are_not_answers(org):
    assessment = assessment_create(org)
    answer_requirements(assessment, {"G.1.1": 4, "G.1.2": None})

    result = assessment_score(assessment=assessment)

    assert result.categories["G.1"].value == 4
    assert result.categories["G.1"].stats.not_assessed == 3


def test_module_not_applicable_covers_its_categories_and_requirements(primer_assessment):
    answer_requirements(primer_assessment, {"M.6.1": 1})
    scope(primer_assessment, "G")

    result = assessment_score(assessment=primer_assessment)

    assert result.categories["G.1"].value is None
    assert result.modules["G"].value is None
    assert result.overall.value == 1
    assert {"G.1", "G.1.1", "G.2.5", "G.5"} <= result.not_applicable
    assert result.completeness.applicable == 78 - 24  # G has 4 + 5 + 4 + 5 + 6 requirements


def test_category_not_applicable_and_partial_scope(primer_assessment):
    scope(primer_assessment, "G.2")
    scope(primer_assessment, "G.1.1", Applicability.Level.PARTIAL, reason="Only the root CA")

    result = assessment_score(assessment=primer_assessment)

    assert result.categories["G.2"].value is None
    assert result.categories["G.1"].value == F(10, 3)  # partially applicable counts like applicable
    assert result.overall.value == F(10, 3)
    assert assessment_results(assessment=primer_assessment).partially_applicable == {"G.1.1"}


def test_answers_of_another_assessment_do_not_count(org, other_org, primer_assessment):
    other = assessment_create(other_org, name="Other")
    answer_requirements(other, {"M.6.1": 5})

    assert assessment_score(assessment=primer_assessment).categories["M.6"].value is None


def _queries(function):
    with CaptureQueriesContext(connection) as queries:
        function()
    return len(queries)


def test_scoring_input_query_count_does_not_grow_with_answers(org):
    extension = pqc_extension()
    few = assessment_create(org, name="Few")
    answer_requirements(few, {"G.1.1": 3})
    many = assessment_create(org, name="Many")
    answer_every_requirement(many)
    for assessment in (few, many):
        assessment.extensions.add(extension)
    answer_relevance(many, extension, {"G.1": 2, "G.2": 3, "G.3": 4, "G.4": 5})
    scope(many, "R.16")
    few = Assessment.objects.select_related("model_version").get(pk=few.pk)
    many = Assessment.objects.select_related("model_version").get(pk=many.pk)

    counts = [_queries(lambda a=a: scoring_input_for(assessment=a)) for a in (few, many)]

    assert counts[0] == counts[1]
    assert counts[1] <= 10


def test_improvements_are_ordered_by_gain(primer_assessment):
    priorities = assessment_improvements(assessment=primer_assessment)

    gains = [p.overall_gain for p in priorities]
    assert gains == sorted(gains, reverse=True)
    # G.1 (weight 5, 10/3) and G.2 (weight 4, 2): raising G.2 to 5 gains 4/9 * 3 = 4/3, the largest.
    assert (priorities[0].key, priorities[0].overall_gain) == ("G.2", F(4, 3))
    assert {p.kind for p in priorities} == {"category", "requirement"}
    targeted = assessment_improvements(assessment=primer_assessment, targets={"G.1": 3, "G.2": 3})
    assert [p.key for p in targeted if p.kind == "category"] == ["G.2"]


# --- summary refresh


def test_summary_refresh_stores_the_overall_result(primer_assessment):
    assessment_summary_refresh(assessment=primer_assessment)

    stored = Assessment.objects.get(pk=primer_assessment.pk)
    assert stored.summary_assessed == 8
    assert stored.summary_applicable == 77
    assert stored.summary_overall_value == Decimal("2.740741")  # 74/27 = 2.7407407...
    assert stored.summary_overall_level == 2
    assert primer_assessment.summary_overall_level == 2  # the caller's instance is current too


def test_summary_refresh_is_one_update_and_constant(org):
    few = assessment_create(org, name="Few")
    answer_requirements(few, {"G.1.1": 3})
    many = assessment_create(org, name="Many")
    answer_every_requirement(many)
    few = Assessment.objects.select_related("model_version").get(pk=few.pk)
    many = Assessment.objects.select_related("model_version").get(pk=many.pk)

    # Inside a save, which holds the assessment row lock already:
    with CaptureQueriesContext(connection) as first:
        assessment_summary_refresh(assessment=many, locked=True)
    with CaptureQueriesContext(connection) as captured:
        assessment_summary_refresh(assessment=many, locked=True)
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    # Scope and answers (one query), the update; the first refresh of the process loads the model too (three queries).
    assert len(captured) == 2 and len(first) <= 5
    assert _queries(lambda: assessment_summary_refresh(assessment=few, locked=True)) == len(captured)
    # On its own it takes that lock first: one statement more (savepoints not counted).
    with CaptureQueriesContext(connection) as standalone:
        assessment_summary_refresh(assessment=many)
    statements = [q["sql"] for q in standalone.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3
    assert "FOR UPDATE" in statements[0] or not connection.features.has_select_for_update


def test_summary_refresh_without_any_answer(org):
    assessment = assessment_create(org)
    assessment_summary_refresh(assessment=assessment)

    stored = Assessment.objects.get(pk=assessment.pk)
    assert (stored.summary_assessed, stored.summary_applicable) == (0, 78)
    assert stored.summary_overall_value is None
    assert stored.summary_overall_level is None


def test_summary_refresh_does_not_overwrite_other_fields(primer_assessment):
    Assessment.objects.filter(pk=primer_assessment.pk).update(name="Renamed elsewhere")
    assessment_summary_refresh(assessment=primer_assessment)

    assert Assessment.objects.get(pk=primer_assessment.pk).name == "Renamed elsewhere"


# --- extensions


def test_enabled_extension_is_scored_like_the_file_says(primer_assessment):
    extension = pqc_extension()
    primer_assessment.extensions.add(extension)
    answer_relevance(primer_assessment, extension, {"G.1": 2, "G.2": 4})
    baseline = assessment_score(assessment=primer_assessment)

    model, answers, extensions = scoring_input_for(assessment=primer_assessment)
    result = score_assessment(model, answers, extensions)

    # The rows built from the file give the same spec as the engine's own reading of the file.
    from_file = extension_spec_from_dict(yaml.safe_load(PQC_EXTENSION.read_text(encoding="utf-8")))
    assert extensions[0].spec == from_file
    assert extensions[0].relevance_levels == {"G.1": 2, "G.2": 4}
    pqc = result.extensions["pqc"]
    # G.1 overlays 2, 2, (N/A), 2.5 on weights 3, 2, 2, 1: WeightSum 6 + 4 + 2.5 = 12.5
    g1 = pqc.categories["G.1"]
    assert g1.weight_sum_c == F(25, 2)
    assert g1.level_c == F(4 * 6 + 3 * 4 + 2 * F(5, 2), F(25, 2))
    assert g1.ext_level_c == (g1.level_c * g1.weight_sum_c + 2 * 5) / (g1.weight_sum_c + 5)
    assert pqc.floor == min(pqc.categories["G.1"].ext_level_c, pqc.categories["G.2"].ext_level_c)
    assert baseline.overall.value == F(74, 27)  # the extension does not move the baseline
    assert result.overall == baseline.overall


def test_relevance_answers_of_disabled_extensions_are_ignored(primer_assessment):
    extension = pqc_extension()
    answer_relevance(primer_assessment, extension, {"G.1": 2})

    assert scoring_input_for(assessment=primer_assessment)[2] == []


def test_incompatible_extension_rows_are_not_scored(org):
    # Enabling refuses this (see test_extensions_in_use); the selector must not crash on such rows either.
    assessment = assessment_create(org, model_version=model_1_1())
    extension = pqc_extension()
    extension.compatibility = ["9.9.9"]
    extension.save()
    assessment.extensions.add(extension)

    assert assessment_score(assessment=assessment).extensions == {}
