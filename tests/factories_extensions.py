"""Test-only builder of catalogue Extension rows straight from extension data (by default the tests' own
PQC-shaped extension, tests/catalog/files.py).

A stand-in for the catalogue importer in tests: no validation, just ORM creates from the parsed YAML.
"""

from catalog.models import Extension, ExtensionOverlay, ExtensionRelevance
from tests.catalog.files import pqc_extension_data
from tests.factories import _load_yaml


def _number_text(number) -> str:
    # PyYAML gives floats; their shortest repr is the decimal text written in the file.
    return repr(number) if isinstance(number, float) else str(number)


def extension_from_file(path=None, *, compatibility=None) -> Extension:
    """From an extension file (an official one: only in tests marked ``official``), else the own PQC data."""
    return extension_from_data(pqc_extension_data() if path is None else _load_yaml(path), compatibility=compatibility)


def extension_from_data(data: dict, *, compatibility=None) -> Extension:
    meta = data["extension"]
    existing = Extension.objects.filter(ext_id=meta["id"], version=meta["version"]).first()
    if existing:
        return existing
    extension = Extension.objects.create(
        ext_id=meta["id"],
        version=meta["version"],
        name=meta["name"],
        description=meta.get("description", ""),
        documentation_url=meta.get("documentation", ""),
        compatibility=list(compatibility if compatibility is not None else meta["compatibility"]),
        floor_score=bool(meta.get("floorScore", False)),
    )
    position = 0
    for module in (data.get("relevance") or {}).get("modules", []):
        for category in module["categories"]:
            ExtensionRelevance.objects.create(
                extension=extension,
                category_key=f"{module['id']}.{category['id']}",
                weight=_number_text(category["weight"]),
                guidance=category.get("guidance", ""),
                assessment_hints=category.get("assessment", ""),
                references=category.get("references", ""),
                levels=category.get("levels", []),
                position=(position := position + 1),
            )
    position = 0
    for module in (data.get("overlays") or {}).get("modules", []):
        for category in module["categories"]:
            category_key = f"{module['id']}.{category['id']}"
            items = [(ExtensionOverlay.ItemKind.CATEGORY, category_key, category)] if "type" in category else []
            items += [
                (ExtensionOverlay.ItemKind.REQUIREMENT, f"{category_key}.{r['id']}", r)
                for r in category.get("requirements", [])
            ]
            for item_kind, key, item in items:
                ExtensionOverlay.objects.create(
                    extension=extension,
                    item_kind=item_kind,
                    item_key=key,
                    kind=item["type"],
                    value=_number_text(item[item["type"]]),
                    rationale=item.get("rationale", ""),
                    position=(position := position + 1),
                )
    return extension


def pqc_extension() -> Extension:
    return extension_from_data(pqc_extension_data())
