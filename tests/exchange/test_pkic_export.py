"""An assessment exported for the PKI Consortium browser tool: share link and progress.yaml, read back."""

from io import StringIO

from django.core.management import call_command

from assessments.models import Applicability, Assessment, CategoryAnswer, RequirementAnswer
from catalog.models import Category, Requirement
from exchange.files import exchange_document_parse
from exchange.pkic import pkic_progress_data, pkic_progress_yaml, pkic_share_link
from exchange.services import assessment_import_data
from tests.factories import assessment_create, model_1_1


def _self_assessment(org):
    version = model_1_1()
    assessment = assessment_create(org, model_version=version, method=Assessment.Method.SELF, assessor_name="Anna")
    for key, level in {"G.1": 3, "M.6": 2}.items():
        CategoryAnswer.objects.create(
            organization=org,
            assessment=assessment,
            category=Category.objects.get(model_version=version, key=key),
            level=level,
        )
    Applicability.objects.create(
        organization=org, assessment=assessment, key="R.16", level=Applicability.Level.NOT_APPLICABLE, reason="none"
    )
    return assessment


def test_share_link_and_progress_yaml_read_back_as_the_same_self_assessment(org, settings):
    settings.PKIC_TOOL_URL = "https://tool.example/pkimm/"
    assessment = _self_assessment(org)
    data = pkic_progress_data(assessment=assessment)
    assert data["progress"]["G.1"]["level"] == 3
    assert data["progress"]["G.1"]["result"] == "3 - Advanced"
    assert data["progress"]["R.16"] == {
        "level": -1,
        "result": "Not applicable",
        "description": "",
        "applicability": False,
    }
    assert data["progress"]["G.2"]["level"] == 0
    link = pkic_share_link(data)
    assert link.startswith("https://tool.example/pkimm/#progress=")
    for document in (link, pkic_progress_yaml(data)):
        imported = assessment_import_data(organization=org, data=exchange_document_parse(content=document)).assessment
        levels = dict(CategoryAnswer.objects.filter(assessment=imported).values_list("category__key", "level"))
        assert levels == {"G.1": 3, "M.6": 2}
        assert list(Applicability.objects.filter(assessment=imported).values_list("key", flat=True)) == ["R.16"]
        assert imported.assessor_name == "Anna" and imported.model_version.version == "1.1.0"


def test_a_formal_assessment_gives_each_category_its_level(org):
    version = model_1_1()
    assessment = assessment_create(org, model_version=version)
    g1 = Requirement.objects.filter(category__key="G.1", model_version=version).order_by("position")
    for requirement, level in zip(g1, [4, 3, 3, 2], strict=True):
        RequirementAnswer.objects.create(organization=org, assessment=assessment, requirement=requirement, level=level)
    progress = pkic_progress_data(assessment=assessment)["progress"]
    assert progress["G.1"]["level"] == 3  # (4·3 + 3·2 + 3·2 + 2·1) / 8 = 26/8 = 3.25
    out = StringIO()
    call_command("export_assessment", str(assessment.pk), "--pkic", "progress-yaml", stdout=out)
    assert "G.1:\n    level: 3\n" in out.getvalue()


def test_the_page_shows_the_link_and_offers_the_file(client, org, owner):
    assessment = _self_assessment(org)
    client.force_login(owner)
    url = f"/o/{org.slug}/exchange/{assessment.pk}/pkic/"
    page = client.get(url).content.decode()
    assert "#progress=" in page
    download = client.get(url + "?download=1")
    assert download["Content-Disposition"] == 'attachment; filename="progress.yaml"'
    assert b"assessmentName:" in download.content
