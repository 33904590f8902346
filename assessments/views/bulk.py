"""Bulk actions: assign many categories at once, accept every waiting review, confirm carried-over answers."""

from django.contrib import messages
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from assessments.forms import BulkAssignmentForm
from assessments.selectors_manage import categories_in_scope
from assessments.services.bulk import assignments_bulk_set, carried_over_answers_confirm, category_reviews_accept_all
from assessments.services.common import AssessmentError
from assessments.views.common import get_assessment
from assessments.views.manage import answering_members
from core.profiles import person_name
from organizations.roles import Perm
from organizations.tenancy import org_view


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def assignments_bulk_view(request, pk):
    assessment = get_assessment(request, pk)
    keys = [category.key for category in categories_in_scope(assessment=assessment)]
    form = BulkAssignmentForm(request.POST, category_keys=keys, members=answering_members(request.organization))
    if not form.is_valid():
        problems = [error for errors in form.errors.values() for error in errors]
        messages.error(request, "Nothing assigned: " + " ".join(problems))
    else:
        data = form.cleaned_data
        chosen = None if data["scope"] == BulkAssignmentForm.UNASSIGNED else data["categories"]
        try:
            assigned = assignments_bulk_set(
                assessment=assessment,
                assignee=data["assignee"],
                due_date=data["due_date"],
                category_keys=chosen,
                by=request.user,
            )
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            who = person_name(data["assignee"])
            if assigned:
                messages.success(
                    request, f"{len(assigned)} categor{'y' if len(assigned) == 1 else 'ies'} assigned to {who}."
                )
            else:
                messages.info(request, f"Nothing changed: those categories were assigned to {who} already.")
    return redirect("assessments:assignments", org_slug=request.organization.slug, pk=assessment.pk)


@org_view(Perm.ASSESSMENT_REVIEW)
@require_POST
def reviews_accept_all_view(request, pk):
    assessment = get_assessment(request, pk)
    try:
        accepted = category_reviews_accept_all(assessment=assessment, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"{len(accepted)} categor{'y' if len(accepted) == 1 else 'ies'} accepted.")
    return redirect("assessments:review", org_slug=request.organization.slug, pk=assessment.pk)


@org_view(Perm.ASSESSMENT_ANSWER)
@require_POST
def carried_over_confirm_view(request, assessment_id, category_key):
    assessment = get_assessment(request, assessment_id)
    try:
        confirmed = carried_over_answers_confirm(assessment=assessment, category_key=category_key, by=request.user)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"{len(confirmed)} carried-over answer{'s' if len(confirmed) != 1 else ''} of {category_key} confirmed.",
        )
    return redirect(
        "assessments:questionnaire_category",
        org_slug=request.organization.slug,
        assessment_id=assessment.pk,
        category_key=category_key,
    )
