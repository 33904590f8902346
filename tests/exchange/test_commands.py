"""export_assessment, import_assessment and score_assessment on the command line."""

import io
import json
import sys
from fractions import Fraction

import pytest
from django.core.management import CommandError, call_command

from assessments.models import Assessment
from audit.models import AuditEntry
from tests.exchange.exchange_helpers import run, self_assessment


def test_export_to_standard_output(org, lead, assessor):
    assessment = self_assessment(org, lead=lead, assessor=assessor)
    data = json.loads(run("export_assessment", str(assessment.pk)))
    assert (data["format"], data["format_version"], data["name"]) == ("pkimm-assessment", 1, assessment.name)
    assert AuditEntry.objects.get(action="assessment.exported").actor_label == "system"


def test_import_prints_only_the_id_and_records_the_importer(org, lead, assessor, tmp_path):
    original = self_assessment(org, lead=lead, assessor=assessor)
    path = tmp_path / "a.json"
    run("export_assessment", str(original.pk), "-o", str(path))
    out = run("import_assessment", str(path), "--org", org.slug, "--as", "LEAD@acme.test")
    assert out.strip().isdigit() and out == f"{int(out)}\n"
    imported = Assessment.objects.get(pk=int(out))
    assert imported.created_by == lead
    assert AuditEntry.objects.get(action="assessment.imported").actor == lead


def test_import_from_standard_input(org, lead, assessor, monkeypatch):
    original = self_assessment(org, lead=lead, assessor=assessor)
    text = run("export_assessment", str(original.pk))
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    new_id = int(run("import_assessment", "-", "--org", org.slug))
    assert Assessment.objects.get(pk=new_id).name == original.name


def test_importer_needs_the_create_permission(org, lead, assessor, viewer, tmp_path):
    original = self_assessment(org, lead=lead, assessor=assessor)
    path = tmp_path / "a.json"
    run("export_assessment", str(original.pk), "-o", str(path))
    with pytest.raises(CommandError, match="not allowed"):
        call_command("import_assessment", str(path), "--org", org.slug, "--as", viewer.email)
    assert Assessment.objects.count() == 1


@pytest.mark.parametrize(
    "args, message",
    [
        (["export_assessment", "999999"], "There is no assessment 999999."),
        (["score_assessment", "999999"], "There is no assessment 999999."),
        (["import_assessment", "/nonexistent.json", "--org", "acme"], "There is no file '/nonexistent.json'."),
        (["import_assessment", "x.json", "--org", "nope"], "There is no organization 'nope'."),
        (["import_assessment", "x.json", "--org", "acme", "--as", "who@x.test"], "There is no user 'who@x.test'."),
    ],
)
def test_command_errors(org, args, message):
    with pytest.raises(CommandError) as error:
        call_command(*args)
    assert str(error.value) == message


def test_score_json_has_full_precision_numbers_and_nulls(org, lead, assessor):
    assessment = self_assessment(org, lead=lead, assessor=assessor)
    result = json.loads(run("score_assessment", str(assessment.pk), "--json"))
    assert set(result) == {"model_version", "method", "overall", "modules", "categories", "extensions"}
    assert result["model_version"] == "1.1.0"
    assert result["modules"]["G"] == {
        "value": float(Fraction(23, 9)),
        "level": 2,
        "level_name": "Basic",
        "exact": "23/9",
    }
    assert result["modules"]["R"] == {"value": None, "level": None, "level_name": None, "exact": None}
    assert list(result["categories"])[:3] == ["G.1", "G.2", "G.3"]
    assert result["extensions"] == {}


def test_score_text_output(org, lead, assessor):
    assessment = self_assessment(org, lead=lead, assessor=assessor)
    lines = run("score_assessment", str(assessment.pk)).splitlines()
    assert lines[0] == "Acme self-assessment 2026 (PKIMM 1.1.0, self)"
    assert "overall      2.56  level 2 Basic" in lines
    assert "G.1          3.00  level 3 Advanced" in lines
