"""The other API routes: assessments, scope, scores, exchange, reports, action plans."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Applicability, Assessment
from assessments.selectors_scores import assessment_score
from assessments.services.scoping import applicability_set
from improvement.models import ActionPlan
from reports.models import Report, report_file_name
from scoring.engine import score_result_to_json
from tests.api.helpers import api_client, token_for
from tests.csp import csp_problems
from tests.factories import assessment_create


@pytest.fixture
def lead_client(org, lead):
    return api_client(token_for(lead, org))


def _url(name, org, **kwargs):
    return reverse(f"api:{name}", kwargs={"org_slug": org.slug, **kwargs})


def test_assessment_list_filters_and_constant_queries(org, other_org, starter_model, lead_client):
    assessment_create(org, model_version=starter_model, name="Formal one")
    assessment_create(org, model_version=starter_model, name="Self one", method=Assessment.Method.SELF)
    assessment_create(other_org, model_version=starter_model, name="Not ours")

    def names(**params):
        return sorted(a["name"] for a in lead_client.get(_url("assessments", org), params).json()["results"])

    assert names() == ["Formal one", "Self one"]
    assert names(method="self") == ["Self one"]
    assert names(search="formal") == ["Formal one"]
    assert names(model_version="9.9.9") == []
    with CaptureQueriesContext(connection) as few:
        lead_client.get(_url("assessments", org))
    for index in range(5):
        assessment_create(org, model_version=starter_model, name=f"More {index}")
    with CaptureQueriesContext(connection) as many:
        lead_client.get(_url("assessments", org))
    assert len(many) == len(few)


def test_create_an_assessment(org, starter_model, lead_client, lead):
    response = lead_client.post(
        _url("assessments", org), {"name": "API made", "model_version": "1.1.0", "method": "self"}, format="json"
    )
    assert response.status_code == 201, response.json()
    created = Assessment.objects.get(pk=response.json()["id"])
    assert (created.name, created.method, created.created_by) == ("API made", "self", lead)
    bad = lead_client.post(_url("assessments", org), {"name": "x", "model_version": "9.9"}, format="json")
    assert bad.status_code == 400 and "not imported" in bad.json()["detail"]


def test_scope_decisions(org, starter_model, lead_client):
    assessment = assessment_create(org, model_version=starter_model)
    url = _url("scope", org, assessment_id=assessment.pk)
    response = lead_client.post(
        url, {"key": "G.1", "level": "not_applicable", "reason": "Parent company"}, format="json"
    )
    assert response.status_code == 200
    assert response.json() == [{"key": "G.1", "level": "not_applicable", "reason": "Parent company", "version": 1}]
    assert Applicability.objects.get(assessment=assessment).reason == "Parent company"
    refused = lead_client.post(url, {"key": "G.2", "level": "partial", "reason": ""}, format="json")
    assert refused.status_code == 400


def test_scope_decision_based_on_a_stale_version_is_a_409(org, starter_model, lead_client, owner):
    assessment = assessment_create(org, model_version=starter_model)
    url = _url("scope", org, assessment_id=assessment.pk)
    read = lead_client.post(url, {"key": "G.1", "level": "partial", "reason": "Root CA only"}, format="json")
    version = read.json()[0]["version"]
    applicability_set(assessment=assessment, key="G.1", level="not_applicable", reason="Outsourced", by=owner)

    stale = lead_client.post(
        url, {"key": "G.1", "level": "applicable", "reason": "", "version": version}, format="json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["current"] == {"key": "G.1", "level": "not_applicable", "reason": "Outsourced", "version": 2}
    assert owner.email in body["detail"]
    assert Applicability.objects.get(assessment=assessment).level == "not_applicable"  # nothing overwritten
    keep_mine = lead_client.post(
        url, {"key": "G.1", "level": "applicable", "reason": "", "version": body["current"]["version"]}, format="json"
    )
    assert keep_mine.status_code == 200 and keep_mine.json()[0]["level"] == "applicable"


def test_scores_are_the_score_assessment_json(org, starter_model, lead_client):
    assessment = assessment_create(org, model_version=starter_model, status=Assessment.Status.IN_PROGRESS)
    lead_client.put(
        _url("answer", org, assessment_id=assessment.pk, key="G.1.1"), {"level": 4, "version": 0}, format="json"
    )
    body = lead_client.get(_url("scores", org, assessment_id=assessment.pk)).json()
    assert body == score_result_to_json(assessment_score(assessment=assessment))
    assert body["categories"]["G.1"]["value"] == 4


def test_exchange_export_then_import(org, starter_model, lead_client):
    assessment = assessment_create(org, model_version=starter_model, name="Round trip")
    exported = lead_client.get(_url("exchange_export", org, assessment_id=assessment.pk)).json()
    assert exported["name"] == "Round trip"
    imported = lead_client.post(_url("exchange_import", org), exported, format="json")
    assert imported.status_code == 201
    assert Assessment.objects.get(pk=imported.json()["id"]).name == "Round trip"
    refused = lead_client.post(_url("exchange_import", org), {"format": "pkimm-assessment", "colour": 1}, format="json")
    assert refused.status_code == 400 and any("colour" in p for p in refused.json()["problems"])


def test_reports_request_status_and_download(org, starter_model, lead_client, monkeypatch):
    monkeypatch.setattr("reports.services.report_enqueue", lambda **kwargs: None)  # rendering is tested in reports
    assessment = assessment_create(org, model_version=starter_model)
    response = lead_client.post(_url("reports", org, assessment_id=assessment.pk), {"type": "detailed"}, format="json")
    assert response.status_code == 201 and response.json()["status"] == "queued"
    report_id = response.json()["id"]
    assert lead_client.get(_url("report", org, report_id=report_id)).json()["status"] == "queued"
    assert lead_client.get(_url("report_download", org, report_id=report_id)).status_code == 404  # not done yet
    listed = lead_client.get(_url("reports", org, assessment_id=assessment.pk)).json()["results"]
    assert [r["id"] for r in listed] == [report_id]
    assert Report.objects.get().requested_by.email == "lead@acme.test"
    # Once rendered, the download is the stored PDF under its download name.
    report = Report.objects.get(pk=report_id)
    name = default_storage.save(report_file_name(report), ContentFile(b"%PDF-1.7 api download"))
    Report.objects.filter(pk=report_id).update(file=name, size=21, status=Report.Status.DONE)
    download = lead_client.get(_url("report_download", org, report_id=report_id))
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"%PDF-1.7 api download"
    assert Report.objects.get(pk=report_id).download_name() in download["Content-Disposition"]


def test_action_plans(org, starter_model, lead_client):
    assessment = assessment_create(org, model_version=starter_model)
    plan = ActionPlan.objects.create(
        organization=org, origin=assessment, category_key="G.1", category_name="G.1", title="Strategy", target_level=3
    )
    assert [p["title"] for p in lead_client.get(_url("plans", org)).json()["results"]] == ["Strategy"]
    task = lead_client.post(_url("plan_tasks", org, plan_id=plan.pk), {"text": "Draft"}, format="json")
    assert task.status_code == 201
    changed = lead_client.patch(_url("plan", org, plan_id=plan.pk), {"status": "in_progress"}, format="json")
    assert changed.json()["status"] == "in_progress" and changed.json()["tasks"][0]["text"] == "Draft"
    assert [p["title"] for p in lead_client.get(_url("plans", org), {"status": "done"}).json()["results"]] == []


def test_docs_page_uses_vendored_assets(client):
    html = client.get(reverse("api:docs")).content.decode()
    assert "swagger-ui" in html and "https://" not in html.split("<body")[0].replace("https://github", "")
    # Under the Content-Security-Policy: no inline script or style; the page's script is a file of its own.
    assert not csp_problems(client.get(reverse("api:docs")))
    script = client.get(reverse("api:docs") + "?script=")
    assert script["Content-Type"].startswith("application/javascript") and "SwaggerUIBundle" in script.content.decode()
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    assert schema["openapi"].startswith("3.") and "/api/v1/orgs/{org_slug}/assessments/" in schema["paths"]
