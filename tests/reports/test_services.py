"""report_request and report_render: permissions, idempotence, reuse, final reports, failures."""

import hashlib
import re

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.utils import timezone

from assessments.models import Assessment, RequirementAnswer
from audit.models import AuditEntry
from reports import services
from reports.models import Report, report_file_name
from tests.reports.builders import answered_assessment, sign_off


def stored_report_files(org):
    directory = f"reports/{org.pk}"
    if not default_storage.exists(directory):
        return []
    return default_storage.listdir(directory)[1]


def request(assessment, report_type, by, capture):
    with capture(execute=True):
        report = services.report_request(assessment=assessment, report_type=report_type, by=by)
    report.refresh_from_db()
    return report


def test_viewer_may_not_request(answered, viewer, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        services.report_request(assessment=answered, report_type="detailed", by=viewer)
    assert not Report.objects.exists()


def test_outsider_may_not_request(answered, outsider):
    with pytest.raises(PermissionDenied):
        services.report_request(assessment=answered, report_type="detailed", by=outsider)


def test_types_must_fit_the_method(org, lead, answered):
    with pytest.raises(services.ReportRequestError, match="self-assessments"):
        services.report_request(assessment=answered, report_type="self", by=lead)
    self_assessment = answered_assessment(org, user=lead, method=Assessment.Method.SELF, name="Self")
    with pytest.raises(services.ReportRequestError, match="detailed"):
        services.report_request(assessment=self_assessment, report_type="detailed", by=lead)
    with pytest.raises(services.ReportRequestError, match="Unknown"):
        services.report_request(assessment=answered, report_type="novel", by=lead)


def test_request_enqueues_after_commit_and_renders(org, answered, assessor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        report = services.report_request(assessment=answered, report_type="assessment", by=assessor)
    assert report.status == Report.Status.QUEUED and len(callbacks) == 1
    callbacks[0]()  # the commit: eager Celery renders in-process, like a deployment without REDIS_URL
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.progress == 100
    assert report.attempts == 1 and report.started_at and report.finished_at
    content = default_storage.open(report.file.name).read()
    assert content.startswith(b"%PDF-")
    assert report.sha256 == hashlib.sha256(content).hexdigest() and report.size == len(content)
    assert report.file.name == report_file_name(report)
    assert not report.is_final and report.requested_by == assessor
    assert AuditEntry.objects.filter(action="report.requested").count() == 1
    assert AuditEntry.objects.filter(action="report.rendered").count() == 1


def test_render_is_idempotent(org, answered, lead, django_capture_on_commit_callbacks):
    report = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    assert services.report_render(report_id=report.pk) is None  # a duplicate delivery finds it done
    report.refresh_from_db()
    assert report.attempts == 1
    assert len(stored_report_files(org)) == 1


def test_redelivered_render_overwrites_its_own_file(org, answered, lead):
    report = Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)
    services.report_render(report_id=report.pk, task_id="task-1")
    # As if the worker died after saving but before the broker saw the ack: the same task comes back.
    Report.objects.filter(pk=report.pk).update(status=Report.Status.RUNNING)
    services.report_render(report_id=report.pk, task_id="task-1")
    report.refresh_from_db()
    assert report.status == Report.Status.DONE and report.attempts == 2
    assert stored_report_files(org) == [report.file.name.rsplit("/", 1)[1]]


def test_same_state_reuses_the_draft_file_and_a_change_renders_anew(
    org, answered, lead, django_capture_on_commit_callbacks
):
    first = request(answered, "assessment", lead, django_capture_on_commit_callbacks)
    second = request(answered, "assessment", lead, django_capture_on_commit_callbacks)
    assert second.pk != first.pk and second.status == Report.Status.DONE
    assert second.file.name == first.file.name and second.sha256 == first.sha256
    assert second.input_hash == first.input_hash
    assert len(stored_report_files(org)) == 1
    RequirementAnswer.objects.filter(assessment=answered).update(level=4)
    third = request(answered, "assessment", lead, django_capture_on_commit_callbacks)
    assert third.input_hash != first.input_hash and third.file.name != first.file.name
    assert len(stored_report_files(org)) == 2


def test_signed_off_report_is_final_signed_and_stored_once(
    org, answered, lead, signing_dir, django_capture_on_commit_callbacks
):
    signoff = sign_off(answered, user=lead)
    report = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    assert report.status == Report.Status.DONE, report.error
    assert report.is_final and report.signoff == signoff
    content = default_storage.open(report.file.name).read()
    assert b"/ByteRange" in content and b"/ETSI.CAdES.detached" in content
    again = services.report_request(assessment=answered, report_type="attestation", by=lead)
    assert again.pk == report.pk
    assert len(stored_report_files(org)) == 1


def test_reopened_and_resigned_assessment_gets_new_reports_and_keeps_the_old(
    org, answered, owner, lead, signing_dir, django_capture_on_commit_callbacks
):
    first_signoff = sign_off(answered, user=lead)
    old = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    first_signoff.reopened_at = timezone.now()
    first_signoff.reopened_by = owner
    first_signoff.save()
    answered.status = Assessment.Status.IN_PROGRESS
    answered.save()
    second_signoff = sign_off(answered, user=lead, statement="Re-signed after corrections.")
    new = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    assert new.pk != old.pk and new.signoff == second_signoff
    old.refresh_from_db()
    assert old.status == Report.Status.DONE and default_storage.exists(old.file.name)
    assert new.sha256 != old.sha256
    assert len(stored_report_files(org)) == 2


def test_expected_failure_is_stored_with_a_readable_message(
    settings, tmp_path, org, answered, lead, django_capture_on_commit_callbacks
):
    settings.SIGNING_DIR = tmp_path / "nothing-here"
    settings.SIGNING_P12 = ""
    sign_off(answered, user=lead)
    report = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    assert report.status == Report.Status.FAILED
    # A plain message for the person who asked; the administrator's instructions go to the log.
    assert "report signing is not set up" in report.error and "init_signing" not in report.error
    assert stored_report_files(org) == []


def test_unexpected_failure_is_stored_without_internals(
    monkeypatch, org, answered, lead, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("reports.rendering.report_pdf_build", broken)
    report = request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    assert report.status == Report.Status.FAILED
    assert "internal error" in report.error and "secret" not in report.error


def test_viewer_downloads_only_final_reports(org, answered, lead, viewer, assessor, signing_dir):
    draft = Report.objects.create(organization=org, assessment=answered, type="attestation", requested_by=lead)
    services.report_render(report_id=draft.pk)
    draft.refresh_from_db()
    assert services.report_can_download(report=draft, user=assessor)
    assert not services.report_can_download(report=draft, user=viewer)
    with pytest.raises(PermissionDenied):
        services.report_open_for_download(report=draft, user=viewer)
    signoff = sign_off(answered, user=lead)
    final = Report.objects.create(
        organization=org, assessment=answered, type="attestation", requested_by=lead, is_final=True, signoff=signoff
    )
    services.report_render(report_id=final.pk)
    final.refresh_from_db()
    assert services.report_can_download(report=final, user=viewer)
    handle, name = services.report_open_for_download(report=final, user=viewer)
    assert handle.read().startswith(b"%PDF-") and re.search(r"-attestation-report-signed-\d{4}-\d\d-\d\d\.pdf$", name)

    # The API's download gives the same file, uncached, and the download is in the audit log.
    from django.urls import reverse

    from api.models import ApiToken
    from audit.models import AuditEntry
    from tests.api.helpers import api_client, token_for

    client = api_client(token_for(viewer, org, scope=ApiToken.Scope.READ))
    response = client.get(reverse("api:report_download", kwargs={"org_slug": org.slug, "report_id": final.pk}))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store" and name in response["Content-Disposition"]
    assert AuditEntry.objects.filter(action="report.downloaded", actor=viewer).count() == 2


def test_assessment_with_final_reports_can_be_deleted_but_not_its_signoff_alone(
    org, answered, lead, signing_dir, django_capture_on_commit_callbacks
):
    from django.db.models import RestrictedError

    signoff = sign_off(answered, user=lead)
    request(answered, "attestation", lead, django_capture_on_commit_callbacks)
    with pytest.raises(RestrictedError):
        signoff.delete()
    answered.delete()
    assert not Report.objects.exists()
