"""Re-assessment: a new assessment from a previous one, on the same or a newer model version.

Mapping 1.0.0 -> 1.1.0: categories are matched by name (1.1.0 inserts Cryptography as G.5, so every later
category is renumbered: 1.0.0 Key management M.5 is 1.1.0 M.6); requirements by their id within the matched
category. Documented behaviour for a requirement id that no longer exists: its answer is NOT carried over,
the mapping report lists it under ``dropped_answers`` (with its level and the reason), and the previous
assessment keeps it unchanged.
"""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from assessments.models import Applicability, Assessment, CategoryAnswer, RequirementAnswer, UseCase
from assessments.selectors_scores import assessment_baseline_score
from audit.models import AuditEntry
from catalog.models import Category, ModelVersion, Module, Requirement
from improvement.mapping import reassessment_mapping
from improvement.models import ActionPlan, TargetLevel
from improvement.selectors import assessment_targets_and_projection, report_plan_sections
from improvement.services.common import ImprovementError
from improvement.services.reassessment import reassessment_start
from tests.factories import assessment_create
from tests.improvement.conftest import answer_all_requirements, sign_off

pytestmark = pytest.mark.django_db


def _level_by_code(requirement):
    # A different level per requirement, derived from its category *name* and id, so that a mapping
    # error (wrong category or wrong requirement) shows as a wrong level.
    return 1 + (len(requirement.category.name) + int(requirement.code)) % 5


@pytest.fixture
def previous_10(org, mv10):
    assessment = assessment_create(org, model_version=mv10, name="PKI 2025")
    requirements = Requirement.objects.filter(model_version=mv10).select_related("category")
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(
            organization=org,
            assessment=assessment,
            requirement=r,
            level=_level_by_code(r),
            notes=f"notes {r.key}",
            version=3,
        )
        for r in requirements
    )
    UseCase.objects.create(organization=org, assessment=assessment, name="TLS for web", components="Issuing CA")
    Applicability.objects.create(
        organization=org, assessment=assessment, key="M.5.2", level="not_applicable", reason="No HSM"
    )
    Applicability.objects.create(organization=org, assessment=assessment, key="R", level="partial", reason="Shared")
    assessment.environment_design = "Two-tier PKI"
    assessment.save()
    return sign_off(assessment)


def _answers(assessment):
    return {
        a.requirement.key: a
        for a in RequirementAnswer.objects.filter(assessment=assessment).select_related("requirement")
    }


def test_mapping_1_0_into_1_1_carries_every_answer_to_the_renumbered_categories(previous_10, mv11, lead):
    new, report = reassessment_start(previous=previous_10, model_version=mv11, name="PKI 2026", by=lead)

    old_answers, new_answers = _answers(previous_10), _answers(new)
    assert len(old_answers) == 72
    assert len(new_answers) == 72  # every 1.0.0 answer has a home in 1.1.0
    # Key management is M.5 in 1.0.0 and M.6 in 1.1.0: its answers land in M.6.
    for code in "123456":
        assert new_answers[f"M.6.{code}"].level == old_answers[f"M.5.{code}"].level
        assert new_answers[f"M.6.{code}"].notes == f"notes M.5.{code}"
    # Every renumbered category, e.g. Awareness R.15 -> R.16, and the unchanged ones G.1-G.4.
    assert new_answers["R.16.4"].level == old_answers["R.15.4"].level
    assert new_answers["G.4.5"].level == old_answers["G.4.5"].level
    assert all(a.carried_over for a in new_answers.values())
    assert all(a.version == 0 for a in new_answers.values())  # a fresh answer row, not the old version
    # Cryptography (G.5 in 1.1.0) is new: unanswered.
    assert not any(key.startswith("G.5.") for key in new_answers)
    assert [c.new_key for c in report.new_categories] == ["G.5"]
    assert report.new_categories[0].name == "Cryptography"
    assert report.carried_over_count == 72
    assert report.dropped_answers == []
    renumbered = {c.old_key: c.new_key for c in report.categories if c.change == "renumbered"}
    assert renumbered["M.5"] == "M.6" and renumbered["R.15"] == "R.16" and len(renumbered) == 11


def test_mapping_carries_scope_use_cases_and_environment(previous_10, mv11, lead):
    new, _ = reassessment_start(previous=previous_10, model_version=mv11, name="PKI 2026", by=lead)

    scope = {a.key: (a.level, a.reason) for a in Applicability.objects.filter(assessment=new)}
    assert scope == {"M.6.2": ("not_applicable", "No HSM"), "R": ("partial", "Shared")}
    assert list(UseCase.objects.filter(assessment=new).values_list("name", "components")) == [
        ("TLS for web", "Issuing CA")
    ]
    new.refresh_from_db()
    assert new.previous == previous_10
    assert new.model_version == mv11
    assert new.status == Assessment.Status.DRAFT
    assert new.method == previous_10.method
    assert new.environment_design == "Two-tier PKI"
    assert new.signed_off_at is None
    assert new.organization == previous_10.organization
    # The dashboard summary is computed for the new assessment (N/A M.6.2 leaves 71 assessed answers).
    assert new.summary_assessed == 71
    # The previous assessment is untouched.
    assert all(not a.carried_over for a in _answers(previous_10).values())
    entry = AuditEntry.objects.get(action="assessment.reassessment_started")
    assert entry.object_id == str(new.pk) and entry.after["new_categories"] == ["G.5"]


def test_self_assessment_categories_are_mapped_by_name(org, mv10, mv11, lead):
    previous = assessment_create(org, model_version=mv10, method=Assessment.Method.SELF)
    CategoryAnswer.objects.bulk_create(
        CategoryAnswer(organization=org, assessment=previous, category=c, level=1 + c.position % 5)
        for c in Category.objects.filter(model_version=mv10)
    )
    new, report = reassessment_start(previous=previous, model_version=mv11, name="Self 2026", by=lead)

    old_levels = {c.category.name: c.level for c in CategoryAnswer.objects.filter(assessment=previous)}
    new_rows = CategoryAnswer.objects.filter(assessment=new).select_related("category")
    assert {c.category.name: c.level for c in new_rows} == old_levels
    assert CategoryAnswer.objects.get(assessment=new, category__key="M.6").category.name == "Key management"
    assert all(c.carried_over for c in new_rows)
    assert report.carried_over_count == 15
    assert not CategoryAnswer.objects.filter(assessment=new, category__key="G.5").exists()


def _model_without(source: ModelVersion, version: str, *, drop_requirement: str) -> ModelVersion:
    """A copy of ``source`` as ``version`` with one requirement removed (a made-up later model)."""
    target = ModelVersion.objects.create(version=version)
    modules = {}
    for module in Module.objects.filter(model_version=source):
        modules[module.pk] = Module.objects.create(
            model_version=target, code=module.code, name=module.name, position=module.position
        )
    for category in Category.objects.filter(model_version=source):
        copy = Category.objects.create(
            model_version=target,
            module=modules[category.module_id],
            code=category.code,
            key=category.key,
            name=category.name,
            weight=category.weight,
            position=category.position,
        )
        for r in Requirement.objects.filter(category=category).exclude(key=drop_requirement):
            Requirement.objects.create(
                model_version=target,
                category=copy,
                code=r.code,
                key=r.key,
                title=r.title,
                weight=r.weight,
                position=r.position,
            )
    return target


def test_a_requirement_that_no_longer_exists_is_listed_not_carried(previous_10, mv11, lead):
    mv12 = _model_without(mv11, "1.2.0", drop_requirement="M.6.6")

    new, report = reassessment_start(previous=previous_10, model_version=mv12, name="PKI 2027", by=lead)

    new_answers = _answers(new)
    assert len(new_answers) == 71
    assert "M.6.6" not in new_answers
    assert new_answers["M.6.5"].level == _answers(previous_10)["M.5.5"].level
    [dropped] = report.dropped_answers
    assert dropped.key == "M.5.6"
    assert dropped.level == _answers(previous_10)["M.5.6"].level
    assert "no longer exists" in dropped.reason
    key_management = next(c for c in report.categories if c.name == "Key management")
    assert key_management.dropped_requirements == ("M.5.6",)
    assert key_management.carried_over == 5


def test_same_version_reassessment_keeps_every_key(org, mv11, lead):
    previous = assessment_create(org, model_version=mv11)
    answer_all_requirements(previous, lambda r: 2)
    RequirementAnswer.objects.filter(assessment=previous, requirement__key="G.1.1").update(level=None, notes="")

    new, report = reassessment_start(previous=previous, model_version=None, name="Again", by=lead)

    assert report.same_version and report.changed_categories == []
    assert new.model_version == mv11
    assert set(_answers(new)) == set(_answers(previous)) - {"G.1.1"}  # an empty row is no answer


def test_going_back_to_an_older_model_is_refused(org, mv10, mv11, lead):
    previous = assessment_create(org, model_version=mv11)
    with pytest.raises(ImprovementError, match="older model"):
        reassessment_start(previous=previous, model_version=mv10, name="Back", by=lead)
    assert Assessment.objects.count() == 1


def test_a_name_is_required(org, mv11, lead):
    previous = assessment_create(org, model_version=mv11)
    with pytest.raises(ImprovementError, match="name"):
        reassessment_start(previous=previous, name="  ", by=lead)


@pytest.mark.parametrize("role", ["assessor", "viewer", "outsider"])
def test_only_roles_that_create_assessments_may_start_one(org, mv11, team, role):
    previous = assessment_create(org, model_version=mv11)
    with pytest.raises(PermissionDenied):
        reassessment_start(previous=previous, name="No", by=team[role])
    assert Assessment.objects.count() == 1


def test_preview_changes_nothing(previous_10, mv11):
    report = reassessment_mapping(previous=previous_10, model_version=mv11)
    assert report.carried_over_count == 72
    assert Assessment.objects.count() == 1


def test_reassess_page_previews_then_creates_and_shows_the_mapping(previous_10, mv11, lead, client_for):
    client = client_for(lead)
    url = reverse("plans:reassess", args=[previous_10.organization.slug, previous_10.pk])

    preview = client.get(url, {"model_version": mv11.pk})
    assert preview.status_code == 200
    assert "Cryptography" in preview.content.decode()
    assert Assessment.objects.count() == 1

    response = client.post(url, {"name": "PKI 2026", "model_version": mv11.pk})
    new = Assessment.objects.get(name="PKI 2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("plans:reassessment_report", args=[new.organization.slug, new.pk])
    page = client.get(response["Location"]).content.decode()
    assert "72" in page and "Cryptography" in page and "still to confirm" in page


def test_reassess_page_refuses_bad_input(previous_10, lead, client_for):
    client = client_for(lead)
    url = reverse("plans:reassess", args=[previous_10.organization.slug, previous_10.pk])
    response = client.post(url, {"name": "", "model_version": previous_10.model_version_id})
    assert response.status_code == 200
    assert Assessment.objects.count() == 1
    response = client.get(url, {"model_version": "not-a-number"})
    assert response.status_code == 200


def test_compatible_extensions_and_their_answers_are_carried_over(org, mv10, mv11, lead):
    from assessments.models import ExtensionAnswer
    from catalog.models import ExtensionRelevance
    from tests.factories_extensions import pqc_extension

    pqc = pqc_extension()  # compatible with 1.1.0 only
    previous = assessment_create(org, model_version=mv11)
    previous.extensions.add(pqc)
    key = ExtensionRelevance.objects.filter(extension=pqc).values_list("category_key", flat=True).first()
    ExtensionAnswer.objects.create(organization=org, assessment=previous, extension=pqc, category_key=key, level=3)

    new, report = reassessment_start(previous=previous, name="Same version", by=lead)
    assert list(new.extensions.all()) == [pqc] and report.kept_extensions == [pqc]
    carried = ExtensionAnswer.objects.get(assessment=new)
    assert (carried.category_key, carried.level, carried.carried_over) == (key, 3, True)

    # An extension that is not compatible with the new version is left out, and the report says so.
    pqc.compatibility = ["1.0.0"]
    pqc.save()
    old = assessment_create(org, model_version=mv10)
    old.extensions.add(pqc)
    newer, report = reassessment_start(previous=old, model_version=mv11, name="Newer", by=lead)
    assert report.dropped_extensions == [pqc] and not newer.extensions.exists()


def test_unreached_targets_follow_into_the_reassessment_renumbered_reached_ones_do_not(previous_10, mv11, lead):
    # 1.0.0 M.5 Key management is 1.1.0 M.6; its level in previous_10 is below 5, G.1's is at least 1.
    key_management = assessment_baseline_score(assessment=previous_10).categories["M.5"].level
    TargetLevel.objects.create(
        organization=previous_10.organization, assessment=previous_10, category_key="M.5", level=5
    )
    TargetLevel.objects.create(
        organization=previous_10.organization, assessment=previous_10, category_key="G.1", level=1
    )
    assert key_management < 5

    new, _report = reassessment_start(previous=previous_10, model_version=mv11, name="PKI 2026", by=lead)

    assert dict(TargetLevel.objects.filter(assessment=new).values_list("category_key", "level")) == {"M.6": 5}
    rows = {row.key: row for row in assessment_targets_and_projection(assessment=new)["categories"]}
    assert rows["M.6"].target_level == 5 and not rows["M.6"].target_is_default
    assert rows["G.1"].target_is_default  # reached before: the next level above the current one again


def test_action_plans_survive_into_the_next_assessment(org, previous_10, mv11, lead):
    plan = ActionPlan.objects.create(
        organization=org,
        origin=previous_10,
        category_key="M.5",
        category_name="Key management",
        requirement_key="M.5.1",
        title="Keys into an HSM",
        target_level=5,
    )

    new, _report = reassessment_start(previous=previous_10, model_version=mv11, name="PKI 2026", by=lead)

    plan.refresh_from_db()
    assert plan.origin == previous_10 and plan.status == ActionPlan.Status.PLANNED
    rows = {row.key: row for row in assessment_targets_and_projection(assessment=new)["categories"]}
    assert [p.pk for p in rows["M.6"].plans] == [plan.pk]  # found again under the renumbered category
    assert [p["title"] for p in report_plan_sections(assessment=new)["action_plans"]] == ["Keys into an HSM"]
