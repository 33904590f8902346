"""A file with any problem is refused with every problem named, and creates nothing."""

import copy
import json

import pytest
from django.core.management import CommandError, call_command

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    Comment,
    ExtensionAnswer,
    RequirementAnswer,
    UseCase,
)
from audit.models import AuditEntry
from catalog.errors import CatalogFileError
from catalog.modelfile import parse_model_file
from core.problems import Problem
from exchange.files import ExchangeError, exchange_document_parse
from exchange.services import assessment_import_data
from improvement.models import TargetLevel
from tests.factories import model_1_0, model_1_1
from tests.factories_extensions import pqc_extension

VALID = {
    "format": "pkimm-assessment",
    "format_version": 1,
    "model_version": "1.1.0",
    "name": "Small assessment",
    "method": "formal",
    "answers": {"G.1.1": {"level": 3, "notes": "ok"}, "G.1.2": {"applicability": "not_applicable", "reason": "n/a"}},
    "category_answers": {"G.1": {"level": 2}},
    "extensions": {"pqc": {"G.1": {"level": 2}}},
    "use_cases": [{"name": "TLS"}],
    "comments": [{"target": "G.1.1", "author": "someone@example.test", "body": "Hello"}],
}

ROW_MODELS = (
    Assessment,
    RequirementAnswer,
    CategoryAnswer,
    ExtensionAnswer,
    Applicability,
    UseCase,
    Comment,
    AuditEntry,
    TargetLevel,
)


def _counts():
    return {model.__name__: model.objects.count() for model in ROW_MODELS}


@pytest.fixture
def catalogue(db):
    model_1_1()
    pqc_extension()


def _with(change):
    data = copy.deepcopy(VALID)
    change(data)
    return data


def test_the_valid_file_imports(org, catalogue):
    result = assessment_import_data(organization=org, data=copy.deepcopy(VALID))
    assessment = result.assessment
    answer = RequirementAnswer.objects.get(assessment=assessment)
    assert (answer.level, answer.notes, answer.version) == (3, "ok", 1)
    assert Applicability.objects.get(assessment=assessment).key == "G.1.2"
    assert ExtensionAnswer.objects.get(assessment=assessment).level == 2
    assert Comment.objects.get(assessment=assessment).author_label == "someone@example.test"
    assert result.notices == []


REFUSED = {
    "unknown top-level key": (lambda d: d.update(colour="blue"), "$.colour: unknown key"),
    "unknown answer field": (
        lambda d: d["answers"]["G.1.1"].update(score=3),
        '$.answers["G.1.1"].score: unknown key',
    ),
    "level 0": (lambda d: d["answers"]["G.1.1"].update(level=0), '$.answers["G.1.1"].level: 0 is outside 1-5'),
    "level 6": (lambda d: d["answers"]["G.1.1"].update(level=6), '$.answers["G.1.1"].level: 6 is outside 1-5'),
    "level as text": (
        lambda d: d["answers"]["G.1.1"].update(level="3"),
        '$.answers["G.1.1"].level: "3" is not a level (a whole number 1-5)',
    ),
    "level true": (
        lambda d: d["category_answers"]["G.1"].update(level=True),
        '$.category_answers["G.1"].level: true is not a level',
    ),
    "extension level 9": (
        lambda d: d["extensions"]["pqc"]["G.1"].update(level=9),
        '$.extensions.pqc["G.1"].level: 9 is outside 1-5',
    ),
    "model version not imported": (lambda d: d.update(model_version="9.9.9"), "$.model_version: 9.9.9 is not imported"),
    "requirement that does not exist": (
        lambda d: d["answers"].update({"G.1.9": {"level": 2}}),
        '$.answers["G.1.9"]: no such requirement in model 1.1.0',
    ),
    "category that does not exist": (
        lambda d: d["category_answers"].update({"G.99": {"level": 2}}),
        '$.category_answers["G.99"]: no such category in model 1.1.0',
    ),
    "category key where requirement answers belong": (
        lambda d: d["answers"].update({"G.2": {"level": 2}}),
        '$.answers["G.2"]: G.2 is a category; only requirement keys belong here',
    ),
    "requirement key where category answers belong": (
        lambda d: d["category_answers"].update({"G.2.1": {"level": 2}}),
        '$.category_answers["G.2.1"]: G.2.1 is a requirement; only category keys belong here',
    ),
    "extension not imported": (
        lambda d: d["extensions"].update(quantum={}),
        "$.extensions.quantum: the quantum extension is not imported",
    ),
    "extension version not imported": (
        lambda d: d.update(extension_versions={"pqc": "7.0.0"}),
        "$.extension_versions.pqc: version 7.0.0 of the pqc extension is not imported",
    ),
    "extension question that does not exist": (
        lambda d: d["extensions"]["pqc"].update({"M.7": {"level": 2}}),
        '$.extensions.pqc["M.7"]: the pqc extension asks no question for M.7',
    ),
    "unknown applicability": (
        lambda d: d["answers"]["G.1.2"].update(applicability="maybe"),
        '$.answers["G.1.2"].applicability: "maybe" is not one of applicable, partial, not_applicable',
    ),
    "reason without applicability": (
        lambda d: d["answers"]["G.1.1"].update(reason="because"),
        '$.answers["G.1.1"].applicability: missing (the other scope fields need it)',
    ),
    "unknown method": (
        lambda d: d.update(method="guess"),
        '$.method: "guess" is not one of self, formal, third_party',
    ),
    "other format": (lambda d: d.update(format="something-else"), '$.format: "something-else" is not pkimm-assessment'),
    "newer format version": (lambda d: d.update(format_version=2), "$.format_version: 2 is not supported"),
    "format version true": (lambda d: d.update(format_version=True), "$.format_version: true is not supported"),
    "missing name": (lambda d: d.pop("name"), "$.name: missing"),
    "comment on an unknown item": (
        lambda d: d["comments"][0].update(target="Z.1"),
        "$.comments[0].target: no such category or requirement in model 1.1.0",
    ),
    "timestamp without time zone": (
        lambda d: d["comments"][0].update(created_at="2026-03-01T10:00:00"),
        "$.comments[0].created_at: 2026-03-01T10:00:00 has no time zone",
    ),
    "use case without a name": (lambda d: d["use_cases"][0].pop("name"), "$.use_cases[0].name: missing"),
    "answers not an object": (lambda d: d.update(answers=[1, 2]), "$.answers: expected an object, not [1, 2]"),
    "NUL character in notes": (
        lambda d: d["answers"]["G.1.1"].update(notes="a\x00b"),
        '$.answers["G.1.1"].notes: contains a NUL character',
    ),
    "name too long": (lambda d: d.update(name="n" * 201), "$.name: longer than 200 characters"),
    "evidence size": (
        lambda d: d.update(evidence=[{"kind": "file", "size": -1}]),
        "$.evidence[0].size: -1 is not a size in bytes",
    ),
    "link without URL": (
        lambda d: d.update(evidence=[{"kind": "link"}]),
        "$.evidence[0].url: a link needs a URL",
    ),
    "assigned twice": (
        lambda d: d.update(
            assignments=[{"target": "G.1", "assignee": "a@b.test"}, {"target": "G.1", "assignee": "c@d.test"}]
        ),
        "$.assignments[1].target: G.1 is assigned twice",
    ),
    "module entry without applicability": (
        lambda d: d.update(modules={"G": {"reason": "why"}}),
        "$.modules.G.applicability: missing",
    ),
    "review of an unknown status": (
        lambda d: d.update(reviews={"G.1": {"status": "great"}}),
        '$.reviews["G.1"].status: "great" is not one of pending, accepted, sent_back',
    ),
    "target level outside 1-5": (
        lambda d: d.update(target_levels={"G.1": {"level": 6}}),
        '$.target_levels["G.1"].level: 6 is outside 1-5',
    ),
    "target level without a level": (
        lambda d: d.update(target_levels={"G.1": {"level": None}}),
        '$.target_levels["G.1"].level: missing',
    ),
    "target of a requirement": (
        lambda d: d.update(target_levels={"G.1.1": {"level": 4}}),
        '$.target_levels["G.1.1"]: G.1.1 is a requirement; only category keys belong here',
    ),
}


@pytest.mark.parametrize("change, message", REFUSED.values(), ids=REFUSED.keys())
def test_refused_file_names_the_problem_and_creates_nothing(org, catalogue, change, message):
    before = _counts()
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data=_with(change))
    assert any(problem.startswith(message) for problem in refused.value.lines()), refused.value.lines()
    assert _counts() == before


def test_every_problem_is_named_at_once(org, catalogue):
    def many(d):
        d["colour"] = "blue"
        d["answers"]["G.1.1"]["level"] = 7
        d["answers"]["G.1.9"] = {"level": 2}
        d["extensions"]["quantum"] = {}

    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data=_with(many))
    assert refused.value.lines() == [
        "$.colour: unknown key",
        '$.answers["G.1.1"].level: 7 is outside 1-5',
        '$.answers["G.1.9"]: no such requirement in model 1.1.0',
        "$.extensions.quantum: the quantum extension is not imported",
    ]


def test_model_not_imported_still_reports_the_other_problems(org, catalogue):
    def change(d):
        d["model_version"] = "9.9.9"
        d["answers"]["G.1.1"]["level"] = 0

    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data=_with(change))
    assert "$.model_version: 9.9.9 is not imported" in refused.value.lines()
    assert '$.answers["G.1.1"].level: 0 is outside 1-5' in refused.value.lines()
    # The same Problem (place, what) as the model-file reader's: one type for every file reader.
    assert Problem('$.answers["G.1.1"].level', "0 is outside 1-5") in refused.value.problems
    with pytest.raises(CatalogFileError) as model_refused:
        parse_model_file(b"format: 1\n", source_name="model.yaml")
    assert model_refused.value.problems and all(isinstance(p, Problem) for p in model_refused.value.problems)


def test_extension_that_does_not_apply_to_the_model_version(org, catalogue):
    model_1_0()
    data = _with(lambda d: d.update(model_version="1.0.0", answers={}, category_answers={}, comments=[]))
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data=data)
    assert refused.value.lines() == [
        "$.extensions.pqc: version 0.1.0 of the pqc extension does not apply to model 1.0.0"
    ]


def test_command_lists_every_problem_and_creates_nothing(org, catalogue, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(_with(lambda d: (d.update(colour="x"), d["answers"]["G.1.1"].update(level=6)))))
    before = _counts()
    with pytest.raises(CommandError) as refused:
        call_command("import_assessment", str(path), "--org", org.slug)
    assert "  - $.colour: unknown key" in str(refused.value)
    assert '  - $.answers["G.1.1"].level: 6 is outside 1-5' in str(refused.value)
    assert _counts() == before


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "the file is empty"),
        (b"\xff\xfe{", "the file is not UTF-8 text"),
        (b'{"format": "pkimm-assessment",', "not valid JSON"),
        (b'{"name": "a", "name": "b"}', 'the key "name" appears twice in one object'),
        (b"- just\n- a list\n", "$: expected an object"),
        (b"name: [unclosed\n", "neither JSON nor valid YAML"),
        (b'{"name": "no format"}', "$.format: missing"),
        (b"a: &x [1, 2]\nb: [*x, *x]\n", "aliases (*name) are not accepted"),
        (b"[" * 100000 + b"]" * 100000, "the file is nested too deeply"),
    ],
)
def test_unreadable_files_are_refused(org, catalogue, content, message):
    before = _counts()
    with pytest.raises(ExchangeError) as refused:
        data = exchange_document_parse(content=content, filename="upload.json" if content.startswith(b"{") else "")
        assessment_import_data(organization=org, data=data)
    assert any(message in problem for problem in refused.value.lines()), refused.value.lines()
    assert _counts() == before


def test_member_without_create_permission_cannot_import(org, catalogue, viewer):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        assessment_import_data(organization=org, data=copy.deepcopy(VALID), by=viewer)
    assert not Assessment.objects.exists()


def test_a_failure_while_writing_leaves_nothing_behind(org, catalogue, monkeypatch):
    from assessments.models import Flag

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Flag.objects, "bulk_create", broken)
    before = _counts()
    with pytest.raises(RuntimeError):
        assessment_import_data(organization=org, data=copy.deepcopy(VALID))
    assert _counts() == before
