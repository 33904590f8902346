"""The importers' limits (core/textrules.py) on the import paths added beside the exchange and model files:
the REST API's JSON bodies, the PKI Consortium tool workbooks, and the references and profile files. Each
malformed input is refused with its place named, and changes nothing."""

import io
import json
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from assessments.services.exchange_files import ExchangeError
from catalog.models import AssessmentProfile, Reference
from catalog.services import starter_model_load
from improvement.models import ActionPlan
from spreadsheets.services import workbook_import
from tests.api.helpers import api_client, token_for
from tests.conftest import make_user
from tests.core.yaml_refusals import yaml_surrogate_refusal
from tests.factories import assessment_create
from tests.spreadsheets.workbooks import formal_workbook

# --- REST API --------------------------------------------------------------------------------------


@pytest.fixture
def api_assessment(org):
    model_version = starter_model_load().model_version
    return assessment_create(org, model_version=model_version, status=Assessment.Status.IN_PROGRESS)


def _answer_url(assessment, key="G.1.1"):
    return reverse(
        "api:answer", kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk, "key": key}
    )


API_BODIES = {
    # (raw JSON body, what the refusal says, where)
    "5000-digit level": ('{"level": ' + "1" * 5000 + ', "notes": "", "version": 0}', "a number of 5,000", "line 1"),
    "nested 5000 deep": (
        '{"level": 1, "version": 0, "notes": "", "extra": ' + "[" * 5000 + "]" * 5000 + "}",
        "nested",
        "",
    ),
    "NUL in notes": ('{"level": 1, "notes": "a\\u0000b", "version": 0}', "contains a NUL character", '$["notes"]'),
    "lone surrogate in notes": (
        '{"level": 1, "notes": "a\\ud800b", "version": 0}',
        "unpaired surrogate (U+D800)",
        '$["notes"]',
    ),
    "control character in notes": (
        '{"level": 1, "notes": "a\\u0007b", "version": 0}',
        "control character (U+0007)",
        '$["notes"]',
    ),
    "control character in a key": ('{"level": 1, "notes": "", "version": 0, "x\\u001b": 1}', "a key contains", "$"),
}


@pytest.mark.parametrize("case", API_BODIES)
def test_api_json_bodies_are_refused_with_the_place_named(case, org, api_assessment, assessor):
    body, message, where = API_BODIES[case]
    client = api_client(token_for(assessor, org))
    response = client.generic("PUT", _answer_url(api_assessment), body.encode(), content_type="application/json")
    assert response.status_code == 400, response.content
    detail = response.json()["detail"]
    assert message in detail and where in detail, detail
    assert not RequirementAnswer.objects.filter(assessment=api_assessment).exists()


def test_a_clean_api_body_with_tabs_and_line_breaks_is_saved(org, api_assessment, assessor):
    client = api_client(token_for(assessor, org))
    body = json.dumps({"level": 2, "notes": "line one\n\tline two", "version": 0})
    response = client.generic("PUT", _answer_url(api_assessment), body.encode(), content_type="application/json")
    assert response.status_code == 200, response.content
    assert RequirementAnswer.objects.get(assessment=api_assessment).notes == "line one\n\tline two"


def test_the_api_exchange_import_refuses_a_huge_number_in_its_body(org, assessor, lead):
    starter_model_load()
    body = '{"format": "pkimm-assessment", "format_version": 1, "answers": {"G.1.1": {"level": ' + "9" * 5000 + "}}}"
    client = api_client(token_for(lead, org))
    url = reverse("api:exchange_import", kwargs={"org_slug": org.slug})
    response = client.generic("POST", url, body.encode(), content_type="application/json")
    assert response.status_code == 400
    # This endpoint's refusals list their problems (its documented 400 shape).
    assert any("a number of 5,000 characters" in problem for problem in response.json()["problems"])
    assert not Assessment.objects.exists()


# --- workbooks -------------------------------------------------------------------------------------


@pytest.fixture
def starter(db):
    return starter_model_load().model_version


def _with_raw_xml(content: bytes, marker: bytes, raw: bytes) -> bytes:
    """The workbook with ``marker`` replaced by ``raw`` bytes in its XML parts (what openpyxl never writes)."""
    source, out = zipfile.ZipFile(io.BytesIO(content)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename).replace(marker, raw))
    return out.getvalue()


def _refused(org, content, **kwargs) -> list[str]:
    with pytest.raises(ExchangeError) as refused:
        workbook_import(organization=org, content=content, model_version="1.1.0", **kwargs)
    assert not Assessment.objects.exists() and not ActionPlan.objects.exists()
    return refused.value.problems


def test_a_workbook_note_with_a_control_character_is_refused_at_its_cell(org, starter):
    # DEL and C1 controls are legal XML, so openpyxl reads them; the exchange check refuses them.
    problems = _refused(org, formal_workbook({(1, 1, 1): "Basic"}, notes={(1, 1, 1): "bad\x7fnote"}))
    assert any(p.startswith("Assessment!J16:") and "control character (U+007F)" in p for p in problems), problems


def test_a_workbook_action_plan_text_with_a_control_character_is_refused_at_its_cell(org, starter, lead):
    content = formal_workbook(
        {(1, 1, 1): "Basic"}, targets=["Advanced"], plans=[{"objectives": "Write\x85it", "responsibility": "CISO"}]
    )
    problems = _refused(org, content, by=lead)
    assert problems == ["ActionPlans!D40: contains a control character (U+0085) at character 6"]


@pytest.mark.parametrize("raw", [b"\x00", b"&#7;", b"\xed\xa0\x80"], ids=["NUL", "control", "surrogate"])
def test_a_workbook_whose_xml_holds_nul_controls_or_surrogates_is_refused_not_a_crash(org, starter, raw):
    content = _with_raw_xml(formal_workbook({(1, 1, 1): "Basic"}, name="MARKER"), b"MARKER", b"bad" + raw)
    problems = _refused(org, content)
    assert len(problems) == 1 and "not well-formed XML" in problems[0] and "line 1, column" in problems[0]


# --- references and profile files ---------------------------------------------------------------------


@pytest.fixture
def staff(db):
    user = make_user("admin@example.test")
    user.is_staff = True
    user.save()
    return user


REFERENCES = 'schemaVersion: 1.0.0\nversion: 1.0.0\nreferences:\n  - id: ref-one\n    title: "{title}"\n'
PROFILE = 'profile:\n  id: p\n  version: 1.0.0\n  title: "{title}"\n'

CATALOG_CASES = {
    # (kind, file text, what the message says, where)
    "references NUL in a title": (
        "references",
        REFERENCES.format(title="A\\0B"),
        "contains a NUL character",
        '$["references"][0]["title"]',
    ),
    "references lone surrogate": (
        "references",
        REFERENCES.format(title="A\\ud800"),
        *yaml_surrogate_refusal('$["references"][0]["title"]'),
    ),
    "references nested 5000 deep": (
        "references",
        "schemaVersion: 1.0.0\nversion: 1.0.0\nreferences: " + "[" * 5000 + "]" * 5000 + "\n",
        "nested deeper than 32 levels",
        "line 3",
    ),
    "profile control character": ("profile", PROFILE.format(title="A\\x1bB"), "(U+001B)", '$["profile"]["title"]'),
    "profile 5000-digit number": (
        "profile",
        "profile:\n  id: p\n  version: 1.0.0\n  weight: " + "7" * 5000 + "\n",
        "a number of 5,000 characters",
        "line 4",
    ),
    "profile nested 5000 deep": ("profile", "profile: " + "{a: " * 5000 + "1" + "}" * 5000 + "\n", "nested", "line 1"),
}


@pytest.mark.parametrize("case", CATALOG_CASES)
def test_references_and_profile_files_are_refused_with_the_place_named(case, client_for, staff):
    kind, text, message, where = CATALOG_CASES[case]
    upload = SimpleUploadedFile("bad.yaml", text.encode("utf-8", "surrogatepass"), "application/yaml")
    response = client_for(staff).post(reverse("catalog:import"), {"kind": kind, "file": upload})
    assert response.status_code == 400
    lines = response.context["refused"].lines()
    assert any(message in line and where in line for line in lines), lines
    assert not Reference.objects.exists() and not AssessmentProfile.objects.exists()
