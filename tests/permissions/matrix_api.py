"""The REST API and the API token pages. Signed in with a session here (tests/api/test_permissions.py runs
the same routes with tokens, also for writes): anonymous 401, outsiders 404, roles without the permission 403.
POST-only routes answer GET with 405 once access is granted."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from assessments.models import Assessment
from improvement.models import ActionPlan
from reports.models import Report, report_file_name
from tests.factories import assessment_create
from tests.permissions.spec import MANAGERS, MEMBERS, Case, by_role, everyone, signed_in

API_DENIED = {"anonymous": 401}


def prepare(world):
    assessment = assessment_create(world.org, name="API matrix", status=Assessment.Status.IN_PROGRESS)
    draft = Report.objects.create(
        organization=world.org, assessment=assessment, type=Report.Type.DETAILED, status=Report.Status.DONE
    )
    name = default_storage.save(report_file_name(draft), ContentFile(b"%PDF-1.7 api matrix"))
    Report.objects.filter(pk=draft.pk).update(file=name, size=19)
    plan = ActionPlan.objects.create(
        organization=world.org, origin=assessment, category_key="G.1", category_name="G.1", title="Plan", target_level=3
    )
    world.objects.update(api_assessment=assessment, api_report=draft, api_plan=plan)
    world.objects["api_signed_off_at"] = timezone.now()


def api(ok=200, allowed=MEMBERS):
    return by_role(ok, allowed=allowed) | API_DENIED


def _org(w, **extra):
    return {"org_slug": w.org.slug, **extra}


def _a(w, **extra):
    return _org(w, assessment_id=w.objects["api_assessment"].pk, **extra)


CASES = [
    Case("api:schema", lambda w: {}, everyone()),
    Case("api:docs", lambda w: {}, everyone()),
    Case("api:organizations", lambda w: {}, signed_in() | API_DENIED),
    Case("api:assessments", _org, api()),
    Case("api:exchange_import", _org, api(405, allowed=MANAGERS)),
    Case("api:assessment", _a, api()),
    Case("api:scope", _a, api()),
    Case("api:answers", _a, api()),
    Case("api:answer", lambda w: _a(w, key="G.1.1"), api()),
    Case("api:scores", _a, api()),
    Case("api:exchange_export", _a, api(allowed=MANAGERS)),
    Case("api:reports", _a, api()),
    Case("api:report", lambda w: _org(w, report_id=w.objects["api_report"].pk), api()),
    # A draft report: viewers may only download final ones.
    Case(
        "api:report_download",
        lambda w: _org(w, report_id=w.objects["api_report"].pk),
        api(allowed=("owner", "lead", "assessor")),
    ),
    Case("api:plans", _org, api()),
    Case("api:plan", lambda w: _org(w, plan_id=w.objects["api_plan"].pk), api()),
    Case("api:plan_tasks", lambda w: _org(w, plan_id=w.objects["api_plan"].pk), api(405, allowed=MANAGERS)),
    # A form body: the API reads JSON only, so 415 once the plan is found (the foreign-ids column needs a method
    # the route takes, so that it looks the plan up). Nothing is created.
    Case(
        "api:plan_tasks",
        lambda w: _org(w, plan_id=w.objects["api_plan"].pk),
        api(415, allowed=MANAGERS),
        method="post",
        data=lambda w: {},
        label="empty",
    ),
    Case("api:unknown", lambda w: {"rest": "v1/orgs/acme/assessments/-1/"}, everyone(404)),
    Case("api_tokens:list", lambda w: {}, signed_in()),
    Case("api_tokens:revoke", lambda w: {"token_id": 0}, signed_in(404), method="post"),
]
