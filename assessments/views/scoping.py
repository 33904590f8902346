"""The scoping page: use-cases, the PKI environment and the applicability matrix."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from assessments.forms import EnvironmentForm, UseCaseForm
from assessments.models import Applicability, UseCase
from assessments.selectors_manage import scope_tree, use_case_fresh_copy, use_case_list
from assessments.services.common import AssessmentError
from assessments.services.scoping import (
    ENVIRONMENT_FIELDS,
    ScopeConflict,
    applicability_set_many,
    assessment_environment_update,
    scope_basis_parse,
    scope_basis_value,
    use_case_add,
    use_case_remove,
    use_case_update,
)
from assessments.views.common import assessment_of_url
from organizations.roles import Perm
from organizations.tenancy import org_view, tenant_get_or_404

Level = Applicability.Level


def _scope_redirect(request, assessment, anchor=""):
    response = redirect("assessments:scope", org_slug=request.organization.slug, assessment_id=assessment.pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _render_scope(
    request, assessment, *, tree=None, environment_form=None, invalid_keys=(), bases=None, conflict=None, status=200
):
    tree = tree or scope_tree(assessment=assessment)
    rows = list(tree.rows())
    for row in rows:  # what each matrix row sends back as the basis of its change
        row.basis = (bases or {}).get(row.key) or scope_basis_value(row)
    return render(
        request,
        "assessments/scope.html",
        {
            "assessment": assessment,
            "tree": tree,
            "rows": rows,
            "levels": Level.choices,
            "invalid_keys": set(invalid_keys),
            "first_invalid": next((row.key for row in rows if row.key in invalid_keys), ""),
            "conflict": conflict,
            "use_cases": use_case_list(organization=request.organization, assessment=assessment),
            "environment_form": environment_form or EnvironmentForm(instance=assessment),
            "can_manage": Perm.ASSESSMENT_MANAGE in request.perms and not assessment.is_signed_off,
            "page_title": f"Scope · {assessment.name}",
            "tab": "scope",
        },
        status=status,
    )


@org_view(Perm.ASSESSMENT_VIEW)
def scope_view(request, assessment_id):
    return _render_scope(request, assessment_of_url(request, assessment_id))


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def scope_matrix_save_view(request, assessment_id):
    """Saves the posted rows at once; a single row without its reason refuses the whole matrix.

    Each row sends the decision it showed and its version (``basis:<key>``): a row left as shown is not a
    change, and a row someone else changed meanwhile is a conflict (the other rows are saved); the page
    then shows both decisions with "keep mine" and "take theirs".
    """
    assessment = assessment_of_url(request, assessment_id)
    tree = scope_tree(assessment=assessment)
    decisions, bases = {}, {}
    for key in tree.items:
        level = request.POST.get(f"level:{key}")
        if level is not None:
            decisions[key] = (level, request.POST.get(f"reason:{key}", ""))
            bases[key] = request.POST.get(f"basis:{key}", "")
    try:
        basis = {key: scope_basis_parse(value) for key, value in bases.items()}
        changed = applicability_set_many(
            assessment=assessment, decisions=decisions, by=request.user, membership=request.membership, basis=basis
        )
    except ScopeConflict as conflict:
        messages.warning(request, str(conflict))
        return _render_scope(request, assessment, conflict=conflict, status=409)
    except AssessmentError as error:
        messages.error(request, str(error))
        # Show what was posted, with the rows to fix marked, so that nothing typed is lost; each row keeps
        # the basis it was loaded with, so that the next save is still compared with that.
        for key, (level, reason) in decisions.items():
            item = tree.items[key]
            if level in Level.values:
                item.own_level, item.reason = level, reason
        invalid = [k for k, (level, reason) in decisions.items() if level != Level.APPLICABLE and not reason.strip()]
        return _render_scope(request, assessment, tree=tree, invalid_keys=invalid, bases=bases, status=400)
    messages.success(request, f"Applicability saved ({changed} change{'s' if changed != 1 else ''}).")
    return _scope_redirect(request, assessment, "matrix")


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def scope_environment_save_view(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    # The form validates its own copy: a refused save must not leave posted values on ``assessment``.
    form = EnvironmentForm(request.POST, instance=assessment_of_url(request, assessment_id))
    if form.is_valid():
        try:
            assessment_environment_update(
                assessment=assessment,
                by=request.user,
                **{name: form.cleaned_data[name] for name in ENVIRONMENT_FIELDS},
                membership=request.membership,
            )
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "PKI environment saved.")
            return _scope_redirect(request, assessment, "environment")
    return _render_scope(request, assessment, environment_form=form, status=400)


@org_view(Perm.ASSESSMENT_MANAGE)
def use_case_create_view(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    form = UseCaseForm(request.POST or None, submit_label="Add use-case")
    if request.method == "POST" and form.is_valid():
        try:
            use_case_add(assessment=assessment, by=request.user, **form.cleaned_data, membership=request.membership)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Use-case added.")
            return _scope_redirect(request, assessment, "use-cases")
    return render(
        request,
        "assessments/form.html",
        {"form": form, "assessment": assessment, "page_title": "New use-case", "tab": "scope"},
    )


@org_view(Perm.ASSESSMENT_MANAGE)
def use_case_edit_view(request, assessment_id, use_case_id):
    assessment = assessment_of_url(request, assessment_id)
    use_case = tenant_get_or_404(UseCase, request.organization, assessment=assessment, pk=use_case_id)
    # A copy for the form: a refused save must not leave the form's edits on the object we pass on.
    form = UseCaseForm(request.POST or None, instance=use_case_fresh_copy(use_case=use_case))
    if request.method == "POST" and form.is_valid():
        try:
            use_case_update(use_case=use_case, by=request.user, **form.cleaned_data, membership=request.membership)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Use-case saved.")
            return _scope_redirect(request, assessment, "use-cases")
    return render(
        request,
        "assessments/form.html",
        {"form": form, "assessment": assessment, "page_title": f"Edit use-case {use_case.name}", "tab": "scope"},
    )


@org_view(Perm.ASSESSMENT_MANAGE)
@require_POST
def use_case_delete_view(request, assessment_id, use_case_id):
    assessment = assessment_of_url(request, assessment_id)
    use_case = tenant_get_or_404(UseCase, request.organization, assessment=assessment, pk=use_case_id)
    try:
        use_case_remove(use_case=use_case, by=request.user, membership=request.membership)
    except AssessmentError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Use-case “{use_case.name}” removed.")
    return _scope_redirect(request, assessment, "use-cases")
