import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Assignment
from assessments.services.assignments import assignment_remove, assignment_set
from assessments.services.common import AssessmentError
from audit.models import AuditEntry
from catalog.models import Category
from tests.assessments.workflow.helpers import requirement
from tests.factories import model_1_0


@pytest.fixture
def g1(model):
    return Category.objects.get(model_version=model, key="G.1")


def test_assign_category_then_reassign(assessment, lead, assessor, owner, g1):
    due = datetime.date(2027, 3, 1)
    first = assignment_set(assessment=assessment, category=g1, assignee=assessor, due_date=due, by=lead)
    second = assignment_set(assessment=assessment, category=g1, assignee=owner, by=lead)
    assert first.pk == second.pk
    assignment = Assignment.objects.get()
    assert (assignment.assignee, assignment.due_date, assignment.requirement) == (owner, None, None)
    entries = AuditEntry.objects.filter(action="assignment.set").order_by("id")
    assert [e.before for e in entries] == [None, {"assignee": "assessor@acme.test", "due_date": "2027-03-01"}]


def test_category_and_requirement_assignments_coexist(assessment, lead, assessor, owner, g1):
    assignment_set(assessment=assessment, category=g1, assignee=assessor, by=lead)
    assignment_set(assessment=assessment, requirement=requirement(assessment, "G.1.2"), assignee=owner, by=lead)
    assert Assignment.objects.count() == 2


def test_exactly_one_target(assessment, lead, assessor, g1):
    with pytest.raises(AssessmentError):
        assignment_set(assessment=assessment, assignee=assessor, by=lead)
    with pytest.raises(AssessmentError):
        assignment_set(
            assessment=assessment, category=g1, requirement=requirement(assessment, "G.1.1"), assignee=assessor, by=lead
        )


def test_viewer_and_outsider_cannot_be_assigned(assessment, lead, viewer, outsider, g1):
    for user in (viewer, outsider):
        with pytest.raises(AssessmentError, match="Only members who can answer"):
            assignment_set(assessment=assessment, category=g1, assignee=user, by=lead)
    assert not Assignment.objects.exists()


def test_target_from_another_model_version_is_refused(assessment, lead, assessor):
    other = Category.objects.get(model_version=model_1_0(), key="G.1")
    with pytest.raises(AssessmentError, match="not part of"):
        assignment_set(assessment=assessment, category=other, assignee=assessor, by=lead)


def test_only_managers_assign(assessment, assessor, g1):
    with pytest.raises(PermissionDenied):
        assignment_set(assessment=assessment, category=g1, assignee=assessor, by=assessor)


def test_remove_is_audited(assessment, lead, assessor, g1):
    assignment = assignment_set(assessment=assessment, category=g1, assignee=assessor, by=lead)
    assignment_remove(assignment=assignment, by=lead)
    assert not Assignment.objects.exists()
    assert AuditEntry.objects.get(action="assignment.removed").before["assignee"] == "assessor@acme.test"
