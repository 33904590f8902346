"""After sign-off, every write service of scoping, workflow, assignments and metadata refuses, and nothing changes."""

import datetime

import pytest
from django.core import serializers

from assessments.models import Applicability, Assessment, Assignment, CategoryReview, SignOff, UseCase
from assessments.services.assessments import assessment_update
from assessments.services.assignments import assignment_remove, assignment_set
from assessments.services.common import AssessmentError, category_ensure_editable
from assessments.services.scoping import (
    applicability_set,
    applicability_set_many,
    assessment_environment_update,
    use_case_add,
    use_case_remove,
    use_case_update,
)
from assessments.services.workflow import (
    assessment_request_review,
    assessment_sign_off,
    assessment_start,
    category_review_accept,
    category_review_reopen,
    category_review_send_back,
)
from audit.models import AuditEntry
from catalog.models import Category
from tests.assessments.workflow.helpers import accept_all, answer_all, requirement


@pytest.fixture
def signed_off(assessment, lead, assessor):
    use_case = use_case_add(assessment=assessment, name="Corporate PKI", by=lead)
    applicability_set(assessment=assessment, key="G.1.2", level="partial", reason="Only the root", by=lead)
    assignment_set(assessment=assessment, category=Category.objects.get(key="G.1"), assignee=assessor, by=lead)
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    assessment_sign_off(assessment=assessment, statement="Confirmed", by=lead)
    return {"assessment": assessment, "use_case": use_case, "assignment": Assignment.objects.get()}


WRITES = {
    "assessment_update": lambda s, u: assessment_update(assessment=s["assessment"], name="Renamed", by=u),
    "use_case_add": lambda s, u: use_case_add(assessment=s["assessment"], name="Another", by=u),
    "use_case_update": lambda s, u: use_case_update(use_case=s["use_case"], name="Renamed", by=u),
    "use_case_remove": lambda s, u: use_case_remove(use_case=s["use_case"], by=u),
    "assessment_environment_update": lambda s, u: assessment_environment_update(
        assessment=s["assessment"], environment_design="New", by=u
    ),
    "applicability_set": lambda s, u: applicability_set(
        assessment=s["assessment"], key="G", level="not_applicable", reason="x", by=u
    ),
    "applicability_set_many": lambda s, u: applicability_set_many(
        assessment=s["assessment"], decisions={"G.1.2": ("applicable", "")}, by=u
    ),
    "assignment_set": lambda s, u: assignment_set(
        assessment=s["assessment"],
        requirement=requirement(s["assessment"], "G.2.1"),
        assignee=u,
        due_date=datetime.date(2030, 1, 1),
        by=u,
    ),
    "assignment_remove": lambda s, u: assignment_remove(assignment=s["assignment"], by=u),
    "assessment_start": lambda s, u: assessment_start(assessment=s["assessment"], by=u),
    "assessment_request_review": lambda s, u: assessment_request_review(assessment=s["assessment"], by=u),
    "category_review_accept": lambda s, u: category_review_accept(assessment=s["assessment"], category_key="G.1", by=u),
    "category_review_send_back": lambda s, u: category_review_send_back(
        assessment=s["assessment"], category_key="G.1", comment="x", by=u
    ),
    "category_review_reopen": lambda s, u: category_review_reopen(assessment=s["assessment"], category_key="G.1", by=u),
    "assessment_sign_off": lambda s, u: assessment_sign_off(assessment=s["assessment"], statement="Again", by=u),
    "category_ensure_editable": lambda s, u: category_ensure_editable(
        assessment=s["assessment"], category=Category.objects.get(key="G.1")
    ),
}


def _state():
    models = [Assessment, UseCase, Applicability, Assignment, CategoryReview, SignOff, AuditEntry]
    return {model.__name__: serializers.serialize("json", model.objects.order_by("pk")) for model in models}


@pytest.mark.parametrize("name", sorted(WRITES))
def test_every_write_is_refused_after_sign_off(signed_off, owner, name):
    before = _state()
    with pytest.raises(AssessmentError):
        WRITES[name](signed_off, owner)  # even the owner, who holds every permission
    assert _state() == before
