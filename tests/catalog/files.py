"""Catalogue files for tests, all of our own: the built-in starter model (own words, official ids and weights),
a 1.0.0-shaped model derived from it, a PQC-shaped extension, and tiny files.

``load(path)`` also reads the official files, for tests marked ``official`` (tests/official.py).
"""

import atexit
import copy
import shutil
import tempfile
from functools import cache
from pathlib import Path

import yaml

from audit.models import AuditEntry
from catalog.models import Category, Extension, ExtensionOverlay, ExtensionRelevance, ModelVersion, Module, Requirement
from catalog.services import DEFAULT_STARTER_MODEL

STARTER_MODEL = Path(DEFAULT_STARTER_MODEL)


@cache
def _load(path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def load(path) -> dict:
    """A fresh (mutable) copy of the YAML data of ``path``."""
    return copy.deepcopy(_load(path))


def dump(data) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def write(path: Path, data: dict) -> Path:
    """Write ``data`` as a YAML file at ``path`` (parents created); returns the path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump(data), encoding="utf-8")
    return path


def model_1_1_data() -> dict:
    """PKIMM 1.1.0 as the built-in starter model has it: official structure, ids and weights, own texts."""
    return load(STARTER_MODEL)


# Model 1.0.0 has the structure of 1.1.0 without the Cryptography category (G.5); the categories after it
# are numbered one lower (M.6 of 1.1.0 is M.5 of 1.0.0, ..., R.16 is R.15). Ids and weights only: texts
# stay those of the starter model.
_CATEGORY_ADDED_IN_1_1 = ("G", "5")


def model_1_1_full_data() -> dict:
    """Stand-in for the official 1.1.0 file: the starter's structure with longer texts, so that importing it
    over the starter model replaces the texts (as importing the official file does)."""
    data = model_1_1_data()
    for module in data["modules"]:
        for category in module["categories"]:
            for requirement in category["requirements"]:
                key = f"{module['id']}.{category['id']}.{requirement['id']}"
                requirement["guidance"] += f" Longer guidance of {key}."
                requirement["assessment"] += f"\n\n- Ask for the records of {key}\n- Interview the team"
    return data


def model_1_0_data() -> dict:
    data = model_1_1_data()
    data["version"] = "1.0.0"
    for module in data["modules"]:
        module["categories"] = [
            category for category in module["categories"] if (module["id"], category["id"]) != _CATEGORY_ADDED_IN_1_1
        ]
        for category in module["categories"]:
            if int(category["id"]) > int(_CATEGORY_ADDED_IN_1_1[1]):
                category["id"] = str(int(category["id"]) - 1)
    return data


# The PQC readiness extension's structure (id, version, compatibility, relevance weights and the requirement
# multipliers of its overlays); every text is written for these tests.
_PQC_MULTIPLIERS = {
    "1": ["2.0", "2.0", "2.0", "2.5"],
    "2": ["1.5", "1.5", "1.5", "1.5", "2.0"],
    "3": ["2.0", "1.5", "1.5", "1.0"],
    "4": ["1.5", "2.0", "1.0", "2.0", "2.0"],
}


def pqc_extension_data() -> dict:
    return {
        "schemaVersion": "1.0.0",
        "extension": {
            "id": "pqc",
            "name": "PQC Readiness Extension",
            "version": "0.1.0",
            "description": "Test stand-in: readiness for post-quantum cryptography, in the tests' own words.\n",
            "documentation": "https://example.org/extensions/pqc",
            "compatibility": ["1.1.0"],
            "floorScore": True,
        },
        "relevance": {
            "modules": [
                {
                    "id": "G",
                    "categories": [
                        {
                            "id": code,
                            "weight": 5,
                            "guidance": f"How G.{code} prepares for quantum-safe algorithms (test text).",
                            "assessment": f"- Ask who plans the algorithm change for G.{code}",
                            "references": "- [Example reference](https://example.org/pqc)",
                            "levels": _levels(f"PQC G.{code}"),
                        }
                        for code in _PQC_MULTIPLIERS
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
                            "id": code,
                            "requirements": [
                                {
                                    "id": str(number),
                                    "type": "multiplier",
                                    "multiplier": float(multiplier),
                                    "rationale": f"Quantum risk weighs more on G.{code}.{number} (test text).",
                                }
                                for number, multiplier in enumerate(multipliers, start=1)
                            ],
                        }
                        for code, multipliers in _PQC_MULTIPLIERS.items()
                    ],
                }
            ]
        },
    }


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


@cache
def own_files_dir() -> Path:
    """A folder with the tests' own stand-ins for the official files, under the official file names."""
    directory = Path(tempfile.mkdtemp(prefix="pkimm-test-files-"))
    atexit.register(shutil.rmtree, directory, True)
    write(directory / "pkimm-model-1.0.0.yaml", model_1_0_data())
    write(directory / "pkimm-model-1.1.0.yaml", model_1_1_full_data())
    write(directory / "extensions" / "pqc-extension.yaml", pqc_extension_data())
    return directory


# Own files named like the official ones (tests/official.py has the official files' paths).
MODEL_1_0 = own_files_dir() / "pkimm-model-1.0.0.yaml"
MODEL_1_1 = own_files_dir() / "pkimm-model-1.1.0.yaml"
PQC_EXTENSION = own_files_dir() / "extensions" / "pqc-extension.yaml"

CATALOG_MODELS = (ModelVersion, Module, Category, Requirement, Extension, ExtensionRelevance, ExtensionOverlay)


def row_counts() -> dict[str, int]:
    """Rows of every catalogue table and of the audit log: a refused import must leave them all as they were."""
    counts = {model.__name__: model.objects.count() for model in CATALOG_MODELS}
    counts["AuditEntry"] = AuditEntry.objects.count()
    return counts
