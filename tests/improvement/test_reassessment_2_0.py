"""Moving assessments onto model 2.0.0, and 2.0.0 assessments through the exchange format and scoring."""

import json
from fractions import Fraction
from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import Assessment, RequirementAnswer
from assessments.selectors_scores import assessment_score
from assessments.services.assessments import assessment_create
from catalog.correspondence import version_difference
from catalog.models import ModelVersion, Requirement
from catalog.services import model_version_import, profile_import, references_import
from exchange.files import ExchangeError
from exchange.services import assessment_export, assessment_import_data
from tests.catalog.files import dump, load, tiny_model_2, tiny_references
from tests.conftest import MAPPING_1_1_TO_2_0, MODEL_1_1, MODEL_2_0, PROFILE_SELF, REFERENCES


def _official():
    references_import(text=REFERENCES.read_bytes(), source_name=REFERENCES.name)
    model_version_import(text=MODEL_1_1.read_bytes(), source_name=MODEL_1_1.name)
    model_version_import(text=MODEL_2_0.read_bytes(), source_name=MODEL_2_0.name)


@pytest.mark.django_db
@pytest.mark.official
def test_reassessing_1_1_onto_2_0_carries_every_answer_as_the_reference_mapping_says(org, owner):
    _official()
    v11 = ModelVersion.objects.get(version="1.1.0")
    previous = assessment_create(organization=org, by=owner, name="2025", model_version=v11)
    requirements = list(Requirement.objects.filter(model_version=v11).order_by("position"))
    levels = {r.key: index % 5 + 1 for index, r in enumerate(requirements)}
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(organization=org, assessment=previous, requirement=r, level=levels[r.key], notes=r.key)
        for r in requirements
    )
    out, err = StringIO(), StringIO()
    call_command("reassess_assessment", str(previous.pk), "--model-version", "2.0.0", stdout=out, stderr=err)
    new = Assessment.objects.get(pk=int(out.getvalue()))
    assert new.model_version.version == "2.0.0" and new.previous == previous

    reference = json.loads(MAPPING_1_1_TO_2_0.read_text())
    carried = {
        a.requirement.key: (a.level, a.notes, a.carried_over)
        for a in RequirementAnswer.objects.filter(assessment=new).select_related("requirement")
    }
    assert len(reference["requirements_qualified"]) == 76
    for old_key, new_key in reference["requirements_qualified"].items():
        assert carried.pop(new_key) == (levels[old_key], old_key, True), old_key
    assert carried == {}  # nothing else: the removed ones are not carried, the added one is unanswered
    removed = {entry["id"] for entry in reference["removed"]}
    assert removed == {"M.6.5", "M.7.2"}
    for key in removed:
        assert f"not carried over: {key} " in err.getvalue()
    for entry in reference["added"]:
        assert f"new, left unanswered: {entry['id']}" in err.getvalue()


@pytest.mark.django_db
@pytest.mark.official
def test_version_difference_names_added_removed_and_reworded_requirements():
    _official()
    difference = version_difference(
        old_version=ModelVersion.objects.get(version="1.1.0"), new_version=ModelVersion.objects.get(version="2.0.0")
    )
    reference = json.loads(MAPPING_1_1_TO_2_0.read_text())
    assert sorted(r.key for c in difference.categories for r in c.removed) == ["M.6.5", "M.7.2"]
    assert [r.key for c in difference.categories for r in c.added] == [e["id"] for e in reference["added"]]
    reworded = {old.key: what for c in difference.categories for old, _, what in c.reworded}
    assert "description" in reworded["G.2.1"] and "description" in reworded["M.7.4"]
    assert "guidance" in reworded["G.5.2"]
    assert difference.count("weight_changes") == 0
    renamed = [c.renamed_from for c in difference.categories if c.renamed_from]
    assert renamed == ["Strategy and Vision"]


@pytest.mark.django_db
@pytest.mark.official
def test_version_difference_page_shows_the_changes(client, owner):
    _official()
    client.force_login(owner)
    response = client.get("/catalog/compare/?from=1.1.0&to=2.0.0")
    assert response.status_code == 200
    page = response.content.decode()
    removed = Requirement.objects.get(model_version__version="1.1.0", key="M.6.5")
    assert f"<code>M.6.5</code> {removed.title} (weight 2)" in page
    assert "validation-requirements" in page  # added
    assert "was “Strategy and Vision”" in page
    assert client.get("/catalog/compare/?from=0.0.1&to=2.0.0").status_code == 404


def _tiny_2_0(rounding=None):
    references_import(text=dump(tiny_references()), source_name="r.yaml")
    model_version_import(text=dump(tiny_model_2()), source_name="m.yaml")
    if rounding:
        profile = load(PROFILE_SELF)
        profile["profile"]["model"]["version"] = "9.2.0"
        profile["runtime"]["methodology"]["parameters"]["rounding"] = rounding
        profile_import(text=dump(profile), source_name="p.yaml")


def _document(answers):
    return {
        "format": "pkimm-assessment",
        "format_version": 1,
        "model_version": "9.2.0",
        "name": "Formal 2.0.0",
        "method": "formal",
        "answers": answers,
    }


@pytest.mark.django_db
def test_a_2_0_assessment_through_the_exchange_format_scores_exactly(org, owner):
    _tiny_2_0()
    # module-qualified keys and bare ids (unique in the model) alike
    answers = {"G.test-vision.test-sponsor": {"level": 3}, "test-scope": {"level": 2}, "test-policy": {"level": 2}}
    result = assessment_import_data(organization=org, data=_document(answers), by=owner)
    score = assessment_score(assessment=result.assessment)
    vision = Fraction(3 * 2 + 2 * 1, 3)  # 8/3
    assert score.categories["G.test-vision"].value == vision
    assert score.overall.value == (vision * 3 + 2 * 2) / 5  # 12/5 = 2.4 exactly
    assert score.overall.level == 2
    exported = assessment_export(assessment=result.assessment, by=owner)
    assert set(exported["answers"]) == {
        "G.test-vision.test-sponsor",
        "G.test-vision.test-scope",
        "G.test-policies.test-policy",
    }
    out = StringIO()
    call_command("score_assessment", str(result.assessment.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["overall"] == {"value": 2.4, "level": 2, "level_name": "Foundational", "exact": "12/5"}
    assert data["categories"]["G.test-vision"]["exact"] == "8/3"


@pytest.mark.django_db
def test_the_same_item_twice_is_refused(org, owner):
    _tiny_2_0()
    answers = {"G.test-vision.test-sponsor": {"level": 3}, "test-sponsor": {"level": 2}}
    with pytest.raises(ExchangeError, match="names the same requirement"):
        assessment_import_data(organization=org, data=_document(answers), by=owner)
    assert not Assessment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("rounding", "level"), [("floor", 2), ("round", 2), ("ceil", 3)])
@pytest.mark.official
def test_the_profile_rounding_decides_the_level(org, owner, rounding, level):
    _tiny_2_0(rounding)
    answers = {"test-sponsor": {"level": 3}, "test-scope": {"level": 2}, "test-policy": {"level": 2}}
    result = assessment_import_data(organization=org, data=_document(answers), by=owner)
    assert result.assessment.profile.rounding == rounding
    score = assessment_score(assessment=result.assessment)
    assert score.overall.value == Fraction(12, 5)
    assert score.overall.level == level
    assert score.categories["G.test-vision"].level == {"floor": 2, "round": 3, "ceil": 3}[rounding]


@pytest.mark.django_db
@pytest.mark.official
def test_a_2_0_formal_assessment_of_the_official_model_names_level_2_foundational(org, owner):
    _official()
    answers = {r.code: {"level": 2} for r in Requirement.objects.filter(model_version__version="2.0.0")}
    document = _document(answers) | {"model_version": "2.0.0"}
    result = assessment_import_data(organization=org, data=document, by=owner)
    out = StringIO()
    call_command("score_assessment", str(result.assessment.pk), "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["overall"] == {"value": 2.0, "level": 2, "level_name": "Foundational", "exact": "2/1"}
    assert data["modules"]["G"]["level_name"] == "Foundational"


@pytest.mark.django_db
@pytest.mark.official
def test_subject_fields_of_the_profile_are_kept(org, owner):
    _tiny_2_0("floor")
    version = ModelVersion.objects.get(version="9.2.0")
    assessment = assessment_create(
        organization=org,
        by=owner,
        name="With subject",
        model_version=version,
        subject={"organizationName": " Acme ", "useCaseDescription": "TLS"},
    )
    assert assessment.subject == {"organizationName": "Acme", "useCaseDescription": "TLS"}
    with pytest.raises(Exception, match="Unknown subject fields: colour"):
        assessment_create(organization=org, by=owner, name="x", model_version=version, subject={"colour": "red"})


@pytest.mark.django_db
@pytest.mark.official
def test_the_assessment_form_asks_the_profile_subject_fields(client, org, owner):
    _tiny_2_0("floor")
    version = ModelVersion.objects.get(version="9.2.0")
    client.force_login(owner)
    url = f"/o/{org.slug}/assessments/new/"
    page = client.get(url).content.decode()
    assert 'name="subject_organizationName"' in page and "Description of the use case" in page
    response = client.post(
        url,
        {
            "name": "Profiled",
            "model_version": version.pk,
            "method": "self",
            "assessor_type": "internal",
            "subject_organizationName": "Acme Trust",
            "subject_useCaseDescription": "Public TLS",
        },
    )
    assert response.status_code == 302
    assessment = Assessment.objects.get(name="Profiled")
    assert assessment.subject == {"organizationName": "Acme Trust", "useCaseDescription": "Public TLS"}
    assert assessment.profile.profile_id == "pkimm-self-assessment"


@pytest.mark.django_db
@pytest.mark.official
def test_pqc_0_2_and_0_6_score_a_2_0_assessment_side_by_side_and_each_keeps_its_version(org, owner):
    from assessments.models import Applicability, ExtensionAnswer
    from assessments.services.extensions import assessment_extension_enable
    from catalog.models import Extension
    from catalog.services import extension_import
    from tests.conftest import PQC_EXTENSION_0_2, PQC_EXTENSION_0_6

    _official()
    extension_import(text=PQC_EXTENSION_0_2.read_bytes(), source_name="pqc-0.2.0.yaml")
    v2 = ModelVersion.objects.get(version="2.0.0")
    requirements = list(Requirement.objects.filter(model_version=v2))
    older = assessment_create(organization=org, by=owner, name="with 0.2.0", model_version=v2)
    assessment_extension_enable(assessment=older, extension=Extension.objects.get(version="0.2.0"), by=owner)
    extension_import(text=PQC_EXTENSION_0_6.read_bytes(), source_name="pqc-0.6.0.yaml")
    newer = assessment_create(organization=org, by=owner, name="with 0.6.0", model_version=v2)
    assessment_extension_enable(assessment=newer, extension=Extension.objects.get(version="0.6.0"), by=owner)
    longest = max(requirements, key=lambda r: len(r.key))
    for assessment in (older, newer):
        RequirementAnswer.objects.bulk_create(
            RequirementAnswer(organization=org, assessment=assessment, requirement=r, level=3) for r in requirements
        )
        # Named keys are long: scope rows and relevance answers keep them whole.
        Applicability.objects.create(
            organization=org, assessment=assessment, key=longest.key, level="not_applicable", reason="test"
        )
        ExtensionAnswer.objects.create(
            organization=org,
            assessment=assessment,
            extension=assessment.extensions.get(),
            category_key="G.policies-and-documentation",
            level=1,
        )
    assert older.extensions.get().version == "0.2.0"  # importing 0.6.0 changed nothing for it
    old_score = assessment_score(assessment=older).extensions["pqc"]
    new_score = assessment_score(assessment=newer).extensions["pqc"]
    # Policies: every requirement at 3; relevance 1 pulls the extension level down, more with 0.6.0's weights.
    for score in (old_score, new_score):
        policies = score.categories["G.policies-and-documentation"]
        expected = (policies.level_c * policies.weight_sum_c + 1 * 5) / (policies.weight_sum_c + 5)
        assert policies.ext_level_c == expected and policies.level_c == 3
        assert score.floor == expected  # floorScore: the weakest category
    assert "G.cryptography" in new_score.categories and new_score.categories["G.cryptography"].weight_sum_c != 25
    assert old_score.categories["G.cryptography"].weight_sum_c == 25  # 0.2.0 has no overlays there


@pytest.mark.django_db
@pytest.mark.official
def test_pages_and_reports_name_the_levels_as_the_model_version_does(client, org, owner):
    from reports.rendering import report_data_build

    _tiny_2_0("floor")
    answers = {"test-sponsor": {"level": 2}, "test-scope": {"level": 2}, "test-policy": {"level": 2}}
    assessment = assessment_import_data(organization=org, data=_document(answers), by=owner).assessment
    client.force_login(owner)
    page = client.get(f"/o/{org.slug}/results/{assessment.pk}/").content.decode()
    assert "Level 2 · Foundational" in page and "2 Foundational" in page
    assert "Basic" not in page
    data = report_data_build(assessment=assessment, report_type="detailed")
    assert data["overall"]["level"]["label"] == "2 Foundational"
    assert data["profile_assurance"]["report_label"].startswith("Self-assessment")
