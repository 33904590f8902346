"""Download an assessment in the exchange format; create one from an uploaded file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from assessments.views.common import assessment_of_url
from catalog.selectors import model_version_latest
from core.downloads import download_name
from core.request_limits import body_limit
from exchange.export import exchange_json_text
from exchange.files import MAX_FILE_BYTES, ExchangeError, exchange_document_parse
from exchange.forms import ExchangeImportForm
from exchange.pkic import pkic_progress_data, pkic_progress_yaml, pkic_share_link
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
    filename = download_name(
        organization=request.organization, assessment=assessment, kind="pkimm-assessment", ext="json"
    )
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@org_view(Perm.ASSESSMENT_EXPORT)
def pkic_export_view(request, assessment_id):
    """The assessment for the PKI Consortium browser tool: its share link, or ``?download=1`` its progress.yaml."""
    assessment = assessment_of_url(request, assessment_id)
    data = pkic_progress_data(assessment=assessment)
    if request.GET.get("download"):
        response = HttpResponse(pkic_progress_yaml(data), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="progress.yaml")
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "exchange/pkic.html",
        {"assessment": assessment, "share_link": pkic_share_link(data), "progress": data["progress"]},
    )


@body_limit(MAX_FILE_BYTES, overhead=MAX_FILE_BYTES // 2)  # a file, or a pasted share link
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
                membership=request.membership,
            )
        except ExchangeError as error:
            problems = error.lines()
        else:
            messages.success(request, f"Imported “{result.assessment.name}”.")
            for notice in result.notices:
                messages.warning(request, notice)
            newer = newer_model_version(assessment=result.assessment)
            if newer is not None:
                url = reverse("plans:reassess", args=[request.organization.slug, result.assessment.pk])
                messages.info(
                    request,
                    format_html(
                        'PKIMM {} is imported here: <a href="{}?model_version={}">move this result onto it</a> '
                        "(you see what is carried over before anything is created).",
                        newer.version,
                        url,
                        newer.pk,
                    ),
                )
            return redirect(_assessment_url(result.assessment))
    return render(request, "exchange/import.html", {"form": form, "problems": problems})


def newer_model_version(*, assessment):
    """The newest imported model version when it is newer than the assessment's, else None."""
    latest = model_version_latest()
    if latest is None or latest.version_key <= assessment.model_version.version_key:
        return None
    return latest
