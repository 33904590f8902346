"""Reports page, request button, htmx status fragment and download."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from reports.models import Report, report_file_name
from tests.reports.builders import sign_off


def list_url(org, assessment):
    return reverse("reports:list", kwargs={"org_slug": org.slug, "assessment_id": assessment.pk})


def make_report(org, assessment, *, status=Report.Status.DONE, **fields):
    report = Report.objects.create(organization=org, assessment=assessment, type="attestation", status=status, **fields)
    if status == Report.Status.DONE:
        name = default_storage.save(report_file_name(report), ContentFile(b"%PDF-1.7 test"))
        Report.objects.filter(pk=report.pk).update(file=name, size=13, sha256="c" * 64)
        report.refresh_from_db()
    return report


def test_assessor_requests_a_report_and_sees_it_done(
    client_for, org, answered, assessor, django_capture_on_commit_callbacks
):
    client = client_for(assessor)
    page = client.get(list_url(org, answered)).content.decode()
    assert "Assessment report (management)" in page and "Detailed report (PKI team)" in page
    assert "Self-assessment report" not in page  # does not fit a formal assessment
    url = reverse("reports:request", kwargs={"org_slug": org.slug, "assessment_id": answered.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"type": "attestation"})
    assert response.status_code == 302 and response["Location"] == list_url(org, answered)
    report = Report.objects.get()
    assert report.status == Report.Status.DONE and report.requested_by == assessor
    page = client.get(list_url(org, answered)).content.decode()
    assert report.sha256 in page and "Download" in page and "Draft" in page


def test_pending_row_polls_and_done_row_stops(client_for, org, answered, assessor):
    pending = make_report(org, answered, status=Report.Status.RUNNING, progress=40)
    client = client_for(assessor)
    url = reverse("reports:status", kwargs={"org_slug": org.slug, "report_id": pending.pk})
    fragment = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in fragment and "pct-40" in fragment
    assert fragment.lstrip().startswith(f'<tr id="report-{pending.pk}"')
    Report.objects.filter(pk=pending.pk).update(status=Report.Status.FAILED, error="Rendering took too long.")
    fragment = client.get(url).content.decode()
    assert "hx-trigger" not in fragment and "Rendering took too long." in fragment


def test_viewer_sees_history_but_no_request_buttons_and_no_draft_download(client_for, org, answered, viewer, lead):
    make_report(org, answered)
    signoff = sign_off(answered, user=lead)
    final = make_report(org, answered, is_final=True, signoff=signoff)
    page = client_for(viewer).get(list_url(org, answered)).content.decode()
    assert "Request a report" not in page
    assert page.count(">Download</a>") == 1
    assert reverse("reports:download", kwargs={"org_slug": org.slug, "report_id": final.pk}) in page
    assert "Drafts: assessors only" in page


def test_download_is_a_pdf_attachment(client_for, org, answered, assessor):
    report = make_report(org, answered)
    response = client_for(assessor).get(
        reverse("reports:download", kwargs={"org_slug": org.slug, "report_id": report.pk})
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    day = timezone.localdate(report.finished_at).isoformat()
    assert response["Content-Disposition"] == (
        f'attachment; filename="acme-trust-services-{slugify(answered.name)}-{report.type}-report-draft-{day}.pdf"'
    )
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Cache-Control"] == "private, no-store"
    from audit.models import AuditEntry

    entry = AuditEntry.objects.get(action="report.downloaded")
    assert (entry.actor, entry.object_id, entry.after["final"]) == (assessor, str(report.pk), False)


def test_unfinished_report_has_no_download(client_for, org, answered, assessor):
    report = make_report(org, answered, status=Report.Status.QUEUED)
    url = reverse("reports:download", kwargs={"org_slug": org.slug, "report_id": report.pk})
    assert client_for(assessor).get(url).status_code == 404


def test_other_organizations_reports_are_hidden(client_for, org, other_org, answered, outsider, lead):
    report = make_report(org, answered)
    url = reverse("reports:download", kwargs={"org_slug": other_org.slug, "report_id": report.pk})
    assert client_for(outsider).get(url).status_code == 404


def test_list_page_queries_do_not_grow_with_reports(client_for, org, answered, assessor, django_assert_max_num_queries):
    client = client_for(assessor)
    make_report(org, answered)
    with django_assert_max_num_queries(8):
        client.get(list_url(org, answered))
    for _ in range(15):
        make_report(org, answered, requested_by=assessor)
    with django_assert_max_num_queries(8):
        assert client.get(list_url(org, answered)).status_code == 200
