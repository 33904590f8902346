import json

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Applicability, Assessment, CategoryReview, UseCase
from assessments.selectors_manage import categories_in_scope, scope_tree
from assessments.services.common import AssessmentError
from assessments.services.scoping import (
    applicability_set,
    applicability_set_many,
    assessment_environment_update,
    use_case_add,
    use_case_remove,
    use_case_update,
)
from assessments.services.workflow import (
    assessment_reopen,
    assessment_request_review,
    assessment_sign_off,
    assessment_start,
    category_review_accept,
)
from audit.models import AuditEntry
from tests.assessments.workflow.helpers import accept_all, answer_all

Level = Applicability.Level


@pytest.mark.parametrize("key", ["G", "G.1", "G.1.2"], ids=["module", "category", "requirement"])
@pytest.mark.parametrize("level", [Level.PARTIAL, Level.NOT_APPLICABLE])
@pytest.mark.parametrize("reason", ["", "   "])
def test_reason_required_for_partial_and_not_applicable(assessment, lead, key, level, reason):
    with pytest.raises(AssessmentError, match="reason is required"):
        applicability_set(assessment=assessment, key=key, level=level, reason=reason, by=lead)
    assert not Applicability.objects.filter(assessment=assessment).exists()
    assert not AuditEntry.objects.filter(action="applicability.changed").exists()


@pytest.mark.parametrize("level", [Level.PARTIAL, Level.NOT_APPLICABLE])
def test_reason_given_is_stored_and_audited(assessment, lead, level):
    applicability_set(assessment=assessment, key="G.1.2", level=level, reason="Run by the parent company", by=lead)
    row = Applicability.objects.get(assessment=assessment, key="G.1.2")
    assert (row.level, row.reason, row.updated_by) == (level, "Run by the parent company", lead)
    entry = AuditEntry.objects.get(action="applicability.changed")
    assert entry.actor == lead
    assert (entry.object_type, entry.object_id) == ("assessment", str(assessment.pk))
    assert entry.before == {"key": "G.1.2", "level": "applicable", "reason": ""}
    assert entry.after == {"key": "G.1.2", "level": level, "reason": "Run by the parent company"}


def test_module_not_applicable_cascades_to_everything_below(assessment, lead):
    applicability_set(assessment=assessment, key="R", level=Level.NOT_APPLICABLE, reason="Outsourced", by=lead)
    tree = scope_tree(assessment=assessment)
    below = [item for item in tree.rows() if item.key.startswith("R.")]
    assert below and all(item.level == Level.NOT_APPLICABLE and item.inherited_from == "R" for item in below)
    assert all(item.applicable for item in tree.rows() if not item.key.startswith("R"))
    assert not any(category.key.startswith("R.") for category in categories_in_scope(assessment=assessment))


def test_category_not_applicable_cascades_to_its_requirements_only(assessment, lead):
    applicability_set(assessment=assessment, key="M.7", level=Level.NOT_APPLICABLE, reason="No certificates", by=lead)
    tree = scope_tree(assessment=assessment)
    assert all(not req.applicable and req.inherited_from == "M.7" for req in tree.items["M.7"].children)
    assert tree.items["M"].applicable and tree.items["M.6"].applicable
    assert all(req.applicable for req in tree.items["M.6"].children)


def test_partial_does_not_cascade(assessment, lead):
    applicability_set(assessment=assessment, key="O", level=Level.PARTIAL, reason="Only the issuing CA", by=lead)
    tree = scope_tree(assessment=assessment)
    assert tree.items["O"].level == Level.PARTIAL
    assert all(item.level == Level.APPLICABLE for item in tree.rows() if item.key.startswith("O."))


def test_child_decision_survives_parent_toggle(assessment, lead):
    applicability_set(assessment=assessment, key="G.1.1", level=Level.PARTIAL, reason="Partly", by=lead)
    applicability_set(assessment=assessment, key="G", level=Level.NOT_APPLICABLE, reason="Out", by=lead)
    assert scope_tree(assessment=assessment).items["G.1.1"].level == Level.NOT_APPLICABLE
    applicability_set(assessment=assessment, key="G", level=Level.APPLICABLE, by=lead)
    assert scope_tree(assessment=assessment).items["G.1.1"].level == Level.PARTIAL


def test_applicable_keeps_the_row_with_its_version(assessment, lead):
    applicability_set(assessment=assessment, key="G.1", level=Level.NOT_APPLICABLE, reason="x", by=lead)
    applicability_set(assessment=assessment, key="G.1", level=Level.APPLICABLE, reason="ignored", by=lead)
    row = Applicability.objects.get(assessment=assessment)
    assert (row.level, row.reason, row.version) == (Level.APPLICABLE, "", 2)
    assert scope_tree(assessment=assessment).items["G.1.1"].applicable
    assert AuditEntry.objects.filter(action="applicability.changed").count() == 2


def test_unknown_key_is_refused(assessment, lead):
    with pytest.raises(AssessmentError, match="G.9.9: not part of model 1.1.0"):
        applicability_set(assessment=assessment, key="G.9.9", level=Level.NOT_APPLICABLE, reason="x", by=lead)


def test_set_many_is_all_or_nothing(assessment, lead):
    with pytest.raises(AssessmentError, match="G.2"):
        applicability_set_many(
            assessment=assessment,
            decisions={"G.1": (Level.NOT_APPLICABLE, "Not ours"), "G.2": (Level.PARTIAL, "")},
            by=lead,
        )
    assert not Applicability.objects.filter(assessment=assessment).exists()


def test_set_many_writes_only_changes(assessment, lead):
    applicability_set(assessment=assessment, key="G.1", level=Level.NOT_APPLICABLE, reason="Not ours", by=lead)
    changed = applicability_set_many(
        assessment=assessment,
        decisions={"G.1": (Level.NOT_APPLICABLE, "Not ours"), "G.2": (Level.APPLICABLE, ""), "G": ("applicable", "")},
        by=lead,
    )
    assert changed == 0
    assert AuditEntry.objects.filter(action="applicability.changed").count() == 1


@pytest.mark.parametrize("role", ["assessor", "viewer", "outsider"])
def test_only_managers_change_scope(assessment, team, role):
    with pytest.raises(PermissionDenied):
        applicability_set(assessment=assessment, key="G.1", level=Level.NOT_APPLICABLE, reason="x", by=team[role])
    with pytest.raises(PermissionDenied):
        use_case_add(assessment=assessment, name="Web PKI", by=team[role])


def test_scope_change_refreshes_summary(assessment, lead, monkeypatch):
    calls = []
    monkeypatch.setattr("assessments.services.scoping.assessment_summary_refresh", lambda **kw: calls.append(kw))
    applicability_set(assessment=assessment, key="G.1", level=Level.NOT_APPLICABLE, reason="x", by=lead)
    assert [call["assessment"].pk for call in calls] == [assessment.pk]


def test_accepted_category_scope_is_locked_during_review(assessment, lead):
    assessment_request_review(assessment=assessment, by=lead)
    category_review_accept(assessment=assessment, category_key="G.1", by=lead)
    for key in ("G", "G.1", "G.1.3"):
        with pytest.raises(AssessmentError, match="G.1"):
            applicability_set(assessment=assessment, key=key, level=Level.NOT_APPLICABLE, reason="x", by=lead)
    applicability_set(assessment=assessment, key="G.2.1", level=Level.NOT_APPLICABLE, reason="x", by=lead)


def test_category_coming_into_scope_during_review_gets_a_pending_review(assessment, lead):
    applicability_set(assessment=assessment, key="R.14", level=Level.NOT_APPLICABLE, reason="x", by=lead)
    assessment_request_review(assessment=assessment, by=lead)
    assert not CategoryReview.objects.filter(assessment=assessment, category__key="R.14").exists()
    applicability_set(assessment=assessment, key="R.14", level=Level.APPLICABLE, by=lead)
    review = CategoryReview.objects.get(assessment=assessment, category__key="R.14")
    assert review.status == CategoryReview.Status.PENDING


def test_formal_category_with_every_requirement_out_is_not_in_scope(assessment, lead):
    keys = [req.key for req in scope_tree(assessment=assessment).items["O.11"].children]
    applicability_set_many(
        assessment=assessment, decisions={k: (Level.NOT_APPLICABLE, "manual") for k in keys}, by=lead
    )
    assert "O.11" not in [c.key for c in categories_in_scope(assessment=assessment)]


def test_use_case_lifecycle_is_audited(assessment, lead):
    use_case = use_case_add(
        assessment=assessment, name="Device PKI", description="IoT devices", components="Issuing CA", by=lead
    )
    use_case_update(use_case=use_case, name="Device PKI (factory)", out_of_scope="Legacy root", by=lead)
    use_case.refresh_from_db()
    assert (use_case.name, use_case.out_of_scope, use_case.components) == (
        "Device PKI (factory)",
        "Legacy root",
        "Issuing CA",
    )
    use_case_remove(use_case=use_case, by=lead)
    assert not UseCase.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["use_case.added", "use_case.updated", "use_case.removed"]
    updated = AuditEntry.objects.get(action="use_case.updated")
    assert updated.before == {"name": "Device PKI", "out_of_scope": ""}


def test_use_case_needs_a_name(assessment, lead):
    with pytest.raises(AssessmentError):
        use_case_add(assessment=assessment, name="  ", by=lead)


def test_environment_update_is_audited(assessment, lead):
    assessment_environment_update(
        assessment=assessment, environment_design="Offline root, two issuing CAs", environment_interactions="", by=lead
    )
    assert assessment.environment_design == "Offline root, two issuing CAs"
    entry = AuditEntry.objects.get(action="assessment.environment_updated")
    assert entry.after == {"environment_design": "Offline root, two issuing CAs"}
    assert Assessment.objects.get(pk=assessment.pk).environment_design.startswith("Offline")


def test_scope_can_be_changed_in_every_state_until_sign_off_and_again_after_reopen(assessment, lead, owner):
    def change_scope(n):
        applicability_set(assessment=assessment, key="R.14", level=Level.PARTIAL, reason=f"round {n}", by=lead)
        use_case_add(assessment=assessment, name=f"Use-case {n}", by=lead)
        assessment_environment_update(assessment=assessment, environment_design=f"Design {n}", by=lead)

    change_scope(1)  # draft
    assessment_start(assessment=assessment, by=lead)
    change_scope(2)  # in progress
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    change_scope(3)  # in review
    accept_all(assessment, lead)
    assessment_sign_off(assessment=assessment, statement="Done", by=lead)
    with pytest.raises(AssessmentError, match="signed off and read-only"):
        change_scope(4)
    assessment_reopen(assessment=assessment, reason="Scope was too narrow", by=owner)
    change_scope(5)
    assert Applicability.objects.get(assessment=assessment, key="R.14").reason == "round 5"
    assert UseCase.objects.filter(assessment=assessment).count() == 4


def test_a_decision_set_back_to_applicable_is_exported_as_applicable(assessment, lead):
    """Its row keeps the version; the exchange file says applicable (who set it back), as an imported
    explicit "applicable" decision is exported."""
    from assessments.exchange import assessment_export_data

    applicability_set(assessment=assessment, key="G.1", level=Level.NOT_APPLICABLE, reason="x", by=lead)
    applicability_set(assessment=assessment, key="G.1", level=Level.APPLICABLE, by=lead)
    exported = json.dumps(assessment_export_data(assessment=assessment))
    assert '"applicability": "applicable"' in exported and '"applicability": "not_applicable"' not in exported
