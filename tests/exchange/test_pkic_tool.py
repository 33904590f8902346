"""The PKI Consortium web tool's progress.yaml and share link become a self-assessment."""

import base64
import json
from fractions import Fraction

import pytest

from assessments.models import Applicability, Assessment, CategoryAnswer, UseCase
from audit.models import AuditEntry
from exchange.check import PKIC_NOT_APPLICABLE_REASON
from exchange.files import ExchangeError, exchange_document_parse
from exchange.services import assessment_import_data
from tests.exchange.exchange_helpers import run, scores
from tests.factories import model_1_0, model_1_1

PROGRESS_YAML = """\
assessmentName: Acme PKI (tool)
assessorName: Jan Jansen
useCaseDescription: |
  Public TLS certificates for the web shop.
progress:
  G.1:
    level: 3
    result: 3 - Advanced
    description: text shown by the tool
    applicability: true
  G.2:
    level: 2
    result: 2 - Basic
    applicability: true
  G.3:
    level: 0
    applicability: true
  M.6:
    level: -1
    result: Not applicable
    applicability: false
  O.10:
    level: 0
    applicability: false
"""


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def test_progress_yaml_becomes_a_self_assessment(org, tmp_path):
    model_1_1()
    path = tmp_path / "progress.yaml"
    path.write_text(PROGRESS_YAML, encoding="utf-8")
    assessment = Assessment.objects.get(pk=int(run("import_assessment", str(path), "--org", org.slug)))

    assert (assessment.name, assessment.method, assessment.assessor_name) == (
        "Acme PKI (tool)",
        Assessment.Method.SELF,
        "Jan Jansen",
    )
    assert assessment.model_version.version == "1.1.0"
    levels = dict(CategoryAnswer.objects.filter(assessment=assessment).values_list("category__key", "level"))
    assert levels == {"G.1": 3, "G.2": 2}  # level 0 is "not assessed": no answer
    scope = {row.key: (row.level, row.reason) for row in Applicability.objects.filter(assessment=assessment)}
    assert scope == {
        "M.6": (Applicability.Level.NOT_APPLICABLE, PKIC_NOT_APPLICABLE_REASON),
        "O.10": (Applicability.Level.NOT_APPLICABLE, PKIC_NOT_APPLICABLE_REASON),
    }
    assert UseCase.objects.get(assessment=assessment).description == "Public TLS certificates for the web shop.\n"
    assert scores(assessment.pk)["overall"] == {"value": float(Fraction(23, 9)), "level": 2}
    assert AuditEntry.objects.get(action="assessment.imported").after["source"] == "pkic-tool"


def test_progress_yaml_for_another_model_version(org, tmp_path):
    model_1_1()
    model_1_0()
    data = exchange_document_parse(content=PROGRESS_YAML.encode(), filename="progress.yaml")
    assessment = assessment_import_data(organization=org, data=data, model_version="1.0.0").assessment
    assert assessment.model_version.version == "1.0.0"


def test_share_link_imports_the_same_as_the_file(org):
    model_1_1()
    progress = {"G.1": {"level": 4, "result": "4 - Managed", "applicability": True}, "R.16": {"level": -1}}
    link = (
        "https://pkic.org/pkimm/assessment/#"
        f"progress={_b64(json.dumps(progress))}&assessmentName={_b64('Zürich PKI')}"
        f"&assessorName={_b64('Anna')}&useCaseDescription={_b64('')}"
    )
    data = exchange_document_parse(content=link)
    assessment = assessment_import_data(organization=org, data=data).assessment
    assert assessment.name == "Zürich PKI"
    assert CategoryAnswer.objects.get(assessment=assessment).level == 4
    assert Applicability.objects.get(assessment=assessment).key == "R.16"
    assert not UseCase.objects.filter(assessment=assessment).exists()


@pytest.mark.parametrize(
    "progress, message",
    [
        ({"G.1": {"level": 6}}, "Category G.1 (Strategy and Vision), level: 6 is not a level of the tool (-1 to 5)"),
        (
            {"G.1": {"level": "3"}},
            'Category G.1 (Strategy and Vision), level: "3" is not a level of the tool (-1 to 5)',
        ),
        ({"G.1": {"level": 2, "colour": "red"}}, "Category G.1 (Strategy and Vision), 'colour': unknown key"),
    ],
)
def test_bad_tool_files_are_refused(org, progress, message):
    model_1_1()
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data={"assessmentName": "x", "progress": progress})
    assert message in refused.value.lines()
    assert not any("$." in problem for problem in refused.value.lines())  # words, not JSONPath
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "progress, reason",
    [
        ({"G.99": {"level": 2}}, "its categories (G.99) belong to no imported model version"),
        ({"G.1.1": {"level": 2}}, "its categories (G.1.1) belong to no imported model version"),
    ],
)
def test_keys_of_no_imported_version_are_refused_in_words(org, progress, reason):
    model_1_1()
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data={"progress": progress})
    assert refused.value.lines() == [f"The model version of this file cannot be told: {reason}."]


def test_tool_file_needs_a_model_version(org):
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data={"progress": {}})
    assert refused.value.lines() == ["The model version of this file cannot be told: no model version is imported yet."]


TOOL_1_0_KEYS = [f"G.{n}" for n in range(1, 5)] + [f"M.{n}" for n in range(5, 9)]
TOOL_1_0_KEYS += [f"O.{n}" for n in range(9, 13)] + [f"R.{n}" for n in range(13, 16)]


def test_the_version_is_told_by_the_keys(org):
    progress = {key: {"level": 2, "result": "2 - Basic", "applicability": True} for key in TOOL_1_0_KEYS}
    model_1_1()
    with pytest.raises(ExchangeError) as refused:
        assessment_import_data(organization=org, data={"progress": progress})
    assert refused.value.lines() == [
        "The model version of this file cannot be told: it was made for PKIMM 1.0.0, which is not imported here; "
        "import pkimm-model-1.0.0.yaml first (then move the result onto a newer version if you like)."
    ]
    model_1_0()
    result = assessment_import_data(organization=org, data={"progress": progress})
    assert result.assessment.model_version.version == "1.0.0"  # M.5 is only in 1.0.0
    assert "read as PKIMM 1.0.0" in result.notices[0]
    # Keys that both versions have, without the rest: the user has to say which version.
    with pytest.raises(ExchangeError, match="fit PKIMM 1.0.0 and 1.1.0 alike; choose the model version"):
        assessment_import_data(organization=org, data={"progress": {"G.1": {"level": 2}}})
    chosen = assessment_import_data(organization=org, data={"progress": {"G.1": {"level": 2}}}, model_version="1.1.0")
    assert chosen.assessment.model_version.version == "1.1.0"


def test_broken_share_link_is_refused():
    with pytest.raises(ExchangeError) as refused:
        exchange_document_parse(content="https://pkic.org/pkimm/#progress=%%%not-base64")
    assert refused.value.lines() == ["$.progress: not base64 text"]
