"""Answers through the API: the same service, permissions, audit and conflict rules as the questionnaire."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment, RequirementAnswer
from audit.models import AuditEntry
from tests.api.helpers import api_client, token_for
from tests.factories import assessment_create


def _answer_url(assessment, key):
    return reverse(
        "api:answer", kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk, "key": key}
    )


@pytest.fixture
def assessment(org, starter_model):
    return assessment_create(org, model_version=starter_model, status=Assessment.Status.IN_PROGRESS)


def test_two_tokens_write_the_same_answer_with_the_same_version_one_gets_409(org, assessment, lead, assessor):
    alice, bob = api_client(token_for(lead, org)), api_client(token_for(assessor, org))
    url = _answer_url(assessment, "G.1.1")
    version = alice.get(url).json()["version"]
    assert version == bob.get(url).json()["version"] == 0
    first = alice.put(url, {"level": 3, "notes": "Alice", "version": version}, format="json")
    second = bob.put(url, {"level": 1, "notes": "Bob", "version": version}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 1
    assert second.status_code == 409
    assert second.json()["current"] == {**first.json()}
    assert second.json()["current"]["level"] == 3 and second.json()["current"]["updated_by"] == lead.username
    stored = RequirementAnswer.objects.get(assessment=assessment, requirement__key="G.1.1")
    assert (stored.level, stored.notes, stored.version) == (3, "Alice", 1)
    # Bob retries on the current version: accepted, audited as his change.
    third = bob.put(url, {"level": 1, "notes": "Bob", "version": 1}, format="json")
    assert third.status_code == 200 and third.json()["version"] == 2
    changes = AuditEntry.objects.filter(action="answer.changed").order_by("id")
    assert [(c.actor, c.after["level"]) for c in changes] == [(lead, 3), (assessor, 1)]


def test_refused_answers_change_nothing(org, assessment, assessor, viewer):
    writer = api_client(token_for(assessor, org))
    url = _answer_url(assessment, "G.1.1")
    assert writer.put(url, {"level": 9, "version": 0}, format="json").status_code == 400
    assert writer.put(url, {"level": 2}, format="json").status_code == 400
    assert writer.put(_answer_url(assessment, "Z.9.9"), {"level": 2, "version": 0}, format="json").status_code == 404
    assert api_client(token_for(viewer, org)).put(url, {"level": 2, "version": 0}, format="json").status_code == 403
    assert not RequirementAnswer.objects.exists()


def test_self_assessments_are_answered_per_category(org, starter_model, assessor):
    assessment = assessment_create(org, model_version=starter_model, method=Assessment.Method.SELF)
    client = api_client(token_for(assessor, org))
    response = client.put(_answer_url(assessment, "G.2"), {"level": 4, "notes": "", "version": 0}, format="json")
    assert response.status_code == 200 and response.json()["key"] == "G.2"
    listed = client.get(reverse("api:answers", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk})).json()
    assert [(a["key"], a["level"]) for a in listed["results"]] == [("G.2", 4)]


def test_a_signed_off_assessment_refuses_answers(org, starter_model, assessor):
    assessment = assessment_create(org, model_version=starter_model, status=Assessment.Status.SIGNED_OFF)
    response = api_client(token_for(assessor, org)).put(
        _answer_url(assessment, "G.1.1"), {"level": 2, "version": 0}, format="json"
    )
    assert response.status_code == 400 and "read-only" in response.json()["detail"]


def test_answer_list_has_constant_queries_and_cursor_pages(org, assessment, assessor):
    client = api_client(token_for(assessor, org))
    url = reverse("api:answers", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk})
    keys = list(assessment.model_version.requirements.order_by("position").values_list("key", flat=True))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    client.put(_answer_url(assessment, keys[0]), {"level": 1, "version": 0}, format="json")
    few = count()
    for key in keys[1:12]:
        client.put(_answer_url(assessment, key), {"level": 2, "version": 0}, format="json")
    assert count() == few
    page = client.get(url, {"page_size": 5}).json()
    assert len(page["results"]) == 5 and page["next"]
    rest = client.get(page["next"]).json()
    assert {a["key"] for a in page["results"]}.isdisjoint({a["key"] for a in rest["results"]})
