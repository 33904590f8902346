"""Importing the PKI Consortium's Excel tools: workbooks written here (starter model) and, through the
official-files directory (PKIMM_OFFICIAL_DIR, tests marked ``official``), the tools' own example workbooks,
whose cached results the engine must match."""

import re
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from assessments.models import Applicability, Assessment, RequirementAnswer
from assessments.selectors_scores import assessment_score
from audit.models import AuditEntry
from exchange.files import ExchangeError
from improvement.models import ActionPlan, TargetLevel
from spreadsheets.services import workbook_import
from tests.factories import model_version_from_file
from tests.official import MODEL_1_0, OFFICIAL_DIR
from tests.services import missing_service
from tests.spreadsheets.workbooks import formal_workbook, self_workbook

TOOLS = OFFICIAL_DIR / "tools"
FORMAL_TOOL = TOOLS / "PKI_Maturity_Assessment_Tool_v240318.xlsx"
SELF_TOOL = TOOLS / "PKI_Maturity_Self_Assessment_Tool_v231220.xlsx"


def _import(org, content, **kwargs):
    return workbook_import(organization=org, content=content, model_version="1.1.0", **kwargs).assessment


def test_formal_workbook_becomes_a_formal_assessment_scored_by_the_engine(org, starter, lead):
    # G.1 of the starter model: requirement weights 3, 2, 2, 1 (as in model 1.1.0).
    content = formal_workbook(
        {(1, 1, 1): "Managed", (1, 1, 2): "Advanced", (1, 1, 3): "Basic", (1, 1, 4): "Basic", (1, 1, 9): "Basic"},
        out_of_scope_requirements={(1, 1, 3)},
        notes={(1, 1, 1): "Strategy paper v2"},
    )
    assessment = _import(org, content, by=lead)
    assert assessment.method == Assessment.Method.FORMAL
    assert (assessment.name, assessment.assessor_name, assessment.assessor_type) == (
        "Test PKI",
        "Alex Assessor",
        "external",
    )
    assert str(assessment.start_date) == "2026-01-05"
    levels = dict(RequirementAnswer.objects.filter(assessment=assessment).values_list("requirement__key", "level"))
    assert levels == {"G.1.1": 4, "G.1.2": 3, "G.1.3": 2, "G.1.4": 2}  # 1.1.9. is a spare row: no such requirement
    assert RequirementAnswer.objects.get(assessment=assessment, requirement__key="G.1.1").notes == "Strategy paper v2"
    scope = Applicability.objects.get(assessment=assessment, key="G.1.3")
    assert (scope.level, scope.reason) == ("not_applicable", "Not run here")
    result = assessment_score(assessment=assessment)
    assert result.categories["G.1"].value == Fraction(4 * 3 + 3 * 2 + 2 * 1, 3 + 2 + 1)
    assert AuditEntry.objects.filter(action="assessment.imported", object_id=str(assessment.pk)).count() == 1


def test_out_of_scope_category_is_not_applicable(org, starter):
    content = formal_workbook({(1, 1, 1): "Basic", (1, 2, 1): "Optimized"}, out_of_scope_categories={(1, 2)})
    assessment = _import(org, content)
    assert Applicability.objects.get(assessment=assessment, key="G.2").level == "not_applicable"
    result = assessment_score(assessment=assessment)
    assert result.overall.value == 2


def test_targets_and_action_plans_come_along(org, starter, lead):
    content = formal_workbook(
        {(1, 1, 1): "Basic"},
        targets=["Advanced", None],
        plans=[{"objectives": "Write the strategy", "responsibility": "CISO", "tasks": "Draft\nReview"}],
    )
    assessment = _import(org, content, by=lead)
    assert TargetLevel.objects.get(assessment=assessment, category_key="G.1").level == 3
    plan = ActionPlan.objects.get(origin=assessment)
    assert (plan.category_key, plan.target_level, plan.objectives, plan.responsible_text) == (
        "G.1",
        3,
        "Write the strategy",
        "CISO",
    )
    assert [t.text for t in plan.tasks.order_by("position")] == ["Draft", "Review"]


def test_self_workbook_becomes_a_self_assessment(org, starter):
    content = self_workbook({(1, 1): 3, (1, 2): 2, (1, 3): 6, (1, 4): 7})
    assessment = _import(org, content)
    assert assessment.method == Assessment.Method.SELF
    result = assessment_score(assessment=assessment)
    assert result.modules["G"].value == Fraction(3 * 5 + 2 * 4, 5 + 4)
    assert result.categories["G.3"].value is None
    assert Applicability.objects.get(assessment=assessment, key="G.4").level == "not_applicable"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            lambda: formal_workbook({(1, 1, 1): "Great", (1, 1, 2): "Basic"}),
            ["Assessment!I16: 'Great' is not a maturity level"],
        ),
        (lambda: formal_workbook({(1, 1, 1): "Basic"}, start="soon"), ["Overview!D7: 'soon' is not a date"]),
        (
            lambda: self_workbook({(1, 1): 9, (1, 2): "x"}),
            ["Tool!C13: '9' is not a choice", "Tool!G13: 'x' is not a choice"],
        ),
        (lambda: b"PK\x03\x04 not really", ["not an Excel workbook"]),
        (lambda: b"plain text", ["not an Excel workbook"]),
    ],
)
def test_problems_are_named_by_sheet_and_cell_and_nothing_is_written(org, starter, content, expected):
    audit_before = AuditEntry.objects.count()
    with pytest.raises(ExchangeError) as refused:
        _import(org, content())
    for fragment, problem in zip(expected, refused.value.lines(), strict=True):
        assert problem.startswith(fragment)
    assert not Assessment.objects.exists()
    assert AuditEntry.objects.count() == audit_before


def test_exchange_check_problems_are_renamed_to_cells(org, starter):
    # A name longer than the exchange format allows is cut; an unknown model version is named.
    with pytest.raises(ExchangeError) as refused:
        workbook_import(organization=org, content=formal_workbook({(1, 1, 1): "Basic"}), model_version="9.9.9")
    assert refused.value.lines() == ["model 9.9.9 is not imported here (the tool workbooks belong to it)"]


def test_a_workbook_that_unpacks_too_far_is_refused(org, starter, settings, monkeypatch):
    monkeypatch.setattr("spreadsheets.workbook.MAX_UNPACKED_BYTES", 1000)
    with pytest.raises(ExchangeError, match="unpacks to more"):
        _import(org, formal_workbook({(1, 1, 1): "Basic"}))


def test_command_prints_the_new_assessments_id(org, starter, tmp_path):
    path = tmp_path / "tool.xlsx"
    path.write_bytes(formal_workbook({(1, 1, 1): "Basic"}))
    out = StringIO()
    call_command("import_workbook", str(path), "--org", org.slug, "--model-version", "1.1.0", stdout=out)
    assert out.getvalue().strip() == str(Assessment.objects.get().pk)


def test_command_refuses_with_the_cells(org, starter, tmp_path):
    path = tmp_path / "tool.xlsx"
    path.write_bytes(formal_workbook({(1, 1, 1): "Great"}))
    with pytest.raises(CommandError, match=r"Assessment!I16"):
        call_command("import_workbook", str(path), "--org", org.slug, "--model-version", "1.1.0")
    assert not Assessment.objects.exists()


# --- The tools' own example workbooks (official files) -------------------------------------------------


def _official(path):
    if not path.is_file():
        missing_service(f"needs the PKI Consortium's tool workbook {path.name}: set PKIMM_OFFICIAL_DIR")
    return path


@pytest.fixture
def model_1_0(db):
    """The official model 1.0.0 (its weights are what the workbooks computed with)."""
    return model_version_from_file(MODEL_1_0)


def _cells_of(formula: str, column: str) -> list[str]:
    return list(dict.fromkeys(re.findall(rf"\b{column}\d+\b", formula)))  # each cell once


@pytest.mark.official
def test_example_formal_workbook_matches_its_own_results(org, model_1_0):
    path = _official(FORMAL_TOOL)
    assessment = workbook_import(organization=org, content=path.read_bytes()).assessment
    result = assessment_score(assessment=assessment)
    formulas = load_workbook(path)["Assessment"]
    cached = load_workbook(path, data_only=True)["Assessment"]
    # N7 = (Σ cat weights of module × module value ...) / Σ cat weights: the module value cells are in it.
    module_cells = re.findall(r"\*(N\d+)", formulas["N7"].value)
    assert len(module_cells) == len(result.modules) == 4
    for module, cell in zip(result.modules, module_cells, strict=True):
        assert abs(float(result.modules[module].value) - cached[cell].value) < 1e-9, (module, cell)
    assert abs(float(result.overall.value) - cached["N7"].value) < 1e-9
    assert result.overall.level == int(cached["N6"].value)


@pytest.mark.official
def test_example_self_workbook_matches_its_own_results(org, model_1_0):
    path = _official(SELF_TOOL)
    assessment = workbook_import(organization=org, content=path.read_bytes()).assessment
    result = assessment_score(assessment=assessment)
    formulas = load_workbook(path)["Report"]
    cached = load_workbook(path, data_only=True)["Report"]

    def cached_value(formula):
        # TRUNC(SUM(G..)/(F..+F..)): level × weight sums over weight sums, from the cached cells.
        products = sum(float(cached[c].value) for c in _cells_of(formula, "G"))
        weights = sum(float(cached[c].value) for c in _cells_of(formula, "F"))
        return products / weights

    module_cells = ["E56", "E83", "E110", "E137"]
    for module, cell in zip(result.modules, module_cells, strict=True):
        assert abs(float(result.modules[module].value) - cached_value(formulas[cell].value)) < 1e-9, module
    assert abs(float(result.overall.value) - cached_value(formulas["E8"].value)) < 1e-9
    assert result.completeness.assessed == 14  # "14 of 15" in the workbook: G.1 is not evaluated
