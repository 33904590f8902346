"""The importer and the official JSON schemas agree: both accept the official files, and every broken variant
is refused by the importer (naming the place) and, where the schema can express the rule, by the schema too.
A refused import changes no row. Needs the official files (tests/official.py)."""

import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import pytest
import yaml
from jsonschema import Draft7Validator, Draft202012Validator

from catalog.errors import CatalogError
from catalog.modelfile import parse_extension_file, parse_model_file
from catalog.services import extension_import, model_version_import
from tests.catalog.files import dump, load, row_counts
from tests.official import EXTENSION_SCHEMA, MODEL_1_0, MODEL_1_1, MODEL_SCHEMA, PQC_EXTENSION

pytestmark = pytest.mark.official


@cache
def _validator(path, cls):
    schema = json.loads(path.read_text(encoding="utf-8"))
    cls.check_schema(schema)
    return cls(schema)


def model_validator():
    return _validator(MODEL_SCHEMA, Draft7Validator)


def extension_validator():
    return _validator(EXTENSION_SCHEMA, Draft202012Validator)


def schema_errors(validator, text: str) -> list[str]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        return [f"YAML: {exc}"]
    return [f"{list(error.absolute_path)}: {error.message}" for error in validator.iter_errors(data)]


@pytest.mark.parametrize("path", [MODEL_1_0, MODEL_1_1], ids=["1.0.0", "1.1.0"])
def test_official_models_pass_the_schema_and_the_parser(path):
    text = path.read_text(encoding="utf-8")
    assert schema_errors(model_validator(), text) == []
    spec = parse_model_file(text, source_name=path.name)
    assert spec.version == path.stem.removeprefix("pkimm-model-")


def test_pqc_extension_passes_the_schema_and_the_parser():
    text = PQC_EXTENSION.read_text(encoding="utf-8")
    assert schema_errors(extension_validator(), text) == []
    spec = parse_extension_file(text, source_name=PQC_EXTENSION.name)
    assert (spec.ext_id, spec.compatibility, spec.floor_score) == ("pqc", ("1.1.0",), True)


@dataclass(frozen=True)
class Variant:
    name: str
    mutate: Callable[[dict], object]  # changes the loaded data in place
    path: str  # the place the importer must name
    schema_rejects: bool  # whether the official schema can express the rule
    text: str | None = None  # a raw text instead of a mutation (malformed YAML)


def _set(value, *keys):
    def mutate(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        target[keys[-1]] = value

    return mutate


def _delete(*keys):
    def mutate(data):
        target = data
        for key in keys[:-1]:
            target = target[key]
        del target[keys[-1]]

    return mutate


REQ = ("modules", 1, "categories", 0, "requirements", 3)
CAT = ("modules", 0, "categories", 0)

MODEL_VARIANTS = [
    Variant(
        "missing requirement weight", _delete(*REQ, "weight"), "modules[1].categories[0].requirements[3].weight", True
    ),
    Variant("missing guidance", _delete(*REQ, "guidance"), "modules[1].categories[0].requirements[3].guidance", True),
    Variant("missing modules", _delete("modules"), "modules", True),
    Variant("non-integer weight", _set(2.5, *REQ, "weight"), "modules[1].categories[0].requirements[3].weight", True),
    Variant("weight as text", _set("three", *CAT, "weight"), "modules[0].categories[0].weight", True),
    Variant("boolean weight", _set(True, *CAT, "weight"), "modules[0].categories[0].weight", True),
    Variant("name of wrong type", _set(5, *CAT, "name"), "modules[0].categories[0].name", True),
    Variant("unquoted category id", _set(1, *CAT, "id"), "modules[0].categories[0].id", True),
    Variant("categories not a list", _set({}, "modules", 0, "categories"), "modules[0].categories", True),
    Variant("unknown module id", _set("X", "modules", 2, "id"), "modules[2].id", True),
    Variant("bad version", _set("1.1", "version"), "version", True),
    Variant("unsupported schema version", _set("2.0.0", "schemaVersion"), "schemaVersion", True),
    Variant("top level is a list", lambda data: [data], "(top level)", True),
    Variant("duplicate module id", _set("G", "modules", 1, "id"), "modules[1].id", False),
    Variant(
        "duplicate category id", _set("1", "modules", 1, "categories", 0, "id"), "modules[1].categories[0].id", False
    ),
    Variant(
        "duplicate requirement id",
        _set("1", *CAT, "requirements", 1, "id"),
        "modules[0].categories[0].requirements[1].id",
        False,
    ),
    Variant("level 6", _set(6, *CAT, "levels", 4, "number"), "modules[0].categories[0].levels[4].number", False),
    Variant("level 0", _set(0, *CAT, "levels", 0, "number"), "modules[0].categories[0].levels[0].number", False),
    Variant(
        "level listed twice", _set(2, *CAT, "levels", 2, "number"), "modules[0].categories[0].levels[2].number", False
    ),
    Variant("level missing", _delete(*CAT, "levels", 2), "modules[0].categories[0].levels", False),
    Variant("no levels", _delete(*CAT, "levels"), "modules[0].categories[0].levels", False),
    Variant("weight zero", _set(0, *REQ, "weight"), "modules[1].categories[0].requirements[3].weight", False),
    Variant("negative category weight", _set(-2, *CAT, "weight"), "modules[0].categories[0].weight", False),
    Variant("no requirements", _delete(*CAT, "requirements"), "modules[0].categories[0].requirements", False),
    Variant("module name not matching id", _set("Operations", "modules", 0, "name"), "modules[0].name", False),
    Variant(
        "malformed YAML",
        None,
        "line 5, column 7",
        True,
        text='schemaVersion: "1.0.0"\nversion: "1.1.0"\nmodules:\n  - id: "G"\n      name: "Governance"\n',
    ),
    Variant("tab indentation", None, "line 2, column", True, text='schemaVersion: "1.0.0"\n\tversion: "1.1.0"\n'),
    Variant(
        "duplicate key",
        None,
        "line 3, column 1",
        False,
        text='schemaVersion: "1.0.0"\nversion: "1.1.0"\nversion: "1.1.1"\nmodules: []\n',
    ),
]


def _variant_text(variant, path):
    if variant.text is not None:
        return variant.text
    data = load(path)
    replaced = variant.mutate(data)
    return dump(replaced if replaced is not None else data)


@pytest.fixture
def model_1_0_imported(db):
    model_version_import(text=MODEL_1_0.read_bytes(), source_name=MODEL_1_0.name)


@pytest.mark.parametrize("variant", MODEL_VARIANTS, ids=lambda v: v.name)
def test_broken_model_variants_are_refused(variant, model_1_0_imported):
    text = _variant_text(variant, MODEL_1_1)
    errors = schema_errors(model_validator(), text)
    if variant.schema_rejects:
        assert errors, "the official schema should refuse this variant too"
    else:
        assert errors == [], "the schema cannot express this rule; it accepts the file and only our checks refuse it"
    before = row_counts()
    with pytest.raises(CatalogError) as refused:
        model_version_import(text=text, source_name="broken-model.yaml")
    assert any(line.startswith(f"broken-model.yaml: {variant.path}") for line in refused.value.lines()), str(
        refused.value
    )
    assert row_counts() == before


G_OVERLAYS = ("overlays", "modules", 0, "categories")
G_RELEVANCE = ("relevance", "modules", 0, "categories", 0)
REQ_OVERLAY = (*G_OVERLAYS, 2, "requirements", 1)


def _append(value, *keys):
    def mutate(data):
        target = data
        for key in keys:
            target = target[key]
        target.append(value)

    return mutate


def _duplicate_overlay_module(data):
    data["overlays"]["modules"].append({"id": "G", "categories": []})


def _both_values(data):
    data["overlays"]["modules"][0]["categories"][0]["requirements"][0]["addition"] = 1


EXTENSION_VARIANTS = [
    Variant("missing name", _delete("extension", "name"), "extension.name", True),
    Variant("missing overlays", _delete("overlays"), "overlays", True),
    Variant("empty compatibility", _set([], "extension", "compatibility"), "extension.compatibility", True),
    Variant("bad compatibility entry", _set(["1.1"], "extension", "compatibility"), "extension.compatibility[0]", True),
    Variant("floorScore not boolean", _set("yes", "extension", "floorScore"), "extension.floorScore", True),
    Variant(
        "relevance level 6",
        _set(6, *G_RELEVANCE, "levels", 4, "number"),
        "relevance.modules[0].categories[0].levels[4].number",
        True,
    ),
    Variant(
        "relevance with four levels",
        _delete(*G_RELEVANCE, "levels", 4),
        "relevance.modules[0].categories[0].levels",
        True,
    ),
    Variant(
        "negative relevance weight", _set(-1, *G_RELEVANCE, "weight"), "relevance.modules[0].categories[0].weight", True
    ),
    Variant(
        "relevance without guidance",
        _delete(*G_RELEVANCE, "guidance"),
        "relevance.modules[0].categories[0].guidance",
        True,
    ),
    Variant(
        "multiplier type without value",
        _delete(*REQ_OVERLAY, "multiplier"),
        "overlays.modules[0].categories[2].requirements[1].multiplier",
        True,
    ),
    Variant(
        "two values in one overlay", _both_values, "overlays.modules[0].categories[0].requirements[0].addition", True
    ),
    Variant(
        "unknown overlay type",
        _set("divide", *REQ_OVERLAY, "type"),
        "overlays.modules[0].categories[2].requirements[1].type",
        True,
    ),
    Variant(
        "negative multiplier",
        _set(-1, *REQ_OVERLAY, "multiplier"),
        "overlays.modules[0].categories[2].requirements[1].multiplier",
        True,
    ),
    Variant(
        "requirement overlay without rationale",
        _delete(*REQ_OVERLAY, "rationale"),
        "overlays.modules[0].categories[2].requirements[1].rationale",
        True,
    ),
    Variant(
        "category value without type",
        _append({"id": "5", "multiplier": 2}, *G_OVERLAYS),
        "overlays.modules[0].categories[4].multiplier",
        True,
    ),
    Variant("module listed twice in overlays", _duplicate_overlay_module, "overlays.modules[1].id", True),
    Variant(
        "compatible with no imported version",
        _set(["9.9.9"], "extension", "compatibility"),
        "extension.compatibility",
        False,
    ),
    Variant(
        "overlay on unknown category",
        _append({"id": "42", "type": "multiplier", "multiplier": 1.5}, *G_OVERLAYS),
        "overlays.modules[0].categories[4]",
        False,
    ),
    Variant(
        "overlay on unknown requirement",
        _set("77", *REQ_OVERLAY, "id"),
        "overlays.modules[0].categories[2].requirements[1]",
        False,
    ),
    Variant(
        "relevance for unknown category", _set("99", *G_RELEVANCE, "id"), "relevance.modules[0].categories[0]", False
    ),
    Variant(
        "duplicate requirement overlay",
        _set("1", *REQ_OVERLAY, "id"),
        "overlays.modules[0].categories[2].requirements[1].id",
        False,
    ),
    Variant(
        "malformed YAML",
        None,
        "line 4, column 7",
        True,
        text='schemaVersion: "1.0.0"\nextension:\n  id: "x"\n      name: "y"\n',
    ),
]


@pytest.fixture
def model_1_1_imported(db):
    model_version_import(text=MODEL_1_1.read_bytes(), source_name=MODEL_1_1.name)


@pytest.mark.parametrize("variant", EXTENSION_VARIANTS, ids=lambda v: v.name)
def test_broken_extension_variants_are_refused(variant, model_1_1_imported):
    text = _variant_text(variant, PQC_EXTENSION)
    errors = schema_errors(extension_validator(), text)
    if variant.schema_rejects:
        assert errors, "the official schema should refuse this variant too"
    else:
        assert errors == [], "the schema cannot express this rule; it accepts the file and only our checks refuse it"
    before = row_counts()
    with pytest.raises(CatalogError) as refused:
        extension_import(text=text, source_name="broken-ext.yaml")
    assert any(line.startswith(f"broken-ext.yaml: {variant.path}") for line in refused.value.lines()), str(
        refused.value
    )
    assert row_counts() == before


def test_every_problem_is_reported_not_just_the_first(db):
    data = load(MODEL_1_1)
    data["modules"][0]["categories"][0]["weight"] = "heavy"
    data["modules"][1]["categories"][0]["requirements"][3]["weight"] = 2.5
    data["modules"][3]["categories"][1]["levels"][4]["number"] = 7
    with pytest.raises(CatalogError) as refused:
        parse_model_file(dump(data), source_name="m.yaml")
    assert refused.value.lines() == [
        "m.yaml: modules[0].categories[0].weight: must be an integer, not a string (heavy)",
        "m.yaml: modules[1].categories[0].requirements[3].weight: must be an integer, not a number (2.5)",
        "m.yaml: modules[3].categories[1].levels[4].number: level number 7 is outside 1-5",
    ]
