"""Writes to the catalogue: importing model versions and extensions, loading the built-in starter model.

Every import runs in one transaction: a refused file changes nothing. Rows of a version that an
assessment uses are never deleted or re-weighted; the only change allowed then is replacing the
built-in summary texts with the official texts of the same structure (same ids, same weights),
which keeps every primary key so that answers and scores stay as they are.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from audit.services import audit_log
from catalog.errors import CatalogError
from catalog.modelfile import (
    ExtensionFileSpec,
    ModelFileSpec,
    parse_extension_file,
    parse_model_file,
    parse_references_file,
)
from catalog.models import (
    AssessmentProfile,
    Category,
    Extension,
    ExtensionOverlay,
    ExtensionRelevance,
    ModelVersion,
    Module,
    Reference,
    Requirement,
)
from catalog.profilefile import parse_profile_file
from core.problems import Problem

CREATED = "created"
UNCHANGED = "unchanged"
REPLACED = "replaced"
TEXTS_UPDATED = "texts_updated"

DEFAULT_STARTER_MODEL = Path(__file__).resolve().parent / "starter" / "pkimm-1.1.0-summary.yaml"


@dataclass(frozen=True)
class ImportOutcome:
    status: str  # created, unchanged, replaced or texts_updated
    model_version: ModelVersion
    summary: str  # "4 modules, 16 categories, 78 requirements"

    @property
    def message(self) -> str:
        version = self.model_version.version
        return {
            CREATED: f"Imported PKIMM {version}: {self.summary}",
            UNCHANGED: f"PKIMM {version} is already imported from this file; nothing changed",
            REPLACED: f"Replaced PKIMM {version}: {self.summary}",
            TEXTS_UPDATED: f"Replaced the texts of PKIMM {version} (ids and weights unchanged): {self.summary}",
        }[self.status]


@dataclass(frozen=True)
class ExtensionImportOutcome:
    status: str  # created, unchanged or replaced
    extension: Extension
    summary: str

    @property
    def message(self) -> str:
        label = f"extension {self.extension.ext_id} {self.extension.version}"
        return {
            CREATED: f"Imported {label}: {self.summary}",
            UNCHANGED: f"The {label} is already imported from this file; nothing changed",
            REPLACED: f"Replaced {label}: {self.summary}",
        }[self.status]


def _used_outside_catalog(obj) -> bool:
    """True when a row of another app (an assessment, an answer, ...) refers to ``obj``.

    Walks the model's reverse relations, hidden ones (``related_name="+"``) included, instead of naming
    them, so that it still holds when other apps add relations."""
    for relation in obj._meta.get_fields(include_hidden=True):
        if not (relation.is_relation and relation.auto_created and not relation.concrete):
            continue
        if relation.related_model._meta.app_label == "catalog":
            continue
        if relation.related_model._base_manager.filter(**{relation.field.name: obj}).exists():
            return True
    return False


def model_version_in_use(model_version: ModelVersion) -> bool:
    """A version becomes immutable once an assessment (or anything else outside the catalogue) uses it."""
    return _used_outside_catalog(model_version)


def extension_in_use(extension: Extension) -> bool:
    return _used_outside_catalog(extension)


def _actor(by):
    return by if by is not None and getattr(by, "is_authenticated", False) else None


def model_version_import(
    *,
    text: str | bytes,
    source_name: str,
    by=None,
    replace: bool = False,
    source: str = ModelVersion.Source.OFFICIAL,
) -> ImportOutcome:
    """Import a model file. Same file again: nothing happens. Another file for an imported version: refused,
    unless ``replace`` and no assessment uses the version, or the version holds the built-in summary and the
    file has the same ids and weights (then only the texts change)."""
    spec = parse_model_file(text, source_name=source_name)
    try:
        with transaction.atomic():
            unknown = _unknown_reference_problems(spec)
            if unknown:
                raise CatalogError(source_name, unknown)
            existing = ModelVersion.objects.select_for_update().filter(version=spec.version).first()
            if existing is None:
                model_version = _model_version_create(spec, source_name=source_name, by=by, source=source)
                status = CREATED
            elif existing.source_sha256 == spec.sha256:
                return ImportOutcome(UNCHANGED, existing, spec.summary())
            elif existing.is_summary and _weights_of(existing) == spec.weights():
                model_version = _texts_update(existing, spec, source_name=source_name, by=by, source=source)
                status = TEXTS_UPDATED
            elif source == ModelVersion.Source.STARTER:
                # The built-in summaries never overwrite a model file that was imported on purpose.
                return ImportOutcome(UNCHANGED, existing, spec.summary())
            else:
                _check_replaceable(existing, spec, source_name=source_name, replace=replace)
                model_version = _model_version_rebuild(existing, spec, source_name=source_name, by=by, source=source)
                status = REPLACED
            audit_log(
                organization=None,
                actor=_actor(by),
                action="catalog.model_imported",
                obj=model_version,
                after={
                    "status": status,
                    "version": spec.version,
                    "source": model_version.source,
                    "is_summary": model_version.is_summary,
                    "source_name": model_version.source_name,
                    "sha256": spec.sha256,
                    "categories": spec.category_count,
                    "requirements": spec.requirement_count,
                },
            )
    except IntegrityError:
        # Two imports of the same new version at the same moment: the other one won.
        raise CatalogError(
            source_name, [Problem("version", f"PKIMM {spec.version} was imported meanwhile by someone else; try again")]
        ) from None
    return ImportOutcome(status, model_version, spec.summary())


def _unknown_reference_problems(spec: ModelFileSpec) -> list[Problem]:
    """A 2.0.0 model cites references by id: every id must be in the imported references catalogue."""
    uses = spec.reference_uses()
    if not uses:
        return []
    known = set(Reference.objects.filter(ref_id__in={ref for _, ref in uses}).values_list("ref_id", flat=True))
    problems = [
        Problem(key, f"cites the reference {ref!r}, which is not in the imported references catalogue")
        for key, ref in uses
        if ref not in known
    ]
    if problems and not Reference.objects.exists():
        return [Problem("references", "this model cites references by id: import the references catalogue first")]
    return problems


def _check_replaceable(existing: ModelVersion, spec: ModelFileSpec, *, source_name: str, replace: bool) -> None:
    if not replace:
        raise CatalogError(
            source_name,
            [
                Problem(
                    "version",
                    f"PKIMM {spec.version} is already imported from a different file ({existing.source_name}); "
                    "import it with the replace option to overwrite it",
                )
            ],
        )
    if model_version_in_use(existing):
        raise CatalogError(
            source_name,
            [Problem("version", f"PKIMM {spec.version} is used by assessments and can no longer be replaced")],
        )
    problems = _extension_problems_after_replace(spec)
    if problems:
        raise CatalogError(source_name, problems)


def _extension_problems_after_replace(spec: ModelFileSpec) -> list[Problem]:
    """Extensions checked against the old file must still find their categories and requirements."""
    keys = set(spec.weights())
    problems = []
    for extension in Extension.objects.prefetch_related("relevances", "overlays"):
        if not extension.is_compatible_with(spec.version):
            continue
        wanted = [relevance.category_key for relevance in extension.relevances.all()]
        wanted += [overlay.item_key for overlay in extension.overlays.all()]
        for key in wanted:
            if key not in keys:
                problems.append(
                    Problem(
                        "version",
                        f"the imported extension {extension.ext_id} {extension.version} refers to {key}, "
                        "which this file does not have",
                    )
                )
    return problems


def _weights_of(model_version: ModelVersion) -> dict[str, int]:
    weights = {code: 0 for code in model_version.modules.values_list("code", flat=True)}
    weights.update(model_version.categories.values_list("key", "weight"))
    weights.update(model_version.requirements.values_list("key", "weight"))
    return weights


def _model_version_create(spec: ModelFileSpec, *, source_name: str, by, source: str) -> ModelVersion:
    model_version = ModelVersion.objects.create(version=spec.version)
    _set_file_fields(model_version, spec, source_name=source_name, by=by, source=source)
    _rows_create(model_version, spec)
    return model_version


def _model_version_rebuild(existing: ModelVersion, spec: ModelFileSpec, *, source_name: str, by, source: str):
    try:
        existing.modules.all().delete()  # categories and requirements go with their module
    except ProtectedError:
        raise CatalogError(
            source_name, [Problem("version", f"PKIMM {spec.version} is in use and can no longer be replaced")]
        ) from None
    _set_file_fields(existing, spec, source_name=source_name, by=by, source=source)
    _rows_create(existing, spec)
    return existing


def _set_file_fields(model_version: ModelVersion, spec: ModelFileSpec, *, source_name: str, by, source: str):
    model_version.schema_version = spec.schema_version
    model_version.source = source
    model_version.is_summary = source == ModelVersion.Source.STARTER
    model_version.source_sha256 = spec.sha256
    model_version.source_name = Path(source_name).name[:255]
    model_version.imported_by = _actor(by)
    model_version.level_names = {str(number): name for number, name in spec.level_names().items()}
    model_version.save()


def _rows_create(model_version: ModelVersion, spec: ModelFileSpec) -> None:
    modules = Module.objects.bulk_create(
        Module(model_version=model_version, code=m.code, name=m.name, description=m.description, position=index)
        for index, m in enumerate(spec.modules)
    )
    categories = []
    category_specs = []
    for module, module_spec in zip(modules, spec.modules, strict=True):
        for category_spec in module_spec.categories:
            categories.append(
                Category(
                    model_version=model_version,
                    module=module,
                    code=category_spec.code,
                    key=f"{module.code}.{category_spec.code}",
                    name=category_spec.name,
                    description=category_spec.description,
                    weight=category_spec.weight,
                    levels=[level.as_dict() for level in category_spec.levels],
                    position=len(categories),
                )
            )
            category_specs.append(category_spec)
    categories = Category.objects.bulk_create(categories)
    requirements = []
    for category, category_spec in zip(categories, category_specs, strict=True):
        for requirement_spec in category_spec.requirements:
            requirements.append(
                Requirement(
                    model_version=model_version,
                    category=category,
                    code=requirement_spec.code,
                    key=f"{category.key}.{requirement_spec.code}",
                    title=requirement_spec.title,
                    weight=requirement_spec.weight,
                    guidance=requirement_spec.guidance,
                    assessment_hints=requirement_spec.assessment_hints,
                    references=requirement_spec.references,
                    reference_ids=list(requirement_spec.reference_ids),
                    position=len(requirements),
                )
            )
    Requirement.objects.bulk_create(requirements)


def _texts_update(existing: ModelVersion, spec: ModelFileSpec, *, source_name: str, by, source: str) -> ModelVersion:
    """Same ids and weights: overwrite names and texts in place, keeping every primary key."""
    modules = {module.code: module for module in existing.modules.all()}
    categories = {category.key: category for category in existing.categories.all()}
    requirements = {requirement.key: requirement for requirement in existing.requirements.all()}
    category_position = requirement_position = 0
    for module_position, module_spec in enumerate(spec.modules):
        module = modules[module_spec.code]
        module.name, module.description, module.position = module_spec.name, module_spec.description, module_position
        for category_spec in module_spec.categories:
            category = categories[f"{module.code}.{category_spec.code}"]
            category.name = category_spec.name
            category.description = category_spec.description
            category.levels = [level.as_dict() for level in category_spec.levels]
            category.position = category_position
            category_position += 1
            for requirement_spec in category_spec.requirements:
                requirement = requirements[f"{category.key}.{requirement_spec.code}"]
                requirement.title = requirement_spec.title
                requirement.guidance = requirement_spec.guidance
                requirement.assessment_hints = requirement_spec.assessment_hints
                requirement.references = requirement_spec.references
                requirement.reference_ids = list(requirement_spec.reference_ids)
                requirement.position = requirement_position
                requirement_position += 1
    Module.objects.bulk_update(modules.values(), ["name", "description", "position"])
    Category.objects.bulk_update(categories.values(), ["name", "description", "levels", "position"])
    Requirement.objects.bulk_update(
        requirements.values(), ["title", "guidance", "assessment_hints", "references", "reference_ids", "position"]
    )
    _set_file_fields(existing, spec, source_name=source_name, by=by, source=source)
    return existing


def starter_model_path() -> Path:
    return Path(getattr(settings, "CATALOG_STARTER_MODEL", DEFAULT_STARTER_MODEL))


def starter_model_load(*, by=None, path: Path | str | None = None) -> ImportOutcome:
    """Load the built-in summary of model 1.1.0 (texts written for this application) unless it is there."""
    path = Path(path) if path is not None else starter_model_path()
    try:
        text = path.read_bytes()
    except OSError as exc:
        raise CatalogError(str(path), [Problem("(file)", f"cannot read the starter model: {exc.strerror}")]) from None
    return model_version_import(text=text, source_name=path.name, by=by, source=ModelVersion.Source.STARTER)


def extension_import(*, text: str | bytes, source_name: str, by=None, replace: bool = False) -> ExtensionImportOutcome:
    """Import an extension file for the model versions it is compatible with that are imported."""
    spec = parse_extension_file(text, source_name=source_name)
    try:
        with transaction.atomic():
            problems = _extension_reference_problems(spec)
            if problems:
                raise CatalogError(source_name, problems)
            existing = Extension.objects.select_for_update().filter(ext_id=spec.ext_id, version=spec.version).first()
            if existing is not None and existing.source_sha256 == spec.sha256:
                return ExtensionImportOutcome(UNCHANGED, existing, spec.summary())
            if existing is None:
                extension = Extension(ext_id=spec.ext_id, version=spec.version)
                status = CREATED
            else:
                _check_extension_replaceable(existing, spec, source_name=source_name, replace=replace)
                existing.relevances.all().delete()
                existing.overlays.all().delete()
                extension = existing
                status = REPLACED
            _extension_rows_save(extension, spec, source_name=source_name, by=by)
            audit_log(
                organization=None,
                actor=_actor(by),
                action="catalog.extension_imported",
                obj=extension,
                after={
                    "status": status,
                    "ext_id": spec.ext_id,
                    "version": spec.version,
                    "compatibility": list(spec.compatibility),
                    "source_name": extension.source_name,
                    "sha256": spec.sha256,
                    "relevances": len(spec.relevances),
                    "overlays": len(spec.overlays),
                },
            )
    except IntegrityError:
        raise CatalogError(
            source_name,
            [Problem("extension.version", "this extension version was imported meanwhile by someone else; try again")],
        ) from None
    return ExtensionImportOutcome(status, extension, spec.summary())


def _check_extension_replaceable(existing: Extension, spec: ExtensionFileSpec, *, source_name: str, replace: bool):
    label = f"extension {spec.ext_id} {spec.version}"
    if not replace:
        raise CatalogError(
            source_name,
            [
                Problem(
                    "extension.version",
                    f"the {label} is already imported from a different file ({existing.source_name}); "
                    "import it with the replace option to overwrite it",
                )
            ],
        )
    if extension_in_use(existing):
        raise CatalogError(
            source_name, [Problem("extension.version", f"the {label} is in use and can no longer be replaced")]
        )


def _extension_reference_problems(spec: ExtensionFileSpec) -> list[Problem]:
    """The extension must fit at least one imported model version, and every imported version it claims."""
    imported = sorted(
        ModelVersion.objects.filter(version__in=spec.compatibility).values_list("version", flat=True),
        key=lambda version: tuple(int(part) for part in version.split(".")),
    )
    if not imported:
        available = ", ".join(ModelVersion.objects.values_list("version", flat=True)) or "none"
        return [
            Problem(
                "extension.compatibility",
                f"none of the model versions {', '.join(spec.compatibility)} is imported (imported: {available}); "
                "import a compatible model version first",
            )
        ]
    keys: dict[str, set[str]] = {version: set() for version in imported}
    for version, key in Category.objects.filter(model_version__version__in=imported).values_list(
        "model_version__version", "key"
    ):
        keys[version].add(key)
    for version, key in Requirement.objects.filter(model_version__version__in=imported).values_list(
        "model_version__version", "key"
    ):
        keys[version].add(key)
    problems = []
    own = {entry["id"] for entry in spec.references}
    cited = {ref for relevance in spec.relevances for ref in relevance.reference_ids} - own
    known = set(Reference.objects.filter(ref_id__in=cited).values_list("ref_id", flat=True))
    for relevance in spec.relevances:
        for ref in relevance.reference_ids:
            if ref not in own and ref not in known:
                problems.append(
                    Problem(
                        f"{relevance.path}.references",
                        f"cites {ref!r}, which is neither in the file's references nor in the references catalogue",
                    )
                )
    references = [(relevance.path, "category", relevance.category_key) for relevance in spec.relevances]
    references += [(overlay.path, overlay.item_kind, overlay.item_key) for overlay in spec.overlays]
    for path, kind, key in references:
        missing_in = [version for version in imported if key not in keys[version]]
        if missing_in:
            problems.append(Problem(path, f"{kind} {key} does not exist in PKIMM {', '.join(missing_in)}"))
    return problems


def _extension_rows_save(extension: Extension, spec: ExtensionFileSpec, *, source_name: str, by) -> None:
    extension.name = spec.name
    extension.description = spec.description
    extension.documentation_url = spec.documentation_url
    extension.compatibility = list(spec.compatibility)
    extension.floor_score = spec.floor_score
    extension.references = list(spec.references)
    extension.source_sha256 = spec.sha256
    extension.source_name = Path(source_name).name[:255]
    extension.imported_by = _actor(by)
    extension.save()
    ExtensionRelevance.objects.bulk_create(
        ExtensionRelevance(
            extension=extension,
            category_key=relevance.category_key,
            weight=relevance.weight,
            guidance=relevance.guidance,
            assessment_hints=relevance.assessment_hints,
            references=relevance.references,
            reference_ids=list(relevance.reference_ids),
            levels=[level.as_dict() for level in relevance.levels],
            position=position,
        )
        for position, relevance in enumerate(spec.relevances)
    )
    ExtensionOverlay.objects.bulk_create(
        ExtensionOverlay(
            extension=extension,
            item_kind=overlay.item_kind,
            item_key=overlay.item_key,
            kind=overlay.kind,
            value=overlay.value,
            rationale=overlay.rationale,
            position=position,
        )
        for position, overlay in enumerate(spec.overlays)
    )


@dataclass(frozen=True)
class ReferencesImportOutcome:
    created: int
    updated: int
    removed: int
    version: str
    summary: str

    @property
    def message(self) -> str:
        return (
            f"Imported the references catalogue {self.version}: {self.summary}; "
            f"{self.created} new, {self.updated} updated, {self.removed} removed"
        )


REFERENCE_FIELDS = ("title", "authority", "url", "regions", "deprecated", "superseded_by")


def references_import(*, text: str | bytes, source_name: str, by=None) -> ReferencesImportOutcome:
    """Import (or update) the references catalogue. It is versioned apart from the model, so a newer file
    simply updates titles, links and deprecations; an entry that an imported model or extension still cites
    cannot disappear."""
    spec = parse_references_file(text, source_name=source_name)
    with transaction.atomic():
        existing = {ref.ref_id: ref for ref in Reference.objects.select_for_update()}
        wanted = {entry["id"]: entry for entry in spec.entries}
        gone = set(existing) - set(wanted)
        cited = _cited_reference_ids()
        still_cited = sorted(gone & cited)
        if still_cited:
            raise CatalogError(
                source_name,
                [
                    Problem("references", f"{ref!r} is cited by an imported model or extension but missing here")
                    for ref in still_cited
                ],
            )
        created = updated = 0
        for ref_id, entry in wanted.items():
            values = {field: entry[field] for field in REFERENCE_FIELDS}
            row = existing.get(ref_id)
            if row is None:
                Reference.objects.create(ref_id=ref_id, catalogue_version=spec.version, **values)
                created += 1
            elif any(getattr(row, field) != value for field, value in values.items()) or (
                row.catalogue_version != spec.version
            ):
                for field, value in values.items():
                    setattr(row, field, value)
                row.catalogue_version = spec.version
                row.save()
                updated += 1
        Reference.objects.filter(ref_id__in=gone).delete()
        outcome = ReferencesImportOutcome(created, updated, len(gone), spec.version, spec.summary())
        audit_log(
            organization=None,
            actor=_actor(by),
            action="catalog.references_imported",
            object_type="referencecatalogue",
            object_id=spec.version,
            object_repr=f"references catalogue {spec.version}",
            after={
                "version": spec.version,
                "source_name": Path(source_name).name[:255],
                "sha256": spec.sha256,
                "created": created,
                "updated": updated,
                "removed": len(gone),
            },
        )
    return outcome


def _cited_reference_ids() -> set[str]:
    cited: set[str] = set()
    for ids in Requirement.objects.exclude(reference_ids=[]).values_list("reference_ids", flat=True):
        cited.update(ids)
    for ids in ExtensionRelevance.objects.exclude(reference_ids=[]).values_list("reference_ids", flat=True):
        cited.update(ids)
    return cited


@dataclass(frozen=True)
class ProfileImportOutcome:
    status: str  # created, unchanged or replaced
    profile: AssessmentProfile
    summary: str

    @property
    def message(self) -> str:
        label = f"assessment profile {self.profile.profile_id} {self.profile.version}"
        return {
            CREATED: f"Imported the {label}: {self.summary}",
            UNCHANGED: f"The {label} is already imported from this file; nothing changed",
            REPLACED: f"Replaced the {label}: {self.summary}",
        }[self.status]


def profile_import(*, text: str | bytes, source_name: str, by=None, replace: bool = False) -> ProfileImportOutcome:
    """Import an assessment profile for an imported model version. New assessments of that version use the
    newest imported profile; an assessment keeps the profile it was created with."""
    spec = parse_profile_file(text, source_name=source_name)
    with transaction.atomic():
        model_version = ModelVersion.objects.filter(version=spec.model_version).first()
        if model_version is None:
            raise CatalogError(
                source_name,
                [
                    Problem(
                        "profile.model.version",
                        f"the profile is for PKIMM {spec.model_version}, which is not imported; import it first",
                    )
                ],
            )
        existing = (
            AssessmentProfile.objects.select_for_update()
            .filter(profile_id=spec.profile_id, version=spec.version)
            .first()
        )
        if existing is not None and existing.source_sha256 == spec.sha256:
            return ProfileImportOutcome(UNCHANGED, existing, spec.summary())
        if existing is not None:
            if not replace:
                raise CatalogError(
                    source_name,
                    [
                        Problem(
                            "profile.version",
                            f"the profile {spec.profile_id} {spec.version} is already imported from a different file "
                            f"({existing.source_name}); import it with the replace option to overwrite it",
                        )
                    ],
                )
            if _used_outside_catalog(existing):
                raise CatalogError(
                    source_name,
                    [Problem("profile.version", f"the profile {spec.profile_id} {spec.version} is in use")],
                )
        profile = existing or AssessmentProfile(profile_id=spec.profile_id, version=spec.version)
        profile.title = spec.title[:200]
        profile.description = spec.description
        profile.model_version = model_version
        profile.data = spec.data
        profile.source_sha256 = spec.sha256
        profile.source_name = Path(source_name).name[:255]
        profile.imported_by = _actor(by)
        profile.save()
        status = CREATED if existing is None else REPLACED
        audit_log(
            organization=None,
            actor=_actor(by),
            action="catalog.profile_imported",
            obj=profile,
            after={
                "status": status,
                "profile": spec.profile_id,
                "version": spec.version,
                "model_version": spec.model_version,
                "sha256": spec.sha256,
            },
        )
    return ProfileImportOutcome(status, profile, spec.summary())
