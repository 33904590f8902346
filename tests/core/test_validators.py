"""Single-line fields refuse control characters, in forms and in services alike (one rule: core.validators)."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from assessments.services.common import AssessmentError
from core.validators import single_line_text, validate_single_line
from organizations.forms import OrganizationCreateForm
from organizations.models import Organization
from organizations.services import OrganizationError, organization_create, organization_update
from tests.factories import assessment_create

HOSTILE = ["Acme\r\nBcc: x@example.test", "tab\there", "nul\x00", "del\x7f", "next\x85line", "sep\u2028arator"]


@pytest.mark.parametrize("value", HOSTILE)
def test_the_validator_refuses_control_characters(value):
    with pytest.raises(ValidationError, match="single line"):
        validate_single_line(value)


def test_ordinary_text_passes_and_sanitizing_keeps_it_readable():
    validate_single_line("Zürich PKI – Ops & Security (2026) 🔐")
    assert single_line_text("Acme\r\nBcc:\tx") == "Acme Bcc: x"


def test_forms_refuse_a_line_break(db):
    form = OrganizationCreateForm(data={"name": "Acme\nCorp", "slug": "acme-corp"})
    assert not form.is_valid()
    assert "single line" in str(form.errors["name"])


@pytest.mark.parametrize("value", HOSTILE)
def test_services_refuse_what_forms_refuse(db, owner, org, value):
    with pytest.raises(OrganizationError, match="single line"):
        organization_create(name=value, slug="hostile", by=owner)
    with pytest.raises(OrganizationError, match="single line"):
        organization_update(organization=org, name=value, reassessment_interval_months=12, by=owner)
    assert not Organization.objects.filter(slug="hostile").exists()
    org.refresh_from_db()
    assert org.name == "Acme Trust Services"


def test_assessment_names_are_single_line(org, lead):
    from assessments.services.assessments import assessment_update

    assessment = assessment_create(org)
    with pytest.raises(AssessmentError, match="single line"):
        assessment_update(assessment=assessment, by=lead, name="Q1\r\nreview")
    with pytest.raises(AssessmentError, match="single line"):
        assessment_update(assessment=assessment, by=lead, assessor_company="Audit\nAG")


def test_the_settings_page_shows_the_message_and_changes_nothing(org, owner, client_for):
    response = client_for(owner).post(
        reverse("org_settings", args=[org.slug]), {"name": "Evil\r\nCorp", "reassessment_interval_months": 12}
    )
    assert response.status_code == 200
    assert b"single line" in response.content
    org.refresh_from_db()
    assert org.name == "Acme Trust Services"
