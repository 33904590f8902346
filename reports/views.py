from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.views.common import assessment_of_url
from organizations.roles import Perm
from organizations.tenancy import org_view, recent_second_factor_refusal, require_perm
from reports import selectors, services
from reports.countersign import CountersignError
from reports.countersign import report_countersign_upload as countersign_upload
from reports.models import Report


@org_view(Perm.ASSESSMENT_VIEW)
def report_list(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    return render(
        request,
        "reports/list.html",
        {
            "assessment": assessment,
            "reports": selectors.report_history(
                assessment=assessment, finished_only=Perm.REPORT_REQUEST not in request.perms
            ),
            "report_types": selectors.report_types_for(assessment=assessment),
            "page_title": f"Reports · {assessment.name}",
        },
    )


@require_POST
@org_view(Perm.REPORT_REQUEST)
def report_request(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    if assessment.is_signed_off and (refusal := recent_second_factor_refusal(request)):
        return refusal  # a final report is signed by the installation in the signer's name
    try:
        report = services.report_request(
            assessment=assessment,
            report_type=request.POST.get("type", ""),
            by=request.user,
            membership=request.membership,
        )
    except services.ReportRequestError as error:
        messages.error(request, str(error))
    else:
        if report.status == Report.Status.DONE and report.is_final:
            messages.info(request, "This signed-off report exists already; it is never regenerated.")
        elif report.status == Report.Status.QUEUED and report.retry_at:
            messages.warning(
                request,
                f"{report.get_type_display()} requested and queued: it will start when the worker is reachable.",
            )
        else:
            messages.success(request, f"{report.get_type_display()} requested; it appears below when rendered.")
    return redirect("reports:list", org_slug=request.organization.slug, assessment_id=assessment.pk)


def report_of_url(request, report_id, *, related: tuple[str, ...] = (), **lookups) -> Report:
    """The one loader of "the report of this URL": ``report_id`` of this URL's organization; another
    organization's id (or none) is 404. Inside an ``org_view`` only."""
    return selectors.report_of_org(organization=request.organization, report_id=report_id, related=related, **lookups)


@org_view(Perm.ASSESSMENT_VIEW)
def report_status(request, report_id):
    report = report_of_url(request, report_id, related=("requested_by",))
    return render(request, "reports/_report_row.html", {"report": report})


@org_view(Perm.REPORT_DOWNLOAD_SIGNED)
def report_download(request, report_id):
    report = report_of_url(request, report_id, related=("assessment",), status=Report.Status.DONE)
    report.organization = request.organization
    if not report.is_final:
        require_perm(request, Perm.REPORT_DOWNLOAD_DRAFT)
    try:
        handle, filename = services.report_open_for_download(
            report=report, user=request.user, membership=request.membership
        )
    except FileNotFoundError:
        messages.error(request, "The report file is missing from storage.")
        return redirect("reports:list", org_slug=request.organization.slug, assessment_id=report.assessment_id)
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # no copy of a report in a browser or proxy cache
    return response


@require_POST
@org_view(Perm.REPORT_REQUEST)
def report_retry(request, report_id):
    report = report_of_url(request, report_id)
    try:
        services.report_retry(report=report, by=request.user, membership=request.membership)
    except services.ReportRequestError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{report.get_type_display()} queued again.")
    return redirect("reports:list", org_slug=request.organization.slug, assessment_id=report.assessment_id)


class CountersignForm(forms.Form):
    file = forms.FileField(label="Counter-signed report (PDF)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.VERIFY_MAX_BYTES:
            raise forms.ValidationError(f"The file is larger than {settings.VERIFY_MAX_BYTES // (1024 * 1024)} MB.")
        data = upload.read()
        if not data.startswith(b"%PDF-"):
            raise forms.ValidationError("This is not a PDF file.")
        return data


@require_POST
@org_view(Perm.REPORT_COUNTERSIGN)
def report_countersign(request, report_id):
    report = report_of_url(request, report_id, related=("signoff",))
    form = CountersignForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(error for errors in form.errors.values() for error in errors))
    else:
        try:
            revision = countersign_upload(
                report=report, pdf=form.cleaned_data["file"], by=request.user, membership=request.membership
            )
        except CountersignError as error:
            messages.error(request, f"Counter-signature refused: {error}")
        else:
            messages.success(
                request,
                f"Counter-signature of {revision.countersigner_name} stored as revision {revision.number} "
                f"(certificate: {revision.certificate_subject}).",
            )
    return redirect("reports:list", org_slug=request.organization.slug, assessment_id=report.assessment_id)
