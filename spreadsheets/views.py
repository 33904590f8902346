"""Spreadsheet downloads (answers, action plans) and the upload of the PKI Consortium's Excel tools."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header

from assessments.views.common import assessment_of_url
from audit.services import audit_log
from core.downloads import download_name
from exchange.files import ExchangeError
from organizations.roles import Perm
from organizations.tenancy import org_view
from spreadsheets.exports import XLSX_TYPE, answers_sheets, csv_text, plans_sheets, xlsx_bytes
from spreadsheets.forms import WorkbookImportForm
from spreadsheets.services import workbook_import


def _download(sheets, *, fmt: str, organization, kind: str, assessment=None) -> HttpResponse:
    if fmt == "xlsx":
        response = HttpResponse(xlsx_bytes(sheets), content_type=XLSX_TYPE)
    elif fmt == "csv":
        response = HttpResponse(csv_text(sheets[0]), content_type="text/csv; charset=utf-8")
    else:
        raise Http404("Unknown format")
    response["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=download_name(organization=organization, assessment=assessment, kind=kind, ext=fmt)
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@org_view(Perm.ASSESSMENT_EXPORT)
def answers_download(request, assessment_id, fmt):
    assessment = assessment_of_url(request, assessment_id)
    sheets = answers_sheets(assessment=assessment)
    audit_log(
        organization=request.organization,
        actor=request.user,
        action="assessment.exported",
        obj=assessment,
        after={"format": fmt},
    )
    return _download(sheets, fmt=fmt, organization=request.organization, assessment=assessment, kind="answers")


@org_view(Perm.PLAN_VIEW)
def plans_download(request, fmt):
    return _download(
        plans_sheets(organization=request.organization), fmt=fmt, organization=request.organization, kind="action-plans"
    )


@org_view(Perm.ASSESSMENT_CREATE)
def workbook_upload(request):
    form = WorkbookImportForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = workbook_import(
                organization=request.organization,
                content=form.cleaned_data["workbook"].read(),
                by=request.user,
                model_version=form.cleaned_data["model_version"] or None,
                membership=request.membership,
            )
        except ExchangeError as error:
            problems = error.lines()
        else:
            messages.success(request, f"Imported “{result.assessment.name}”.")
            for notice in result.notices:
                messages.warning(request, notice)
            return redirect(
                reverse(
                    "assessments:detail",
                    kwargs={"org_slug": request.organization.slug, "assessment_id": result.assessment.pk},
                )
            )
    return render(request, "spreadsheets/import.html", {"form": form, "problems": problems})
