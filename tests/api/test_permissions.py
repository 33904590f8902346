"""The API routes with personal tokens (read-write) of each role: every write, and reads (the session-signed
matrix in tests/permissions/matrix_api.py covers every GET route), as for the pages.
Write bodies are empty on purpose: a role that may write gets 400 (input refused), nothing changes."""

import pytest
from django.urls import reverse

from assessments.models import Applicability, Assessment, RequirementAnswer
from audit.models import AuditEntry
from improvement.models import ActionPlan, ActionPlanTask
from reports.models import Report
from tests.api.helpers import api_client, token_for
from tests.factories import assessment_create
from tests.permissions.spec import MANAGERS, MEMBERS, WORKERS

ROLES = ("owner", "lead", "assessor", "viewer", "outsider", "anonymous")


@pytest.fixture
def world(org, other_org, team, starter_model):
    assessment = assessment_create(org, model_version=starter_model, status=Assessment.Status.IN_PROGRESS)
    plan = ActionPlan.objects.create(
        organization=org, origin=assessment, category_key="G.1", category_name="G.1", title="Plan", target_level=3
    )
    report = Report.objects.create(organization=org, assessment=assessment, type=Report.Type.DETAILED)
    clients = {"anonymous": api_client()}
    for role, user in team.items():
        clients[role] = api_client(token_for(user, other_org if role == "outsider" else org))
    ids = {"org_slug": org.slug}
    return {
        "clients": clients,
        "a": {**ids, "assessment_id": assessment.pk},
        "org": ids,
        "plan": plan,
        "report": report,
    }


def expected(ok, allowed):
    return {role: ok if role in allowed else 403 for role in MEMBERS} | {"outsider": 404, "anonymous": 401}


ROUTES = [
    # (method, url name, kwargs key, extra kwargs, expected)
    ("get", "assessments", "org", {}, expected(200, MEMBERS)),
    ("post", "assessments", "org", {}, expected(400, MANAGERS)),
    ("post", "exchange_import", "org", {}, expected(400, MANAGERS)),
    ("post", "scope", "a", {}, expected(400, MANAGERS)),
    ("get", "answer", "a", {"key": "G.1.1"}, expected(200, MEMBERS)),
    ("put", "answer", "a", {"key": "G.1.1"}, expected(400, WORKERS)),
    ("get", "exchange_export", "a", {}, expected(200, MANAGERS)),
    ("post", "reports", "a", {}, expected(400, WORKERS)),
    ("get", "report_download", "org", {"report_id": "report"}, expected(404, MEMBERS)),  # not rendered yet
    ("get", "plan", "org", {"plan_id": "plan"}, expected(200, MEMBERS)),
    ("patch", "plan", "org", {"plan_id": "plan"}, expected(400, MANAGERS)),
    ("post", "plan_tasks", "org", {"plan_id": "plan"}, expected(400, MANAGERS)),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", ROUTES, ids=lambda r: f"{r[0].upper()} {r[1]}")
def test_api_access_with_tokens(world, route, role):
    method, name, base, extra, expect = route
    kwargs = dict(world[base])
    for key, value in extra.items():
        kwargs[key] = world[value].pk if value in ("plan", "report") else value
    audit_before = AuditEntry.objects.exclude(action="api_token.used").count()
    response = getattr(world["clients"][role], method)(reverse(f"api:{name}", kwargs=kwargs), {}, format="json")
    assert response.status_code == expect[role], (role, response.content[:200])
    if method != "get":
        assert AuditEntry.objects.exclude(action="api_token.used").count() == audit_before
        assert not RequirementAnswer.objects.exists() and not Applicability.objects.exists()
        assert not ActionPlanTask.objects.exists() and Report.objects.count() == 1
        assert Assessment.objects.count() == 1
