"""The catalogue read model: one model version's modules, categories and requirements, kept in this process.

Catalogue rows never change once imported, except through a new import of the same version, which saves
the ModelVersion row again (see ``ModelVersionCache``). Everything that shows or scores the catalogue
reads it from here: the questionnaire (rows and rendered texts), scoring (``scoring_model_for``), the
result pages, reports and improvement plans (``catalogue_for``).
"""

import copy
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS

from catalog.models import Category, Module, Requirement
from catalog.selectors import references_html
from core.markdown import render_markdown
from scoring.engine import CategorySpec, ModelSpec, RequirementSpec


@dataclass(frozen=True)
class Catalogue:
    """The catalogue rows of one model version, in model order."""

    modules: list[Module]
    categories: list[Category]  # with ``module`` loaded
    requirements: list[Requirement]  # scoring fields and title only (no guidance texts)

    @property
    def model_spec(self) -> ModelSpec:
        by_category: dict[int, list[RequirementSpec]] = {c.pk: [] for c in self.categories}
        for requirement in self.requirements:
            by_category[requirement.category_id].append(RequirementSpec(requirement.key, requirement.weight))
        return ModelSpec(
            modules=tuple(m.code for m in self.modules),
            categories=tuple(
                CategorySpec(c.key, c.module.code, c.weight, tuple(by_category[c.pk])) for c in self.categories
            ),
        )


def catalogue_for(*, model_version_id: int) -> Catalogue:
    """Three queries, whatever the size of the model."""
    return Catalogue(
        modules=list(Module.objects.filter(model_version_id=model_version_id).order_by("position")),
        categories=list(
            Category.objects.filter(model_version_id=model_version_id).select_related("module").order_by("position")
        ),
        requirements=list(
            Requirement.objects.filter(model_version_id=model_version_id)
            .only("key", "title", "weight", "category_id", "position")
            .order_by("position")
        ),
    )


class ModelVersionCache:
    """Values derived from one model version's catalogue rows, kept in this process.

    Catalogue rows change only through an import of the same version (texts replaced, or the
    version rebuilt while unused), and every import saves the ModelVersion row again: a new
    ``imported_at`` (and a new ``source_sha256`` for a different file). Both are part of the key,
    so the next request with the re-read model version builds a fresh value; old entries age out.
    ``build(model_version_id)`` must return a value that nobody mutates: it is shared by requests.
    """

    def __init__(self, build: Callable[[int], object], *, size: int = 8):
        self._build = build
        self._size = size
        self._entries: OrderedDict[tuple, object] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(model_version) -> tuple:
        return (model_version.pk, model_version.source_sha256, model_version.imported_at)

    def get(self, model_version):
        key = self.key(model_version)
        with self._lock:
            value = self._entries.get(key)
            if value is not None:
                self._entries.move_to_end(key)
                return value
        value = self._build(model_version.pk)  # outside the lock: a rare double build is harmless
        with self._lock:
            self._entries[key] = value
            while len(self._entries) > self._size:
                self._entries.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


def catalogues_for(model_version_ids) -> dict[int, Catalogue]:
    """The catalogue of each model version: three queries however many versions."""
    ids = set(model_version_ids)
    parts = {version_id: ([], [], []) for version_id in ids}
    for module in Module.objects.filter(model_version_id__in=ids).order_by("position"):
        parts[module.model_version_id][0].append(module)
    categories = Category.objects.filter(model_version_id__in=ids).select_related("module").order_by("position")
    for category in categories:
        parts[category.model_version_id][1].append(category)
    requirements = (
        Requirement.objects.filter(model_version_id__in=ids)
        .only("key", "title", "weight", "category_id", "position", "model_version_id", "code")
        .order_by("position")
    )
    for requirement in requirements:
        parts[requirement.model_version_id][2].append(requirement)
    return {version_id: Catalogue(*rows) for version_id, rows in parts.items()}


@dataclass(frozen=True)
class ScoringModel:
    """The scoring model of a model version and the keys of its rows by id (answers name rows by id)."""

    spec: ModelSpec
    requirement_keys: dict[int, str]
    category_keys: dict[int, str]


def scoring_model_for(*, model_version) -> ScoringModel:
    """The scoring model of a model version (immutable), without a query once this process has built it."""
    return model_catalogue(model_version=model_version).scoring_model


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


class ModelCatalogue:
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
        self.scoring_model = ScoringModel(
            spec=ModelSpec(
                modules=tuple(m.code for m in self.modules),
                categories=tuple(
                    CategorySpec(
                        c.key,
                        c.module.code,
                        c.weight,
                        tuple(RequirementSpec(r.key, r.weight) for r in self.requirements_of[c.pk]),
                    )
                    for c in self.categories
                ),
            ),
            requirement_keys={r.pk: r.key for r in requirements},
            category_keys={c.pk: c.key for c in self.categories},
        )
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


def _catalogue_load(model_version_id: int) -> ModelCatalogue:
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
    return ModelCatalogue(modules.values(), categories, requirements)


_catalogues = ModelVersionCache(_catalogue_load)


def model_catalogue(*, model_version) -> ModelCatalogue:
    """The catalogue of ``model_version``, loaded once per process (and again after a new import)."""
    return _catalogues.get(model_version)
