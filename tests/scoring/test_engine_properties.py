"""Properties of the scoring engine over random models, answers and extensions."""

from dataclasses import dataclass
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.engine import (
    AnswerSet,
    CategorySpec,
    ExtensionInput,
    ExtensionSpec,
    ModelSpec,
    Overlay,
    RequirementSpec,
    ScoreResult,
    score_assessment,
)

FAST = settings(max_examples=100, deadline=None)
levels = st.integers(min_value=1, max_value=5)


@dataclass(frozen=True)
class Case:
    model: ModelSpec
    answers: AnswerSet
    extension: ExtensionInput

    def score(self) -> ScoreResult:
        return score_assessment(self.model, self.answers, [self.extension])


@st.composite
def models(draw) -> ModelSpec:
    modules = draw(st.lists(st.sampled_from("GMOR"), min_size=1, max_size=3, unique=True))
    categories = []
    number = 0
    for module in modules:
        for _ in range(draw(st.integers(1, 3))):
            number += 1
            key = f"{module}.{number}"
            weights = draw(st.lists(st.integers(1, 6), min_size=1, max_size=4))
            requirements = tuple(RequirementSpec(f"{key}.{n}", w) for n, w in enumerate(weights, start=1))
            categories.append(CategorySpec(key, module, draw(st.integers(1, 5)), requirements))
    return ModelSpec(tuple(modules), tuple(categories))


def subset(draw, keys):
    return [key for key in keys if draw(st.booleans())]


overlays = st.builds(
    Overlay,
    kind=st.sampled_from(["multiplier", "addition", "override"]),
    value=st.fractions(min_value=0, max_value=4, max_denominator=4),
) | st.builds(Overlay, kind=st.just("addition"), value=st.fractions(min_value=-6, max_value=0, max_denominator=4))


@st.composite
def cases(draw) -> Case:
    model = draw(models())
    method = draw(st.sampled_from(["formal", "self"]))
    requirement_keys = model.requirement_keys
    category_keys = model.category_keys
    answers = AnswerSet(
        method,
        requirement_levels={key: draw(levels) for key in subset(draw, requirement_keys)},
        category_levels={key: draw(levels) for key in subset(draw, category_keys)},
        not_applicable=frozenset(
            key for key in [*model.modules, *category_keys, *requirement_keys] if draw(st.integers(0, 7)) == 0
        ),
    )
    relevance = subset(draw, category_keys)
    spec = ExtensionSpec(
        ext_id="ext",
        floor_score=True,
        relevance_weights={key: draw(st.fractions(min_value=0, max_value=5, max_denominator=2)) for key in relevance},
        category_overlays={key: draw(overlays) for key in subset(draw, category_keys)},
        requirement_overlays={key: draw(overlays) for key in subset(draw, requirement_keys)},
    )
    extension = ExtensionInput(spec, {key: draw(levels) for key in subset(draw, relevance)})
    return Case(model, answers, extension)


def all_values(result: ScoreResult) -> dict[str, F | None]:
    """Every value the result holds, by a name that stays stable across equivalent inputs."""
    values = {"overall": result.overall.value}
    values.update({f"module {key}": score.value for key, score in result.modules.items()})
    values.update({f"category {key}": score.value for key, score in result.categories.items()})
    for ext_id, extension in result.extensions.items():
        values[f"{ext_id} score"] = extension.score
        values[f"{ext_id} floor"] = extension.floor
        values[f"{ext_id} baseline"] = extension.baseline_weighted
        for key, category in extension.categories.items():
            values[f"{ext_id} level_c {key}"] = category.level_c
            values[f"{ext_id} ext_level_c {key}"] = category.ext_level_c
    return values


@FAST
@given(cases())
def test_values_stay_between_one_and_five(case):
    result = case.score()

    for name, value in all_values(result).items():
        assert value is None or 1 <= value <= 5, name
    for score in [result.overall, *result.modules.values(), *result.categories.values()]:
        assert score.level in (None, *range(1, 6))
        assert all(0 <= bar <= 1 for bar in score.progress)
        stats = score.stats
        assert stats.assessed + stats.not_assessed + stats.not_applicable == stats.total
        assert stats.assessed == sum(stats.at_level.values())
    assert result.overall.stats.total == (
        len(case.model.requirement_keys) if case.answers.method == "formal" else len(case.model.categories)
    )


@FAST
@given(cases())
def test_overall_lies_between_the_category_values(case):
    result = case.score()
    category_values = [s.value for s in result.categories.values() if s.value is not None]

    if category_values:
        assert min(category_values) <= result.overall.value <= max(category_values)
    else:
        assert result.overall.value is None


@FAST
@given(cases(), st.data())
def test_raising_one_answer_never_lowers_any_value(case, data):
    answers = case.answers
    raisable = [
        (kind, key, level)
        for kind, mapping in [
            ("requirement", answers.requirement_levels),
            ("category", answers.category_levels),
            ("relevance", case.extension.relevance_levels),
        ]
        for key, level in mapping.items()
        if level < 5
    ]
    if not raisable:
        return
    kind, key, level = data.draw(st.sampled_from(raisable))
    higher = data.draw(st.integers(level + 1, 5))
    if kind == "requirement":
        raised = Case(
            case.model,
            _replace(answers, requirement_levels={**answers.requirement_levels, key: higher}),
            case.extension,
        )
    elif kind == "category":
        raised = Case(
            case.model, _replace(answers, category_levels={**answers.category_levels, key: higher}), case.extension
        )
    else:
        extension = ExtensionInput(case.extension.spec, {**case.extension.relevance_levels, key: higher})
        raised = Case(case.model, answers, extension)

    before, after = all_values(case.score()), all_values(raised.score())
    assert before.keys() == after.keys()
    for name, value in before.items():
        assert (value is None) == (after[name] is None), name
        assert value is None or after[name] >= value, name


def _replace(answers: AnswerSet, **changes) -> AnswerSet:
    fields = {
        "method": answers.method,
        "requirement_levels": answers.requirement_levels,
        "category_levels": answers.category_levels,
        "not_applicable": answers.not_applicable,
    }
    return AnswerSet(**{**fields, **changes})


def _shuffled_dict(data, mapping):
    return dict(data.draw(st.permutations(list(mapping.items()))))


@FAST
@given(cases(), st.data())
def test_order_of_model_and_answers_changes_nothing(case, data):
    model = ModelSpec(
        modules=tuple(data.draw(st.permutations(case.model.modules))),
        categories=tuple(
            CategorySpec(c.key, c.module, c.weight, tuple(data.draw(st.permutations(c.requirements))))
            for c in data.draw(st.permutations(case.model.categories))
        ),
    )
    answers = _replace(
        case.answers,
        requirement_levels=_shuffled_dict(data, case.answers.requirement_levels),
        category_levels=_shuffled_dict(data, case.answers.category_levels),
    )
    spec = case.extension.spec
    extension = ExtensionInput(
        ExtensionSpec(
            spec.ext_id,
            spec.floor_score,
            _shuffled_dict(data, spec.relevance_weights),
            _shuffled_dict(data, spec.category_overlays),
            _shuffled_dict(data, spec.requirement_overlays),
        ),
        _shuffled_dict(data, case.extension.relevance_levels),
    )

    assert Case(model, answers, extension).score() == case.score()


def _without(case: Case, removed: str) -> Case:
    """The case with one module, category or requirement taken out of the model (and everything below it)."""

    def gone(key: str) -> bool:
        return key == removed or key.startswith(removed + ".")

    model = ModelSpec(
        modules=tuple(m for m in case.model.modules if not gone(m)),
        categories=tuple(
            CategorySpec(c.key, c.module, c.weight, tuple(r for r in c.requirements if not gone(r.key)))
            for c in case.model.categories
            if not gone(c.key)
        ),
    )

    def keep(mapping):
        return {key: value for key, value in mapping.items() if not gone(key)}

    answers = _replace(
        case.answers,
        requirement_levels=keep(case.answers.requirement_levels),
        category_levels=keep(case.answers.category_levels),
        not_applicable=frozenset(key for key in case.answers.not_applicable if not gone(key)),
    )
    spec = case.extension.spec
    extension = ExtensionInput(
        ExtensionSpec(
            spec.ext_id,
            spec.floor_score,
            keep(spec.relevance_weights),
            keep(spec.category_overlays),
            keep(spec.requirement_overlays),
        ),
        keep(case.extension.relevance_levels),
    )
    return Case(model, answers, extension)


@FAST
@given(cases(), st.data())
def test_not_applicable_equals_removed_from_the_model(case, data):
    key = data.draw(st.sampled_from([*case.model.modules, *case.model.category_keys, *case.model.requirement_keys]))
    marked = Case(
        case.model, _replace(case.answers, not_applicable=case.answers.not_applicable | {key}), case.extension
    )

    marked_values = all_values(marked.score())
    removed_values = all_values(_without(case, key).score())
    # The removed item's own entries disappear; every other value is the same.
    assert removed_values.keys() <= marked_values.keys()
    assert removed_values == {name: marked_values[name] for name in removed_values}
