"""Failed renders (plain message, Retry, hidden from viewers), the sign-off warning without signing material,
and the sign-off command (same services and checks as the pages)."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from assessments.models import Assessment
from audit.models import AuditEntry
from reports.models import Report
from tests.reports.conftest import statement_naming_open_items
from tests.reports.test_views import list_url, make_report


def test_failed_report_offers_retry_to_requesters_and_is_hidden_from_viewers(
    client_for, org, answered, assessor, viewer, django_capture_on_commit_callbacks
):
    failed = make_report(org, answered, status=Report.Status.FAILED, error="The report could not be made.")
    page = client_for(assessor).get(list_url(org, answered)).content.decode()
    retry = reverse("reports:retry", kwargs={"org_slug": org.slug, "report_id": failed.pk})
    assert "The report could not be made." in page and retry in page and "manage.py" not in page
    assert f'id="report-{failed.pk}"' not in client_for(viewer).get(list_url(org, answered)).content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(assessor).post(retry)
    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.status == Report.Status.DONE and failed.error == ""  # rendered again (in-process without Redis)
    assert AuditEntry.objects.filter(action="report.retried", object_id=str(failed.pk)).exists()
    assert client_for(viewer).post(retry).status_code == 403


def test_sign_off_page_warns_when_reports_cannot_be_signed(client_for, settings, tmp_path, org, answered, lead):
    settings.SIGNING_DIR = tmp_path / "nothing"
    settings.SIGNING_P12 = ""
    url = reverse("assessments:sign_off", kwargs={"org_slug": org.slug, "assessment_id": answered.pk})
    page = client_for(lead).get(url).content.decode()
    assert 'id="signing-warning"' in page and "Ask your administrator" in page


def test_sign_off_page_has_no_warning_with_signing_material(client_for, org, answered, lead, signing_dir):
    url = reverse("assessments:sign_off", kwargs={"org_slug": org.slug, "assessment_id": answered.pk})
    assert 'id="signing-warning"' not in client_for(lead).get(url).content.decode()


def test_signoff_command_uses_the_services_and_their_checks(org, answered, lead, assessor, signing_dir):
    Assessment.objects.filter(pk=answered.pk).update(status=Assessment.Status.IN_PROGRESS)
    with pytest.raises(CommandError, match="not allowed"):
        call_command("signoff_assessment", str(answered.pk), "--as", assessor.email, "--statement", "x")
    with pytest.raises(CommandError, match="no user"):
        call_command("signoff_assessment", str(answered.pk), "--as", "nobody@example.test", "--statement", "x")
    out, err = StringIO(), StringIO()
    call_command(
        "signoff_assessment",
        str(answered.pk),
        "--as",
        lead.email,
        "--statement",
        statement_naming_open_items(answered, "Confirmed by script."),
        "--countersigner",
        "Ann Lee|CISO",
        stdout=out,
        stderr=err,
    )
    answered.refresh_from_db()
    assert answered.status == Assessment.Status.SIGNED_OFF
    signoff = answered.signoffs.get()
    assert str(signoff.pk) == out.getvalue().strip() and signoff.countersigners == [
        {"name": "Ann Lee", "title": "CISO"}
    ]
    assert "Review requested." in err.getvalue() and "Accepted" in err.getvalue()
    assert AuditEntry.objects.filter(action="category_review.accepted").exists()
    with pytest.raises(CommandError, match="signed off and read-only"):
        call_command("signoff_assessment", str(answered.pk), "--as", lead.email, "--statement", "again")
