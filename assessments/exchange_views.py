"""Download an assessment in the exchange format; create one from an uploaded file."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header

from assessments.exchange import exchange_json_text
from assessments.exchange_forms import ExchangeImportForm
from assessments.exchange_pkic import pkic_progress_data, pkic_progress_yaml, pkic_share_link
from assessments.models import Assessment
from assessments.services.exchange import assessment_export, assessment_import_data
from assessments.services.exchange_files import MAX_FILE_BYTES, ExchangeError, exchange_document_parse
from catalog.selectors import model_version_latest
from core.downloads import download_name
from core.request_limits import body_limit
from organizations.roles import Perm
from organizations.tenancy import org_view, tenant_get_or_404


def _assessment_url(assessment) -> str:
    return reverse("assessments:detail", kwargs={"org_slug": assessment.organization.slug, "pk": assessment.pk})


@org_view(Perm.ASSESSMENT_EXPORT)
def export_view(request, pk):
    assessment = tenant_get_or_404(Assessment.objects.select_related("model_version"), request.organization, pk=pk)
    text = exchange_json_text(assessment_export(assessment=assessment, by=request.user))
    filename = download_name(
        organization=request.organization, assessment=assessment, kind="pkimm-assessment", ext="json"
    )
    response = HttpResponse(text, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    response["Cache-Control"] = "private, no-store"
    return response


@org_view(Perm.ASSESSMENT_EXPORT)
def pkic_export_view(request, pk):
    """The assessment for the PKI Consortium browser tool: its share link, or ``?download=1`` its progress.yaml."""
    assessment = tenant_get_or_404(Assessment.objects.select_related("model_version"), request.organization, pk=pk)
    data = pkic_progress_data(assessment=assessment)
    if request.GET.get("download"):
        response = HttpResponse(pkic_progress_yaml(data), content_type="application/yaml; charset=utf-8")
        response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="progress.yaml")
        response["Cache-Control"] = "private, no-store"
        return response
    return render(
        request,
        "assessments/exchange_pkic.html",
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
            )
        except ExchangeError as error:
            problems = error.problems
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
    return render(request, "assessments/exchange_import.html", {"form": form, "problems": problems})


def newer_model_version(*, assessment):
    """The newest imported model version when it is newer than the assessment's, else None."""
    latest = model_version_latest()
    if latest is None or latest.version_key <= assessment.model_version.version_key:
        return None
    return latest
