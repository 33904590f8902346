"""Assessment management URLs: list, create, overview, scope, assignments, review, sign-off, reopen."""

from assessments.models import Assignment, UseCase
from catalog.models import Category
from tests.factories import assessment_create, model_1_1
from tests.permissions.spec import MANAGERS, OWNER, Case, by_role, org_kwargs


def prepare(world):
    assessment = assessment_create(world.org, model_version=model_1_1(), name="Matrix assessment")
    use_case = UseCase.objects.create(organization=world.org, assessment=assessment, name="Corporate PKI")
    assignment = Assignment.objects.create(
        organization=world.org,
        assessment=assessment,
        category=Category.objects.get(model_version=assessment.model_version, key="G.1"),
        assignee=world.users["assessor"],
    )
    world.objects.update(workflow_assessment=assessment, workflow_use_case=use_case, workflow_assignment=assignment)


def _a(world, **extra):
    return org_kwargs(world, pk=world.objects["workflow_assessment"].pk, **extra)


def _use_case(world):
    return _a(world, use_case_pk=world.objects["workflow_use_case"].pk)


def _create_data(world):
    return {
        "name": "New one",
        "model_version": world.objects["workflow_assessment"].model_version_id,
        "method": "self",
        "assessor_type": "internal",
    }


CASES = [
    Case("assessments:list", org_kwargs, by_role()),
    Case("assessments:create", org_kwargs, by_role(allowed=MANAGERS)),
    Case(
        "assessments:create",
        org_kwargs,
        by_role(ok=302, allowed=MANAGERS),
        method="post",
        data=_create_data,
        label="valid",
    ),
    Case("assessments:detail", _a, by_role()),
    Case("assessments:edit", _a, by_role(allowed=MANAGERS)),
    Case("assessments:edit", _a, by_role(allowed=MANAGERS), method="post", data=lambda w: {}, label="invalid"),
    Case("assessments:assignments", _a, by_role(allowed=MANAGERS)),
    Case("assessments:assignments", _a, by_role(allowed=MANAGERS), method="post", data=lambda w: {}),
    Case(
        "assessments:assignment_delete",
        lambda w: _a(w, assignment_pk=w.objects["workflow_assignment"].pk),
        by_role(ok=302, allowed=MANAGERS),
        method="post",
    ),
    # Bulk assignment: an empty form is refused with a message, nothing assigned.
    Case("assessments:assignments_bulk", _a, by_role(ok=302, allowed=MANAGERS), method="post", data=lambda w: {}),
    Case("assessments:scope", _a, by_role()),
    Case("assessments:scope_matrix", _a, by_role(ok=302, allowed=MANAGERS), method="post", data=lambda w: {}),
    Case(
        "assessments:scope_environment",
        _a,
        by_role(ok=302, allowed=MANAGERS),
        method="post",
        data=lambda w: {"environment_design": "Two-tier"},
    ),
    Case("assessments:use_case_create", _a, by_role(allowed=MANAGERS)),
    Case("assessments:use_case_create", _a, by_role(allowed=MANAGERS), method="post", data=lambda w: {}),
    Case("assessments:use_case_edit", _use_case, by_role(allowed=MANAGERS)),
    Case("assessments:use_case_delete", _use_case, by_role(ok=302, allowed=MANAGERS), method="post"),
    Case("assessments:start", _a, by_role(ok=302, allowed=MANAGERS), method="post"),
    Case("assessments:request_review", _a, by_role(ok=302, allowed=MANAGERS), method="post"),
    Case("assessments:review", _a, by_role(allowed=MANAGERS)),
    Case(
        "assessments:review_action",
        lambda w: _a(w, category_key="G.1"),
        by_role(ok=302, allowed=MANAGERS),
        method="post",
        data=lambda w: {"action": "accept"},
    ),
    # Not in review: refused with a message, nothing accepted.
    Case("assessments:reviews_accept_all", _a, by_role(ok=302, allowed=MANAGERS), method="post"),
    Case("assessments:sign_off", _a, by_role(allowed=MANAGERS)),
    Case("assessments:sign_off", _a, by_role(ok=400, allowed=MANAGERS), method="post", data=lambda w: {}),
    Case("assessments:reopen", _a, by_role(allowed=OWNER)),
    Case("assessments:reopen", _a, by_role(ok=400, allowed=OWNER), method="post", data=lambda w: {}),
]
