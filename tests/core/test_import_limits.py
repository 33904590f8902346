"""Malformed files that used to crash an importer (traceback, 500) or store what the forms refuse: each is
refused with a message naming its place, through the real import pages, and changes nothing."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from catalog.models import Extension, ModelVersion
from tests.catalog.files import dump, tiny_model
from tests.conftest import make_user
from tests.core.yaml_refusals import yaml_surrogate_refusal
from tests.factories import model_1_1


@pytest.fixture
def staff(db):
    user = make_user("admin@example.test")
    user.is_staff = True
    user.save()
    return user


def _nested_yaml(depth: int) -> str:
    return "schemaVersion: 1.0.0\nversion: 9.9.9\nmodules: " + "[" * depth + "]" * depth + "\n"


def _with_weight(text_weight: str) -> str:
    return dump(tiny_model()).replace("weight: 3", f"weight: {text_weight}", 1)


def _with_description(escaped: str) -> str:
    """A valid tiny model whose first module description holds a YAML double-quoted escape."""
    return dump(tiny_model()).replace("description: Test module G.", f'description: "Test module G.{escaped}"', 1)


CATALOG_CASES = {
    # (kind, file text, what the message says, where)
    "model nested 5000 deep": ("model", _nested_yaml(5000), "nested deeper than 32 levels", "line 3"),
    "model 5000-digit weight": ("model", _with_weight("9" * 5000), "a number of 5,000 characters", "line "),
    "model NUL in a description": ("model", _with_description("\\0"), "contains a NUL character", "modules[0]"),
    "model lone surrogate": ("model", _with_description("\\ud800"), *yaml_surrogate_refusal("modules[0]")),
    "extension nested 5000 deep": (
        "extension",
        "schemaVersion: 1.0.0\nextension: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n",
        "nested deeper than 32 levels",
        "line 2",
    ),
}


@pytest.mark.parametrize("case", CATALOG_CASES)
def test_catalog_import_refuses_with_the_place_named(case, client_for, staff):
    kind, text, message, where = CATALOG_CASES[case]
    upload = SimpleUploadedFile("bad.yaml", text.encode("utf-8", "surrogatepass"), "application/yaml")
    response = client_for(staff).post(reverse("catalog:import"), {"kind": kind, "file": upload})
    assert response.status_code == 400
    lines = response.context["refused"].lines()
    assert any(message in line and where in line for line in lines), lines
    assert message in response.content.decode()
    assert not ModelVersion.objects.filter(version="9.1.0").exists() and not Extension.objects.exists()


def _exchange(**answers) -> dict:
    return {
        "format": "pkimm-assessment",
        "format_version": 1,
        "model_version": "1.1.0",
        "name": "Imported",
        "method": "formal",
        "answers": answers,
    }


EXCHANGE_CASES = {
    "json 5000-digit level": (
        json.dumps(_exchange(**{"G.1.1": {"level": 1}})).replace('"level": 1', '"level": ' + "1" * 5000),
        "a number of 5,000 characters",
        "line 1, column",
    ),
    "json lone surrogate in notes": (
        json.dumps(_exchange(**{"G.1.1": {"level": 1, "notes": "ok\ud800"}})),
        "unpaired surrogate (U+D800)",
        '$.answers["G.1.1"].notes',
    ),
    "yaml 5000-digit level": (
        "format: pkimm-assessment\nformat_version: 1\nmodel_version: 1.1.0\nname: x\nmethod: formal\n"
        "answers:\n  G.1.1:\n    level: " + "1" * 5000 + "\n",
        "a number of 5,000 characters",
        "line 8",
    ),
    "json control character in a name": (
        json.dumps(_exchange()).replace('"Imported"', '"Imp\\u0007orted"'),
        "control character (U+0007)",
        "$.name",
    ),
}


@pytest.fixture
def catalogue(db):
    return model_1_1()


@pytest.mark.parametrize("case", EXCHANGE_CASES)
def test_exchange_import_refuses_with_the_place_named(case, org, lead, client_for, catalogue):
    text, message, where = EXCHANGE_CASES[case]
    name = "bad.json" if text.startswith("{") else "bad.yaml"
    upload = SimpleUploadedFile(name, text.encode("utf-8", "surrogatepass"), "application/json")
    response = client_for(lead).post(reverse("exchange:import", kwargs={"org_slug": org.slug}), {"file": upload})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert any(message in problem and where in problem for problem in problems), problems
    assert not Assessment.objects.exists()


def test_a_share_link_with_deeply_nested_progress_is_refused(org, lead, client_for, catalogue):
    import base64

    progress = base64.b64encode(("[" * 5000 + "]" * 5000).encode()).decode()
    link = f"https://example.test/tool/#progress={progress}"
    response = client_for(lead).post(reverse("exchange:import", kwargs={"org_slug": org.slug}), {"share_link": link})
    assert response.status_code == 200
    problems = response.context["problems"]
    assert any("$.progress" in p and "nested too deeply (more than 32 levels)" in p for p in problems), problems


def test_a_15_mb_note_is_refused_as_the_questionnaire_refuses_it(org, lead, client_for, catalogue):
    note = "A very long note. " * (15 * 1024 * 1024 // 18)
    text = json.dumps(_exchange(**{"G.1.1": {"level": 3, "notes": note}}))
    assert len(text) > 15_000_000
    upload = SimpleUploadedFile("big.json", text.encode(), "application/json")
    response = client_for(lead).post(reverse("exchange:import", kwargs={"org_slug": org.slug}), {"file": upload})
    assert response.status_code == 200
    assert response.context["problems"] == [f'$.answers["G.1.1"].notes: longer than 20,000 characters ({len(note):,})']
    assert not Assessment.objects.exists() and not RequirementAnswer.objects.exists()
