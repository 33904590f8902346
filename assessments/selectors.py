"""Reads for the questionnaire: scope (applicability), the overview and one category page.

Every page selector fetches what it shows in a fixed number of queries, whatever the number of
requirements, answers, comments or evidence items (tests check this with query counts). The
catalogue (modules, categories, requirements and their rendered texts) costs no query once the
process has loaded it: ``questionnaire_catalogue``. Page rows are fetched as dicts of the shown
fields, which is much cheaper than model instances on pages of many requirements.
"""

import copy
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.contrib.auth import get_user_model
from django.db import DEFAULT_DB_ALIAS, connection
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from assessments.models import (
    Applicability,
    Assessment,
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
from catalog.selectors import references_html
from core.markdown import render_markdown
from scoring.selectors import ModelVersionCache

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


def ancestor_keys(key: str) -> list[str]:
    """ "G.1.1" -> ["G", "G.1", "G.1.1"]: a decision on a module or category applies to everything below it."""
    parts = key.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def effective_applicability(amap: dict[str, str], key: str) -> str:
    """The most restrictive decision on the key or any of its ancestors."""
    levels = {amap.get(k) for k in ancestor_keys(key)}
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


_LIVE_FIELDS = (
    "level",
    "notes",
    "version",
    "level_version",
    "notes_version",
    "updated_at",
    "updated_by_id",
    "updated_by__email",
    "updated_by__username",
)


def category_answers_changed(*, assessment, category_key: str, since: float) -> list[dict]:
    """The answers shown on one category page that were saved at or after ``since`` (epoch seconds),
    as dicts with their slot ``key``: requirement answers (formal) or the category answer
    (self-assessment), and the extension answers of the category. At most two indexed queries."""
    after = datetime.fromtimestamp(max(since, 0), tz=UTC)
    org = assessment.organization_id
    if assessment.is_formal:
        rows = (
            RequirementAnswer.objects.for_org(org)
            .filter(assessment=assessment, requirement__category__key=category_key, updated_at__gte=after)
            .values("requirement__key", *_LIVE_FIELDS)
        )
        changed = [{"key": row.pop("requirement__key"), **row} for row in rows]
    else:
        rows = (
            CategoryAnswer.objects.for_org(org)
            .filter(assessment=assessment, category__key=category_key, updated_at__gte=after)
            .values(*_LIVE_FIELDS)
        )
        changed = [{"key": category_key, **row} for row in rows]
    extension_rows = (
        ExtensionAnswer.objects.for_org(org)
        .filter(assessment=assessment, category_key=category_key, updated_at__gte=after)
        .values("extension_id", *_LIVE_FIELDS)
    )
    changed += [{"key": f"ext-{row.pop('extension_id')}-{category_key}", **row} for row in extension_rows]
    return changed


# ---------------------------------------------------------------------------------------------
# The catalogue of a model version, kept in this process (it never changes once imported)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogueModule:
    pk: int
    code: str
    name: str


@dataclass(frozen=True)
class CatalogueCategory:
    pk: int
    key: str
    name: str
    weight: int
    description: str
    levels: tuple  # the imported level descriptors: ({"number", "name", "description"}, ...)
    module: CatalogueModule
    row: tuple  # every field, for a Category instance (``instance()``)

    def instance(self) -> Category:
        """A Category as the services take them (a copy: the cached row stays as loaded)."""
        return Category.from_db(DEFAULT_DB_ALIAS, _CATEGORY_FIELDS, copy.deepcopy(self.row))


@dataclass(frozen=True)
class CatalogueRequirement:
    pk: int
    key: str
    title: str
    weight: int
    category_id: int
    guidance: str
    assessment_hints: str
    references: str
    reference_ids: tuple
    row: tuple


@dataclass(frozen=True)
class CategoryTexts:
    """A category's Markdown texts as HTML, rendered once per process."""

    description_html: str
    levels: tuple  # ((number, label, description html), ...)
    requirements: dict  # requirement pk -> (guidance html, hints html, references html)


_CATEGORY_FIELDS = [f.attname for f in Category._meta.concrete_fields]
_REQUIREMENT_FIELDS = [f.attname for f in Requirement._meta.concrete_fields]


def _numbered_name(number, name: str) -> str:
    """ "2 - Basic" (1.x) as given; "Foundational" (2.0.0 names carry no number) as "2 Foundational"."""
    if not name:
        return f"Level {number}"
    return name if name[:1].isdigit() else f"{number} {name}"


def descriptor_levels(levels) -> tuple:
    """Imported level descriptors as (number, label, description html) for an answer form."""
    return tuple(
        (
            level.get("number", i + 1),
            _numbered_name(level.get("number", i + 1), level.get("name") or ""),
            render_markdown(level.get("description", "")),
        )
        for i, level in enumerate(levels)
    )


class QuestionnaireCatalogue:
    """Modules, categories and requirements of one model version in model order, with lookups.

    Shared by every request of the process: read it, never change it.
    """

    def __init__(self, modules, categories, requirements):
        self.modules = tuple(modules)
        self.categories = tuple(categories)
        self.category_by_key = {c.key: c for c in self.categories}
        self.category_by_id = {c.pk: c for c in self.categories}
        by_category = defaultdict(list)
        for requirement in requirements:
            by_category[requirement.category_id].append(requirement)
        self.requirements_of = {c.pk: tuple(by_category[c.pk]) for c in self.categories}
        self.requirement_by_key = {r.key: r for r in requirements}
        self.requirement_by_id = {r.pk: r for r in requirements}
        self._texts = {}

    def neighbours(self, category) -> tuple:
        """(previous, next) category in model order, None at either end."""
        index = self.categories.index(category)
        previous = self.categories[index - 1] if index > 0 else None
        following = self.categories[index + 1] if index + 1 < len(self.categories) else None
        return previous, following

    def texts(self, category) -> CategoryTexts:
        """Rendered on first use, per category: a page needs only its own category's texts."""
        texts = self._texts.get(category.pk)
        if texts is None:
            texts = self._texts[category.pk] = CategoryTexts(
                description_html=render_markdown(category.description),
                levels=descriptor_levels(category.levels),
                requirements={
                    r.pk: (
                        render_markdown(r.guidance),
                        render_markdown(r.assessment_hints),
                        references_html(ids=r.reference_ids) if r.reference_ids else render_markdown(r.references),
                    )
                    for r in self.requirements_of[category.pk]
                },
            )
        return texts

    def requirement_category(self, requirement_id: int | None) -> CatalogueCategory | None:
        requirement = self.requirement_by_id.get(requirement_id)
        return self.category_by_id[requirement.category_id] if requirement else None

    def requirement_instance(self, key: str) -> Requirement | None:
        """A Requirement with its category, as the services take them, built from the cached rows."""
        requirement = self.requirement_by_key.get(key)
        if requirement is None:
            return None
        instance = Requirement.from_db(DEFAULT_DB_ALIAS, _REQUIREMENT_FIELDS, list(requirement.row))
        instance.category = self.category_by_id[requirement.category_id].instance()
        return instance


def _catalogue_load(model_version_id: int) -> QuestionnaireCatalogue:
    """Three queries, whatever the size of the model."""
    modules = {
        pk: CatalogueModule(pk, code, name)
        for pk, code, name in Module.objects.filter(model_version_id=model_version_id)
        .order_by("position")
        .values_list("pk", "code", "name")
    }
    categories = []
    for row in (
        Category.objects.filter(model_version_id=model_version_id).order_by("position").values_list(*_CATEGORY_FIELDS)
    ):
        c = dict(zip(_CATEGORY_FIELDS, row, strict=True))
        categories.append(
            CatalogueCategory(
                pk=c["id"],
                key=c["key"],
                name=c["name"],
                weight=c["weight"],
                description=c["description"],
                levels=tuple(c["levels"] or ()),
                module=modules[c["module_id"]],
                row=row,
            )
        )
    requirements = []
    for row in (
        Requirement.objects.filter(model_version_id=model_version_id)
        .order_by("position")
        .values_list(*_REQUIREMENT_FIELDS)
    ):
        r = dict(zip(_REQUIREMENT_FIELDS, row, strict=True))
        requirements.append(
            CatalogueRequirement(
                pk=r["id"],
                key=r["key"],
                title=r["title"],
                weight=r["weight"],
                category_id=r["category_id"],
                guidance=r["guidance"],
                assessment_hints=r["assessment_hints"],
                references=r["references"],
                reference_ids=tuple(r["reference_ids"] or ()),
                row=row,
            )
        )
    return QuestionnaireCatalogue(modules.values(), categories, requirements)


_catalogues = ModelVersionCache(_catalogue_load)


def questionnaire_catalogue(*, model_version) -> QuestionnaireCatalogue:
    """The catalogue of ``model_version``, loaded once per process (and again after a new import)."""
    return _catalogues.get(model_version)


def category_for_key_or_none(*, assessment, key: str) -> Category | None:
    category = questionnaire_catalogue(model_version=assessment.model_version).category_by_key.get(key)
    return category.instance() if category is not None else None


def requirement_for_key_or_none(*, assessment, key: str) -> Requirement | None:
    return questionnaire_catalogue(model_version=assessment.model_version).requirement_instance(key)


# ---------------------------------------------------------------------------------------------
# The category page (rows as dicts: only what the page shows, no model instances)
# ---------------------------------------------------------------------------------------------

_ANSWER_FIELDS = (
    "level",
    "notes",
    "version",
    "level_version",
    "notes_version",
    "carried_over",
    "updated_at",
    "updated_by__email",
    "updated_by__username",
)


@dataclass
class RequirementItem:
    requirement: CatalogueRequirement
    applicability: str
    answer: dict | None
    comments: list = field(default_factory=list)
    evidence: list = field(default_factory=list)
    flag: dict | None = None
    assignment: dict | None = None

    @property
    def applicable(self) -> bool:
        return self.applicability != Applicability.Level.NOT_APPLICABLE


@dataclass
class RelevanceItem:
    relevance: ExtensionRelevance
    answer: dict | None


@dataclass
class CategoryPageData:
    category: CatalogueCategory
    texts: CategoryTexts
    applicability: str
    items: list[RequirementItem]
    category_answer: dict | None
    category_comments: list
    category_evidence: list
    category_flag: dict | None
    category_assignment: dict | None
    review_status: str | None
    review_comment: str
    relevances: list[RelevanceItem]
    previous_category: CatalogueCategory | None
    next_category: CatalogueCategory | None

    @property
    def locked(self) -> bool:
        return self.review_status == CategoryReview.Status.ACCEPTED

    @property
    def sent_back(self) -> bool:
        return self.review_status == CategoryReview.Status.SENT_BACK

    @property
    def review_label(self) -> str:
        return CategoryReview.Status(self.review_status).label if self.review_status else ""


def assessment_for_category_page(*, organization, assessment_id, category_key: str) -> Assessment | None:
    """The assessment (with its model version) and, in the same query, the review status of the
    category and whether any extension is enabled: what ``category_page_data`` needs to know."""
    review = CategoryReview.objects.for_org(organization).filter(
        assessment=OuterRef("pk"), category__model_version=OuterRef("model_version"), category__key=category_key
    )
    enabled = Assessment.extensions.through.objects.filter(assessment_id=OuterRef("pk"))
    return (
        Assessment.objects.for_org(organization)
        .select_related("model_version")
        .annotate(
            category_review_status=Subquery(review.values("status")[:1]),
            category_review_comment=Subquery(review.values("comment")[:1]),
            has_extensions=Exists(enabled),
        )
        .filter(pk=assessment_id)
        .first()
    )


def category_page_data(*, assessment, category: CatalogueCategory, catalogue: QuestionnaireCatalogue):
    """Everything one category page shows, in a fixed number of queries (none for the catalogue).

    ``assessment``: from ``assessment_for_category_page``.
    """
    requirements = catalogue.requirements_of[category.pk]
    rows = _category_page_rows(assessment=assessment, category=category, requirements=requirements)
    amap = dict(rows["scope"])
    answers = {row["requirement_id"]: row for row in rows["answer"]}
    comments_by, evidence_by = defaultdict(list), defaultdict(list)
    for comment in rows["comment"]:
        comments_by[comment["requirement_id"]].append(comment)
    for item in rows["evidence"]:
        evidence_by[item["requirement_id"]].append(item)
    flags = {f["requirement_id"]: f for f in rows["flag"]}  # the newest open flag of each
    assignments = {a["requirement_id"]: a for a in rows["assignment"]}
    previous_category, next_category = catalogue.neighbours(category)
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
        texts=catalogue.texts(category),
        applicability=effective_applicability(amap, category.key),
        items=items,
        category_answer=None if assessment.is_formal else answers.get(None),
        category_comments=comments_by.get(None, []),
        category_evidence=evidence_by.get(None, []),
        category_flag=flags.get(None),
        category_assignment=assignments.get(None),
        review_status=assessment.category_review_status,
        review_comment=assessment.category_review_comment or "",
        relevances=_relevances(assessment=assessment, category=category) if assessment.has_extensions else [],
        previous_category=previous_category,
        next_category=next_category,
    )


def _category_page_rows(*, assessment, category, requirements) -> dict[str, list]:
    """The rows of one category page from six tables in ONE query: scope decisions, answers, comments,
    evidence, open flags and assignments, as dicts by kind ("scope": (key, level) pairs).

    Six ORM queries cost about five times the CPU of this one (building and compiling each query
    dominates); the category page is the hottest page of the application. Every branch is
    filtered by organization and assessment, like ``.for_org()``. The page shows the threads of
    the requirements (formal) or of the category (self-assessment), and assignments of both (the
    category's in the header). The first branch gives PostgreSQL the column types.
    """
    formal = assessment.is_formal
    req_ids = [r.pk for r in requirements] or [0]  # no requirement: an id that never exists
    in_requirements = f"requirement_id IN ({', '.join(['%s'] * len(req_ids))})"
    shown, shown_params = (in_requirements, req_ids) if formal else ("category_id = %s", [category.pk])
    answer_table = (RequirementAnswer if formal else CategoryAnswer)._meta.db_table
    answer_target = "t.requirement_id" if formal else "NULL"
    users = get_user_model()._meta.db_table
    tenant = "t.organization_id = %s AND t.assessment_id = %s"
    sql = f"""
        SELECT 'scope', CAST(NULL AS bigint), t.id, CAST(NULL AS bigint), CAST(NULL AS integer),
               CAST(NULL AS boolean), CAST(NULL AS timestamp), CAST(NULL AS date),
               t.key, t.level, NULL, NULL, NULL, NULL
          FROM {Applicability._meta.db_table} t WHERE {tenant}
        UNION ALL
        SELECT 'answer', {answer_target}, t.id, t.level, t.version, t.carried_over, t.updated_at, NULL,
               t.notes, CAST(t.level_version AS text), CAST(t.notes_version AS text), NULL, u.email, u.username
          FROM {answer_table} t LEFT JOIN {users} u ON u.id = t.updated_by_id
         WHERE {tenant} AND t.{shown}
        UNION ALL
        SELECT 'comment', t.requirement_id, t.id, NULL, NULL, NULL, t.created_at, NULL,
               t.body, NULL, NULL, NULL, u.email, u.username
          FROM {Comment._meta.db_table} t LEFT JOIN {users} u ON u.id = t.author_id
         WHERE {tenant} AND t.{shown}
        UNION ALL
        SELECT 'evidence', t.requirement_id, t.id, t.size, NULL, NULL, t.created_at, NULL,
               t.url, t.title, t.original_name, t.kind, t.file, NULL
          FROM {Evidence._meta.db_table} t WHERE {tenant} AND t.{shown}
        UNION ALL
        SELECT 'flag', t.requirement_id, t.id, NULL, NULL, NULL, t.created_at, NULL,
               NULL, NULL, NULL, NULL, u.email, NULL
          FROM {Flag._meta.db_table} t LEFT JOIN {users} u ON u.id = t.raised_by_id
         WHERE {tenant} AND t.{shown} AND t.resolved_at IS NULL
        UNION ALL
        SELECT 'assignment', t.requirement_id, t.id, NULL, NULL, NULL, t.created_at, t.due_date,
               NULL, NULL, NULL, NULL, u.email, u.username
          FROM {Assignment._meta.db_table} t LEFT JOIN {users} u ON u.id = t.assignee_id
         WHERE {tenant} AND (t.{in_requirements} OR t.category_id = %s)
        ORDER BY 7, 3
    """  # noqa: S608 - table names from the models, values as parameters
    tenant_params = [assessment.organization_id, assessment.pk]
    params = [
        *tenant_params,
        *tenant_params,
        *shown_params,
        *tenant_params,
        *shown_params,
        *tenant_params,
        *shown_params,
        *tenant_params,
        *shown_params,
        *tenant_params,
        *req_ids,
        category.pk,
    ]
    rows = {"scope": [], "answer": [], "comment": [], "evidence": [], "flag": [], "assignment": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for kind, target, pk, number, version, flag, at, due, text_a, text_b, text_c, text_d, email, username in cursor:
            at = _aware(at)
            if kind == "scope":
                rows[kind].append((text_a, text_b))
            elif kind == "answer":
                rows[kind].append(
                    {
                        "requirement_id": target,
                        "level": number,
                        "notes": text_a,
                        "version": version,
                        "level_version": int(text_b),
                        "notes_version": int(text_c),
                        "carried_over": bool(flag),
                        "updated_at": at,
                        "updated_by__email": email,
                        "updated_by__username": username,
                    }
                )
            elif kind == "comment":
                rows[kind].append(
                    {
                        "requirement_id": target,
                        "body": text_a,
                        "created_at": at,
                        "author__email": email,
                        "author__username": username,
                    }
                )
            elif kind == "evidence":
                rows[kind].append(
                    {
                        "id": pk,
                        "requirement_id": target,
                        "kind": text_d,
                        "url": text_a,
                        "title": text_b,
                        "original_name": text_c,
                        "size": number,
                        # Imported evidence keeps its name and hash, but the file stays where it was.
                        "stored": bool(email),
                    }
                )
            elif kind == "flag":
                rows[kind].append({"id": pk, "requirement_id": target, "raised_by__email": email})
            else:
                rows[kind].append(
                    {
                        "requirement_id": target,
                        "due_date": parse_date(due) if isinstance(due, str) else due,
                        "assignee__email": email,
                        "assignee__username": username,
                    }
                )
    return rows


def _aware(value):
    """A datetime from a raw query as the ORM gives it: SQLite returns text or naive UTC values."""
    if isinstance(value, str):
        value = parse_datetime(value)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, connection.timezone)
    return value


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
        a["extension_id"]: a
        for a in ExtensionAnswer.objects.for_org(assessment.organization_id)
        .filter(assessment=assessment, category_key=category.key)
        .values("extension_id", *_ANSWER_FIELDS)
    }
    return [RelevanceItem(relevance=r, answer=answers.get(r.extension_id)) for r in relevances]


# ---------------------------------------------------------------------------------------------
# The overview
# ---------------------------------------------------------------------------------------------


@dataclass
class OverviewAssignment:
    category: CatalogueCategory | None
    requirement: CatalogueRequirement | None  # None: the whole category is assigned
    requirement_category: CatalogueCategory | None
    assignee_id: int
    assignee_label: str
    due_date: object | None

    @property
    def target_category(self) -> CatalogueCategory:
        """The category page to go to (a requirement's own category)."""
        return self.category or self.requirement_category

    @property
    def target_key(self) -> str:
        return self.requirement.key if self.requirement else self.category.key


@dataclass
class OverviewFlag:
    category: CatalogueCategory | None  # a self-assessment's category
    requirement: CatalogueRequirement | None
    requirement_category: CatalogueCategory | None
    raised_by_email: str
    created_at: object
    note: str

    @property
    def target_category(self) -> CatalogueCategory:
        return self.requirement_category if self.requirement else self.category

    @property
    def target_key(self) -> str:
        return self.requirement.key if self.requirement else self.category.key


@dataclass
class CategoryProgress:
    category: CatalogueCategory
    applicability: str
    applicable: int  # requirements in scope (formal) or 1/0 (self-assessment)
    answered: int
    assignee_label: str
    due_date: object | None
    review_status: str | None
    review_label: str
    flagged: int

    @property
    def percent(self) -> int:
        return round(100 * self.answered / self.applicable) if self.applicable else 0


@dataclass
class ModuleProgress:
    module: CatalogueModule
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
    assigned_to_me: list[OverviewAssignment]
    flags: list[OverviewFlag]
    answered: int
    applicable: int


def _overview_rows(*, assessment) -> dict[str, list]:
    """The rows of the overview from five tables in ONE query (see ``_category_page_rows``): scope decisions
    (key, level), answered items (requirement id, category id), assignments (by due date), review statuses
    (category id, status) and open flags (oldest first)."""
    answer_table, answer_target = (
        (RequirementAnswer._meta.db_table, "t.requirement_id, CAST(NULL AS bigint)")
        if assessment.is_formal
        else (CategoryAnswer._meta.db_table, "CAST(NULL AS bigint), t.category_id")
    )
    users = get_user_model()._meta.db_table
    tenant = "t.organization_id = %s AND t.assessment_id = %s"
    sql = f"""
        SELECT 'scope', CAST(NULL AS bigint), CAST(NULL AS bigint), t.id, CAST(NULL AS bigint),
               CAST(NULL AS date), CAST(NULL AS timestamp), t.key, t.level, NULL, NULL
          FROM {Applicability._meta.db_table} t WHERE {tenant}
        UNION ALL
        SELECT 'answered', {answer_target}, t.id, NULL, NULL, NULL, NULL, NULL, NULL, NULL
          FROM {answer_table} t WHERE {tenant} AND t.level IS NOT NULL
        UNION ALL
        SELECT 'assignment', t.requirement_id, t.category_id, t.id, t.assignee_id, t.due_date, NULL,
               NULL, NULL, u.email, u.username
          FROM {Assignment._meta.db_table} t LEFT JOIN {users} u ON u.id = t.assignee_id WHERE {tenant}
        UNION ALL
        SELECT 'review', NULL, t.category_id, t.id, NULL, NULL, NULL, t.status, NULL, NULL, NULL
          FROM {CategoryReview._meta.db_table} t WHERE {tenant}
        UNION ALL
        SELECT 'flag', t.requirement_id, t.category_id, t.id, NULL, NULL, t.created_at, t.note, NULL, u.email, NULL
          FROM {Flag._meta.db_table} t LEFT JOIN {users} u ON u.id = t.raised_by_id
         WHERE {tenant} AND t.resolved_at IS NULL
        ORDER BY 6, 7, 4
    """  # noqa: S608 - table names from the models, values as parameters
    rows = {"scope": [], "answered": [], "assignment": [], "review": [], "flag": []}
    with connection.cursor() as cursor:
        cursor.execute(sql, [assessment.organization_id, assessment.pk] * 5)
        for kind, requirement_id, category_id, _pk, user_id, due, at, text_a, text_b, email, username in cursor:
            if kind == "scope":
                rows[kind].append((text_a, text_b))
            elif kind == "answered":
                rows[kind].append((requirement_id, category_id))
            elif kind == "assignment":
                rows[kind].append(
                    {
                        "requirement_id": requirement_id,
                        "category_id": category_id,
                        "assignee_id": user_id,
                        "due_date": parse_date(due) if isinstance(due, str) else due,
                        "email": email,
                        "username": username,
                    }
                )
            elif kind == "review":
                rows[kind].append((category_id, text_a))
            else:
                rows[kind].append(
                    {
                        "requirement_id": requirement_id,
                        "category_id": category_id,
                        "created_at": _aware(at),
                        "note": text_a,
                        "email": email,
                    }
                )
    return rows


def questionnaire_overview(*, assessment, user) -> QuestionnaireOverview:
    """Progress per module and category (answered / applicable), assignees, reviews, flags; fixed queries."""
    catalogue = questionnaire_catalogue(model_version=assessment.model_version)
    rows = _overview_rows(assessment=assessment)
    amap = dict(rows["scope"])

    applicable = Counter()
    answered = Counter()
    if assessment.is_formal:
        in_scope = set()
        for requirement in catalogue.requirement_by_id.values():
            if is_applicable(amap, requirement.key):
                applicable[requirement.category_id] += 1
                in_scope.add(requirement.pk)
        for requirement_id, _category_id in rows["answered"]:
            if requirement_id in in_scope:
                answered[catalogue.requirement_by_id[requirement_id].category_id] += 1
    else:
        for c in catalogue.categories:
            applicable[c.pk] = 1 if is_applicable(amap, c.key) else 0
        for _requirement_id, category_id in rows["answered"]:
            answered[category_id] += applicable[category_id]

    assignments = [
        OverviewAssignment(
            category=catalogue.category_by_id.get(a["category_id"]),
            requirement=catalogue.requirement_by_id.get(a["requirement_id"]),
            requirement_category=catalogue.requirement_category(a["requirement_id"]),
            assignee_id=a["assignee_id"],
            assignee_label=a["email"] or a["username"],
            due_date=a["due_date"],
        )
        for a in rows["assignment"]
    ]
    category_assignments = {a.category.pk: a for a in assignments if a.requirement is None}
    reviews = dict(rows["review"])
    flags = [
        OverviewFlag(
            category=catalogue.category_by_id.get(f["category_id"]),
            requirement=catalogue.requirement_by_id.get(f["requirement_id"]),
            requirement_category=catalogue.requirement_category(f["requirement_id"]),
            raised_by_email=f["email"] or "",
            created_at=f["created_at"],
            note=f["note"],
        )
        for f in rows["flag"]
    ]
    flagged = Counter(flag.target_category.pk for flag in flags)

    progress_by_module = defaultdict(list)
    for c in catalogue.categories:
        assignment = category_assignments.get(c.pk)
        status = reviews.get(c.pk)
        progress_by_module[c.module.pk].append(
            CategoryProgress(
                category=c,
                applicability=effective_applicability(amap, c.key),
                applicable=applicable[c.pk],
                answered=answered[c.pk],
                assignee_label=assignment.assignee_label if assignment else "",
                due_date=assignment.due_date if assignment else None,
                review_status=status,
                review_label=CategoryReview.Status(status).label if status else "",
                flagged=flagged[c.pk],
            )
        )
    return QuestionnaireOverview(
        modules=[ModuleProgress(module=m, categories=progress_by_module[m.pk]) for m in catalogue.modules],
        assigned_to_me=[a for a in assignments if a.assignee_id == getattr(user, "pk", None)],
        flags=flags,
        answered=sum(answered.values()),
        applicable=sum(applicable.values()),
    )
