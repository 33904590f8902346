"""Pure scoring of PKIMM assessments: dataclasses in, ``ScoreResult`` out (primer sections 4 and 5).

No Django and no ORM here: a selector builds the ``ModelSpec``/``AnswerSet`` and hands them in. Every
value is an exact ``Fraction`` so that ``floor`` never turns 3 into 2.999...; round only for display.

Choices the primer leaves open (each one is pinned by a test in ``tests/scoring``):

- Not applicable covers everything below it: a module key marks its categories and requirements,
  a category key its requirements. An answer stored for a not-applicable item is ignored.
- ``method`` decides which answers count: "formal" (also used for third-party assessments) scores
  ``requirement_levels``, "self" scores ``category_levels``; the other mapping is ignored.
- Statistics and completeness count requirements in formal mode and categories in self mode.
- Model weights must be positive integers, so an assessed category always has a defined average.
- Extensions: ``WeightSum_C`` is the sum of the effective weights of the category's *applicable*
  requirements, assessed or not (it never depends on answers, but leaves out what the scope excludes,
  like ``Level_C`` does). ``ExtLevel_C = Level_C`` when the relevance question is not answered.
  A category without ``Level_C`` (nothing assessed) has no ``ExtLevel_C`` either, even when its
  relevance question is answered: relevance adjusts a category's level, it does not replace it.
  The extension score, floor and extension-weighted baseline use the same categories: applicable,
  evaluated and with an effective category weight above 0 (a weight of 0 means the extension
  disregards the category, so it cannot be the weakest one). An average over a total weight of 0
  has no value.
- ``improvement_priorities`` lists only items that have a value: not-assessed items have no current
  value to improve from, and not-applicable items are out of scope.
- ``Score.display`` rounds half up on the exact value ("2.745" shows as "2.75").
- ``rounding`` (an assessment profile's parameter) turns values into levels: floor (the default and the
  primer's rule), round (half up: 2.5 is level 3) or ceil. Values themselves never change.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import Any

MIN_LEVEL = 1
MAX_LEVEL = 5
LEVELS = tuple(range(MIN_LEVEL, MAX_LEVEL + 1))

METHOD_FORMAL = "formal"
METHOD_SELF = "self"
METHODS = (METHOD_FORMAL, METHOD_SELF)

OVERLAY_MULTIPLIER = "multiplier"
OVERLAY_ADDITION = "addition"
OVERLAY_OVERRIDE = "override"
OVERLAY_KINDS = (OVERLAY_MULTIPLIER, OVERLAY_ADDITION, OVERLAY_OVERRIDE)

NO_VALUE_DISPLAY = "–"

# How a value becomes a level. The primer floors; an assessment profile may choose round (half up) or ceil.
ROUNDING_FLOOR = "floor"
ROUNDING_ROUND = "round"
ROUNDING_CEIL = "ceil"
ROUNDINGS = (ROUNDING_FLOOR, ROUNDING_ROUND, ROUNDING_CEIL)


class ScoringError(ValueError):
    """Input that cannot be scored: unknown keys, levels outside 1..5, bad weights or overlay values."""


# ---------------------------------------------------------------------------------------------------
# Inputs


@dataclass(frozen=True)
class RequirementSpec:
    key: str  # "G.1.1"
    weight: int


@dataclass(frozen=True)
class CategorySpec:
    key: str  # "G.1"
    module: str  # "G"
    weight: int
    requirements: tuple[RequirementSpec, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "requirements", tuple(self.requirements))


@dataclass(frozen=True)
class ModelSpec:
    modules: tuple[str, ...]
    categories: tuple[CategorySpec, ...]

    def __post_init__(self):
        object.__setattr__(self, "modules", tuple(self.modules))
        object.__setattr__(self, "categories", tuple(self.categories))
        seen: set[str] = set()
        for key in [*self.modules, *(c.key for c in self.categories), *self.requirement_keys]:
            if key in seen:
                raise ScoringError(f"The key {key!r} appears twice in the model.")
            seen.add(key)
        for category in self.categories:
            if category.module not in self.modules:
                raise ScoringError(f"Category {category.key} belongs to the unknown module {category.module!r}.")
            _check_model_weight(category.key, category.weight)
            for requirement in category.requirements:
                _check_model_weight(requirement.key, requirement.weight)

    @property
    def requirement_keys(self) -> list[str]:
        return [r.key for c in self.categories for r in c.requirements]

    @property
    def category_keys(self) -> list[str]:
        return [c.key for c in self.categories]

    def categories_of(self, module: str) -> list[CategorySpec]:
        return [c for c in self.categories if c.module == module]


def _check_model_weight(key: str, weight: Any) -> None:
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 1:
        raise ScoringError(f"The weight of {key} must be a positive integer, not {weight!r}.")


def _check_level(what: str, level: Any) -> None:
    if isinstance(level, bool) or not isinstance(level, int) or not MIN_LEVEL <= level <= MAX_LEVEL:
        raise ScoringError(f"The level of {what} must be an integer from {MIN_LEVEL} to {MAX_LEVEL}, not {level!r}.")


@dataclass(frozen=True)
class AnswerSet:
    method: str  # METHOD_FORMAL (requirement levels; also third-party) or METHOD_SELF (category levels)
    requirement_levels: Mapping[str, int] = field(default_factory=dict)  # absent = not assessed
    category_levels: Mapping[str, int] = field(default_factory=dict)
    not_applicable: frozenset[str] = frozenset()  # module, category or requirement keys

    def __post_init__(self):
        if self.method not in METHODS:
            raise ScoringError(f"Unknown assessment method {self.method!r}; expected one of {', '.join(METHODS)}.")
        object.__setattr__(self, "not_applicable", frozenset(self.not_applicable))
        for key, level in [*self.requirement_levels.items(), *self.category_levels.items()]:
            _check_level(key, level)


def overlay_value(text: str | int | float | Decimal | Fraction) -> Fraction:
    """The exact value of a decimal number as written in an extension file ("1.5" -> 3/2).

    PyYAML hands numbers over as floats; their shortest ``repr`` is the decimal text of the file.
    """
    if isinstance(text, bool):
        raise ScoringError(f"{text!r} is not a number.")
    if isinstance(text, Fraction | int):
        return Fraction(text)
    if isinstance(text, float):
        text = repr(text)
    try:
        number = Decimal(text.strip()) if isinstance(text, str) else Decimal(text)
    except (InvalidOperation, TypeError, AttributeError):
        raise ScoringError(f"{text!r} is not a decimal number.") from None
    if not number.is_finite():
        raise ScoringError(f"{text!r} is not a finite number.")
    return Fraction(number)


@dataclass(frozen=True)
class Overlay:
    kind: str  # "multiplier" | "addition" | "override"
    value: Fraction

    def __post_init__(self):
        if self.kind not in OVERLAY_KINDS:
            raise ScoringError(f"Unknown overlay type {self.kind!r}; expected one of {', '.join(OVERLAY_KINDS)}.")
        value = overlay_value(self.value)
        if self.kind != OVERLAY_ADDITION and value < 0:
            raise ScoringError(f"A {self.kind} overlay cannot be negative ({value}).")
        object.__setattr__(self, "value", value)

    def apply(self, weight: int | Fraction) -> Fraction:
        if self.kind == OVERLAY_MULTIPLIER:
            return weight * self.value
        if self.kind == OVERLAY_ADDITION:
            return max(Fraction(0), weight + self.value)
        return self.value


def _effective_weight(weight: int, overlay: Overlay | None) -> Fraction:
    return overlay.apply(weight) if overlay else Fraction(weight)


@dataclass(frozen=True)
class ExtensionSpec:
    ext_id: str
    floor_score: bool = False
    relevance_weights: Mapping[str, Fraction] = field(default_factory=dict)  # category key -> weight
    category_overlays: Mapping[str, Overlay] = field(default_factory=dict)
    requirement_overlays: Mapping[str, Overlay] = field(default_factory=dict)

    def __post_init__(self):
        weights = {key: overlay_value(weight) for key, weight in self.relevance_weights.items()}
        for key, weight in weights.items():
            if weight < 0:
                raise ScoringError(f"The relevance weight of {key} in extension {self.ext_id} cannot be negative.")
        object.__setattr__(self, "relevance_weights", weights)


@dataclass(frozen=True)
class ExtensionInput:
    spec: ExtensionSpec
    relevance_levels: Mapping[str, int] = field(default_factory=dict)  # category key -> answered level

    def __post_init__(self):
        for key, level in self.relevance_levels.items():
            if key not in self.spec.relevance_weights:
                raise ScoringError(f"Extension {self.spec.ext_id} asks no relevance question for {key}.")
            _check_level(f"the relevance of {key}", level)


# ---------------------------------------------------------------------------------------------------
# Results


def format_value(value: Fraction | None, places: int = 2) -> str:
    """``value`` rounded half up to ``places`` decimals, exactly; "–" when there is no value."""
    if value is None:
        return NO_VALUE_DISPLAY
    scale = 10**places
    units = math.floor(abs(value) * scale + Fraction(1, 2))
    sign = "-" if value < 0 and units else ""
    whole, decimals = divmod(units, scale)
    return f"{sign}{whole}.{decimals:0{places}d}" if places else f"{sign}{whole}"


def level_of(value: Fraction | None, rounding: str = ROUNDING_FLOOR) -> int | None:
    if value is None:
        return None
    if rounding == ROUNDING_FLOOR:
        return math.floor(value)
    if rounding == ROUNDING_ROUND:
        return math.floor(value + Fraction(1, 2))
    if rounding == ROUNDING_CEIL:
        return math.ceil(value)
    raise ScoringError(f"Unknown rounding {rounding!r}; expected one of {', '.join(ROUNDINGS)}.")


def progress_bars(value: Fraction | None) -> tuple[Fraction, ...]:
    """Progress towards each level as the official spreadsheet draws it: clamp(v - (k - 1), 0, 1)."""
    if value is None:
        return tuple(Fraction(0) for _ in LEVELS)
    return tuple(min(Fraction(1), max(Fraction(0), value - (k - 1))) for k in LEVELS)


# Item states counted by Stats.tally besides a level.
_NOT_APPLICABLE = "n/a"
_OPEN = "open"


@dataclass(frozen=True)
class Stats:
    """Counts of requirements (formal) or categories (self-assessment)."""

    at_level: dict[int, int]
    not_applicable: int
    not_assessed: int
    assessed: int
    total: int

    @property
    def applicable(self) -> int:
        return self.total - self.not_applicable

    @classmethod
    def tally(cls, states: Iterable[int | str]) -> Stats:
        """``states`` holds a level, "n/a" or "open" per counted item."""
        at_level = dict.fromkeys(LEVELS, 0)
        not_applicable = not_assessed = total = 0
        for state in states:
            total += 1
            if state == _NOT_APPLICABLE:
                not_applicable += 1
            elif state == _OPEN:
                not_assessed += 1
            else:
                at_level[state] += 1
        return cls(at_level, not_applicable, not_assessed, sum(at_level.values()), total)

    @classmethod
    def combine(cls, parts: Iterable[Stats]) -> Stats:
        parts = list(parts)
        return cls(
            at_level={k: sum(p.at_level[k] for p in parts) for k in LEVELS},
            not_applicable=sum(p.not_applicable for p in parts),
            not_assessed=sum(p.not_assessed for p in parts),
            assessed=sum(p.assessed for p in parts),
            total=sum(p.total for p in parts),
        )


@dataclass(frozen=True)
class Score:
    value: Fraction | None
    level: int | None
    stats: Stats

    @classmethod
    def of(cls, value: Fraction | None, stats: Stats, rounding: str = ROUNDING_FLOOR) -> Score:
        return cls(value=value, level=level_of(value, rounding), stats=stats)

    @property
    def progress(self) -> tuple[Fraction, ...]:
        # Derived on demand: the dashboard summary, refreshed on every save, never shows it.
        return progress_bars(self.value)

    @property
    def display(self) -> str:
        return format_value(self.value)

    @property
    def as_float(self) -> float | None:
        return None if self.value is None else float(self.value)


@dataclass(frozen=True)
class Completeness:
    unit: str  # "requirements" (formal) or "categories" (self-assessment)
    assessed: int
    applicable: int

    @property
    def is_complete(self) -> bool:
        return self.assessed == self.applicable

    @property
    def ratio(self) -> Fraction | None:
        return Fraction(self.assessed, self.applicable) if self.applicable else None

    def __str__(self) -> str:
        unit = self.unit if self.applicable != 1 else _SINGULAR[self.unit]
        return f"{self.assessed} of {self.applicable} {unit} assessed"


_SINGULAR = {"requirements": "requirement", "categories": "category"}


@dataclass(frozen=True)
class ExtensionCategoryResult:
    level_c: Fraction | None
    weight_sum_c: Fraction
    relevance_level: int | None
    ext_level_c: Fraction | None
    effective_weight: Fraction


@dataclass(frozen=True)
class ExtensionResult:
    ext_id: str
    score: Fraction | None
    level: int | None
    floor: Fraction | None  # only when the extension enables floorScore
    baseline_weighted: Fraction | None
    categories: dict[str, ExtensionCategoryResult]  # applicable categories only


@dataclass(frozen=True)
class ScoreResult:
    method: str
    overall: Score
    modules: dict[str, Score]
    categories: dict[str, Score]  # every category of the model; not applicable ones have no value
    not_applicable: frozenset[str]  # effective keys: the given ones plus everything below them
    completeness: Completeness
    extensions: dict[str, ExtensionResult]


@dataclass(frozen=True)
class Priority:
    key: str
    kind: str  # "category" | "requirement"
    current_value: Fraction
    current_level: int
    target: int
    overall_gain: Fraction  # exact increase of the overall value if this item alone reached the target


# ---------------------------------------------------------------------------------------------------
# Scoring


def weighted_average(pairs: Iterable[tuple[int | Fraction, int | Fraction]]) -> Fraction | None:
    """Σ(value × weight) / Σ weight over (value, weight) pairs; None without weight."""
    numerator = denominator = Fraction(0)
    for value, weight in pairs:
        numerator += value * weight
        denominator += weight
    return numerator / denominator if denominator else None


def effective_not_applicable(model: ModelSpec, keys: Iterable[str]) -> frozenset[str]:
    """The given keys plus every category and requirement below a not-applicable module or category."""
    keys = set(keys)
    for category in model.categories:
        if category.module in keys:
            keys.add(category.key)
        if category.key in keys:
            keys.update(r.key for r in category.requirements)
    return frozenset(keys)


def _check_answer_keys(model: ModelSpec, answers: AnswerSet) -> None:
    requirement_keys = set(model.requirement_keys)
    category_keys = set(model.category_keys)
    checks = [
        ("requirement", answers.requirement_levels.keys(), requirement_keys),
        ("category", answers.category_levels.keys(), category_keys),
        (
            "module, category or requirement",
            answers.not_applicable,
            {*model.modules, *category_keys, *requirement_keys},
        ),
    ]
    for what, keys, known in checks:
        unknown = sorted(set(keys) - known, key=natural_key)
        if unknown:
            raise ScoringError(f"Unknown {what} key(s) in the answers: {', '.join(unknown)}.")


def _check_extension_keys(model: ModelSpec, spec: ExtensionSpec) -> None:
    category_keys = set(model.category_keys)
    checks = [
        ("relevance", spec.relevance_weights.keys(), category_keys),
        ("category overlay", spec.category_overlays.keys(), category_keys),
        ("requirement overlay", spec.requirement_overlays.keys(), set(model.requirement_keys)),
    ]
    for what, keys, known in checks:
        unknown = sorted(set(keys) - known, key=natural_key)
        if unknown:
            raise ScoringError(f"Extension {spec.ext_id} has a {what} for unknown key(s): {', '.join(unknown)}.")


def _category_value(category: CategorySpec, answers: AnswerSet, not_applicable: frozenset[str]) -> Fraction | None:
    if category.key in not_applicable:
        return None
    if answers.method == METHOD_SELF:
        level = answers.category_levels.get(category.key)
        return None if level is None else Fraction(level)
    return weighted_average(
        (answers.requirement_levels[r.key], r.weight)
        for r in category.requirements
        if r.key not in not_applicable and r.key in answers.requirement_levels
    )


def _category_stats(category: CategorySpec, answers: AnswerSet, not_applicable: frozenset[str]) -> Stats:
    if answers.method == METHOD_SELF:
        items = [(category.key, answers.category_levels)]
    else:
        items = [(r.key, answers.requirement_levels) for r in category.requirements]
    return Stats.tally(_NOT_APPLICABLE if key in not_applicable else levels.get(key, _OPEN) for key, levels in items)


def _aggregate(categories: Sequence[CategorySpec], scores: Mapping[str, Score], rounding: str) -> Score:
    """Module and overall values: category values (unrounded) weighted by category weights."""
    value = weighted_average((scores[c.key].value, c.weight) for c in categories if scores[c.key].value is not None)
    return Score.of(value, Stats.combine(scores[c.key].stats for c in categories), rounding)


def score_assessment(
    model: ModelSpec,
    answers: AnswerSet,
    extensions: Sequence[ExtensionInput] = (),
    *,
    rounding: str = ROUNDING_FLOOR,
) -> ScoreResult:
    if rounding not in ROUNDINGS:
        raise ScoringError(f"Unknown rounding {rounding!r}; expected one of {', '.join(ROUNDINGS)}.")
    _check_answer_keys(model, answers)
    not_applicable = effective_not_applicable(model, answers.not_applicable)
    categories = {
        c.key: Score.of(
            _category_value(c, answers, not_applicable), _category_stats(c, answers, not_applicable), rounding
        )
        for c in model.categories
    }
    overall = _aggregate(model.categories, categories, rounding)
    extension_results: dict[str, ExtensionResult] = {}
    for extension in extensions:
        if extension.spec.ext_id in extension_results:
            raise ScoringError(f"Extension {extension.spec.ext_id} is given twice.")
        extension_results[extension.spec.ext_id] = _score_extension(model, answers, not_applicable, extension, rounding)
    return ScoreResult(
        method=answers.method,
        overall=overall,
        modules={m: _aggregate(model.categories_of(m), categories, rounding) for m in model.modules},
        categories=categories,
        not_applicable=not_applicable,
        completeness=Completeness(
            unit="categories" if answers.method == METHOD_SELF else "requirements",
            assessed=overall.stats.assessed,
            applicable=overall.stats.applicable,
        ),
        extensions=extension_results,
    )


def _score_extension(
    model: ModelSpec,
    answers: AnswerSet,
    not_applicable: frozenset[str],
    extension: ExtensionInput,
    rounding: str = ROUNDING_FLOOR,
) -> ExtensionResult:
    """One extension on its own, in the order of primer section 5."""
    spec = extension.spec
    _check_extension_keys(model, spec)
    results: dict[str, ExtensionCategoryResult] = {}
    for category in model.categories:
        if category.key in not_applicable:
            continue
        # 1. effective requirement weights
        weights = {
            r.key: _effective_weight(r.weight, spec.requirement_overlays.get(r.key))
            for r in category.requirements
            if r.key not in not_applicable
        }
        # 2. Level_C and WeightSum_C
        weight_sum = sum(weights.values(), Fraction(0))
        if answers.method == METHOD_SELF:
            chosen = answers.category_levels.get(category.key)
            level_c = None if chosen is None else Fraction(chosen)
        else:
            level_c = weighted_average(
                (answers.requirement_levels[key], weight)
                for key, weight in weights.items()
                if key in answers.requirement_levels
            )
        # 3. ExtLevel_C with the relevance question, when it is answered
        relevance_level = extension.relevance_levels.get(category.key)
        ext_level = level_c
        if level_c is not None and relevance_level is not None:
            ext_level = weighted_average(
                [(level_c, weight_sum), (relevance_level, spec.relevance_weights[category.key])]
            )
            if ext_level is None:  # both weights 0: relevance cannot move the level
                ext_level = level_c
        # 4. effective category weight
        results[category.key] = ExtensionCategoryResult(
            level_c=level_c,
            weight_sum_c=weight_sum,
            relevance_level=relevance_level,
            ext_level_c=ext_level,
            effective_weight=_effective_weight(category.weight, spec.category_overlays.get(category.key)),
        )
    # 5. extension score, floor and extension-weighted baseline over the same categories
    counted = [r for r in results.values() if r.ext_level_c is not None and r.effective_weight > 0]
    score = weighted_average((r.ext_level_c, r.effective_weight) for r in counted)
    return ExtensionResult(
        ext_id=spec.ext_id,
        score=score,
        level=level_of(score, rounding),
        floor=min((r.ext_level_c for r in counted), default=None) if spec.floor_score else None,
        baseline_weighted=weighted_average((r.level_c, r.effective_weight) for r in counted),
        categories=results,
    )


# ---------------------------------------------------------------------------------------------------
# Improvement priorities


def natural_key(key: str) -> tuple[tuple[int, int | str], ...]:
    """Sort "G.1.2" before "G.1.10", and a category before its requirements."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in key.split("."))


def improvement_priorities(
    model: ModelSpec, answers: AnswerSet, result: ScoreResult, targets: Mapping[str, int] | None = None
) -> list[Priority]:
    """What to improve first: the exact gain of the overall value if one item alone reached its target.

    That gain is the item's weight times its gap, as the model advises ("heaviest weak areas first").
    ``targets`` maps category or requirement keys to a target level (default 5); a requirement without
    its own target takes its category's. Formal assessments list categories and requirements,
    self-assessments categories. Items without a value (not assessed, not applicable) are not listed.
    """
    targets = dict(targets or {})
    known = {*model.category_keys, *model.requirement_keys}
    for key, level in targets.items():
        if key not in known:
            raise ScoringError(f"Unknown category or requirement key {key!r} in the targets.")
        _check_level(f"the target of {key}", level)
    evaluated = [c for c in model.categories if result.categories[c.key].value is not None]
    total_weight = sum(c.weight for c in evaluated)
    priorities: list[Priority] = []
    for category in evaluated:
        score = result.categories[category.key]
        share = Fraction(category.weight, total_weight)  # d(overall) / d(category value)
        target = targets.get(category.key, MAX_LEVEL)
        if score.value < target:
            priorities.append(
                Priority(category.key, "category", score.value, score.level, target, share * (target - score.value))
            )
        if answers.method != METHOD_FORMAL:
            continue
        assessed = [
            (r, answers.requirement_levels[r.key])
            for r in category.requirements
            if r.key not in result.not_applicable and r.key in answers.requirement_levels
        ]
        requirement_weight = sum(r.weight for r, _ in assessed)
        for requirement, level in assessed:
            requirement_target = targets.get(requirement.key, target)
            if level < requirement_target:
                gain = share * Fraction(requirement.weight, requirement_weight) * (requirement_target - level)
                priorities.append(
                    Priority(requirement.key, "requirement", Fraction(level), level, requirement_target, gain)
                )
    priorities.sort(key=lambda p: (-p.overall_gain, natural_key(p.key)))
    return priorities


# ---------------------------------------------------------------------------------------------------
# Conversions


def _float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def _fraction_text(value: Fraction | None) -> str | None:
    return None if value is None else f"{value.numerator}/{value.denominator}"


def _score_json(score: Score, level_names: Mapping[int, str] | None) -> dict[str, Any]:
    data: dict[str, Any] = {"value": score.as_float, "level": score.level}
    if level_names is not None:
        data["level_name"] = None if score.level is None else level_names.get(score.level)
        data["exact"] = _fraction_text(score.value)
    return data


def score_result_to_json(result: ScoreResult, level_names: Mapping[int, str] | None = None) -> dict[str, Any]:
    """The result as JSON-ready data; values are floats at full precision, None where there is no value.

    With ``level_names`` (the model version's names), each score also carries ``level_name`` and ``exact``,
    the exact value as a fraction ("10/3")."""
    return {
        "overall": _score_json(result.overall, level_names),
        "modules": {key: _score_json(score, level_names) for key, score in result.modules.items()},
        "categories": {key: _score_json(score, level_names) for key, score in result.categories.items()},
        "extensions": {
            ext_id: {
                "score": _float(ext.score),
                "level": ext.level,
                "floor": _float(ext.floor),
                "baseline_weighted": _float(ext.baseline_weighted),
                "categories": {key: _float(c.ext_level_c) for key, c in ext.categories.items()},
            }
            for ext_id, ext in result.extensions.items()
        },
    }


def model_spec_from_dict(data: Mapping[str, Any]) -> ModelSpec:
    """The scoring structure of a parsed model file (``pkimm-model-<version>.yaml``)."""
    try:
        modules = []
        categories = []
        for module in data["modules"]:
            module_id = str(module["id"])
            modules.append(module_id)
            for category in module.get("categories") or ():
                key = f"{module_id}.{category['id']}"
                requirements = tuple(
                    RequirementSpec(key=f"{key}.{r['id']}", weight=r["weight"])
                    for r in category.get("requirements") or ()
                )
                categories.append(CategorySpec(key, module_id, category["weight"], requirements))
    except (KeyError, TypeError) as error:
        raise ScoringError(f"The model data lacks a module, category or requirement field: {error}.") from None
    return ModelSpec(modules=tuple(modules), categories=tuple(categories))


def extension_spec_from_dict(data: Mapping[str, Any]) -> ExtensionSpec:
    """The scoring parts of a parsed extension file (relevance weights and overlays)."""

    def overlay(item: Mapping[str, Any]) -> Overlay:
        kind = item["type"]
        if kind not in OVERLAY_KINDS:
            raise ScoringError(f"Unknown overlay type {kind!r}.")
        return Overlay(kind, overlay_value(item[kind]))

    try:
        meta = data["extension"]
        relevance_weights = {}
        for module in (data.get("relevance") or {}).get("modules") or ():
            for category in module.get("categories") or ():
                relevance_weights[f"{module['id']}.{category['id']}"] = overlay_value(category["weight"])
        category_overlays = {}
        requirement_overlays = {}
        for module in (data.get("overlays") or {}).get("modules") or ():
            for category in module.get("categories") or ():
                key = f"{module['id']}.{category['id']}"
                if "type" in category:
                    category_overlays[key] = overlay(category)
                for requirement in category.get("requirements") or ():
                    requirement_overlays[f"{key}.{requirement['id']}"] = overlay(requirement)
        return ExtensionSpec(
            ext_id=str(meta["id"]),
            floor_score=bool(meta.get("floorScore", False)),
            relevance_weights=relevance_weights,
            category_overlays=category_overlays,
            requirement_overlays=requirement_overlays,
        )
    except (KeyError, TypeError) as error:
        raise ScoringError(f"The extension data lacks a field: {error}.") from None
