"""Workflow pages and actions: start, request review, review categories, sign off, reopen."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.forms import ReopenForm, SignOffForm
from assessments.models import CategoryReview
from assessments.selectors_manage import review_overview
from assessments.services.common import AssessmentError
from assessments.services.workflow import (
    assessment_reopen,
    assessment_request_review,
    assessment_sign_off,
    assessment_start,
    category_review_accept,
    category_review_reopen,
    category_review_send_back,
    sign_off_check,
)
from assessments.views.common import get_assessment
from core.signing_setup import signing_setup_problem
from organizations.roles import Perm
from organizations.tenancy import org_view, recent_second_factor


def _to_detail(request, assessment):
    return redirect("assessments:detail", org_slug=request.organization.slug, pk=assessment.pk)


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def assessment_start_view(request, pk):
    assessment = get_assessment(request, pk)
    try:
        assessment_start(assessment=assessment, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Assessment started.")
    return _to_detail(request, assessment)


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def request_review_view(request, pk):
    assessment = get_assessment(request, pk)
    try:
        assessment_request_review(assessment=assessment, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
        return _to_detail(request, assessment)
    messages.success(request, "Review requested: every category in scope now waits for review.")
    return redirect("assessments:review", org_slug=request.organization.slug, pk=assessment.pk)


@org_view(Perm.ASSESSMENT_REVIEW)
def review_view(request, pk):
    assessment = get_assessment(request, pk)
    overview = review_overview(assessment=assessment)
    return render(
        request,
        "assessments/review.html",
        {
            "assessment": assessment,
            "overview": overview,
            "accepted": sum(
                1 for row in overview if row.review and row.review.status == CategoryReview.Status.ACCEPTED
            ),
            "waiting": sum(1 for row in overview if row.review and row.review.status == CategoryReview.Status.PENDING),
            "in_review": assessment.status == assessment.Status.IN_REVIEW,
            "page_title": f"Review · {assessment.name}",
            "tab": "review",
        },
    )


REVIEW_ACTIONS = {
    "accept": (category_review_accept, "{key} accepted."),
    "send_back": (category_review_send_back, "{key} sent back to the assessors."),
    "reopen": (category_review_reopen, "{key} reopened for review."),
}


@org_view(Perm.ASSESSMENT_REVIEW)
@require_POST
def review_action_view(request, pk, category_key):
    assessment = get_assessment(request, pk)
    action = REVIEW_ACTIONS.get(request.POST.get("action", ""))
    if action is None:
        messages.error(request, "Unknown review action.")
    else:
        service, success = action
        extra = {"comment": request.POST.get("comment", "")} if service is category_review_send_back else {}
        try:
            service(assessment=assessment, category_key=category_key, by=request.user, **extra)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, success.format(key=category_key))
    response = redirect("assessments:review", org_slug=request.organization.slug, pk=assessment.pk)
    response["Location"] += f"#review-{category_key}"
    return response


@org_view(Perm.ASSESSMENT_SIGNOFF)
@recent_second_factor
def sign_off_view(request, pk):
    assessment = get_assessment(request, pk)
    check = sign_off_check(assessment=assessment)
    form = SignOffForm(request.POST or None, blocked=not check.ok, initial={"statement": check.suggested_statement()})
    if request.method == "POST" and form.is_valid():
        try:
            assessment_sign_off(
                assessment=assessment,
                statement=form.cleaned_data["statement"],
                countersigners=form.countersigners(),
                by=request.user,
            )
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Assessment signed off. It is now read-only.")
            return _to_detail(request, assessment)
    return render(
        request,
        "assessments/sign_off.html",
        {
            "assessment": assessment,
            "form": form,
            "check": check,
            "signing_problem": signing_setup_problem(),
            "page_title": f"Sign off · {assessment.name}",
            "tab": "review",
        },
        status=400 if request.method == "POST" else 200,
    )


@org_view(Perm.ASSESSMENT_REOPEN)
def reopen_view(request, pk):
    assessment = get_assessment(request, pk)
    form = ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_reopen(assessment=assessment, reason=form.cleaned_data["reason"], by=request.user)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Assessment reopened. The earlier sign-off stays in the history.")
            return _to_detail(request, assessment)
    return render(
        request,
        "assessments/reopen.html",
        {"assessment": assessment, "form": form, "page_title": f"Reopen · {assessment.name}", "tab": "overview"},
        status=400 if request.method == "POST" else 200,
    )
