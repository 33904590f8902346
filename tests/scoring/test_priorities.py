"""Improvement priorities: ranking and exact gains of the overall value."""

from fractions import Fraction as F

import pytest

from scoring.engine import AnswerSet, Priority, ScoringError, improvement_priorities, score_assessment
from tests.scoring.helpers import PRIMER_FORMAL_LEVELS, PRIMER_MODEL, PRIMER_NOT_APPLICABLE

PRIMER_FORMAL = AnswerSet("formal", PRIMER_FORMAL_LEVELS, not_applicable=PRIMER_NOT_APPLICABLE)


def priorities(answers, targets=None):
    return improvement_priorities(PRIMER_MODEL, answers, score_assessment(PRIMER_MODEL, answers), targets)


def test_ranking_and_gains_of_the_primer_example():
    # Overall = (5·G.1 + 4·G.2) / 9 with G.1 = (3·a + 2·b + 1·d) / 6 and G.2 = (2·a + 5·b + 5·c + 4·d + 3·e) / 19.
    assert [(p.key, p.overall_gain) for p in priorities(PRIMER_FORMAL)] == [
        ("G.2", F(4, 9) * 3),  # 4/3
        ("G.1", F(5, 9) * F(5, 3)),  # 25/27
        ("G.1.2", F(5, 9) * F(2, 6) * 2),  # 10/27
        ("G.2.2", F(4, 9) * F(5, 19) * 3),  # 20/57, tied with G.2.3: ordered by key
        ("G.2.3", F(4, 9) * F(5, 19) * 3),
        ("G.2.4", F(4, 9) * F(4, 19) * 3),  # 16/57
        ("G.1.1", F(5, 9) * F(3, 6) * 1),  # 5/18, tied with G.1.4
        ("G.1.4", F(5, 9) * F(1, 6) * 3),
        ("G.2.5", F(4, 9) * F(3, 19) * 3),
        ("G.2.1", F(4, 9) * F(2, 19) * 3),
    ]


def test_priority_fields():
    first, second = priorities(PRIMER_FORMAL)[:2]

    assert first == Priority("G.2", "category", F(2), 2, 5, F(4, 3))
    assert second == Priority("G.1", "category", F(10, 3), 3, 5, F(25, 27))


def test_requirement_gain_is_the_exact_rise_of_the_overall_value():
    before = score_assessment(PRIMER_MODEL, PRIMER_FORMAL).overall.value
    for priority in priorities(PRIMER_FORMAL):
        if priority.kind != "requirement":
            continue
        raised = AnswerSet(
            "formal", {**PRIMER_FORMAL_LEVELS, priority.key: priority.target}, not_applicable=PRIMER_NOT_APPLICABLE
        )
        assert score_assessment(PRIMER_MODEL, raised).overall.value - before == priority.overall_gain


def test_category_gain_is_the_exact_rise_of_the_overall_value_in_a_self_assessment():
    answers = AnswerSet("self", category_levels={"G.1": 3, "G.2": 2, "M.6": 4})
    before = score_assessment(PRIMER_MODEL, answers).overall.value
    for priority in priorities(answers):
        raised = AnswerSet("self", category_levels={**answers.category_levels, priority.key: priority.target})
        assert score_assessment(PRIMER_MODEL, raised).overall.value - before == priority.overall_gain


def test_self_assessment_lists_categories_only():
    answers = AnswerSet("self", category_levels={"G.1": 3, "G.2": 2}, requirement_levels={"G.1.1": 1})

    assert [(p.key, p.kind, p.overall_gain) for p in priorities(answers)] == [
        ("G.2", "category", F(4, 9) * 3),
        ("G.1", "category", F(5, 9) * 2),
    ]


def test_not_applicable_and_unassessed_items_are_not_listed():
    keys = {p.key for p in priorities(PRIMER_FORMAL)}

    assert "G.1.3" not in keys  # not applicable
    assert not keys & {"M.6", "M.6.1", "M.6.2"}  # not assessed


def test_items_at_their_target_are_not_listed():
    answers = AnswerSet("formal", {"G.1.1": 5, "G.1.2": 4})

    assert [(p.key, p.target) for p in priorities(answers)] == [("G.1", 5), ("G.1.2", 5)]
    assert priorities(AnswerSet("formal", {"G.1.1": 5})) == []


def test_targets_per_category_and_requirement():
    result = priorities(PRIMER_FORMAL, targets={"G.1": 4, "G.2": 3, "G.2.1": 5})

    assert [(p.key, p.target, p.overall_gain) for p in result] == [
        ("G.2", 3, F(4, 9)),
        ("G.1", 4, F(5, 9) * F(2, 3)),
        ("G.1.2", 4, F(5, 9) * F(2, 6)),  # G.1.1 is at its target 4 already
        ("G.1.4", 4, F(5, 9) * F(1, 6) * 2),
        ("G.2.1", 5, F(4, 9) * F(2, 19) * 3),  # its own target beats its category's
        ("G.2.2", 3, F(4, 9) * F(5, 19)),
        ("G.2.3", 3, F(4, 9) * F(5, 19)),
        ("G.2.4", 3, F(4, 9) * F(4, 19)),
        ("G.2.5", 3, F(4, 9) * F(3, 19)),
    ]


def test_nothing_assessed_gives_no_priorities():
    assert priorities(AnswerSet("formal")) == []


@pytest.mark.parametrize(("targets", "message"), [({"G.9": 4}, "Unknown"), ({"G.1": 6}, "from 1 to 5")])
def test_bad_targets_are_refused(targets, message):
    with pytest.raises(ScoringError, match=message):
        priorities(PRIMER_FORMAL, targets)
