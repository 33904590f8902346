"""Assessment list, creation, overview, metadata and assignments."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from assessments.forms import AssessmentForm, AssignmentForm
from assessments.models import Assignment
from assessments.selectors_manage import (
    ASSESSMENT_SORTS,
    assessment_history,
    assessment_list,
    assignment_list,
    assignment_or_none,
    categories_in_scope,
    scope_tree,
    sent_back_reviews,
    signoff_list,
    use_case_list,
)
from assessments.selectors_scores import assessment_with_current_summary
from assessments.services.assessments import METADATA_FIELDS, assessment_create, assessment_update
from assessments.services.assignments import assignment_remove, assignment_set
from assessments.services.common import AssessmentError
from assessments.views.common import assessment_of_url
from organizations.roles import Perm
from organizations.selectors import users_with_perm
from organizations.tenancy import org_view, tenant_get_or_404

LIST_PAGE_SIZE = 50


@org_view(Perm.ASSESSMENT_VIEW)
def assessment_list_view(request):
    search = request.GET.get("q", "").strip()
    sort = request.GET.get("sort", "-created")
    if sort not in ASSESSMENT_SORTS:
        sort = "-created"
    page = Paginator(assessment_list(organization=request.organization, search=search, sort=sort), LIST_PAGE_SIZE)
    return render(
        request,
        "assessments/list.html",
        {
            "page": page.get_page(request.GET.get("page")),
            "search": search,
            "sort": sort,
            "sorts": [
                ("-created", "Newest"),
                ("name", "Name"),
                ("target", "Target date"),
                ("status", "Status"),
                ("-level", "Level"),
            ],
        },
    )


@org_view(Perm.ASSESSMENT_CREATE)
def assessment_create_view(request):
    form = AssessmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = assessment_create(
                organization=request.organization, by=request.user, **form.cleaned_data, membership=request.membership
            )
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Assessment “{assessment.name}” created. Define its scope next.")
            return redirect("assessments:scope", org_slug=request.organization.slug, assessment_id=assessment.pk)
    return render(request, "assessments/form.html", {"form": form, "page_title": "New assessment"})


@org_view(Perm.ASSESSMENT_VIEW)
def assessment_detail_view(request, assessment_id):
    assessment = assessment_with_current_summary(assessment=assessment_of_url(request, assessment_id))
    tree = scope_tree(assessment=assessment)
    in_scope = categories_in_scope(assessment=assessment, tree=tree)
    decisions = [item for item in tree.rows() if item.own_level != "applicable"]
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "use_cases": use_case_list(organization=request.organization, assessment=assessment),
            "categories_in_scope": len(in_scope),
            "categories_total": sum(1 for _ in tree.categories()),
            "decisions": decisions,
            "sent_back": sent_back_reviews(assessment=assessment),
            "signoffs": signoff_list(organization=request.organization, assessment=assessment),
            "history": assessment_history(assessment=assessment),
            "page_title": assessment.name,
            "tab": "overview",
        },
    )


@org_view(Perm.ASSESSMENT_MANAGE)
def assessment_edit_view(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    initial = {name: getattr(assessment, name) for name in METADATA_FIELDS}
    form = AssessmentForm(request.POST or None, initial=initial, editing=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            assessment_update(
                assessment=assessment, by=request.user, **form.cleaned_data, membership=request.membership
            )
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Assessment details saved.")
            return redirect("assessments:detail", org_slug=request.organization.slug, assessment_id=assessment.pk)
    return render(
        request,
        "assessments/form.html",
        {"form": form, "assessment": assessment, "page_title": f"Edit {assessment.name}", "tab": "overview"},
    )


def answering_members(organization):
    return users_with_perm(organization=organization, permission=Perm.ASSESSMENT_ANSWER)


@org_view(Perm.ASSESSMENT_MANAGE)
def assignments_view(request, assessment_id):
    """Categories (one row each) and single requirements, each assigned to a member with a due date."""
    assessment = assessment_of_url(request, assessment_id)
    tree = scope_tree(assessment=assessment)
    in_scope = categories_in_scope(assessment=assessment, tree=tree)
    members = answering_members(request.organization)
    items = [(category.key, f"{category.key} {category.name}") for category in in_scope]
    if assessment.is_formal:
        items += [
            (req.key, f"{req.key} {req.name}"[:90])
            for category in in_scope
            for req in category.children
            if req.applicable
        ]
    form = AssignmentForm(request.POST or None, items=items, members=members)
    form.fields["assignee"].required = False  # empty: unassign
    if request.method == "POST" and form.is_valid():
        item = tree.items[form.cleaned_data["item"]]
        if item.kind == "category":
            lookup, current = {"category": item.object}, {"category": item.object, "requirement": None}
        else:
            lookup = current = {"requirement": item.object}
        existing = assignment_or_none(organization=request.organization, assessment=assessment, **current)
        try:
            if form.cleaned_data["assignee"] is None:
                if existing is not None:
                    assignment_remove(assignment=existing, by=request.user, membership=request.membership)
                    messages.success(request, f"{item.key} is no longer assigned.")
            else:
                assignment_set(
                    assessment=assessment,
                    assignee=form.cleaned_data["assignee"],
                    due_date=form.cleaned_data["due_date"],
                    by=request.user,
                    **lookup,
                    membership=request.membership,
                )
                messages.success(request, f"{item.key} assigned to {form.cleaned_data['assignee'].email}.")
        except AssessmentError as error:
            messages.error(request, str(error))
        return redirect("assessments:assignments", org_slug=request.organization.slug, assessment_id=assessment.pk)
    if request.method == "POST":
        messages.error(request, "Nothing assigned: " + "; ".join(e for errors in form.errors.values() for e in errors))
    assignments = assignment_list(organization=request.organization, assessment=assessment)
    by_category = {a.category_id: a for a in assignments if a.requirement_id is None}
    return render(
        request,
        "assessments/assignments.html",
        {
            "assessment": assessment,
            "rows": [(category, by_category.get(category.object.id)) for category in in_scope],
            "requirement_assignments": sorted(
                (a for a in assignments if a.requirement_id), key=lambda a: a.requirement.position
            ),
            "members": members,
            "unassigned_count": sum(1 for category in in_scope if category.object.id not in by_category),
            "today": timezone.localdate(),
            "form": form,
            "page_title": f"Assignments · {assessment.name}",
            "tab": "assignments",
        },
    )


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def assignment_delete_view(request, assessment_id, assignment_id):
    assessment = assessment_of_url(request, assessment_id)
    assignment = tenant_get_or_404(Assignment, request.organization, assessment=assessment, pk=assignment_id)
    try:
        assignment_remove(assignment=assignment, by=request.user, membership=request.membership)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Assignment removed.")
    return redirect("assessments:assignments", org_slug=request.organization.slug, assessment_id=assessment.pk)
