"""Reads behind scoping, review and sign-off: the effective scope and what is still open.

Scope rule (primer, section 3): no Applicability row means applicable; a module or category marked
not applicable makes everything below it not applicable, whatever the rows below say. Partially
applicable does not cascade: it is a note on that item, which is scored like an applicable one.
"""

from dataclasses import dataclass, field

from django.db.models import Q

from assessments.models import (
    Applicability,
    Assessment,
    Assignment,
    CategoryAnswer,
    CategoryReview,
    Evidence,
    RequirementAnswer,
    SignOff,
    UseCase,
)
from assessments.selectors import is_applicable
from audit.labels import action_label, changes
from audit.models import AuditEntry
from catalog.models import Category, Module, Requirement
from organizations.tenancy import tenant_get_or_404

Level = Applicability.Level


@dataclass
class ScopeItem:
    """One row of the applicability matrix: a module, a category or a requirement."""

    kind: str  # "module", "category", "requirement"
    key: str
    name: str
    object: object
    own_level: str = Level.APPLICABLE  # as set on this item
    reason: str = ""
    level: str = Level.APPLICABLE  # effective, after the cascade
    inherited_from: str = ""  # the module or category key that made this item not applicable
    children: list = field(default_factory=list)
    version: int = 0  # of the decision (level and reason), for the conflict check of the matrix
    changed_by_id: int | None = None
    changed_by_label: str = ""

    @property
    def applicable(self) -> bool:
        return self.level != Level.NOT_APPLICABLE


@dataclass
class ScopeTree:
    modules: list[ScopeItem]
    items: dict[str, ScopeItem]  # every key of the model version

    def rows(self):
        """Modules, categories and requirements in model order, for the matrix table."""
        for module in self.modules:
            yield module
            for category in module.children:
                yield category
                yield from category.children

    def categories(self):
        for module in self.modules:
            yield from module.children

    def requirements(self):
        for category in self.categories():
            yield from category.children


def model_structure(*, model_version):
    """Modules, categories and requirements of a model version in three queries."""
    modules = list(Module.objects.filter(model_version=model_version).order_by("position"))
    categories = list(Category.objects.filter(model_version=model_version).order_by("position"))
    requirements = list(
        Requirement.objects.filter(model_version=model_version)
        .only("id", "key", "title", "weight", "category_id", "position")
        .order_by("position")
    )
    return modules, categories, requirements


def scope_tree(*, assessment: Assessment, rows=None) -> ScopeTree:
    """The applicability matrix with the cascade applied (four queries whatever the size; three with ``rows``,
    the assessment's scope decisions read already, with ``updated_by``)."""
    modules, categories, requirements = model_structure(model_version=assessment.model_version)
    if rows is None:
        rows = Applicability.objects.for_org(assessment.organization).filter(assessment=assessment)
        rows = rows.select_related("updated_by")
    rows = {row.key: row for row in rows}
    amap = {key: row.level for key, row in rows.items()}
    items: dict[str, ScopeItem] = {}

    def item(kind, key, name, obj, parent=None):
        node = ScopeItem(kind=kind, key=key, name=name, object=obj)
        row = rows.get(key)
        if row is not None:
            node.own_level, node.reason, node.version = row.level, row.reason, row.version
            node.changed_by_id = row.updated_by_id
            node.changed_by_label = row.updated_by.get_username() if row.updated_by_id else row.updated_by_label
        # The questionnaire's cascade rule; a partial decision stays on its own row here (it is a note).
        node.level = node.own_level if is_applicable(amap, key) else Level.NOT_APPLICABLE
        if parent is not None and not parent.applicable:
            node.inherited_from = parent.inherited_from or parent.key
        items[key] = node
        if parent is not None:
            parent.children.append(node)
        return node

    module_items = {}
    for module in modules:
        module_items[module.id] = item("module", module.code, module.name, module)
    category_items = {}
    for category in categories:
        category_items[category.id] = item(
            "category", category.key, category.name, category, module_items[category.module_id]
        )
    for requirement in requirements:
        item("requirement", requirement.key, requirement.title, requirement, category_items[requirement.category_id])
    return ScopeTree(modules=list(module_items.values()), items=items)


def categories_in_scope(*, assessment: Assessment, tree: ScopeTree | None = None) -> list[ScopeItem]:
    """Categories to answer and review: applicable ones, and in a formal assessment only those that
    keep at least one applicable requirement (a category whose every requirement is out of scope has
    nothing to assess)."""
    tree = tree or scope_tree(assessment=assessment)
    result = []
    for category in tree.categories():
        if not category.applicable:
            continue
        if assessment.is_formal and not any(req.applicable for req in category.children):
            continue
        result.append(category)
    return result


def _answered_ids(*, assessment: Assessment) -> set[int]:
    """Requirement ids (formal) or category ids (self-assessment) with a confirmed answer.

    An answer carried over from the previous assessment is not confirmed until someone saves it.
    """
    if assessment.is_formal:
        model, field_name = RequirementAnswer, "requirement_id"
    else:
        model, field_name = CategoryAnswer, "category_id"
    return set(
        model.objects.for_org(assessment.organization)
        .filter(assessment=assessment, level__isnull=False, carried_over=False)
        .values_list(field_name, flat=True)
    )


def open_items(*, assessment: Assessment, tree: ScopeTree | None = None) -> list[str]:
    """Applicable items without a confirmed answer, as "G.1.2 Title" lines (what blocks sign-off)."""
    tree = tree or scope_tree(assessment=assessment)
    answered = _answered_ids(assessment=assessment)
    if assessment.is_formal:
        return [
            f"{req.key} {req.name}"
            for category in categories_in_scope(assessment=assessment, tree=tree)
            for req in category.children
            if req.applicable and req.object.id not in answered
        ]
    return [
        f"{category.key} {category.name}"
        for category in categories_in_scope(assessment=assessment, tree=tree)
        if category.object.id not in answered
    ]


@dataclass
class CategoryProgress:
    category: ScopeItem
    answered: int
    applicable: int
    review: CategoryReview | None


def review_overview(*, assessment: Assessment, tree: ScopeTree | None = None) -> list[CategoryProgress]:
    """For each category in scope: answered / applicable and its review row (if review was requested)."""
    tree = tree or scope_tree(assessment=assessment)
    in_scope = categories_in_scope(assessment=assessment, tree=tree)
    reviews = {
        review.category_id: review
        for review in CategoryReview.objects.for_org(assessment.organization)
        .filter(assessment=assessment)
        .select_related("reviewed_by")
    }
    answered_ids = _answered_ids(assessment=assessment)
    result = []
    for category in in_scope:
        if assessment.is_formal:
            applicable = [req for req in category.children if req.applicable]
            answered = sum(1 for req in applicable if req.object.id in answered_ids)
            total = len(applicable)
        else:
            answered, total = int(category.object.id in answered_ids), 1
        result.append(CategoryProgress(category, answered, total, reviews.get(category.object.id)))
    return result


def assessment_list(*, organization, search: str = "", sort: str = "-created"):
    """The organization's assessments for the list page; ``sort`` is one of ``ASSESSMENT_SORTS``."""
    queryset = Assessment.objects.for_org(organization).select_related("model_version")
    if search:
        queryset = queryset.filter(
            Q(name__icontains=search) | Q(assessor_name__icontains=search) | Q(assessor_company__icontains=search)
        )
    return queryset.order_by(*ASSESSMENT_SORTS.get(sort, ASSESSMENT_SORTS["-created"]))


ASSESSMENT_SORTS = {
    "name": ("name", "id"),
    "-created": ("-created_at", "-id"),
    "created": ("created_at", "id"),
    "target": ("target_date", "id"),
    "status": ("status", "name"),
    "-level": ("-summary_overall_level", "name"),
}


def sent_back_reviews(*, assessment: Assessment):
    """Categories a reviewer sent back, with the reason, for the assessors."""
    return (
        CategoryReview.objects.for_org(assessment.organization)
        .filter(assessment=assessment, status=CategoryReview.Status.SENT_BACK)
        .select_related("category", "reviewed_by")
        .order_by("category__position")
    )


# Each label reads as a sentence with the entry's subject after it: "changed the scope of G.1.2 ...".
HISTORY_LABELS = {
    "assessment.created": "created the assessment",
    "assessment.updated": "changed the details",
    "assessment.environment_updated": "changed the",
    "assessment.started": "started the assessment",
    "assessment.review_requested": "requested review",
    "assessment.signed_off": "signed off",
    "assessment.reopened": "reopened the assessment",
    "use_case.added": "added",
    "use_case.updated": "changed",
    "use_case.removed": "removed",
    "applicability.changed": "changed the",
    "assignment.set": "set the",
    "assignment.removed": "removed the",
    "category_review.accepted": "accepted",
    "category_review.sent_back": "sent back",
    "category_review.reopened": "reopened the review of",
}


@dataclass
class HistoryEntry:
    entry: object
    label: str
    subject: str
    detail: str


def _history_detail(entry) -> str:
    before, after = entry.before or {}, entry.after or {}
    if entry.action == "applicability.changed":
        return f"{Level(before['level']).label} → {Level(after['level']).label}" + (
            f": {after['reason']}" if after.get("reason") else ""
        )
    if entry.action == "category_review.sent_back":
        return after.get("comment", "")
    if entry.action == "assessment.reopened":
        return after.get("reason", "")
    if entry.action == "assessment.signed_off":
        return after.get("statement", "")
    if entry.before is None:  # something created: its label and subject say it
        return ""
    # Anything else: what changed, before -> after, in words.
    return "; ".join(str(change) for change in changes(entry.before, entry.after))


def assessment_history(*, assessment: Assessment, limit: int = 15) -> list[HistoryEntry]:
    """The latest audit entries filed under this assessment, newest first, with readable labels."""
    entries = AuditEntry.objects.for_org(assessment.organization).filter(
        object_type="assessment", object_id=str(assessment.pk)
    )[:limit]
    prefix = f"{assessment.name} · "
    return [
        HistoryEntry(
            entry=entry,
            label=HISTORY_LABELS.get(entry.action) or action_label(entry.action),
            subject=entry.object_repr[len(prefix) :] if entry.object_repr.startswith(prefix) else "",
            detail=_history_detail(entry),
        )
        for entry in entries
    ]


# ---------------------------------------------------------------------------------------------
# The management pages' own reads (the views hold no queries)
# ---------------------------------------------------------------------------------------------


def use_case_list(*, organization, assessment):
    return UseCase.objects.for_org(organization).filter(assessment=assessment)


def use_case_fresh_copy(*, use_case) -> UseCase:
    """The use-case read again: a separate object for a form, so a refused save leaves ``use_case`` as it was."""
    return UseCase.objects.get(pk=use_case.pk)


def signoff_list(*, organization, assessment):
    return SignOff.objects.for_org(organization).filter(assessment=assessment).select_related("reopened_by")


def assignment_or_none(*, organization, assessment, category=None, requirement=None) -> Assignment | None:
    """The assignment of one item: a category (``requirement`` None) or a single requirement."""
    lookup = {"requirement": requirement} if requirement is not None else {"category": category, "requirement": None}
    return Assignment.objects.for_org(organization).filter(assessment=assessment, **lookup).first()


def assignment_list(*, organization, assessment) -> list[Assignment]:
    return list(
        Assignment.objects.for_org(organization)
        .filter(assessment=assessment)
        .select_related("assignee", "category", "requirement")
    )


def evidence_of_assessment(*, organization, assessment, evidence_id) -> Evidence:
    """An evidence item of the assessment by its URL id; any other is 404."""
    return tenant_get_or_404(
        Evidence.objects.select_related("requirement__category", "category", "assessment__organization"),
        organization,
        pk=evidence_id,
        assessment=assessment,
    )
