"""The built-in starter model: same structure, ids, names and weights as the official 1.1.0 file,
so scores match, but every text is our own short summary (never the official wording)."""

import json
from pathlib import Path

import pytest
import yaml
from jsonschema import Draft7Validator

import catalog
from tests.official import MODEL_1_1, MODEL_SCHEMA

STARTER_1_1 = Path(catalog.__file__).resolve().parent / "starter" / "pkimm-1.1.0-summary.yaml"
REQUIREMENT_TEXT_FIELDS = ("description", "guidance", "assessment", "references")


@pytest.fixture(scope="module")
def starter():
    return yaml.safe_load(STARTER_1_1.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def official():
    return yaml.safe_load(MODEL_1_1.read_text(encoding="utf-8"))


def categories(model):
    return {f"{m['id']}.{c['id']}": c for m in model["modules"] for c in m["categories"]}


def requirements(model):
    return {f"{key}.{r['id']}": r for key, c in categories(model).items() for r in c["requirements"]}


@pytest.mark.official
def test_is_valid_against_the_model_schema(starter):
    schema = json.loads(MODEL_SCHEMA.read_text(encoding="utf-8"))
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in Draft7Validator(schema).iter_errors(starter)]
    assert errors == []


def test_header_says_texts_are_summaries():
    header = STARTER_1_1.read_text(encoding="utf-8").split("schemaVersion:")[0]
    assert "NOT the official" in header
    assert "replaces" in header


@pytest.mark.official
def test_same_versions_and_modules(starter, official):
    assert (
        (starter["schemaVersion"], starter["version"])
        == (official["schemaVersion"], official["version"])
        == (
            "1.0.0",
            "1.1.0",
        )
    )
    assert [(m["id"], m["name"]) for m in starter["modules"]] == [(m["id"], m["name"]) for m in official["modules"]]


@pytest.mark.official
def test_same_category_ids_names_weights_and_level_names(starter, official):
    def shape(model):
        return [
            (key, c["name"], c["weight"], [(level["number"], level["name"]) for level in c["levels"]])
            for key, c in categories(model).items()
        ]

    assert shape(starter) == shape(official)
    assert len(categories(starter)) == 16


@pytest.mark.official
def test_same_requirement_ids_and_weights(starter, official):
    def shape(model):
        return [(key, r["weight"]) for key, r in requirements(model).items()]

    assert shape(starter) == shape(official)
    assert len(requirements(starter)) == 78
    weight_sums = {key: sum(r["weight"] for r in c["requirements"]) for key, c in categories(starter).items()}
    assert weight_sums["G.1"] == 8
    assert weight_sums["G.5"] == 25
    assert weight_sums["O.13"] == 23


@pytest.mark.official
def test_no_requirement_text_equals_the_official_one(starter, official):
    official_requirements = requirements(official)
    same = [
        (key, field)
        for key, requirement in requirements(starter).items()
        for field in REQUIREMENT_TEXT_FIELDS
        if requirement[field].strip() == official_requirements[key][field].strip()
    ]
    assert same == []


@pytest.mark.official
def test_no_category_or_level_description_equals_the_official_one(starter, official):
    official_categories = categories(official)
    same = []
    for key, category in categories(starter).items():
        theirs = official_categories[key]
        if category["description"].strip() == theirs["description"].strip():
            same.append(key)
        for ours_level, their_level in zip(category["levels"], theirs["levels"], strict=True):
            if ours_level["description"].strip() == their_level["description"].strip():
                same.append(f"{key} level {ours_level['number']}")
    assert same == []


def test_texts_are_short_single_lines(starter):
    texts = [m["description"] for m in starter["modules"]]
    for category in categories(starter).values():
        texts += [category["description"]] + [level["description"] for level in category["levels"]]
        texts += [r[field] for r in category["requirements"] for field in REQUIREMENT_TEXT_FIELDS]
    too_long = [text for text in texts if len(text) > 200 or "\n" in text or not text.strip()]
    assert too_long == []
