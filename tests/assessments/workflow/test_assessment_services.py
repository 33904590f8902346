import datetime

import pytest
from django.core.exceptions import PermissionDenied

from assessments.models import Assessment
from assessments.services.assessments import assessment_create, assessment_update
from assessments.services.common import AssessmentError
from audit.models import AuditEntry


def test_create_checks_permission_and_audits(org, lead, assessor, model):
    with pytest.raises(PermissionDenied):
        assessment_create(organization=org, by=assessor, name="X", model_version=model)
    assessment = assessment_create(organization=org, by=lead, name=" Yearly ", model_version=model, method="self")
    assert (assessment.name, assessment.status, assessment.created_by) == ("Yearly", "draft", lead)
    entry = AuditEntry.objects.get(action="assessment.created")
    assert entry.after["method"] == "self" and entry.after["model_version"] == "1.1.0"


@pytest.mark.parametrize(
    "dates",
    [
        {"start_date": datetime.date(2026, 5, 1), "target_date": datetime.date(2026, 4, 1)},
        {"start_date": datetime.date(2026, 5, 1), "finish_date": datetime.date(2026, 4, 30)},
    ],
)
def test_dates_must_be_in_order(org, lead, model, dates):
    with pytest.raises(AssessmentError, match="cannot be before the start date"):
        assessment_create(organization=org, by=lead, name="X", model_version=model, **dates)
    assert not Assessment.objects.exists()


def test_update_records_only_what_changed(lead, assessment):
    assessment_update(assessment=assessment, name="Renamed", assessor_name="Ann", by=lead)
    entry = AuditEntry.objects.get(action="assessment.updated")
    assert entry.before == {"name": "PKI assessment 2026", "assessor_name": ""}
    assert entry.after == {"name": "Renamed", "assessor_name": "Ann"}
    assessment_update(assessment=assessment, name="Renamed", by=lead)
    assert AuditEntry.objects.filter(action="assessment.updated").count() == 1


def test_method_is_fixed_after_the_draft(lead, assessment):
    assessment.status = Assessment.Status.IN_PROGRESS
    assessment.save()
    with pytest.raises(AssessmentError, match="only be changed while the assessment is a draft"):
        assessment_update(assessment=assessment, method="self", by=lead)
    with pytest.raises(AssessmentError, match="cannot be changed here: model_version"):
        assessment_update(assessment=assessment, model_version=None, by=lead)
