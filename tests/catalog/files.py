"""Catalogue files for tests: the official files loaded from ../shared/pkimm, and tiny files of our own."""

import copy
from functools import cache

import yaml

from audit.models import AuditEntry
from catalog.models import Category, Extension, ExtensionOverlay, ExtensionRelevance, ModelVersion, Module, Requirement


@cache
def _load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load(path) -> dict:
    """A fresh (mutable) copy of the YAML data of ``path``."""
    return copy.deepcopy(_load(path))


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _levels(prefix: str) -> list[dict]:
    names = ["Initial", "Basic", "Advanced", "Managed", "Optimized"]
    return [
        {"number": n, "name": f"{n} - {name}", "description": f"{prefix}: test descriptor for level {n}."}
        for n, name in enumerate(names, start=1)
    ]


def _requirement(code: str, weight: int) -> dict:
    return {
        "id": code,
        "weight": weight,
        "description": f"Test requirement {code}",
        "guidance": f"Guidance of test requirement {code} with **bold** text.",
        "assessment": f"- Look for record {code}\n- Ask the team",
        "references": "- [Example reference](https://example.org/ref)",
    }


def tiny_model(version: str = "9.1.0") -> dict:
    """A small but complete model: G with categories 1 and 2, M with category 3."""
    categories = {
        "G": [("1", 3, [("1", 2), ("2", 1)]), ("2", 2, [("1", 1), ("2", 3), ("3", 1)])],
        "M": [("3", 4, [("1", 2)])],
    }
    names = {"G": "Governance", "M": "Management"}
    return {
        "schemaVersion": "1.0.0",
        "version": version,
        "modules": [
            {
                "id": module,
                "name": names[module],
                "description": f"Test module {module}.",
                "categories": [
                    {
                        "id": code,
                        "weight": weight,
                        "name": f"Test category {module}.{code}",
                        "description": f"What test category {module}.{code} covers.",
                        "levels": _levels(f"{module}.{code}"),
                        "requirements": [_requirement(r, w) for r, w in requirements],
                    }
                    for code, weight, requirements in cats
                ],
            }
            for module, cats in categories.items()
        ],
    }


def tiny_extension(compatibility=("9.1.0",), ext_id: str = "testext", version: str = "0.1.0") -> dict:
    return {
        "schemaVersion": "1.0.0",
        "extension": {
            "id": ext_id,
            "name": "Test extension",
            "version": version,
            "description": "An extension for tests.",
            "documentation": "https://example.org/ext",
            "compatibility": list(compatibility),
            "floorScore": True,
        },
        "relevance": {
            "modules": [
                {
                    "id": "G",
                    "categories": [
                        {
                            "id": "1",
                            "weight": 2,
                            "guidance": "Extra question guidance.",
                            "assessment": "Extra question hints.",
                            "references": "- none",
                            "levels": _levels("relevance G.1"),
                        }
                    ],
                }
            ]
        },
        "overlays": {
            "modules": [
                {
                    "id": "G",
                    "categories": [
                        {
                            "id": "1",
                            "type": "multiplier",
                            "multiplier": 1.25,
                            "rationale": "Category overlay for tests.",
                            "requirements": [
                                {"id": "1", "type": "multiplier", "multiplier": 1.5, "rationale": "r1"},
                                {"id": "2", "type": "addition", "addition": -0.1, "rationale": "r2"},
                            ],
                        },
                        {
                            "id": "2",
                            "requirements": [{"id": "3", "type": "override", "override": 4, "rationale": "r3"}],
                        },
                    ],
                }
            ]
        },
    }


CATALOG_MODELS = (ModelVersion, Module, Category, Requirement, Extension, ExtensionRelevance, ExtensionOverlay)


def row_counts() -> dict[str, int]:
    """Rows of every catalogue table and of the audit log: a refused import must leave them all as they were."""
    counts = {model.__name__: model.objects.count() for model in CATALOG_MODELS}
    counts["AuditEntry"] = AuditEntry.objects.count()
    return counts


def tiny_references(version: str = "1.0.0") -> dict:
    """A references catalogue with two current entries and one deprecated entry pointing at its successor."""
    return {
        "schemaVersion": "1.0.0",
        "version": version,
        "references": [
            {
                "id": "test-standard",
                "title": "Test standard for certificates",
                "authority": "Test Standards Body",
                "url": "https://example.org/standard",
                "regions": ["GLOBAL"],
            },
            {"id": "test-old-guide", "title": "Old test guide", "deprecated": True, "supersededBy": "test-new-guide"},
            {"id": "test-new-guide", "title": "New test guide", "authority": "Test Agency", "regions": ["EU"]},
        ],
    }


def tiny_model_2(version: str = "9.2.0") -> dict:
    """A small model in the 2.0.0 shape: named ids, level names without numbers, references by id."""
    names = ["Initial", "Foundational", "Advanced", "Managed", "Optimized"]

    def levels(prefix):
        return [{"number": n, "name": name, "description": f"{prefix}: level {n}."} for n, name in enumerate(names, 1)]

    def requirement(code, weight, references=()):
        return {
            "id": code,
            "weight": weight,
            "description": f"Test requirement {code} is documented",
            "guidance": f"Guidance of {code}.",
            "assessment": f"- Look for {code}",
            "references": list(references),
        }

    return {
        "schemaVersion": "2.0.0",
        "version": version,
        "modules": [
            {
                "id": "G",
                "name": "Governance",
                "description": "Test module G.",
                "categories": [
                    {
                        "id": "test-vision",
                        "weight": 3,
                        "name": "Test vision",
                        "description": "Vision.",
                        "levels": levels("vision"),
                        "requirements": [
                            requirement("test-sponsor", 2, ["test-standard"]),
                            requirement("test-scope", 1, ["test-old-guide"]),
                        ],
                    },
                    {
                        "id": "test-policies",
                        "weight": 2,
                        "name": "Test policies",
                        "description": "Policies.",
                        "levels": levels("policies"),
                        "requirements": [requirement("test-policy", 3)],
                    },
                ],
            }
        ],
    }
