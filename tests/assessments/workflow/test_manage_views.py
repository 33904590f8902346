import datetime

import pytest
from django.urls import reverse

from assessments.models import Assessment, Assignment
from assessments.services.scoping import applicability_set
from assessments.services.workflow import assessment_request_review, category_review_send_back
from audit.models import AuditEntry
from catalog.models import Category, ModelVersion
from tests.assessments.workflow.helpers import url
from tests.factories import assessment_create, model_1_0


def test_list_shows_status_progress_and_overdue(client_for, viewer, org, model):
    late = assessment_create(org, model_version=model, name="Late one", target_date=datetime.date(2020, 1, 1))
    late.summary_assessed, late.summary_applicable, late.summary_overall_level = 39, 78, 3
    late.save()
    assessment_create(org, model_version=model, name="On time", target_date=datetime.date(2999, 1, 1))
    response = client_for(viewer).get(url("list"))
    html = response.content.decode()
    assert "Late one" in html and "On time" in html and "39 / 78" in html
    assert html.count(">Overdue<") == 1
    assert "New assessment" not in html  # viewers cannot create


def test_list_search_and_sort(client_for, lead, org, model):
    assessment_create(org, model_version=model, name="Alpha PKI")
    assessment_create(org, model_version=model, name="Beta PKI", assessor_company="Zeta Audit")
    html = client_for(lead).get(url("list"), {"q": "zeta"}).content.decode()
    assert "Beta PKI" in html and "Alpha PKI" not in html
    html = client_for(lead).get(url("list"), {"sort": "name"}).content.decode()
    assert html.index("Alpha PKI") < html.index("Beta PKI")
    html = client_for(lead).get(url("list"), {"sort": "-created"}).content.decode()
    assert html.index("Beta PKI") < html.index("Alpha PKI")


@pytest.mark.parametrize("count", [1, 40])
def test_list_query_count_does_not_grow(client_for, lead, org, model, count, django_assert_max_num_queries):
    for n in range(count):
        assessment_create(org, model_version=model, name=f"Assessment {n}")
    client = client_for(lead)
    with django_assert_max_num_queries(8):
        assert client.get(url("list")).status_code == 200


def test_create_defaults_to_newest_model_and_audits(client_for, lead, org, model):
    model_1_0()
    response = client_for(lead).get(url("create"))
    assert response.context["form"].fields["model_version"].initial == model.pk
    response = client_for(lead).post(
        url("create"),
        {
            "name": "Annual 2026",
            "model_version": model.pk,
            "method": "third_party",
            "assessor_type": "external",
            "assessor_name": "Eve Auditor",
            "assessor_company": "Trust Audit Ltd",
            "start_date": "2026-01-10",
            "target_date": "2026-03-31",
        },
    )
    assessment = Assessment.objects.get(name="Annual 2026")
    assert response.status_code == 302 and response["Location"] == url("scope", assessment)
    assert (assessment.method, assessment.assessor_company, assessment.created_by) == (
        "third_party",
        "Trust Audit Ltd",
        lead,
    )
    assert assessment.organization == org
    assert AuditEntry.objects.get(action="assessment.created").after["assessor_name"] == "Eve Auditor"


def test_create_refused_shows_message(client_for, lead, model):
    response = client_for(lead).post(
        url("create"),
        {"name": "Bad", "model_version": model.pk, "method": "third_party", "assessor_type": "internal"},
    )
    assert response.status_code == 200
    assert "done by an external assessor" in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize("role", ["assessor", "viewer"])
def test_create_post_forbidden_for_assessor_and_viewer(client_for, team, model, role):
    response = client_for(team[role]).post(
        url("create"), {"name": "X", "model_version": model.pk, "method": "self", "assessor_type": "internal"}
    )
    assert response.status_code == 403
    assert not Assessment.objects.exists()


def test_summary_model_version_shows_a_note(client_for, viewer, org):
    summary = ModelVersion.objects.create(version="9.9.9", is_summary=True, source=ModelVersion.Source.STARTER)
    assessment = assessment_create(org, model_version=summary)
    assert "Built-in summary texts" in client_for(viewer).get(url("detail", assessment)).content.decode()


def test_edit_metadata_and_method_locked_after_start(client_for, lead, assessment):
    data = {"name": "Renamed", "method": "self", "assessor_type": "internal", "target_date": "2027-01-01"}
    assert client_for(lead).post(url("edit", assessment), data).status_code == 302
    assessment.refresh_from_db()
    assert (assessment.name, assessment.method) == ("Renamed", "self")
    assessment.status = Assessment.Status.IN_PROGRESS
    assessment.save()
    client_for(lead).post(url("edit", assessment), {**data, "method": "formal", "name": "Again"})
    assessment.refresh_from_db()
    assert (assessment.name, assessment.method) == ("Again", "self")  # the disabled field keeps its value


def test_detail_shows_sent_back_comments_to_assessors(client_for, lead, assessor, assessment):
    assessment_request_review(assessment=assessment, by=lead)
    category_review_send_back(assessment=assessment, category_key="M.7", comment="Renewal evidence missing", by=lead)
    html = client_for(assessor).get(url("detail", assessment)).content.decode()
    assert "Sent back by the reviewer" in html and "Renewal evidence missing" in html
    assert f"/o/acme/assessments/{assessment.pk}/questionnaire/M.7/" in html


def test_detail_workflow_buttons_follow_permissions(client_for, lead, viewer, assessment):
    lead_html = client_for(lead).get(url("detail", assessment)).content.decode()
    assert url("start", assessment) in lead_html and url("request_review", assessment) in lead_html
    viewer_html = client_for(viewer).get(url("detail", assessment)).content.decode()
    assert url("start", assessment) not in viewer_html and url("request_review", assessment) not in viewer_html


@pytest.mark.parametrize("decisions", [0, 30])
def test_detail_query_count_does_not_grow(client_for, lead, assessment, decisions, django_assert_max_num_queries):
    keys = [c.key for c in Category.objects.filter(model_version=assessment.model_version)][: decisions // 2]
    for key in keys:
        applicability_set(assessment=assessment, key=key, level="partial", reason="r", by=lead)
    client = client_for(lead)
    with django_assert_max_num_queries(16):
        assert client.get(url("detail", assessment)).status_code == 200


def test_assignments_page_assigns_and_unassigns(client_for, lead, assessor, assessment):
    client = client_for(lead)
    response = client.post(
        url("assignments", assessment), {"item": "G.2", "assignee": assessor.pk, "due_date": "2027-02-01"}
    )
    assert response.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.category.key, assignment.assignee, assignment.due_date) == (
        "G.2",
        assessor,
        datetime.date(2027, 2, 1),
    )
    client.post(url("assignments", assessment), {"item": "G.2.3", "assignee": assessor.pk})
    assert Assignment.objects.filter(requirement__key="G.2.3").exists()
    client.post(url("assignments", assessment), {"item": "G.2", "assignee": ""})
    assert list(Assignment.objects.values_list("requirement__key", flat=True)) == ["G.2.3"]
    html = client.get(url("assignments", assessment)).content.decode()
    assert "G.2.3" in html and assessor.email in html


def test_assignments_refuse_viewer_as_assignee(client_for, lead, viewer, assessment):
    response = client_for(lead).post(
        url("assignments", assessment), {"item": "G.2", "assignee": viewer.pk}, follow=True
    )
    assert not Assignment.objects.exists()
    assert "Nothing assigned" in response.content.decode()


def test_other_org_assessment_is_404(client_for, outsider, other_org, org, model, owner):
    theirs = assessment_create(other_org, model_version=model)
    assert (
        client_for(owner)
        .get(reverse("assessments:detail", kwargs={"org_slug": "acme", "assessment_id": theirs.pk}))
        .status_code
        == 404
    )


def test_detail_history_lists_scope_and_workflow_changes(client_for, lead, viewer, assessment):
    applicability_set(assessment=assessment, key="M.7", level="not_applicable", reason="No certificates here", by=lead)
    assessment_request_review(assessment=assessment, by=lead)
    category_review_send_back(assessment=assessment, category_key="G.2", comment="Add version numbers", by=lead)
    history = client_for(viewer).get(url("detail", assessment)).context["history"]
    assert history[1].detail.startswith("Status: draft → in review; Categories: G.1, G.2")
    history[1].detail = ""
    assert [(h.label, h.subject, h.detail) for h in history] == [
        ("sent back", "G.2 Policies and documentation", "Add version numbers"),
        ("requested review", "", ""),
        (
            "changed the",
            "scope of M.7 Certificate management",
            "Applicable → Not applicable: No certificates here",
        ),
    ]


def test_category_page_shows_why_it_was_sent_back(client_for, org, lead, assessor):
    from assessments.services.workflow import assessment_request_review, category_review_send_back
    from tests.factories import assessment_create

    assessment = assessment_create(org)
    assessment_request_review(assessment=assessment, by=lead)
    category_review_send_back(assessment=assessment, category_key="G.3", comment="Audit evidence is missing.", by=lead)
    html = client_for(assessor).get(f"/o/{org.slug}/assessments/{assessment.pk}/questionnaire/G.3/").content.decode()
    assert "Sent back by the reviewer" in html and "Audit evidence is missing." in html


def test_create_offers_extensions_and_enables_the_chosen_ones(client_for, lead, org, model):
    from catalog.models import Extension
    from tests.assessments.conftest import pqc_extension

    pqc = pqc_extension()  # for 1.1.0
    other = Extension.objects.create(ext_id="other", version="1.0.0", name="Other topic", compatibility=["9.9.9"])
    page = client_for(lead).get(url("create")).content.decode()
    assert (
        f'type="checkbox" class="form-check-input"  name="extensions" value="{pqc.pk}"' in page
        and f"{pqc.name} {pqc.version} (for PKIMM 1.1.0)" in page
    )
    base = {"model_version": model.pk, "method": "formal", "assessor_type": "internal"}
    refused = client_for(lead).post(url("create"), {**base, "name": "Wrong", "extensions": [other.pk]})
    assert refused.status_code == 200 and "is not for PKIMM 1.1.0" in refused.content.decode()
    assert not Assessment.objects.filter(name="Wrong").exists()
    response = client_for(lead).post(url("create"), {**base, "name": "With PQC", "extensions": [pqc.pk]})
    assessment = Assessment.objects.get(name="With PQC")
    assert response.status_code == 302 and list(assessment.extensions.all()) == [pqc]
    entry = AuditEntry.objects.get(action="assessment.extension_enabled")
    assert entry.after == {"extension": pqc.ext_id, "version": pqc.version} and entry.actor == lead
