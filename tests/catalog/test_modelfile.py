"""The pure file checks: every problem with its place, readable messages, exact numbers."""

import pytest

from catalog.errors import CatalogFileError
from catalog.modelfile import parse_extension_file, parse_model_file
from tests.catalog.files import MODEL_1_1, dump, tiny_extension, tiny_model


def problems(parse, text) -> list[str]:
    with pytest.raises(CatalogFileError) as refused:
        parse(text, source_name="f.yaml")
    return refused.value.lines()


def test_tiny_model_parses():
    spec = parse_model_file(dump(tiny_model()), source_name="tiny.yaml")
    assert spec.version == "9.1.0"
    assert spec.summary() == "2 modules, 3 categories, 6 requirements"
    assert spec.weights() == {
        "G": 0,
        "G.1": 3,
        "G.1.1": 2,
        "G.1.2": 1,
        "G.2": 2,
        "G.2.1": 1,
        "G.2.2": 3,
        "G.2.3": 1,
        "M": 0,
        "M.3": 4,
        "M.3.1": 2,
    }
    assert [level.number for level in spec.modules[0].categories[0].levels] == [1, 2, 3, 4, 5]


def test_same_bytes_same_sha256_and_bom_is_accepted():
    text = MODEL_1_1.read_bytes()
    first = parse_model_file(text, source_name="a")
    assert parse_model_file(b"\xef\xbb\xbf" + text, source_name="b").modules == first.modules
    assert parse_model_file(text.decode("utf-8"), source_name="c").sha256 == first.sha256


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ["f.yaml: (top level): must be a mapping, not null"]),
        ("- 1\n- 2\n", ["f.yaml: (top level): must be a mapping, not a list"]),
        (b"version: \xff\n", ["f.yaml: byte 9: the file is not UTF-8 text"]),
        ("a: &x [1]\nb: *x\n", ["f.yaml: line 2, column 4: malformed YAML: anchors and aliases are not supported"]),
        ("a: 1\na: 2\n", ["f.yaml: line 2, column 1: malformed YAML: duplicate key 'a'"]),
    ],
)
def test_unusable_files(text, expected):
    assert problems(parse_model_file, text) == expected


def test_missing_fields_are_all_listed():
    assert problems(parse_model_file, "modules: []\n") == [
        "f.yaml: schemaVersion: is required but missing",
        "f.yaml: version: is required but missing",
        "f.yaml: modules: must not be empty",
    ]


def test_quoted_ids_are_asked_for():
    data = tiny_model()
    data["modules"][0]["categories"][0]["requirements"][0]["id"] = 1
    assert problems(parse_model_file, dump(data)) == [
        "f.yaml: modules[0].categories[0].requirements[0].id: must be a string, not an integer (put it in quotes)"
    ]


def test_category_ids_are_unique_across_modules_and_requirement_ids_within_their_category():
    data = tiny_model()
    data["modules"][1]["categories"][0]["id"] = "2"
    data["modules"][0]["categories"][1]["requirements"][2]["id"] = "1"
    assert problems(parse_model_file, dump(data)) == [
        "f.yaml: modules[0].categories[1].requirements[2].id: duplicate requirement id '1' "
        "(already used at modules[0].categories[1].requirements[0].id)",
        "f.yaml: modules[1].categories[0].id: duplicate category id '2' (already used at modules[0].categories[1].id)",
    ]
    # The same requirement id in two categories is normal ("1" in every category).
    assert parse_model_file(dump(tiny_model()), source_name="ok")


def test_levels_must_be_one_to_five_once_each():
    data = tiny_model()
    levels = data["modules"][0]["categories"][0]["levels"]
    levels[3]["number"] = 3
    assert problems(parse_model_file, dump(data)) == [
        "f.yaml: modules[0].categories[0].levels[3].number: duplicate level number 3 "
        "(already used at modules[0].categories[0].levels[2].number)"
    ]
    del levels[3]
    assert problems(parse_model_file, dump(data)) == [
        "f.yaml: modules[0].categories[0].levels: must describe each of the levels 1-5 exactly once; missing: 4"
    ]


def test_too_long_title_is_refused_before_the_database_would():
    data = tiny_model()
    data["modules"][0]["categories"][0]["requirements"][0]["description"] = "x" * 301
    assert problems(parse_model_file, dump(data)) == [
        "f.yaml: modules[0].categories[0].requirements[0].description: is longer than 300 characters"
    ]


def test_extension_overlay_shapes():
    spec = parse_extension_file(dump(tiny_extension()), source_name="e")
    assert [(o.item_kind, o.item_key, o.kind, o.value) for o in spec.overlays] == [
        ("category", "G.1", "multiplier", "1.25"),
        ("requirement", "G.1.1", "multiplier", "1.5"),
        ("requirement", "G.1.2", "addition", "-0.1"),
        ("requirement", "G.2.3", "override", "4"),
    ]
    assert [r.category_key for r in spec.relevances] == ["G.1"]


def test_extension_numbers_keep_the_file_digits():
    text = dump(tiny_extension()).replace("multiplier: 1.25", "multiplier: 1.3333333333333333333")
    spec = parse_extension_file(text, source_name="e")
    assert spec.overlays[0].value == "1.3333333333333333333"


def test_extension_overlay_problems():
    data = tiny_extension()
    category = data["overlays"]["modules"][0]["categories"][0]
    category["type"] = "addition"  # but the value is under "multiplier"
    category["requirements"][1]["type"] = "override"
    category["requirements"][1]["override"] = -1
    category["requirements"][0]["multiplier"] = ".inf"
    assert problems(parse_extension_file, dump(data)) == [
        "f.yaml: overlays.modules[0].categories[0].multiplier: is not allowed in an overlay of type addition",
        "f.yaml: overlays.modules[0].categories[0].addition: is required for an overlay of type addition",
        "f.yaml: overlays.modules[0].categories[0].requirements[0].multiplier: must be a number, not a string",
        "f.yaml: overlays.modules[0].categories[0].requirements[1].addition: is not allowed in an overlay of type "
        "override",
        "f.yaml: overlays.modules[0].categories[0].requirements[1].override: must be at least 0, not -1",
    ]


def test_extension_infinite_number_is_refused():
    text = dump(tiny_extension()).replace("multiplier: 1.25", "multiplier: .inf")
    assert problems(parse_extension_file, text) == [
        "f.yaml: overlays.modules[0].categories[0].multiplier: must be a finite number, not Infinity"
    ]


def test_extension_metadata_problems_in_file_order():
    data = tiny_extension()
    data["extension"] = {}
    assert problems(parse_extension_file, dump(data)) == [
        "f.yaml: extension.id: is required but missing",
        "f.yaml: extension.name: is required but missing",
        "f.yaml: extension.version: is required but missing",
        "f.yaml: extension.description: is required but missing",
        "f.yaml: extension.documentation: is required but missing",
        "f.yaml: extension.compatibility: is required but missing",
    ]
    data["extension"] = ["pqc"]
    assert problems(parse_extension_file, dump(data)) == ["f.yaml: extension: must be a mapping, not a list"]
