"""One read of an assessment's own facts, and the score JSON: a projection of it.

Three JSON documents show one assessment: the sign-off snapshot (``services/snapshot.py``), the exchange document
(``exchange/export.py``) and the score JSON (``score_json``: results page, API, ``score_assessment --json``).
They read the same facts (scope decisions, answers, relevance answers, enabled extensions, use cases, evidence
and the scores of them) through ``AssessmentRead``, each fact read once, in one place, when a projection first
asks for it: the score JSON reads what scoring needs, a sign-off reads the facts once for both the snapshot and
the exchange document frozen beside it. What only one document carries (the exchange format's comments,
assignments, flags, reviews, sign-offs and target levels) stays with that document's projection.
"""

from functools import cached_property

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    Evidence,
    ExtensionAnswer,
    RequirementAnswer,
    UseCase,
)
from assessments.selectors_scores import answers_scored_per_category, assessment_score_of_rows
from scoring.engine import ScoreResult, score_result_to_json


class AssessmentRead:
    """The facts of ``assessment`` (with its model version), read on first use and then kept."""

    def __init__(self, assessment: Assessment):
        self.assessment = assessment

    def _rows(self, model):
        return model.objects.for_org(self.assessment.organization_id).filter(assessment=self.assessment)

    @cached_property
    def scope(self) -> list[Applicability]:
        """Scope decisions (a key without one is applicable), with who made them."""
        return list(self._rows(Applicability).select_related("updated_by"))

    @cached_property
    def requirement_answers(self) -> list[RequirementAnswer]:
        return list(self._rows(RequirementAnswer).select_related("requirement", "updated_by"))

    @cached_property
    def category_answers(self) -> list[CategoryAnswer]:
        return list(self._rows(CategoryAnswer).select_related("category", "updated_by"))

    @cached_property
    def extension_answers(self) -> list[ExtensionAnswer]:
        """Answers to the extensions' relevance questions (of enabled extensions and of others answered before)."""
        return list(self._rows(ExtensionAnswer).select_related("extension", "updated_by"))

    @cached_property
    def extensions(self) -> list:
        """The extensions enabled on the assessment, by id and version."""
        return list(self.assessment.extensions.order_by("ext_id", "version"))

    @cached_property
    def use_cases(self) -> list[UseCase]:
        return list(self._rows(UseCase).order_by("position", "id"))

    @cached_property
    def evidence(self) -> list[Evidence]:
        """Evidence in the order it was added, with the item it belongs to and who added it."""
        return list(
            self._rows(Evidence).select_related("category", "requirement", "uploaded_by").order_by("created_at", "id")
        )

    @cached_property
    def score(self) -> ScoreResult:
        """The scores (with every enabled extension) of the answers and scope above, as ``assessment_score``."""
        if answers_scored_per_category(self.assessment):
            levels = {a.category.key: a.level for a in self.category_answers if a.level is not None}
        else:
            levels = {a.requirement.key: a.level for a in self.requirement_answers if a.level is not None}
        return assessment_score_of_rows(
            assessment=self.assessment,
            scope=[(row.key, row.level) for row in self.scope],
            levels=levels,
            extension_answers=[(a.extension_id, a.category_key, a.level) for a in self.extension_answers],
        )


def score_json(read: AssessmentRead, *, level_names=None) -> dict:
    """The score JSON: overall, modules, categories and extensions, values at full precision
    (``scoring.engine.score_result_to_json``); with ``level_names``, each level's name too."""
    return score_result_to_json(read.score, level_names)
