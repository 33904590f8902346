"""Model 2.0.0: string ids, the references catalogue, assessment profiles and extensions side by side.

Own tiny 2.0.0-shaped files test the behaviour; the official files (../shared/pkimm) show that the
published versions import as they are."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from catalog.errors import CatalogError
from catalog.models import AssessmentProfile, Extension, ModelVersion, Reference, Requirement
from catalog.services import model_version_import, profile_import, references_import
from tests.catalog.files import dump, load, tiny_model, tiny_model_2, tiny_references
from tests.conftest import (
    MODEL_1_0,
    MODEL_1_1,
    MODEL_2_0,
    PQC_EXTENSION,
    PQC_EXTENSION_0_2,
    PQC_EXTENSION_0_6,
    PROFILE_SELF,
    REFERENCES,
)


def _run(command, *args) -> str:
    out = StringIO()
    call_command(command, *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.official
def test_every_published_version_and_file_imports_by_its_schema_version():
    assert "77 requirements" in "".join([_run("import_references", REFERENCES), _run("import_model", MODEL_2_0)])
    assert "72 requirements" in _run("import_model", MODEL_1_0)
    assert "78 requirements" in _run("import_model", MODEL_1_1)
    assert "18 overlays" in _run("import_extension", PQC_EXTENSION)
    assert "18 overlays" in _run("import_extension", PQC_EXTENSION_0_2)
    assert "24 overlays" in _run("import_extension", PQC_EXTENSION_0_6)
    assert "rounding floor" in _run("import_profile", PROFILE_SELF)

    v2 = ModelVersion.objects.get(version="2.0.0")
    assert v2.level_name_map[2] == "Foundational"
    assert ModelVersion.objects.get(version="1.1.0").level_name_map[2] == "Basic"
    sponsor = Requirement.objects.get(model_version=v2, code="sponsor-support")
    assert sponsor.key == "G.strategy-and-vision.sponsor-support"
    assert sponsor.label == "sponsor-support"
    assert Requirement.objects.get(model_version__version="1.1.0", key="G.1.1").label == "G.1.1"
    assert sponsor.reference_ids and set(sponsor.reference_ids) <= set(
        Reference.objects.values_list("ref_id", flat=True)
    )
    # Extension versions live side by side; each keeps its own overlays.
    versions = dict(Extension.objects.filter(ext_id="pqc").values_list("version", "compatibility"))
    assert versions == {"0.1.0": ["1.1.0"], "0.2.0": ["2.0.0"], "0.6.0": ["2.0.0"]}
    assert Extension.objects.get(version="0.6.0").overlays.filter(item_key__startswith="G.cryptography.").count() == 6
    profile = AssessmentProfile.objects.get()
    assert profile.model_version == v2
    assert profile.default_tier["id"] == "self"


@pytest.mark.django_db
def test_a_model_citing_references_needs_the_catalogue_first():
    with pytest.raises(CatalogError, match="import the references catalogue first"):
        model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    data = tiny_model_2()
    data["modules"][0]["categories"][0]["requirements"][0]["references"] = ["test-standard", "no-such-reference"]
    with pytest.raises(CatalogError) as refused:
        model_version_import(text=dump(data), source_name="m.yaml")
    assert refused.value.problems[0].path == "G.test-vision.test-sponsor"
    assert "'no-such-reference'" in refused.value.problems[0].message
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_tiny_2_0_model_keeps_its_ids_and_level_names():
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    outcome = model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    version = outcome.model_version
    assert version.schema_version == "2.0.0"
    assert version.level_names == {
        "1": "Initial",
        "2": "Foundational",
        "3": "Advanced",
        "4": "Managed",
        "5": "Optimized",
    }
    assert list(version.categories.values_list("key", flat=True)) == ["G.test-vision", "G.test-policies"]
    assert list(version.requirements.values_list("key", "reference_ids")) == [
        ("G.test-vision.test-sponsor", ["test-standard"]),
        ("G.test-vision.test-scope", ["test-old-guide"]),
        ("G.test-policies.test-policy", []),
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(schemaVersion="3.0.0"),
            "schema version '3.0.0' is not supported (supported: 1.0.0, 2.0.0)",
        ),
        (lambda d: d["modules"][0]["categories"][0].update(id="1"), "is not valid (expected a lower-case id"),
        (lambda d: d["modules"][0]["categories"][0]["levels"][1].update(name="Basic"), "is not a level name"),
        (
            lambda d: d["modules"][0]["categories"][0]["requirements"][0].update(references="- [x](https://x.org)"),
            "must be a list, not a string",
        ),
    ],
)
def test_2_0_files_are_refused_with_the_reason(change, message):
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    data = tiny_model_2()
    change(data)
    with pytest.raises(CatalogError) as refused:
        model_version_import(text=dump(data), source_name="m.yaml")
    assert any(message in problem.message for problem in refused.value.problems), refused.value.problems
    assert not ModelVersion.objects.exists()


@pytest.mark.django_db
def test_a_1_x_file_keeps_its_numbered_ids_under_schema_1():
    data = tiny_model()
    data["modules"][0]["categories"][0]["id"] = "vision"
    with pytest.raises(CatalogError, match="expected digits"):
        model_version_import(text=dump(data), source_name="m.yaml")


@pytest.mark.django_db
def test_the_references_catalogue_updates_without_a_model_release():
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    newer = tiny_references("1.0.1")
    newer["references"][0]["title"] = "Test standard for certificates, second edition"
    outcome = references_import(text=dump(newer), source_name="r.yaml")
    assert (outcome.created, outcome.updated, outcome.removed) == (0, 3, 0)
    assert Reference.objects.get(ref_id="test-standard").title.endswith("second edition")
    # An entry the model cites cannot disappear.
    gone = tiny_references("1.0.2")
    gone["references"] = gone["references"][1:]
    with pytest.raises(CatalogError, match="'test-standard' is cited"):
        references_import(text=dump(gone), source_name="r.yaml")
    assert Reference.objects.filter(ref_id="test-standard").exists()


@pytest.mark.django_db
def test_references_catalogue_entries_are_checked():
    data = tiny_references()
    data["references"][1]["supersededBy"] = "missing-successor"
    data["references"][0]["url"] = "not a link"
    with pytest.raises(CatalogError) as refused:
        references_import(text=dump(data), source_name="r.yaml")
    paths = {problem.path for problem in refused.value.problems}
    assert paths == {"references[0].url", "references[1].supersededBy"}
    assert not Reference.objects.exists()


def _profile(**changes) -> dict:
    data = load(PROFILE_SELF)
    data["profile"]["model"]["version"] = "9.2.0"
    for path, value in changes.items():
        target = data
        *parents, last = path.split(".")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        ("runtime.methodology.parameters.rounding", "truncate", "must be floor, round or ceil"),
        ("runtime.methodology.parameters.excludeNotApplicable", False, "must be True"),
        ("runtime.methodology.strategy", "cumulative-gates", "must be one of weighted-average"),
        ("assurance.defaultProfile", "pkic-certified", "must be one that runs in the browser"),
        ("assurance.profiles.0.independentVerification", True, "cannot claim independent verification"),
        ("futureServices.pkicSubmission.implemented", True, "must be false"),
        ("report.colour", "blue", "is not a field the profile schema knows"),
    ],
)
@pytest.mark.official
def test_profiles_follow_the_schema_and_the_pkimm_rules(path, value, message):
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    with pytest.raises(CatalogError) as refused:
        profile_import(text=dump(_profile(**{path: value})), source_name="p.yaml")
    assert any(message in problem.message for problem in refused.value.problems), refused.value.problems
    assert not AssessmentProfile.objects.exists()


@pytest.mark.django_db
@pytest.mark.official
def test_a_profile_needs_its_model_version_imported():
    with pytest.raises(CatalogError, match="PKIMM 9.2.0, which is not imported"):
        profile_import(text=dump(_profile()), source_name="p.yaml")
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    outcome = profile_import(
        text=dump(_profile(**{"runtime.methodology.parameters.rounding": "ceil"})), source_name="p"
    )
    assert outcome.profile.rounding == "ceil"
    assert [field["key"] for field in outcome.profile.subject_fields][:2] == ["assessmentName", "organizationName"]


@pytest.mark.django_db
@pytest.mark.official
def test_import_commands_report_refusals():
    with pytest.raises(CommandError, match="refused, nothing was changed"):
        call_command("import_model", str(MODEL_2_0), stdout=StringIO(), stderr=StringIO())
