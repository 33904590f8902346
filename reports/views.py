from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.models import Assessment
from organizations.roles import Perm
from organizations.tenancy import org_view, recent_second_factor_refusal, require_perm, tenant_get_or_404
from reports import selectors, services
from reports.models import Report


@org_view(Perm.ASSESSMENT_VIEW)
def report_list(request, assessment_pk):
    assessment = tenant_get_or_404(
        Assessment.objects.select_related("model_version"), request.organization, pk=assessment_pk
    )
    return render(
        request,
        "reports/list.html",
        {
            "assessment": assessment,
            "reports": selectors.report_history(assessment=assessment),
            "report_types": selectors.report_types_for(assessment=assessment),
            "page_title": f"Reports · {assessment.name}",
        },
    )


@require_POST
@org_view(Perm.REPORT_REQUEST)
def report_request(request, assessment_pk):
    assessment = tenant_get_or_404(Assessment, request.organization, pk=assessment_pk)
    if assessment.is_signed_off and (refusal := recent_second_factor_refusal(request)):
        return refusal  # a final report is signed by the installation in the signer's name
    try:
        report = services.report_request(
            assessment=assessment, report_type=request.POST.get("type", ""), by=request.user
        )
    except services.ReportRequestError as error:
        messages.error(request, str(error))
    else:
        if report.status == Report.Status.DONE and report.is_final:
            messages.info(request, "This signed-off report exists already; it is never regenerated.")
        else:
            messages.success(request, f"{report.get_type_display()} requested; it appears below when rendered.")
    return redirect("reports:list", org_slug=request.organization.slug, assessment_pk=assessment.pk)


@org_view(Perm.ASSESSMENT_VIEW)
def report_status(request, report_pk):
    report = tenant_get_or_404(Report.objects.select_related("requested_by"), request.organization, pk=report_pk)
    return render(request, "reports/_report_row.html", {"report": report})


@org_view(Perm.REPORT_DOWNLOAD_SIGNED)
def report_download(request, report_pk):
    report = tenant_get_or_404(Report, request.organization, pk=report_pk, status=Report.Status.DONE)
    if not report.is_final:
        require_perm(request, Perm.REPORT_DOWNLOAD_DRAFT)
    try:
        handle = services.report_open_for_download(report=report, user=request.user)
    except FileNotFoundError:
        messages.error(request, "The report file is missing from storage.")
        return redirect("reports:list", org_slug=request.organization.slug, assessment_pk=report.assessment_id)
    response = FileResponse(handle, as_attachment=True, filename=report.download_name, content_type="application/pdf")
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"  # no copy of a report in a browser or proxy cache
    return response
