"""Rows for showing an ``AssessmentResults``: the results page and the PDF reports use the same ones."""

from dataclasses import dataclass, replace
from fractions import Fraction

from assessments.selectors_scores import AssessmentResults
from results.charts import NOT_APPLICABLE
from scoring.engine import ExtensionResult, Priority, Score, format_value
from scoring.levels import LEVELS, MaturityLevel

TOP_PRIORITIES = 10


@dataclass(frozen=True)
class ScoreRow:
    kind: str  # "module" | "category"
    key: str
    name: str
    weight: int | None  # categories only; a module has no weight of its own
    score: Score
    not_applicable: bool
    partially_applicable: bool

    @property
    def label(self) -> str:
        return f"{self.key} {self.name}"

    @property
    def progress_percents(self) -> list[int]:
        return [round(part * 100) for part in self.score.progress]

    @property
    def completeness(self) -> str:
        stats = self.score.stats
        return f"{stats.assessed} of {stats.applicable}"


@dataclass(frozen=True)
class PriorityRow:
    priority: Priority
    name: str

    @property
    def current(self) -> str:
        # A requirement's answer is a whole level; a category's value is an average.
        if self.priority.kind == "requirement":
            return str(self.priority.current_level)
        return format_value(self.priority.current_value)

    @property
    def gain(self) -> str:
        return format_value(self.priority.overall_gain)


@dataclass(frozen=True)
class ExtensionCategoryRow:
    key: str
    name: str
    level_c: str
    relevance_level: int | None
    ext_level_c: str
    effective_weight: str
    has_relevance: bool


@dataclass(frozen=True)
class ExtensionCard:
    name: str
    version: str
    documentation_url: str
    result: ExtensionResult
    floor_enabled: bool
    categories: list[ExtensionCategoryRow]

    @property
    def score(self) -> str:
        return format_value(self.result.score)

    @property
    def floor(self) -> str:
        return format_value(self.result.floor)

    @property
    def baseline_weighted(self) -> str:
        return format_value(self.result.baseline_weighted)


def overall_level(results: AssessmentResults) -> MaturityLevel | None:
    """The overall level with the general indicators and risks, named as the assessment's model version names it."""
    level = results.result.overall.level
    item = next((item for item in LEVELS if item.number == level), None)
    if item is None:
        return None
    return replace(item, name=results.assessment.model_version.level_name_map[level])


@dataclass(frozen=True)
class DistributionRow:
    level: int | None  # None for the "not applicable" and "not assessed" rows
    label: str
    count: int
    percent: int  # bar length, relative to the largest count


def level_distribution(results: AssessmentResults) -> list[DistributionRow]:
    """How many requirements (formal) or categories (self) sit at each level, are N/A or not assessed."""
    stats = results.result.overall.stats
    names = results.assessment.model_version.level_name_map
    counts = [(level.number, f"{level.number} {names[level.number]}", stats.at_level[level.number]) for level in LEVELS]
    counts += [(None, "Not applicable", stats.not_applicable), (None, "Not assessed", stats.not_assessed)]
    largest = max(count for _, _, count in counts)
    return [
        DistributionRow(level, label, count, round(100 * count / largest) if largest else 0)
        for level, label, count in counts
    ]


def score_rows(results: AssessmentResults) -> list[ScoreRow]:
    """Each module followed by its categories, in model order."""
    result = results.result
    rows = []
    for module in results.catalogue.modules:
        rows.append(
            ScoreRow(
                kind="module",
                key=module.code,
                name=module.name,
                weight=None,
                score=result.modules[module.code],
                not_applicable=module.code in result.not_applicable,
                partially_applicable=module.code in results.partially_applicable,
            )
        )
        rows.extend(
            ScoreRow(
                kind="category",
                key=category.key,
                name=category.name,
                weight=category.weight,
                score=result.categories[category.key],
                not_applicable=category.key in result.not_applicable,
                partially_applicable=category.key in results.partially_applicable,
            )
            for category in results.catalogue.categories
            if category.module_id == module.pk
        )
    return rows


def _note(results: AssessmentResults, key: str) -> str:
    return NOT_APPLICABLE if key in results.result.not_applicable else ""


def radar_items(results: AssessmentResults) -> list[tuple[str, Fraction | None, str]]:
    """(label, value, note) per category; note "N/A" marks a not-applicable category (a gap, never 0)."""
    return [
        (f"{c.key} {c.name}", results.result.categories[c.key].value, _note(results, c.key))
        for c in results.catalogue.categories
    ]


def module_bar_items(results: AssessmentResults) -> list[tuple[str, Fraction | None, str]]:
    return [
        (f"{m.code} {m.name}", results.result.modules[m.code].value, _note(results, m.code))
        for m in results.catalogue.modules
    ]


def priority_rows(results: AssessmentResults, *, limit: int = TOP_PRIORITIES) -> dict[str, list[PriorityRow]]:
    """The ``limit`` largest gains to the overall value, for categories and (formal) requirements apart."""
    names = {c.key: c.name for c in results.catalogue.categories}
    names.update((r.key, r.title) for r in results.catalogue.requirements)
    grouped: dict[str, list[PriorityRow]] = {"category": [], "requirement": []}
    for priority in results.priorities:
        rows = grouped[priority.kind]
        if len(rows) < limit:
            rows.append(PriorityRow(priority, names.get(priority.key, "")))
    return grouped


def extension_cards(results: AssessmentResults) -> list[ExtensionCard]:
    names = {c.key: c.name for c in results.catalogue.categories}
    cards = []
    for enabled in results.extensions:
        extension = enabled.extension
        result = results.result.extensions[extension.ext_id]
        relevance_keys = enabled.input.spec.relevance_weights
        cards.append(
            ExtensionCard(
                name=extension.name,
                version=extension.version,
                documentation_url=extension.documentation_url,
                result=result,
                floor_enabled=extension.floor_score,
                categories=[
                    ExtensionCategoryRow(
                        key=key,
                        name=names.get(key, ""),
                        level_c=format_value(category.level_c),
                        relevance_level=category.relevance_level,
                        ext_level_c=format_value(category.ext_level_c),
                        effective_weight=format_value(category.effective_weight),
                        has_relevance=key in relevance_keys,
                    )
                    for key, category in result.categories.items()
                ],
            )
        )
    return cards
