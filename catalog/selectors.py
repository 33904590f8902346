"""Reads of the catalogue, each with a fixed number of queries whatever the size of the model."""

from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string

from catalog.models import (
    AssessmentProfile,
    Category,
    Extension,
    ExtensionOverlay,
    ExtensionRelevance,
    ModelVersion,
    Reference,
    Requirement,
)


def _count_of(model, field: str):
    """A subquery counting the rows of ``model`` whose ``field`` points at the outer row."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def _newest_first(model_versions) -> list[ModelVersion]:
    return sorted(model_versions, key=lambda model_version: model_version.version_key, reverse=True)


def model_version_list() -> list[ModelVersion]:
    """Every version, newest first, with ``category_count`` and ``requirement_count``."""
    return _newest_first(
        ModelVersion.objects.annotate(
            category_count=_count_of(Category, "model_version"),
            requirement_count=_count_of(Requirement, "model_version"),
        )
    )


def model_version_latest() -> ModelVersion | None:
    versions = model_version_list()
    return versions[0] if versions else None


def model_version_get(*, version: str) -> ModelVersion | None:
    """One version with its modules, their categories and the categories' requirements prefetched."""
    categories = Category.objects.annotate(
        requirement_count=Count("requirements"), requirement_weight=Coalesce(Sum("requirements__weight"), Value(0))
    ).prefetch_related("requirements")
    return (
        ModelVersion.objects.filter(version=version)
        .prefetch_related("modules", Prefetch("modules__categories", queryset=categories))
        .first()
    )


def model_version_or_none(*, version: str) -> ModelVersion | None:
    """The version by its number, nothing prefetched."""
    return ModelVersion.objects.filter(version=version).first()


def category_get(*, version: str, key: str) -> Category | None:
    """A category (``key`` such as "G.1") with its version, module and requirements."""
    return (
        Category.objects.select_related("model_version", "module")
        .prefetch_related("requirements")
        .filter(model_version__version=version, key=key)
        .first()
    )


def category_neighbours(*, category: Category) -> tuple[Category | None, Category | None]:
    """The categories before and after ``category`` in its version, for page-to-page browsing."""
    siblings = list(Category.objects.filter(model_version_id=category.model_version_id).only("key", "name", "position"))
    index = next(i for i, sibling in enumerate(siblings) if sibling.pk == category.pk)
    before = siblings[index - 1] if index > 0 else None
    after = siblings[index + 1] if index + 1 < len(siblings) else None
    return before, after


def extension_list() -> list[Extension]:
    return list(
        Extension.objects.annotate(
            relevance_count=_count_of(ExtensionRelevance, "extension"),
            overlay_count=_count_of(ExtensionOverlay, "extension"),
        )
    )


def extensions_all() -> list[Extension]:
    """Every imported extension, nothing annotated."""
    return list(Extension.objects.all())


def extension_get(*, ext_id: str, version: str) -> Extension | None:
    return Extension.objects.filter(ext_id=ext_id, version=version).prefetch_related("relevances", "overlays").first()


def extension_target_names(*, extension: Extension) -> dict[str, str]:
    """Names of the categories and titles of the requirements an extension refers to, keyed "G.1" / "G.1.1",
    taken from the newest imported version it is compatible with."""
    compatible = _newest_first(ModelVersion.objects.filter(version__in=extension.compatibility))
    if not compatible:
        return {}
    names = dict(Category.objects.filter(model_version=compatible[0]).values_list("key", "name"))
    names.update(Requirement.objects.filter(model_version=compatible[0]).values_list("key", "title"))
    return names


@dataclass(frozen=True)
class CitedReference:
    """A reference id as a requirement cites it, resolved in the references catalogue."""

    ref_id: str
    reference: Reference | None  # None: not (or no longer) in the catalogue
    successor: Reference | None  # for a deprecated entry, the one that replaces it


def references_resolve(*, ids_by_owner: dict) -> dict:
    """``{owner: [CitedReference, ...]}`` for ``{owner: [ref id, ...]}``, in two queries at most."""
    wanted = {ref_id for ids in ids_by_owner.values() for ref_id in ids}
    if not wanted:
        return {owner: [] for owner in ids_by_owner}
    found = {ref.ref_id: ref for ref in Reference.objects.filter(ref_id__in=wanted)}
    successors = {ref.superseded_by for ref in found.values() if ref.superseded_by} - set(found)
    if successors:
        found.update({ref.ref_id: ref for ref in Reference.objects.filter(ref_id__in=successors)})
    return {
        owner: [
            CitedReference(
                ref_id,
                found.get(ref_id),
                found.get(found[ref_id].superseded_by) if ref_id in found and found[ref_id].superseded_by else None,
            )
            for ref_id in ids
        ]
        for owner, ids in ids_by_owner.items()
    }


def references_html(*, ids) -> str:
    """The cited references as an HTML list (title linked, authority, regions, successor of deprecated ones)."""
    cited = references_resolve(ids_by_owner={"": list(ids)})[""]
    return render_to_string("catalog/_references.html", {"references": cited}) if cited else ""


def reference_catalogue_list() -> list[Reference]:
    return list(Reference.objects.all())


def reference_count() -> int:
    return Reference.objects.count()


def profile_list() -> list[AssessmentProfile]:
    return list(AssessmentProfile.objects.select_related("model_version"))


def profile_for_version(*, model_version) -> AssessmentProfile | None:
    """The assessment profile new assessments of ``model_version`` use: the newest one imported for it."""
    profiles = list(AssessmentProfile.objects.filter(model_version=model_version))
    if not profiles:
        return None
    return max(profiles, key=lambda p: (tuple(int(x) for x in p.version.split(".")), p.imported_at))
