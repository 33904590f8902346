"""Property-based tests of the REST API against its own OpenAPI schema (schemathesis), over HTTP against a
live server on 127.0.0.1 (a free port): no server errors, every response as the schema describes it.

The requests use an owner's read-write token; path parameters point at real rows half of the time (the
other half stays as generated, exercising the 404s)."""

import os

import pytest
import schemathesis
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import content_type_conformance, not_a_server_error, response_schema_conformance

from assessments.models import Assessment
from improvement.models import ActionPlan
from organizations.models import Membership, Organization
from reports.models import Report
from tests.api.helpers import token_for
from tests.conftest import make_user
from tests.factories import assessment_create

EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "15"))  # per operation
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture
def live_api(transactional_db, settings, monkeypatch):
    from catalog.services import starter_model_load

    settings.API_TOKEN_RATE = "100000/min"
    monkeypatch.setattr("reports.services.report_enqueue", lambda **kwargs: None)  # no PDF rendering per example
    model = starter_model_load().model_version
    org = Organization.objects.create(name="Acme", slug="acme")
    owner = make_user("owner@acme.test")
    Membership.objects.create(organization=org, user=owner, role="owner")
    formal = assessment_create(org, model_version=model, status=Assessment.Status.IN_PROGRESS)
    assessment_create(org, model_version=model, name="Self", method=Assessment.Method.SELF)
    plan = ActionPlan.objects.create(
        organization=org, origin=formal, category_key="G.1", category_name="G.1", title="Plan", target_level=3
    )
    report = Report.objects.create(organization=org, assessment=formal, type=Report.Type.DETAILED)
    thread = LiveServerThread("127.0.0.1", _StaticFilesHandler, port=0)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield {
        "url": f"http://127.0.0.1:{thread.port}",
        "token": token_for(owner, org),
        "ids": {"org_slug": org.slug, "assessment_id": formal.pk, "plan_id": plan.pk, "report_id": report.pk},
    }
    thread.terminate()


def test_api_conforms_to_its_schema(live_api):
    schema = schemathesis.openapi.from_url(f"{live_api['url']}/api/schema/?format=json")
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 17  # every route of api/urls.py but the schema and docs pages

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
    )
    @given(data=st.data())
    def exercise(data, operation):
        case = data.draw(operation.as_strategy())
        for name, real in live_api["ids"].items():
            if name in (case.path_parameters or {}) and (name == "org_slug" or data.draw(st.booleans())):
                case.path_parameters[name] = real
        if "key" in (case.path_parameters or {}) and data.draw(st.booleans()):
            case.path_parameters["key"] = data.draw(st.sampled_from(["G.1.1", "G.2"]))
        case.call_and_validate(headers={"Authorization": f"Bearer {live_api['token']}"}, checks=CHECKS)

    for operation in operations:
        exercise(operation=operation)
