"""import_model, import_extension and load_starter_model: one line on success, every problem on failure."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Category, ModelVersion, Requirement
from tests.catalog.files import MODEL_1_0, MODEL_1_1, PQC_EXTENSION, dump, load, row_counts


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_both_models_and_the_pqc_extension(db):
    assert run("import_model", str(MODEL_1_0))[0] == (
        "Imported PKIMM 1.0.0: 4 modules, 15 categories, 72 requirements\n"
    )
    assert run("import_model", str(MODEL_1_1))[0] == (
        "Imported PKIMM 1.1.0: 4 modules, 16 categories, 78 requirements\n"
    )
    assert run("import_extension", str(PQC_EXTENSION))[0] == (
        "Imported extension pqc 0.1.0: 4 relevance questions, 18 overlays; compatible with 1.1.0\n"
    )
    assert Category.objects.filter(model_version__version="1.0.0").count() == 15
    assert Requirement.objects.filter(model_version__version="1.0.0").count() == 72
    assert Category.objects.filter(model_version__version="1.1.0").count() == 16
    assert Requirement.objects.filter(model_version__version="1.1.0").count() == 78
    assert run("import_model", str(MODEL_1_1))[0] == (
        "PKIMM 1.1.0 is already imported from this file; nothing changed\n"
    )


def test_broken_file_prints_every_problem_and_fails(db, tmp_path):
    data = load(MODEL_1_1)
    data["modules"][1]["categories"][0]["requirements"][3]["weight"] = "two"
    data["modules"][0]["categories"][2]["levels"][1]["number"] = 9
    path = tmp_path / "broken.yaml"
    path.write_text(dump(data), encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match="broken.yaml: refused, nothing was changed \\(2 problems\\)"):
        call_command("import_model", str(path), stdout=out, stderr=err)

    assert err.getvalue().splitlines() == [
        f"{path}: modules[0].categories[2].levels[1].number: level number 9 is outside 1-5",
        f"{path}: modules[1].categories[0].requirements[3].weight: must be an integer, not a string (two)",
    ]
    assert out.getvalue() == ""
    assert not ModelVersion.objects.exists()


def test_replace_option(db, tmp_path):
    run("import_model", str(MODEL_1_1))
    data = load(MODEL_1_1)
    data["modules"][0]["categories"][0]["weight"] = 4
    path = tmp_path / "pkimm-model-1.1.0-local.yaml"
    path.write_text(dump(data), encoding="utf-8")
    before = row_counts()
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_model", str(path), stdout=StringIO(), stderr=err)
    assert "import it with the replace option" in err.getvalue()
    assert row_counts() == before

    assert run("import_model", str(path), "--replace")[0].startswith("Replaced PKIMM 1.1.0: ")
    assert Category.objects.get(key="G.1").weight == 4


def test_extension_before_its_model_is_refused(db):
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_extension", str(PQC_EXTENSION), stdout=StringIO(), stderr=err)
    assert err.getvalue().startswith(
        f"{PQC_EXTENSION}: extension.compatibility: none of the model versions 1.1.0 is imported"
    )


def test_unreadable_path(db, tmp_path):
    with pytest.raises(CommandError, match="missing.yaml: cannot read the file"):
        call_command("import_model", str(tmp_path / "missing.yaml"))


def test_load_starter_model(db):
    assert run("load_starter_model")[0] == "Imported PKIMM 1.1.0: 4 modules, 16 categories, 78 requirements\n"
    assert ModelVersion.objects.get().is_summary
    assert run("load_starter_model")[0] == "PKIMM 1.1.0 is already imported from this file; nothing changed\n"
    assert run("import_model", str(MODEL_1_1))[0] == (
        "Replaced the texts of PKIMM 1.1.0 (ids and weights unchanged): 4 modules, 16 categories, 78 requirements\n"
    )
