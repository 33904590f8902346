"""Baseline scoring (primer section 4) against hand-computed expectations."""

import json
from decimal import Decimal
from fractions import Fraction as F

import pytest
import yaml

from scoring.engine import (
    AnswerSet,
    CategorySpec,
    Completeness,
    ModelSpec,
    RequirementSpec,
    ScoringError,
    Stats,
    format_value,
    model_spec_from_dict,
    progress_bars,
    score_assessment,
    score_result_to_json,
)
from tests.catalog.files import MODEL_1_0, MODEL_1_1
from tests.scoring.helpers import (
    PRIMER_FORMAL_LEVELS,
    PRIMER_MODEL,
    PRIMER_NOT_APPLICABLE,
    build_model,
)

PRIMER_FORMAL = AnswerSet("formal", PRIMER_FORMAL_LEVELS, not_applicable=PRIMER_NOT_APPLICABLE)


def stats(at_level=None, not_applicable=0, not_assessed=0):
    at_level = {k: (at_level or {}).get(k, 0) for k in range(1, 6)}
    assessed = sum(at_level.values())
    return Stats(at_level, not_applicable, not_assessed, assessed, assessed + not_applicable + not_assessed)


def test_primer_worked_example_formal():
    result = score_assessment(PRIMER_MODEL, PRIMER_FORMAL)

    assert result.categories["G.1"].value == F(10, 3)
    assert result.categories["G.1"].level == 3
    assert result.categories["G.2"].value == 2
    assert result.categories["G.2"].level == 2
    assert result.categories["M.6"].value is None
    assert result.modules["G"].value == F(74, 27)
    assert result.modules["G"].level == 2
    assert result.modules["M"].value is None
    assert result.overall.value == F(74, 27)
    assert result.overall.level == 2
    assert result.overall.display == "2.74"
    assert result.overall.as_float == pytest.approx(2.7407407)


def test_primer_worked_example_self_assessment():
    answers = AnswerSet("self", category_levels={"G.1": 3, "G.2": 2})
    result = score_assessment(PRIMER_MODEL, answers)

    assert result.categories["G.1"].value == 3
    assert result.modules["G"].value == F(23, 9)
    assert result.modules["G"].level == 2
    assert result.overall.value == F(23, 9)
    assert result.overall.display == "2.56"


# (case, answers, expected category values, expected module values, expected overall value)
TABLE = [
    (
        "requirement not applicable and not assessed",
        AnswerSet("formal", {"G.1.1": 4, "G.1.2": 3, "G.1.4": 2}, not_applicable={"G.1.3"}),
        {"G.1": F(10, 3), "G.2": None, "M.6": None},
        {"G": F(10, 3), "M": None},
        F(10, 3),
    ),
    (
        "requirement not applicable ignores its stale answer",
        AnswerSet("formal", {**PRIMER_FORMAL_LEVELS, "G.1.3": 1}, not_applicable={"G.1.3"}),
        {"G.1": F(10, 3), "G.2": F(2), "M.6": None},
        {"G": F(74, 27), "M": None},
        F(74, 27),
    ),
    (
        "only one requirement assessed",
        AnswerSet("formal", {"G.1.4": 2}),
        {"G.1": F(2), "G.2": None, "M.6": None},
        {"G": F(2), "M": None},
        F(2),
    ),
    (
        "category not applicable ignores its stale answers",
        AnswerSet("formal", PRIMER_FORMAL_LEVELS, not_applicable={"G.1"}),
        {"G.1": None, "G.2": F(2), "M.6": None},
        {"G": F(2), "M": None},
        F(2),
    ),
    (
        "module not applicable",
        AnswerSet("formal", {**PRIMER_FORMAL_LEVELS, "M.6.1": 5, "M.6.2": 5}, not_applicable={"M", "G.1.3"}),
        {"G.1": F(10, 3), "G.2": F(2), "M.6": None},
        {"G": F(74, 27), "M": None},
        F(74, 27),
    ),
    (
        "overall from categories, not from module values",
        AnswerSet("formal", {**PRIMER_FORMAL_LEVELS, "M.6.1": 5, "M.6.2": 5}, not_applicable={"G.1.3"}),
        {"G.1": F(10, 3), "G.2": F(2), "M.6": F(5)},
        {"G": F(74, 27), "M": F(5)},
        # (10/3·5 + 2·4 + 5·4) / 13, whereas the mean of the modules would be (74/27 + 5) / 2
        F(50 + 24 + 60, 39),
    ),
    (
        "every requirement not applicable",
        AnswerSet("formal", {}, not_applicable={"G.1.1", "G.1.2", "G.1.3", "G.1.4"}),
        {"G.1": None, "G.2": None, "M.6": None},
        {"G": None, "M": None},
        None,
    ),
    (
        "everything not applicable",
        AnswerSet("formal", PRIMER_FORMAL_LEVELS, not_applicable={"G", "M"}),
        {"G.1": None, "G.2": None, "M.6": None},
        {"G": None, "M": None},
        None,
    ),
    (
        "self-assessment with a category not applicable",
        AnswerSet("self", category_levels={"G.1": 3, "G.2": 2, "M.6": 5}, not_applicable={"G.2"}),
        {"G.1": F(3), "G.2": None, "M.6": F(5)},
        {"G": F(3), "M": F(5)},
        F(35, 9),
    ),
    (
        "self-assessment ignores requirement levels",
        AnswerSet("self", requirement_levels=PRIMER_FORMAL_LEVELS, category_levels={"M.6": 4}),
        {"G.1": None, "G.2": None, "M.6": F(4)},
        {"G": None, "M": F(4)},
        F(4),
    ),
    (
        "formal assessment ignores category levels",
        AnswerSet("formal", {"M.6.1": 1}, category_levels={"G.1": 5}),
        {"G.1": None, "G.2": None, "M.6": F(1)},
        {"G": None, "M": F(1)},
        F(1),
    ),
]


@pytest.mark.parametrize(
    ("answers", "categories", "modules", "overall"), [case[1:] for case in TABLE], ids=[case[0] for case in TABLE]
)
def test_values_table(answers, categories, modules, overall):
    result = score_assessment(PRIMER_MODEL, answers)

    assert {key: score.value for key, score in result.categories.items()} == categories
    assert {key: score.value for key, score in result.modules.items()} == modules
    assert result.overall.value == overall
    for score in [result.overall, *result.modules.values(), *result.categories.values()]:
        assert score.level == (None if score.value is None else int(score.value // 1))


def test_no_value_shows_a_dash_and_empty_bars():
    result = score_assessment(PRIMER_MODEL, AnswerSet("formal"))

    assert result.overall.value is None
    assert result.overall.level is None
    assert result.overall.display == "–"
    assert result.overall.as_float is None
    assert result.overall.progress == (0, 0, 0, 0, 0)


def test_integer_boundary_keeps_its_level():
    # (4·3 + 2·2 + 3·2 + 2·1) / 8 = 24/8: exactly 3, so level 3 Advanced, not 2.
    result = score_assessment(PRIMER_MODEL, AnswerSet("formal", {"G.1.1": 4, "G.1.2": 2, "G.1.3": 3, "G.1.4": 2}))

    assert result.categories["G.1"].value == 3
    assert result.categories["G.1"].level == 3


def test_integer_boundary_from_thirds_keeps_its_level():
    # Categories at 10/3 and 8/3 with equal weights average to exactly 3.
    model = build_model({"G": {"G.1": (1, [1, 2]), "G.2": (1, [1, 2])}})
    answers = AnswerSet("formal", {"G.1.1": 4, "G.1.2": 3, "G.2.1": 2, "G.2.2": 3})
    result = score_assessment(model, answers)

    assert result.categories["G.1"].value == F(10, 3)
    assert result.categories["G.2"].value == F(8, 3)
    assert result.modules["G"].value == 3
    assert result.modules["G"].level == 3
    assert result.overall.level == 3


def test_top_value_is_level_five_with_full_bars():
    result = score_assessment(PRIMER_MODEL, AnswerSet("self", category_levels={"G.1": 5}))

    assert result.overall.level == 5
    assert result.overall.progress == (1, 1, 1, 1, 1)


@pytest.mark.parametrize(
    ("value", "bars"),
    [
        (F("2.86"), (1, 1, F(86, 100), 0, 0)),
        (F(10, 3), (1, 1, 1, F(1, 3), 0)),
        (F(1), (1, 0, 0, 0, 0)),
        (F(5), (1, 1, 1, 1, 1)),
        (None, (0, 0, 0, 0, 0)),
    ],
)
def test_progress_bars(value, bars):
    assert progress_bars(value) == bars


def test_progress_bars_as_percent():
    assert [round(bar * 100) for bar in progress_bars(F("2.86"))] == [100, 100, 86, 0, 0]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (F(74, 27), "2.74"),
        (F(23, 9), "2.56"),
        (F(3), "3.00"),
        (F("2.745"), "2.75"),  # half up on the exact value
        (F("2.744999"), "2.74"),
        (F("4.995"), "5.00"),
        (None, "–"),
    ],
)
def test_display_rounds_half_up(value, text):
    assert format_value(value) == text


def test_stats_per_category_module_and_overall():
    result = score_assessment(PRIMER_MODEL, PRIMER_FORMAL)

    assert result.categories["G.1"].stats == stats({4: 1, 3: 1, 2: 1}, not_applicable=1)
    assert result.categories["G.2"].stats == stats({2: 5})
    assert result.categories["M.6"].stats == stats(not_assessed=2)
    assert result.modules["G"].stats == stats({4: 1, 3: 1, 2: 6}, not_applicable=1)
    assert result.overall.stats == stats({4: 1, 3: 1, 2: 6}, not_applicable=1, not_assessed=2)
    assert result.overall.stats.applicable == 10


def test_stats_count_requirements_below_a_not_applicable_module():
    result = score_assessment(PRIMER_MODEL, AnswerSet("formal", {"M.6.1": 3}, not_applicable={"M"}))

    assert result.modules["M"].stats == stats(not_applicable=2)
    assert result.not_applicable >= {"M", "M.6", "M.6.1", "M.6.2"}


def test_stats_count_categories_in_a_self_assessment():
    answers = AnswerSet("self", category_levels={"G.1": 3, "G.2": 2}, not_applicable={"M.6"})
    result = score_assessment(PRIMER_MODEL, answers)

    assert result.categories["G.1"].stats == stats({3: 1})
    assert result.modules["M"].stats == stats(not_applicable=1)
    assert result.overall.stats == stats({3: 1, 2: 1}, not_applicable=1)


@pytest.mark.parametrize(
    ("answers", "text", "complete"),
    [
        (PRIMER_FORMAL, "8 of 10 requirements assessed", False),
        (
            AnswerSet("formal", PRIMER_FORMAL_LEVELS, not_applicable={"G.1.3", "M"}),
            "8 of 8 requirements assessed",
            True,
        ),
        (
            AnswerSet("formal", {"G.1.1": 2}, not_applicable={"G.2", "M", "G.1.2", "G.1.3", "G.1.4"}),
            "1 of 1 requirement assessed",
            True,
        ),
        (AnswerSet("self", category_levels={"G.1": 3, "G.2": 2}), "2 of 3 categories assessed", False),
        (AnswerSet("self", category_levels={"G.1": 3}, not_applicable={"G.2", "M"}), "1 of 1 category assessed", True),
    ],
)
def test_completeness(answers, text, complete):
    completeness = score_assessment(PRIMER_MODEL, answers).completeness

    assert str(completeness) == text
    assert completeness.is_complete is complete


def test_completeness_ratio():
    assert score_assessment(PRIMER_MODEL, PRIMER_FORMAL).completeness == Completeness("requirements", 8, 10)
    assert Completeness("requirements", 8, 10).ratio == F(4, 5)
    assert Completeness("requirements", 0, 0).ratio is None


def test_json_has_the_agreed_shape():
    data = score_result_to_json(score_assessment(PRIMER_MODEL, PRIMER_FORMAL))

    assert data == {
        "overall": {"value": 74 / 27, "level": 2},
        "modules": {"G": {"value": 74 / 27, "level": 2}, "M": {"value": None, "level": None}},
        "categories": {
            "G.1": {"value": 10 / 3, "level": 3},
            "G.2": {"value": 2.0, "level": 2},
            "M.6": {"value": None, "level": None},
        },
        "extensions": {},
    }
    assert json.loads(json.dumps(data)) == data


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        (lambda: AnswerSet("formal", {"G.9.1": 3}), "Unknown requirement key"),
        (lambda: AnswerSet("self", category_levels={"G.9": 3}), "Unknown category key"),
        (lambda: AnswerSet("formal", not_applicable={"X"}), "Unknown module, category or requirement key"),
        (lambda: AnswerSet("formal", {"G.1.1": 0}), "integer from 1 to 5"),
        (lambda: AnswerSet("formal", {"G.1.1": 6}), "integer from 1 to 5"),
        (lambda: AnswerSet("formal", {"G.1.1": True}), "integer from 1 to 5"),
        (lambda: AnswerSet("formal", {"G.1.1": 2.5}), "integer from 1 to 5"),
        (lambda: AnswerSet("self", category_levels={"G.1": None}), "integer from 1 to 5"),
        (lambda: AnswerSet("peer"), "Unknown assessment method"),
    ],
)
def test_bad_answers_are_refused(answers, message):
    with pytest.raises(ScoringError, match=message):
        score_assessment(PRIMER_MODEL, answers())


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: build_model({"G": {"G.1": (0, [1])}}), "positive integer"),
        (lambda: build_model({"G": {"G.1": (1, [0])}}), "positive integer"),
        (lambda: build_model({"G": {"G.1": (1, [Decimal(1)])}}), "positive integer"),
        (lambda: ModelSpec(("G",), (CategorySpec("M.1", "M", 1),)), "unknown module"),
        (lambda: ModelSpec(("G",), (CategorySpec("G.1", "G", 1), CategorySpec("G.1", "G", 2))), "twice"),
        (lambda: ModelSpec(("G",), (CategorySpec("G.1", "G", 1, (RequirementSpec("G.1", 1),)),)), "twice"),
    ],
)
def test_bad_models_are_refused(build, message):
    with pytest.raises(ScoringError, match=message):
        build()


def load_model(path):
    with open(path, encoding="utf-8") as handle:
        return model_spec_from_dict(yaml.safe_load(handle))


# Category weights and requirement weight sums of model 1.1.0, from the primer's table.
MODEL_1_1_TABLE = {
    "G.1": (5, 4, 8),
    "G.2": (4, 5, 19),
    "G.3": (2, 4, 15),
    "G.4": (3, 5, 17),
    "G.5": (5, 6, 25),
    "M.6": (4, 6, 12),
    "M.7": (4, 7, 20),
    "M.8": (2, 5, 13),
    "M.9": (3, 5, 15),
    "O.10": (4, 6, 25),
    "O.11": (2, 3, 5),
    "O.12": (2, 3, 7),
    "O.13": (2, 6, 23),
    "R.14": (4, 4, 15),
    "R.15": (3, 5, 9),
    "R.16": (3, 4, 7),
}


def test_model_file_1_1_loads_into_a_model_spec():
    model = load_model(MODEL_1_1)

    assert model.modules == ("G", "M", "O", "R")
    assert len(model.categories) == 16
    assert len(model.requirement_keys) == 78
    assert {
        c.key: (c.weight, len(c.requirements), sum(r.weight for r in c.requirements)) for c in model.categories
    } == MODEL_1_1_TABLE
    assert model.requirement_keys[:2] == ["G.1.1", "G.1.2"]


def test_model_file_1_0_has_one_category_less():
    model = load_model(MODEL_1_0)

    assert len(model.categories) == 15
    assert len(model.requirement_keys) == 72
    assert model.categories[4].key == "M.5"


def test_model_file_1_1_fully_answered():
    # Every requirement of the n-th category answered (n - 1) % 5 + 1: categories at 1,2,3,4,5,1,2,...
    model = load_model(MODEL_1_1)
    levels = {r.key: n % 5 + 1 for n, c in enumerate(model.categories) for r in c.requirements}
    result = score_assessment(model, AnswerSet("formal", levels))

    assert [result.categories[c.key].value for c in model.categories] == [
        1,
        2,
        3,
        4,
        5,
        1,
        2,
        3,
        4,
        5,
        1,
        2,
        3,
        4,
        5,
        1,
    ]
    # G: 5·1+4·2+2·3+3·4+5·5 = 56 over 19; M: 4·1+4·2+2·3+3·4 = 30 over 13;
    # O: 4·5+2·1+2·2+2·3 = 32 over 10; R: 4·4+3·5+3·1 = 34 over 10; overall 152 over 52.
    assert {m: s.value for m, s in result.modules.items()} == {
        "G": F(56, 19),
        "M": F(30, 13),
        "O": F(16, 5),
        "R": F(17, 5),
    }
    assert result.overall.value == F(38, 13)
    assert result.overall.level == 2
    assert result.overall.display == "2.92"
    assert str(result.completeness) == "78 of 78 requirements assessed"
    assert result.overall.stats.at_level == {1: 4 + 6 + 3 + 4, 2: 5 + 7 + 3, 3: 4 + 5 + 6, 4: 5 + 5 + 4, 5: 6 + 6 + 5}
    assert result.overall.stats.total == 78


def test_model_file_1_1_self_assessment_of_every_category():
    model = load_model(MODEL_1_1)
    result = score_assessment(model, AnswerSet("self", category_levels=dict.fromkeys(model.category_keys, 3)))

    assert result.overall.value == 3
    assert result.overall.level == 3
    assert str(result.completeness) == "16 of 16 categories assessed"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "lacks"),
        ({"modules": [{"id": "G", "categories": [{"id": "1"}]}]}, "lacks"),
        ({"modules": [{"id": "G", "categories": [{"id": "1", "weight": "5"}]}]}, "positive integer"),
    ],
)
def test_model_data_with_missing_fields_is_refused(data, message):
    with pytest.raises(ScoringError, match=message):
        model_spec_from_dict(data)
