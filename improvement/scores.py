"""Baseline scores of many assessments at once (trend, comparison, portfolio), in a fixed number of queries.

``assessments.selectors_scores`` loads one assessment; pages that show many assessments would repeat its queries
per assessment. Here every table is read once for all of them (catalogue rows for all their model
versions, then applicability and answers), and the engine scores each one. Extensions are left out:
they never change the baseline values these pages show.
"""

from collections import defaultdict

from assessments.models import Applicability, CategoryAnswer, RequirementAnswer
from assessments.selectors_scores import ENGINE_METHODS
from catalog.models import AssessmentProfile
from catalog.readmodel import Catalogue, catalogues_for
from scoring.engine import METHOD_SELF, ROUNDING_FLOOR, AnswerSet, ScoreResult, score_assessment


def _levels(answer_model, key_field, organization_ids, assessment_ids) -> dict[int, dict[str, int]]:
    """Assessment id -> {requirement or category key: level} of the answers that have a level."""
    levels: dict[int, dict[str, int]] = defaultdict(dict)
    rows = answer_model.objects.filter(
        organization_id__in=organization_ids, assessment_id__in=assessment_ids, level__isnull=False
    ).values_list("assessment_id", key_field, "level")
    for assessment_id, key, level in rows:
        levels[assessment_id][key] = level
    return levels


def baseline_scores(assessments, *, catalogues: dict[int, Catalogue] | None = None) -> dict[int, ScoreResult]:
    """Assessment id -> baseline ScoreResult, for assessments of any organizations the caller may see."""
    assessments = list(assessments)
    if not assessments:
        return {}
    if catalogues is None:
        catalogues = catalogues_for(a.model_version_id for a in assessments)
    ids = [a.pk for a in assessments]
    organization_ids = {a.organization_id for a in assessments}
    not_applicable: dict[int, set[str]] = defaultdict(set)
    applicability = Applicability.objects.filter(
        organization_id__in=organization_ids, assessment_id__in=ids, level=Applicability.Level.NOT_APPLICABLE
    )
    for assessment_id, key in applicability.values_list("assessment_id", "key"):
        not_applicable[assessment_id].add(key)
    requirement_levels = _levels(RequirementAnswer, "requirement__key", organization_ids, ids)
    category_levels = _levels(CategoryAnswer, "category__key", organization_ids, ids)

    profile_ids = {assessment.profile_id for assessment in assessments if assessment.profile_id}
    roundings = (
        {profile.pk: profile.rounding for profile in AssessmentProfile.objects.filter(pk__in=profile_ids)}
        if profile_ids
        else {}
    )
    scores = {}
    for assessment in assessments:
        method = ENGINE_METHODS[assessment.method]
        answers = AnswerSet(
            method=method,
            requirement_levels={} if method == METHOD_SELF else requirement_levels[assessment.pk],
            category_levels=category_levels[assessment.pk] if method == METHOD_SELF else {},
            not_applicable=frozenset(not_applicable[assessment.pk]),
        )
        scores[assessment.pk] = score_assessment(
            catalogues[assessment.model_version_id].model_spec,
            answers,
            rounding=roundings.get(assessment.profile_id, ROUNDING_FLOOR),
        )
    return scores
