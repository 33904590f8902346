"""Reads for the questionnaire: scope (applicability), the overview and one category page.

Every page selector fetches what it shows in a fixed number of queries, whatever the number of
requirements, answers, comments or evidence items (tests check this with query counts).
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from assessments.models import (
    Applicability,
    Assignment,
    CategoryAnswer,
    CategoryReview,
    Comment,
    Evidence,
    ExtensionAnswer,
    Flag,
    RequirementAnswer,
)
from audit.models import AuditEntry
from catalog.models import Category, ExtensionRelevance, Module, Requirement

# ---------------------------------------------------------------------------------------------
# Applicability (scope). Shared with the scoping and workflow code.
# ---------------------------------------------------------------------------------------------


def applicability_map(*, assessment) -> dict[str, str]:
    """Scope decisions by key ("G", "G.1", "G.1.1") -> Applicability.Level. A key without a row is applicable."""
    return dict(
        Applicability.objects.for_org(assessment.organization_id)
        .filter(assessment=assessment)
        .values_list("key", "level")
    )


def _ancestor_keys(key: str) -> list[str]:
    """ "G.1.1" -> ["G", "G.1", "G.1.1"]: a decision on a module or category applies to everything below it."""
    parts = key.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def effective_applicability(amap: dict[str, str], key: str) -> str:
    """The most restrictive decision on the key or any of its ancestors."""
    levels = {amap.get(k) for k in _ancestor_keys(key)}
    if Applicability.Level.NOT_APPLICABLE in levels:
        return Applicability.Level.NOT_APPLICABLE
    if Applicability.Level.PARTIAL in levels:
        return Applicability.Level.PARTIAL
    return Applicability.Level.APPLICABLE


def is_applicable(amap: dict[str, str], key: str) -> bool:
    """True unless the key (requirement, category or module) or one of its ancestors is Not applicable."""
    return effective_applicability(amap, key) != Applicability.Level.NOT_APPLICABLE


# ---------------------------------------------------------------------------------------------
# Questionnaire pages
# ---------------------------------------------------------------------------------------------


def history_object_id(assessment, key: str) -> str:
    """The audit log's object_id of an answer: "<assessment id>:<requirement or category key>".

    Stable across the answer row's life (it exists before the first save), so a requirement's
    change history is one indexed lookup. Extension answers use "<assessment id>:<ext_id>:<category key>".
    """
    return f"{assessment.pk}:{key}"


def answer_history(*, assessment, key: str, object_type: str) -> list[AuditEntry]:
    """Every change of one answer, newest first (who, when, before and after)."""
    return list(
        AuditEntry.objects.for_org(assessment.organization_id).filter(
            object_type=object_type, object_id=history_object_id(assessment, key), action="answer.changed"
        )
    )


def category_for_key_or_none(*, assessment, key: str):
    return (
        Category.objects.select_related("module").filter(model_version_id=assessment.model_version_id, key=key).first()
    )


def requirement_for_key_or_none(*, assessment, key: str):
    return (
        Requirement.objects.select_related("category")
        .filter(model_version_id=assessment.model_version_id, key=key)
        .first()
    )


@dataclass
class RequirementItem:
    requirement: Requirement
    applicability: str
    answer: RequirementAnswer | None
    comments: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    flag: Flag | None = None
    assignment: Assignment | None = None

    @property
    def applicable(self) -> bool:
        return self.applicability != Applicability.Level.NOT_APPLICABLE


@dataclass
class RelevanceItem:
    relevance: ExtensionRelevance
    answer: ExtensionAnswer | None


@dataclass
class CategoryPageData:
    category: Category
    applicability: str
    items: list[RequirementItem]
    category_answer: CategoryAnswer | None
    category_comments: list
    category_evidence: list
    category_flag: Flag | None
    category_assignment: Assignment | None
    review: CategoryReview | None
    relevances: list[RelevanceItem]
    previous_category: Category | None
    next_category: Category | None

    @property
    def locked(self) -> bool:
        return self.review is not None and self.review.status == CategoryReview.Status.ACCEPTED


def category_page_data(*, assessment, category, user=None) -> CategoryPageData:
    """Everything one category page shows, in a fixed number of queries."""
    org_id = assessment.organization_id
    amap = applicability_map(assessment=assessment)
    requirements = list(Requirement.objects.filter(category=category).order_by("position"))
    req_ids = [r.pk for r in requirements]
    target = Q(requirement_id__in=req_ids) | Q(category=category)

    answers = {
        a.requirement_id: a
        for a in RequirementAnswer.objects.for_org(org_id)
        .filter(assessment=assessment, requirement_id__in=req_ids)
        .select_related("updated_by")
    }
    comments_by, evidence_by = defaultdict(list), defaultdict(list)
    for comment in Comment.objects.for_org(org_id).filter(target, assessment=assessment).select_related("author"):
        comments_by[comment.requirement_id].append(comment)
    for item in Evidence.objects.for_org(org_id).filter(target, assessment=assessment).select_related("uploaded_by"):
        evidence_by[item.requirement_id].append(item)
    flags = {
        f.requirement_id: f
        for f in Flag.objects.for_org(org_id)
        .filter(target, assessment=assessment, resolved_at=None)
        .select_related("raised_by")
        .order_by("created_at")
    }
    assignments = {
        a.requirement_id: a
        for a in Assignment.objects.for_org(org_id).filter(target, assessment=assessment).select_related("assignee")
    }
    review = CategoryReview.objects.for_org(org_id).filter(assessment=assessment, category=category).first()
    category_answer = None
    if not assessment.is_formal:
        category_answer = (
            CategoryAnswer.objects.for_org(org_id)
            .filter(assessment=assessment, category=category)
            .select_related("updated_by")
            .first()
        )
    relevances = _relevances(assessment=assessment, category=category)
    siblings = list(
        Category.objects.filter(model_version_id=assessment.model_version_id).order_by("position").only("key", "name")
    )
    index = next(i for i, c in enumerate(siblings) if c.pk == category.pk)

    items = [
        RequirementItem(
            requirement=r,
            applicability=effective_applicability(amap, r.key),
            answer=answers.get(r.pk),
            comments=comments_by.get(r.pk, []),
            evidence=evidence_by.get(r.pk, []),
            flag=flags.get(r.pk),
            assignment=assignments.get(r.pk),
        )
        for r in requirements
    ]
    return CategoryPageData(
        category=category,
        applicability=effective_applicability(amap, category.key),
        items=items,
        category_answer=category_answer,
        category_comments=comments_by.get(None, []),
        category_evidence=evidence_by.get(None, []),
        category_flag=flags.get(None),
        category_assignment=assignments.get(None),
        review=review,
        relevances=relevances,
        previous_category=siblings[index - 1] if index > 0 else None,
        next_category=siblings[index + 1] if index + 1 < len(siblings) else None,
    )


def _relevances(*, assessment, category) -> list[RelevanceItem]:
    """Relevance questions of the extensions enabled on the assessment that cover this category."""
    relevances = list(
        ExtensionRelevance.objects.filter(
            extension__in=assessment.extensions.all(), category_key=category.key
        ).select_related("extension")
    )
    if not relevances:
        return []
    answers = {
        a.extension_id: a
        for a in ExtensionAnswer.objects.for_org(assessment.organization_id)
        .filter(assessment=assessment, category_key=category.key)
        .select_related("updated_by")
    }
    return [RelevanceItem(relevance=r, answer=answers.get(r.extension_id)) for r in relevances]


@dataclass
class CategoryProgress:
    category: Category
    applicability: str
    applicable: int  # requirements in scope (formal) or 1/0 (self-assessment)
    answered: int
    assignee: object | None
    due_date: object | None
    review_status: str | None
    review_label: str
    flagged: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.applicable) if self.applicable else 0


@dataclass
class ModuleProgress:
    module: Module
    categories: list[CategoryProgress]

    @property
    def applicable(self) -> int:
        return sum(c.applicable for c in self.categories)

    @property
    def answered(self) -> int:
        return sum(c.answered for c in self.categories)

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.applicable) if self.applicable else 0


@dataclass
class QuestionnaireOverview:
    modules: list[ModuleProgress]
    assigned_to_me: list[Assignment]
    flags: list[Flag]
    answered: int
    applicable: int


def questionnaire_overview(*, assessment, user) -> QuestionnaireOverview:
    """Progress per module and category (answered / applicable), assignees, reviews, flags; fixed queries."""
    org_id = assessment.organization_id
    amap = applicability_map(assessment=assessment)
    modules = list(Module.objects.filter(model_version_id=assessment.model_version_id).order_by("position"))
    categories = list(Category.objects.filter(model_version_id=assessment.model_version_id).order_by("position"))
    categories_by_id = {c.pk: c for c in categories}

    applicable = Counter()
    answered = Counter()
    if assessment.is_formal:
        req_keys = Requirement.objects.filter(model_version_id=assessment.model_version_id).values_list(
            "pk", "category_id", "key"
        )
        in_scope = set()
        for pk, category_id, key in req_keys:
            if is_applicable(amap, key):
                applicable[category_id] += 1
                in_scope.add(pk)
        for requirement_id, category_id in (
            RequirementAnswer.objects.for_org(org_id)
            .filter(assessment=assessment, level__isnull=False)
            .values_list("requirement_id", "requirement__category_id")
        ):
            if requirement_id in in_scope:
                answered[category_id] += 1
    else:
        for c in categories:
            applicable[c.pk] = 1 if is_applicable(amap, c.key) else 0
        for category_id in (
            CategoryAnswer.objects.for_org(org_id)
            .filter(assessment=assessment, level__isnull=False)
            .values_list("category_id", flat=True)
        ):
            answered[category_id] += applicable[category_id]

    assignments = list(
        Assignment.objects.for_org(org_id)
        .filter(assessment=assessment)
        .select_related("assignee", "category", "requirement")
        .order_by("due_date", "id")
    )
    category_assignments = {a.category_id: a for a in assignments if a.requirement_id is None}
    reviews = {r.category_id: r for r in CategoryReview.objects.for_org(org_id).filter(assessment=assessment)}
    flags = list(
        Flag.objects.for_org(org_id)
        .filter(assessment=assessment, resolved_at=None)
        .select_related("raised_by", "requirement__category", "category")
        .order_by("created_at")
    )
    flagged = Counter()
    for flag in flags:
        flagged[flag.requirement.category_id if flag.requirement_id else flag.category_id] += 1

    progress_by_module = defaultdict(list)
    for c in categories:
        assignment = category_assignments.get(c.pk)
        review = reviews.get(c.pk)
        progress_by_module[c.module_id].append(
            CategoryProgress(
                category=c,
                applicability=effective_applicability(amap, c.key),
                applicable=applicable[c.pk],
                answered=answered[c.pk],
                assignee=assignment.assignee if assignment else None,
                due_date=assignment.due_date if assignment else None,
                review_status=review.status if review else None,
                review_label=review.get_status_display() if review else "",
                flagged=flagged[c.pk],
            )
        )
    mine = [a for a in assignments if a.assignee_id == getattr(user, "pk", None)]
    for a in mine:  # the template links to the category of a single-requirement assignment too
        a.target_category = categories_by_id.get(a.category_id or a.requirement.category_id)
    return QuestionnaireOverview(
        modules=[ModuleProgress(module=m, categories=progress_by_module[m.pk]) for m in modules],
        assigned_to_me=mine,
        flags=flags,
        answered=sum(answered.values()),
        applicable=sum(applicable.values()),
    )
