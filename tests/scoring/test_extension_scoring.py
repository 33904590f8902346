"""Extension scoring (primer section 5) against hand-computed expectations."""

from decimal import Decimal
from fractions import Fraction as F

import pytest
import yaml

from scoring.engine import (
    AnswerSet,
    ExtensionInput,
    ExtensionSpec,
    Overlay,
    ScoringError,
    extension_spec_from_dict,
    format_value,
    model_spec_from_dict,
    overlay_value,
    score_assessment,
    score_result_to_json,
)
from tests.catalog.files import MODEL_1_1, PQC_EXTENSION
from tests.scoring.helpers import build_model

# The published example: G.1 has requirement weights 3 (x1.5), 2, 1 and weight 4 (x1.25); G.2 weighs 3 and
# its requirements (weights 1 and 9, answered 5 and 4) give the example's 4.10.
EXAMPLE_MODEL = build_model({"G": {"G.1": (4, [3, 2, 1]), "G.2": (3, [1, 9])}, "M": {"M.3": (2, [1])}})
EXAMPLE_ANSWERS = AnswerSet("formal", {"G.1.1": 4, "G.1.2": 3, "G.1.3": 4, "G.2.1": 5, "G.2.2": 4})
EXAMPLE_SPEC = ExtensionSpec(
    ext_id="demo",
    floor_score=True,
    relevance_weights={"G.1": F(2)},
    category_overlays={"G.1": Overlay("multiplier", F("1.25"))},
    requirement_overlays={"G.1.1": Overlay("multiplier", F("1.5"))},
)
EXAMPLE_INPUT = ExtensionInput(EXAMPLE_SPEC, relevance_levels={"G.1": 2})


def test_published_example():
    result = score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT])
    demo = result.extensions["demo"]
    g1 = demo.categories["G.1"]

    assert g1.weight_sum_c == F("7.5")
    assert g1.level_c == F(28) / F("7.5")
    assert format_value(g1.level_c) == "3.73"
    assert g1.relevance_level == 2
    assert g1.ext_level_c == F(32) / F("9.5")
    assert format_value(g1.ext_level_c) == "3.37"
    assert g1.effective_weight == 5
    assert demo.categories["G.2"].ext_level_c == F("4.1")
    assert demo.categories["G.2"].effective_weight == 3
    # The primer multiplies the rounded 3.37 (29.15/8); the exact score is (5·32/9.5 + 3·4.1)/8.
    assert demo.score == (5 * F(32) / F("9.5") + 3 * F("4.1")) / 8
    assert format_value(demo.score) == "3.64"
    assert float(demo.score) == pytest.approx(29.15 / 8, abs=0.005)
    assert demo.level == 3
    assert demo.floor == F(32) / F("9.5")
    assert demo.baseline_weighted == (5 * F(28) / F("7.5") + 3 * F("4.1")) / 8


def test_extension_never_changes_the_baseline():
    with_extension = score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT])
    without = score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS)

    assert with_extension.categories == without.categories
    assert with_extension.overall == without.overall
    assert with_extension.categories["G.1"].value == F(22, 6)  # base weights 3, 2, 1


@pytest.mark.parametrize(
    ("overlay", "weight", "effective"),
    [
        (Overlay("multiplier", F("1.5")), 3, F("4.5")),
        (Overlay("multiplier", F(0)), 3, F(0)),
        (Overlay("addition", F("0.5")), 3, F("3.5")),
        (Overlay("addition", F(-2)), 3, F(1)),
        (Overlay("addition", F(-5)), 3, F(0)),  # clamped at 0
        (Overlay("override", F("2.25")), 3, F("2.25")),
    ],
)
def test_overlay_kinds(overlay, weight, effective):
    assert overlay.apply(weight) == effective


def extension_of(result, ext_id="demo"):
    return result.extensions[ext_id]


def test_addition_clamped_at_zero_drops_the_requirement_from_level_c():
    spec = ExtensionSpec("demo", requirement_overlays={"G.1.1": Overlay("addition", F(-7))})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [ExtensionInput(spec)]))

    assert demo.categories["G.1"].weight_sum_c == 3
    assert demo.categories["G.1"].level_c == F(4 * 0 + 3 * 2 + 4 * 1, 3)


def test_unanswered_relevance_keeps_level_c():
    demo = extension_of(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [ExtensionInput(EXAMPLE_SPEC)]))

    assert demo.categories["G.1"].relevance_level is None
    assert demo.categories["G.1"].ext_level_c == demo.categories["G.1"].level_c == F(28) / F("7.5")


def test_weight_sum_ignores_answers_but_leaves_out_not_applicable_requirements():
    answers = AnswerSet("formal", {"G.1.1": 4, "G.2.1": 5}, not_applicable={"G.1.3"})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, answers, [EXAMPLE_INPUT]))
    g1 = demo.categories["G.1"]

    assert g1.level_c == 4  # only G.1.1 assessed
    assert g1.weight_sum_c == F("6.5")  # 4.5 + 2 (not assessed) ; G.1.3 not applicable
    assert g1.ext_level_c == (4 * F("6.5") + 2 * 2) / F("8.5")


def test_relevance_without_any_assessed_requirement_gives_no_ext_level():
    answers = AnswerSet("formal", {"G.2.1": 5})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, answers, [EXAMPLE_INPUT]))

    assert demo.categories["G.1"].level_c is None
    assert demo.categories["G.1"].ext_level_c is None
    assert demo.score == 5
    assert demo.floor == 5


def test_not_applicable_categories_are_left_out():
    answers = AnswerSet("formal", EXAMPLE_ANSWERS.requirement_levels, not_applicable={"G.1", "M"})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, answers, [EXAMPLE_INPUT]))

    assert set(demo.categories) == {"G.2"}
    assert demo.score == F("4.1")
    assert demo.floor == F("4.1")


def test_unassessed_category_is_kept_without_value():
    demo = extension_of(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT]))

    assert demo.categories["M.3"].level_c is None
    assert demo.categories["M.3"].weight_sum_c == 1
    assert demo.categories["M.3"].effective_weight == 2


def test_self_assessment_uses_the_chosen_category_level():
    answers = AnswerSet("self", category_levels={"G.1": 4, "G.2": 3})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, answers, [EXAMPLE_INPUT]))

    assert demo.categories["G.1"].level_c == 4
    assert demo.categories["G.1"].weight_sum_c == F("7.5")
    assert demo.categories["G.1"].ext_level_c == (4 * F("7.5") + 2 * 2) / F("9.5")
    assert demo.score == (5 * demo.categories["G.1"].ext_level_c + 3 * 3) / 8
    assert demo.baseline_weighted == F(5 * 4 + 3 * 3, 8)


def test_floor_only_when_enabled():
    spec = ExtensionSpec("demo", floor_score=False, relevance_weights={"G.1": F(2)})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [ExtensionInput(spec, {"G.1": 1})]))

    assert demo.floor is None
    assert demo.score is not None


def test_category_with_zero_effective_weight_counts_nowhere():
    spec = ExtensionSpec("demo", floor_score=True, category_overlays={"G.1": Overlay("override", F(0))})
    demo = extension_of(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [ExtensionInput(spec)]))

    assert demo.categories["G.1"].effective_weight == 0
    assert demo.score == F("4.1")
    assert demo.floor == F("4.1")
    assert demo.baseline_weighted == F("4.1")


def test_nothing_assessed_gives_no_extension_score():
    demo = extension_of(score_assessment(EXAMPLE_MODEL, AnswerSet("formal"), [EXAMPLE_INPUT]))

    assert (demo.score, demo.level, demo.floor, demo.baseline_weighted) == (None, None, None, None)


def test_several_extensions_are_scored_independently():
    other = ExtensionSpec("other", floor_score=True, category_overlays={"G.2": Overlay("override", F(10))})
    both = score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT, ExtensionInput(other)])
    alone = score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT])

    assert both.extensions["demo"] == alone.extensions["demo"]
    assert both.extensions["other"].score == (4 * F(22, 6) + 10 * F("4.1")) / 14


def test_extension_json():
    data = score_result_to_json(score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, [EXAMPLE_INPUT]))

    assert data["extensions"] == {
        "demo": {
            "score": float((5 * F(32) / F("9.5") + 3 * F("4.1")) / 8),
            "level": 3,
            "floor": float(F(32) / F("9.5")),
            "baseline_weighted": float((5 * F(28) / F("7.5") + 3 * F("4.1")) / 8),
            "categories": {"G.1": float(F(32) / F("9.5")), "G.2": 4.1, "M.3": None},
        }
    }


@pytest.mark.parametrize(
    ("extensions", "message"),
    [
        (lambda: [EXAMPLE_INPUT, EXAMPLE_INPUT], "given twice"),
        (lambda: [ExtensionInput(ExtensionSpec("x", relevance_weights={"G.9": F(1)}))], "relevance for unknown"),
        (lambda: [ExtensionInput(ExtensionSpec("x", category_overlays={"X.1": Overlay("override", F(1))}))], "X.1"),
        (lambda: [ExtensionInput(ExtensionSpec("x", requirement_overlays={"G.1": Overlay("override", F(1))}))], "G.1"),
        (lambda: [ExtensionInput(EXAMPLE_SPEC, {"G.2": 3})], "no relevance question for G.2"),
        (lambda: [ExtensionInput(EXAMPLE_SPEC, {"G.1": 7})], "integer from 1 to 5"),
        (lambda: [ExtensionInput(ExtensionSpec("x", relevance_weights={"G.1": F(-1)}))], "cannot be negative"),
        (
            lambda: [ExtensionInput(ExtensionSpec("x", category_overlays={"G.1": Overlay("multiplier", F(-1))}))],
            "negative",
        ),
        (
            lambda: [ExtensionInput(ExtensionSpec("x", category_overlays={"G.1": Overlay("scale", F(1))}))],
            "overlay type",
        ),
    ],
)
def test_bad_extensions_are_refused(extensions, message):
    with pytest.raises(ScoringError, match=message):
        score_assessment(EXAMPLE_MODEL, EXAMPLE_ANSWERS, extensions())


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.5", F(3, 2)),
        ("2", F(2)),
        (" 1.25 ", F(5, 4)),
        ("0.1", F(1, 10)),  # exactly one tenth, unlike the float 0.1
        ("-0.5", F(-1, 2)),
        ("1e-1", F(1, 10)),
        (2.5, F(5, 2)),
        (0.1, F(1, 10)),  # PyYAML's float for "0.1" in the file
        (3, F(3)),
        (Decimal("1.10"), F(11, 10)),
        (F(1, 3), F(1, 3)),
    ],
)
def test_overlay_value_parses_decimal_text_exactly(text, value):
    assert overlay_value(text) == value


@pytest.mark.parametrize("text", ["", "abc", "1/3", "nan", "inf", float("inf"), True, None])
def test_overlay_value_refuses_what_is_not_a_decimal(text):
    with pytest.raises(ScoringError):
        overlay_value(text)


def load_yaml(path):
    with open(path, encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def test_pqc_extension_file_loads_into_a_spec():
    spec = extension_spec_from_dict(load_yaml(PQC_EXTENSION))

    assert spec.ext_id == "pqc"
    assert spec.floor_score is True
    assert spec.relevance_weights == {"G.1": 5, "G.2": 5, "G.3": 5, "G.4": 5}
    assert spec.category_overlays == {}
    assert len(spec.requirement_overlays) == 18
    assert spec.requirement_overlays["G.1.4"] == Overlay("multiplier", F(5, 2))
    assert spec.requirement_overlays["G.2.1"] == Overlay("multiplier", F(3, 2))


def test_pqc_extension_on_a_fully_answered_model_1_1():
    model = model_spec_from_dict(load_yaml(MODEL_1_1))
    spec = extension_spec_from_dict(load_yaml(PQC_EXTENSION))
    answers = AnswerSet("formal", dict.fromkeys(model.requirement_keys, 4))
    relevance = dict.fromkeys(["G.1", "G.2", "G.3", "G.4"], 2)
    pqc = score_assessment(model, answers, [ExtensionInput(spec, relevance)]).extensions["pqc"]

    # Effective weight sums from the overlays: G.1 3·2+2·2+2·2+1·2.5 = 16.5; G.2 2·1.5+5·1.5+5·1.5+4·1.5+3·2 = 30;
    # G.3 3·2+4·1.5+3·1.5+5·1 = 21.5; G.4 4·1.5+3·2+5·1+3·2+2·2 = 27. Relevance weight 5 at level 2.
    expected = {
        "G.1": (F("16.5"), (4 * F("16.5") + 10) / F("21.5")),
        "G.2": (F(30), F(130, 35)),
        "G.3": (F("21.5"), (4 * F("21.5") + 10) / F("26.5")),
        "G.4": (F(27), F(118, 32)),
    }
    for key, (weight_sum, ext_level) in expected.items():
        assert pqc.categories[key].weight_sum_c == weight_sum
        assert pqc.categories[key].level_c == 4
        assert pqc.categories[key].ext_level_c == ext_level
    g1, g2, g3, g4 = (ext_level for _, ext_level in expected.values())
    # Category weights 5, 4, 2, 3 for G.1-G.4; the other twelve categories weigh 38 in all, at 4.
    assert pqc.score == (5 * g1 + 4 * g2 + 2 * g3 + 3 * g4 + 38 * 4) / 52
    assert pqc.floor == g1 == F(152, 43)
    assert pqc.baseline_weighted == 4
    assert pqc.level == 3
