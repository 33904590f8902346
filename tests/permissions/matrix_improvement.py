"""Access to the improvement pages: plans, targets, comparison, trend, re-assessment and the portfolio."""

from django.utils import timezone

from assessments.models import Assessment
from improvement.models import ActionPlan, ActionPlanTask
from tests.factories import assessment_create, model_1_1
from tests.permissions.spec import MANAGERS, WORKERS, Case, by_role, org_kwargs, signed_in


def prepare(world):
    model = model_1_1()
    previous = assessment_create(world.org, model_version=model, name="2025")
    previous.status, previous.signed_off_at = Assessment.Status.SIGNED_OFF, timezone.now()
    previous.save()
    followup = assessment_create(world.org, model_version=model, name="2026", previous=previous)
    plan = ActionPlan.objects.create(
        organization=world.org,
        origin=previous,
        category_key="G.1",
        category_name="Strategy and Vision",
        title="Strategy paper",
        target_level=3,
    )
    task = ActionPlanTask.objects.create(organization=world.org, plan=plan, text="Draft")
    world.objects.update(plan=plan, task=task, previous=previous, followup=followup)


def _plan(world):
    return org_kwargs(world, plan_id=world.objects["plan"].pk)


def _task(world):
    return org_kwargs(world, plan_id=world.objects["plan"].pk, task_id=world.objects["task"].pk)


def _previous(world):
    return org_kwargs(world, assessment_id=world.objects["previous"].pk)


def _followup(world):
    return org_kwargs(world, assessment_id=world.objects["followup"].pk)


# POST bodies are invalid on purpose: the access check comes first, and nothing is changed.
CASES = [
    Case("plans:board", org_kwargs, by_role()),
    Case("plans:detail", _plan, by_role()),
    Case("plans:edit", _plan, by_role(allowed=MANAGERS)),
    Case("plans:edit", _plan, by_role(allowed=MANAGERS), method="post", data=lambda w: {}, label="invalid"),
    Case("plans:status", _plan, by_role(302, allowed=MANAGERS), method="post", data=lambda w: {"status": "x"}),
    Case("plans:task_add", _plan, by_role(302, allowed=MANAGERS), method="post", data=lambda w: {"text": ""}),
    Case("plans:task_toggle", _task, by_role(302, allowed=MANAGERS), method="post", data=lambda w: {}),
    Case("plans:create", _previous, by_role(allowed=MANAGERS)),
    Case("plans:create", _previous, by_role(allowed=MANAGERS), method="post", data=lambda w: {}, label="invalid"),
    Case("plans:assessment_targets", _previous, by_role()),
    Case(
        "plans:assessment_targets",
        _previous,
        by_role(302, allowed=MANAGERS),
        method="post",
        data=lambda w: {"target-G.1": ""},
        label="save",
    ),
    Case("plans:reassess", _previous, by_role(allowed=MANAGERS)),
    Case("plans:reassess", _previous, by_role(allowed=MANAGERS), method="post", data=lambda w: {}, label="invalid"),
    Case("plans:reassessment_report", _followup, by_role()),
    Case("plans:compare", org_kwargs, by_role()),
    Case("plans:trend", org_kwargs, by_role()),
    # The follow-up links its predecessor's evidence (there is none here: nothing is added).
    Case("plans:evidence_carry", _followup, by_role(302, allowed=WORKERS), method="post", data=lambda w: {}),
    Case("portfolio:index", lambda w: {}, signed_in()),
    Case("work:index", lambda w: {}, signed_in()),
]
