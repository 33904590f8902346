"""Download an assessment in the exchange format; create one from an uploaded file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import slugify

from assessments.views.common import assessment_of_url
from exchange.export import exchange_json_text
from exchange.files import ExchangeError, exchange_document_parse
from exchange.forms import ExchangeImportForm
from exchange.services import assessment_export, assessment_import_data
from organizations.roles import Perm
from organizations.tenancy import org_view


def _assessment_url(assessment) -> str:
    return reverse(
        "assessments:detail", kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk}
    )


@org_view(Perm.ASSESSMENT_EXPORT)
def export_view(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    text = exchange_json_text(assessment_export(assessment=assessment, by=request.user))
    filename = f"{slugify(assessment.name) or 'assessment'}.pkimm-assessment.json"
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


@org_view(Perm.ASSESSMENT_CREATE)
def import_view(request):
    is_post = request.method == "POST"
    form = ExchangeImportForm(request.POST, request.FILES) if is_post else ExchangeImportForm()
    problems = []
    if is_post and form.is_valid():
        content, filename = form.document()
        try:
            result = assessment_import_data(
                organization=request.organization,
                data=exchange_document_parse(content=content, filename=filename),
                by=request.user,
                model_version=form.cleaned_data["model_version"] or None,
            )
        except ExchangeError as error:
            problems = error.problems
        else:
            messages.success(request, f"Imported “{result.assessment.name}”.")
            for notice in result.notices:
                messages.warning(request, notice)
            return redirect(_assessment_url(result.assessment))
    return render(request, "exchange/import.html", {"form": form, "problems": problems})
