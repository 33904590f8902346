"""Reads that turn an assessment's rows into scores, via the pure engine in ``scoring.engine``.

Every selector loads what it needs in a fixed number of queries (one per table, never one per answer),
so the results page, the dashboards and the reports cost the same however much has been answered.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from django.db.models import Prefetch

from assessments.models import Applicability, Assessment, CategoryAnswer, ExtensionAnswer, RequirementAnswer
from catalog.models import Extension, ExtensionRelevance
from catalog.readmodel import Catalogue, catalogue_for, scoring_model_for
from core.sql import Branch, union_all_rows, union_all_sql
from scoring.engine import (
    METHOD_FORMAL,
    METHOD_SELF,
    ROUNDING_FLOOR,
    AnswerSet,
    ExtensionInput,
    ExtensionSpec,
    ModelSpec,
    Overlay,
    Priority,
    ScoreResult,
    improvement_priorities,
    overlay_value,
    score_assessment,
)

ENGINE_METHODS = {
    Assessment.Method.SELF: METHOD_SELF,
    Assessment.Method.FORMAL: METHOD_FORMAL,
    Assessment.Method.THIRD_PARTY: METHOD_FORMAL,  # a formal assessment by an outside party
}


@dataclass(frozen=True)
class EnabledExtension:
    extension: Extension
    input: ExtensionInput


@dataclass(frozen=True)
class AssessmentResults:
    """Everything the results page and the reports show, loaded once."""

    assessment: Assessment
    catalogue: Catalogue
    model: ModelSpec
    answers: AnswerSet
    extensions: list[EnabledExtension]
    result: ScoreResult
    partially_applicable: frozenset[str] = field(default_factory=frozenset)

    @property
    def priorities(self) -> list[Priority]:
        return improvement_priorities(self.model, self.answers, self.result)


def _scope_sets(pairs) -> tuple[frozenset[str], frozenset[str]]:
    """(not applicable keys, partially applicable keys) of (key, level) scope decisions."""
    not_applicable, partial = set(), set()
    for key, level in pairs:
        if level == Applicability.Level.NOT_APPLICABLE:
            not_applicable.add(key)
        elif level == Applicability.Level.PARTIAL:
            partial.add(key)
    return frozenset(not_applicable), frozenset(partial)


def _applicability(assessment) -> tuple[frozenset[str], frozenset[str]]:
    """(not applicable keys, partially applicable keys) as scoped; no row means applicable."""
    rows = Applicability.objects.for_org(assessment.organization_id).filter(assessment=assessment)
    return _scope_sets(rows.values_list("key", "level"))


def answers_scored_per_category(assessment) -> bool:
    """Whether the engine scores this assessment's category answers (self-assessment) or its requirement answers."""
    return ENGINE_METHODS[assessment.method] == METHOD_SELF


def _answer_set_of(assessment, levels: dict[str, int], not_applicable: frozenset[str]) -> AnswerSet:
    """The engine's answers: ``levels`` by category key (self-assessment) or requirement key (formal)."""
    method = ENGINE_METHODS[assessment.method]
    if method == METHOD_SELF:
        return AnswerSet(method=method, category_levels=levels, not_applicable=not_applicable)
    return AnswerSet(method=method, requirement_levels=levels, not_applicable=not_applicable)


def _answer_set(assessment, not_applicable: frozenset[str]) -> AnswerSet:
    answer_model, key = (
        (CategoryAnswer, "category__key")
        if answers_scored_per_category(assessment)
        else (RequirementAnswer, "requirement__key")
    )
    rows = answer_model.objects.for_org(assessment.organization_id).filter(assessment=assessment, level__isnull=False)
    return _answer_set_of(assessment, dict(rows.values_list(key, "level")), not_applicable)


def extension_spec_for(extension: Extension) -> ExtensionSpec:
    """The scoring parts of an imported extension (relevances and overlays must be prefetched)."""
    category_overlays, requirement_overlays = {}, {}
    for overlay in extension.overlays.all():
        overlays = category_overlays if overlay.item_kind == overlay.ItemKind.CATEGORY else requirement_overlays
        overlays[overlay.item_key] = Overlay(overlay.kind, overlay_value(overlay.value))
    return ExtensionSpec(
        ext_id=extension.ext_id,
        floor_score=extension.floor_score,
        relevance_weights={r.category_key: overlay_value(r.weight) for r in extension.relevances.all()},
        category_overlays=category_overlays,
        requirement_overlays=requirement_overlays,
    )


def _enabled_extensions(assessment, answer_rows=None) -> list[EnabledExtension]:
    """At most four queries: the extensions, their relevances and overlays, and the relevance answers (unless
    ``answer_rows`` gives them: (extension id, category key, level) of every relevance answer)."""
    version = assessment.model_version.version
    extensions = [
        extension
        for extension in assessment.extensions.prefetch_related(
            # Scoring needs the weights only, not the question texts.
            Prefetch("relevances", queryset=ExtensionRelevance.objects.only("extension_id", "category_key", "weight")),
            "overlays",
        ).order_by("ext_id", "version")
        # Enabling checks compatibility; this only guards against rows changed behind the service's back.
        if extension.is_compatible_with(version)
    ]
    if not extensions:
        return []
    levels: dict[int, dict[str, int]] = {extension.pk: {} for extension in extensions}
    if answer_rows is None:
        answer_rows = (
            ExtensionAnswer.objects.for_org(assessment.organization_id)
            .filter(assessment=assessment, extension__in=extensions, level__isnull=False)
            .values_list("extension_id", "category_key", "level")
        )
    for extension_id, category_key, level in answer_rows:
        if extension_id in levels and level is not None:
            levels[extension_id][category_key] = level
    enabled = []
    for extension in extensions:
        spec = extension_spec_for(extension)
        # An answer to a question the extension no longer asks is ignored rather than refused.
        relevance_levels = {key: level for key, level in levels[extension.pk].items() if key in spec.relevance_weights}
        enabled.append(EnabledExtension(extension, ExtensionInput(spec=spec, relevance_levels=relevance_levels)))
    return enabled


def scoring_input_for(*, assessment) -> tuple[ModelSpec, AnswerSet, list[ExtensionInput]]:
    """The engine's inputs for ``assessment``, from the database in a constant number of queries."""
    not_applicable, _ = _applicability(assessment)
    model = catalogue_for(model_version_id=assessment.model_version_id).model_spec
    answers = _answer_set(assessment, not_applicable)
    return model, answers, [enabled.input for enabled in _enabled_extensions(assessment)]


def assessment_score(*, assessment) -> ScoreResult:
    model, answers, extensions = scoring_input_for(assessment=assessment)
    return score_assessment(model, answers, extensions, rounding=assessment_rounding(assessment=assessment))


def assessment_score_of_rows(*, assessment, scope, levels: dict[str, int], extension_answers) -> ScoreResult:
    """``assessment_score`` from rows read already (``selectors_read.AssessmentRead``): ``scope`` as (key, level)
    pairs, ``levels`` the answered levels by key (``answers_scored_per_category`` says which kind), and
    ``extension_answers`` as (extension id, category key, level)."""
    not_applicable, _ = _scope_sets(scope)
    model = catalogue_for(model_version_id=assessment.model_version_id).model_spec
    answers = _answer_set_of(assessment, levels, not_applicable)
    extensions = [enabled.input for enabled in _enabled_extensions(assessment, extension_answers)]
    return score_assessment(model, answers, extensions, rounding=assessment_rounding(assessment=assessment))


def assessment_rounding(*, assessment) -> str:
    """The assessment profile's rounding (floor, round or ceil); the primer's floor without a profile."""
    return assessment.profile.rounding if assessment.profile_id else ROUNDING_FLOOR


def assessment_baseline_score(*, assessment) -> ScoreResult:
    """The score without extensions (they never change the baseline): for summaries and dashboards.

    Every answer save runs it: one query (scope decisions and answered levels together) once this
    process has the model. Measured gain (``bench/raw_sql.py``, PostgreSQL, 78 answers, load 22 on 2 cores):
    2.02 ms CPU per call, scoring included, against 4.40 ms with two ORM queries (2.2x; wall 25 vs 47 ms).
    """
    model = scoring_model_for(model_version=assessment.model_version)
    method = ENGINE_METHODS[assessment.method]
    answered_column, keys = (
        ("category_id", model.category_keys) if method == METHOD_SELF else ("requirement_id", model.requirement_keys)
    )
    answer_table = (CategoryAnswer if method == METHOD_SELF else RequirementAnswer)._meta.db_table
    tenant = "t.organization_id = %(organization_id)s AND t.assessment_id = %(assessment_id)s"
    sql = union_all_sql(
        columns={"not_applicable_key": "text", "answered_id": "bigint", "level": "integer"},
        branches=[
            Branch(
                "scope",
                f"{Applicability._meta.db_table} t",
                f"{tenant} AND t.level = %(not_applicable)s",
                {"not_applicable_key": "t.key"},
            ),
            Branch(
                "answer",
                f"{answer_table} t",
                f"{tenant} AND t.level IS NOT NULL",
                {"answered_id": f"t.{answered_column}", "level": "t.level"},
            ),
        ],
    )
    params = {
        "organization_id": assessment.organization_id,
        "assessment_id": assessment.pk,
        "not_applicable": Applicability.Level.NOT_APPLICABLE,
    }
    not_applicable, levels = set(), {}
    for row in union_all_rows(sql, params):
        if row["kind"] == "scope":
            not_applicable.add(row["not_applicable_key"])
        else:
            levels[keys[row["answered_id"]]] = row["level"]
    if method == METHOD_SELF:
        answers = AnswerSet(method=method, category_levels=levels, not_applicable=not_applicable)
    else:
        answers = AnswerSet(method=method, requirement_levels=levels, not_applicable=not_applicable)
    return score_assessment(model.spec, answers, rounding=assessment_rounding(assessment=assessment))


SUMMARY_PLACES = Decimal("0.000001")  # Assessment.summary_overall_value has 6 decimal places


def fraction_to_decimal(value, places: Decimal = SUMMARY_PLACES) -> Decimal | None:
    """An exact fraction as a Decimal rounded half up to ``places``; None stays None."""
    if value is None:
        return None
    with localcontext() as context:
        context.prec = 40
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(places, rounding=ROUND_HALF_UP)


def assessment_summary_values(*, assessment) -> dict:
    """The summary columns of ``assessment`` as computed from its answers and scope now."""
    result = assessment_baseline_score(assessment=assessment)
    return {
        "summary_assessed": result.completeness.assessed,
        "summary_applicable": result.completeness.applicable,
        "summary_overall_value": fraction_to_decimal(result.overall.value),
        "summary_overall_level": result.overall.level,
    }


def assessment_with_current_summary(*, assessment):
    """``assessment`` with its summary current: a stored summary behind the latest save (its deferred refresh
    not run yet) is computed on read for this page, not stored."""
    if not assessment.summary_is_current:
        for name, value in assessment_summary_values(assessment=assessment).items():
            setattr(assessment, name, value)
    return assessment


def assessment_improvements(*, assessment, result: ScoreResult | None = None, targets=None) -> list[Priority]:
    """What to improve first, by exact gain of the overall value; ``targets`` maps keys to target levels."""
    model, answers, extensions = scoring_input_for(assessment=assessment)
    if result is None:
        result = score_assessment(model, answers, extensions, rounding=assessment_rounding(assessment=assessment))
    return improvement_priorities(model, answers, result, targets)


def assessment_results(*, assessment) -> AssessmentResults:
    """Scores plus the catalogue rows and enabled extensions to show them, for pages and reports."""
    not_applicable, partial = _applicability(assessment)
    catalogue = catalogue_for(model_version_id=assessment.model_version_id)
    model = catalogue.model_spec
    answers = _answer_set(assessment, not_applicable)
    extensions = _enabled_extensions(assessment)
    return AssessmentResults(
        assessment=assessment,
        catalogue=catalogue,
        model=model,
        answers=answers,
        extensions=extensions,
        result=score_assessment(
            model,
            answers,
            [enabled.input for enabled in extensions],
            rounding=assessment_rounding(assessment=assessment),
        ),
        partially_applicable=partial,
    )
