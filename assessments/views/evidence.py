"""Evidence: upload, add a link, delete, and download through a membership-checked view."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse, Http404
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from assessments.models import Evidence
from assessments.selectors_manage import evidence_of_assessment
from assessments.services.common import AssessmentError
from assessments.services.evidence import (
    evidence_add_file,
    evidence_add_link,
    evidence_delete,
    evidence_open_for_download,
)
from assessments.upload_handlers import evidence_request_too_large, evidence_upload_handlers_install
from assessments.views.common import assessment_of_url
from assessments.views.questionnaire import _item_for_key, back_to
from core.request_limits import body_limit
from core.sizes import megabytes
from organizations.roles import Perm
from organizations.tenancy import org_view


@body_limit(None)  # refused per file while it arrives (assessments/upload_handlers.py)
@csrf_exempt  # checked by _evidence_upload, after the size limit handler is installed
@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def evidence_upload_view(request, assessment_id, key):
    assessment = assessment_of_url(request, assessment_id)
    item, category_key = _item_for_key(assessment, key)
    if evidence_request_too_large(request):
        # Refused before a byte of the body is read or stored.
        messages.error(request, f"File not added: files are limited to {megabytes(settings.EVIDENCE_MAX_BYTES)}.")
        return back_to(request, assessment, category_key, key)
    size_limit = evidence_upload_handlers_install(request)
    return _evidence_upload(request, assessment, item, category_key, key, size_limit)


@csrf_protect
def _evidence_upload(request, assessment, item, category_key, key, size_limit):
    upload = request.FILES.get("file")
    if size_limit.refused:
        limit = megabytes(settings.EVIDENCE_MAX_BYTES)
        messages.error(request, f"File not added: “{size_limit.refused[0]}” is larger than the limit of {limit}.")
        return back_to(request, assessment, category_key, key)
    if upload is None:
        messages.error(request, "Choose a file to upload.")
        return back_to(request, assessment, category_key, key)
    try:
        evidence_add_file(
            assessment=assessment,
            upload=upload,
            title=request.POST.get("title", ""),
            by=request.user,
            **item,
            membership=request.membership,
        )
        messages.success(request, f"“{upload.name}” added as evidence for {key}.")
    except AssessmentError as error:
        messages.error(request, f"File not added: {error}")
    return back_to(request, assessment, category_key, key)


@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def evidence_link_add_view(request, assessment_id, key):
    assessment = assessment_of_url(request, assessment_id)
    item, category_key = _item_for_key(assessment, key)
    try:
        evidence_add_link(
            assessment=assessment,
            url=request.POST.get("url", ""),
            title=request.POST.get("title", ""),
            by=request.user,
            **item,
            membership=request.membership,
        )
        messages.success(request, f"Link added as evidence for {key}.")
    except AssessmentError as error:
        messages.error(request, f"Link not added: {error}")
    return back_to(request, assessment, category_key, key)


def _evidence(request, assessment, evidence_id) -> Evidence:
    return evidence_of_assessment(organization=request.organization, assessment=assessment, evidence_id=evidence_id)


@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def evidence_delete_view(request, assessment_id, evidence_id):
    assessment = assessment_of_url(request, assessment_id)
    evidence = _evidence(request, assessment, evidence_id)
    key = evidence.requirement.key if evidence.requirement_id else evidence.category.key
    category_key = evidence.requirement.category.key if evidence.requirement_id else evidence.category.key
    try:
        evidence_delete(evidence=evidence, by=request.user, membership=request.membership)
        messages.success(request, f"Evidence “{evidence}” removed from {key}.")
    except AssessmentError as error:
        messages.error(request, str(error))
    return back_to(request, assessment, category_key, key)


@org_view(Perm.EVIDENCE_VIEW)
def evidence_download_view(request, assessment_id, evidence_id):
    """Files go out only here: members with the permission, as an attachment, never sniffed as HTML."""
    assessment = assessment_of_url(request, assessment_id)
    evidence = _evidence(request, assessment, evidence_id)
    if evidence.kind != Evidence.Kind.FILE or not evidence.file:
        raise Http404("This evidence has no stored file (it was imported without its content).")
    try:
        handle = evidence_open_for_download(evidence=evidence, by=request.user, membership=request.membership)
    except FileNotFoundError:
        raise Http404 from None
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=evidence.original_name or "evidence",
        content_type=evidence.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
