"""Pages of the improvement app: thin views that validate, call a service or selector, and render."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_POST

from assessments.views.common import assessment_of_url
from improvement.charts import trend_svg
from improvement.forms import (
    ActionPlanCreateForm,
    ActionPlanForm,
    BoardFilterForm,
    CompareForm,
    ReassessmentForm,
    StatusForm,
    TaskForm,
)
from improvement.mapping import reassessment_mapping
from improvement.models import ActionPlan
from improvement.selectors import (
    BoardFilters,
    action_plan_board,
    action_plan_of_org,
    action_plan_open_count,
    action_plan_status_counts,
    action_plan_task_of_plan,
    action_plan_tasks,
    answers_still_carried_over,
    assessment_comparison,
    assessment_targets_and_projection,
    assessment_trend,
    assessments_latest,
    evidence_count,
    plan_default_targets,
    plan_item_choices,
    plan_owner_choices,
    portfolio_for,
    previous_signed_off,
    reassessment_model_version_or_none,
    reassessment_model_versions,
)
from improvement.selectors_work import KINDS as WORK_KINDS
from improvement.selectors_work import WorkFilters, my_work_for
from improvement.services.common import ImprovementError
from improvement.services.plans import (
    EDITABLE_FIELDS,
    action_plan_create,
    action_plan_set_status,
    action_plan_task_add,
    action_plan_task_toggle,
    action_plan_update,
)
from improvement.services.reassessment import evidence_carry_forward, reassessment_start
from improvement.services.targets import target_level_set
from organizations.roles import Perm
from organizations.tenancy import org_view, require_perm, second_factor_used


def _plan(request, plan_id):
    return action_plan_of_org(organization=request.organization, plan_id=plan_id)


# ---------------------------------------------------------------------------------------------------
# Board and plans


@org_view(Perm.PLAN_VIEW)
def board(request):
    owners = plan_owner_choices(organization=request.organization)
    data = request.GET if request.GET else {"status": "open"}
    form = BoardFilterForm(data, owners=owners)
    filters = BoardFilters(status="open")
    if form.is_valid():
        filters = BoardFilters(
            status=form.cleaned_data["status"],
            owner=form.cleaned_data["owner"],
            overdue=form.cleaned_data["overdue"],
            sort=form.cleaned_data["sort"] or "due",
        )
    else:
        messages.error(request, "Those filters are not valid: showing the open plans.")
    status_counts = action_plan_status_counts(organization=request.organization)
    context = {
        "form": form,
        "filters": filters,
        "board": action_plan_board(organization=request.organization, filters=filters),
        "status_counts": [
            ("open", "Open", sum(status_counts.get(value, 0) for value in ActionPlan.OPEN_STATUSES)),
            *((value, label, status_counts.get(value, 0)) for value, label in ActionPlan.Status.choices),
            ("", "All", sum(status_counts.values())),
        ],
        "assessments": assessments_latest(organization=request.organization, limit=20),
    }
    return render(request, "improvement/board.html", context)


@org_view(Perm.PLAN_MANAGE)
def plan_create(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    categories, requirements = plan_item_choices(model_version_id=assessment.model_version_id)
    # Without a target in the link: the next level above the current value of the item the form shows (the
    # first category unless the link names one), else above the overall value.
    default_targets = plan_default_targets(assessment=assessment)
    item = request.GET.get("item", "")
    shown = item or (categories[0].key if categories else "")
    category_key = shown if shown.count(".") <= 1 else shown.rsplit(".", 1)[0]
    target = request.GET.get("target") or default_targets.get(category_key) or default_targets.get("", "")
    initial = {"item": item, "target_level": target}
    form = ActionPlanCreateForm(
        request.POST or None,
        organization=request.organization,
        categories=categories,
        requirements=requirements,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        item = data["item"]
        category_key = item if item.count(".") == 1 else item.rsplit(".", 1)[0]
        fields = {name: data[name] for name in EDITABLE_FIELDS}
        if not fields["title"]:
            del fields["title"]
        try:
            plan = action_plan_create(
                origin=assessment,
                category_key=category_key,
                requirement_key="" if item == category_key else item,
                tasks=data["tasks"].splitlines(),
                by=request.user,
                **fields,
                membership=request.membership,
            )
        except ImprovementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Action plan “{plan.title}” created.")
            return redirect("plans:detail", request.organization.slug, plan.pk)
    return render(
        request,
        "improvement/plan_form.html",
        {"form": form, "assessment": assessment, "plan": None, "default_targets": json.dumps(default_targets)},
    )


@org_view(Perm.PLAN_VIEW)
def plan_detail(request, plan_id):
    plan = _plan(request, plan_id)
    context = {
        "plan": plan,
        "tasks": action_plan_tasks(organization=request.organization, plan=plan),
        "status_form": StatusForm(initial={"status": plan.status}),
        "task_form": TaskForm(),
        "statuses": ActionPlan.Status.choices,
    }
    return render(request, "improvement/plan_detail.html", context)


@org_view(Perm.PLAN_MANAGE)
def plan_edit(request, plan_id):
    plan = _plan(request, plan_id)
    initial = {name: getattr(plan, name) for name in EDITABLE_FIELDS}
    initial["seen_updated_at"] = plan.updated_at.isoformat()
    form = ActionPlanForm(request.POST or None, organization=request.organization, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            seen = parse_datetime(form.cleaned_data["seen_updated_at"] or "")
        except ValueError:
            seen = None  # a damaged token only loses the check, it changes nothing else
        try:
            action_plan_update(
                plan=plan,
                by=request.user,
                expected_updated_at=seen,
                **{name: form.cleaned_data[name] for name in EDITABLE_FIELDS},
                membership=request.membership,
            )
        except ImprovementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Action plan saved.")
            return redirect("plans:detail", request.organization.slug, plan.pk)
    return render(request, "improvement/plan_form.html", {"form": form, "plan": plan, "assessment": plan.origin})


@require_POST
@org_view(Perm.PLAN_MANAGE)
def plan_status(request, plan_id):
    plan = _plan(request, plan_id)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the statuses.")
    else:
        action_plan_set_status(
            plan=plan, status=form.cleaned_data["status"], by=request.user, membership=request.membership
        )
        messages.success(request, f"Status: {plan.get_status_display()}.")
    return redirect("plans:detail", request.organization.slug, plan.pk)


@require_POST
@org_view(Perm.PLAN_MANAGE)
def task_add(request, plan_id):
    plan = _plan(request, plan_id)
    form = TaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, "A task needs a description of at most 300 characters.")
    else:
        try:
            action_plan_task_add(
                plan=plan, text=form.cleaned_data["text"], by=request.user, membership=request.membership
            )
        except ImprovementError as error:
            messages.error(request, str(error))
    return redirect("plans:detail", request.organization.slug, plan.pk)


@require_POST
@org_view(Perm.PLAN_MANAGE)
def task_toggle(request, plan_id, task_id):
    plan = _plan(request, plan_id)
    task = action_plan_task_of_plan(organization=request.organization, plan=plan, task_id=task_id)
    action_plan_task_toggle(task=task, by=request.user, membership=request.membership)
    return redirect("plans:detail", request.organization.slug, plan.pk)


# ---------------------------------------------------------------------------------------------------
# Targets


@org_view(Perm.PLAN_VIEW)
def assessment_targets(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    if request.method == "POST":
        require_perm(request, Perm.PLAN_MANAGE)
        data = assessment_targets_and_projection(assessment=assessment)
        changed = 0
        try:
            for row in data["categories"]:
                field = f"target-{row.key}"
                if field not in request.POST:
                    continue
                raw = request.POST[field].strip()
                if raw not in ("", "1", "2", "3", "4", "5"):
                    raise ImprovementError(f"The target of {row.key} must be a level from 1 to 5.")
                level = int(raw) if raw else None
                current = None if row.target_is_default else row.target_level
                if level != current:
                    target_level_set(
                        assessment=assessment,
                        category_key=row.key,
                        level=level,
                        by=request.user,
                        membership=request.membership,
                    )
                    changed += 1
        except ImprovementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{changed} target level(s) saved." if changed else "Nothing changed.")
            return redirect("plans:assessment_targets", request.organization.slug, assessment.pk)
    context = {"assessment": assessment, "targets": assessment_targets_and_projection(assessment=assessment)}
    return render(request, "improvement/targets.html", context)


# ---------------------------------------------------------------------------------------------------
# Comparison and trend


@org_view(Perm.ASSESSMENT_VIEW)
def compare(request):
    assessments = assessments_latest(organization=request.organization, with_model_version=True)
    by_id = {str(a.pk): a for a in assessments}
    comparison = None
    if "before" in request.GET or "after" in request.GET:
        form = CompareForm(request.GET, assessments=assessments)
        if form.is_valid():
            comparison = assessment_comparison(
                before=by_id[form.cleaned_data["before"]], after=by_id[form.cleaned_data["after"]]
            )
    else:
        # The natural question: the latest signed-off assessment against the one signed off before it.
        signed = [a for a in assessments if a.is_signed_off and a.signed_off_at]
        signed.sort(key=lambda a: a.signed_off_at, reverse=True)
        after = signed[0] if signed else (assessments[0] if assessments else None)
        before = previous_signed_off(assessment=after) if after else None
        initial = {"after": str(after.pk) if after else "", "before": str(before.pk) if before else ""}
        form = CompareForm(initial=initial, assessments=assessments)
        if before and after:
            comparison = assessment_comparison(before=before, after=after)
    return render(request, "improvement/compare.html", {"form": form, "comparison": comparison})


@org_view(Perm.ASSESSMENT_VIEW)
def trend(request):
    data = assessment_trend(organization=request.organization)
    return render(request, "improvement/trend.html", {"trend": data, "chart": trend_svg(data)})


# ---------------------------------------------------------------------------------------------------
# Re-assessment


@org_view(Perm.ASSESSMENT_CREATE)
def reassess(request, assessment_id):
    previous = assessment_of_url(request, assessment_id)
    model_versions = reassessment_model_versions(previous=previous)
    # The preview follows the chosen version (GET ?model_version= from the chooser, or the POSTed one).
    wanted = (request.POST or request.GET).get("model_version", "")
    chosen = (
        reassessment_model_version_or_none(model_versions=model_versions, pk=wanted) if wanted.isdigit() else None
    ) or previous.model_version
    initial = {"name": f"{previous.name} – re-assessment", "model_version": chosen}
    form = ReassessmentForm(request.POST or None, initial=initial, model_versions=model_versions)
    if request.method == "POST" and form.is_valid():
        try:
            assessment, _ = reassessment_start(
                previous=previous,
                model_version=form.cleaned_data["model_version"],
                name=form.cleaned_data["name"],
                by=request.user,
                membership=request.membership,
            )
        except ImprovementError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"“{assessment.name}” started from “{previous.name}”.")
            return redirect("plans:reassessment_report", request.organization.slug, assessment.pk)
    context = {
        "form": form,
        "previous": previous,
        "preview": reassessment_mapping(previous=previous, model_version=chosen),
        "preview_version_id": chosen.pk,
    }
    return render(request, "improvement/reassess.html", context)


@org_view(Perm.ASSESSMENT_VIEW)
def reassessment_report(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    previous = assessment.previous
    if previous is None or previous.organization_id != request.organization.pk:
        raise Http404("This assessment was not started from a previous one.")
    context = {
        "assessment": assessment,
        "previous": previous,
        "report": reassessment_mapping(previous=previous, model_version=assessment.model_version),
        "open_plans": action_plan_open_count(organization=request.organization),
        "still_carried_over": answers_still_carried_over(assessment=assessment),
        "previous_evidence": evidence_count(assessment=previous),
    }
    return render(request, "improvement/reassessment_report.html", context)


@require_POST
@org_view(Perm.ASSESSMENT_ANSWER)
def evidence_carry(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    try:
        result = evidence_carry_forward(assessment=assessment, by=request.user, membership=request.membership)
    except ImprovementError as error:
        messages.error(request, str(error))
    else:
        linked, unmapped = len(result["linked"]), len(result["unmapped"])
        text = (
            f"{linked} piece{'s' if linked != 1 else ''} of evidence linked from the previous assessment."
            if linked
            else "Nothing new to link: the previous assessment's evidence is linked already."
        )
        if unmapped:
            text += f" {unmapped} could not be placed (their item has no successor in this model version)."
        messages.success(request, text)
    return redirect("plans:reassessment_report", request.organization.slug, assessment.pk)


# ---------------------------------------------------------------------------------------------------
# Portfolio (outside organizations)


@login_required
def portfolio(request):
    data = portfolio_for(
        user=request.user,
        highlight_slug=request.GET.get("highlight", ""),
        second_factor=second_factor_used(request),
    )
    return render(request, "improvement/portfolio.html", {"portfolio": data})


# ---------------------------------------------------------------------------------------------------
# My work (outside organizations)


@login_required
def my_work(request):
    kind = request.GET.get("kind", "")
    filters = WorkFilters(
        organization=request.GET.get("org", ""),
        kind=kind if kind in WORK_KINDS else "",
        overdue=request.GET.get("overdue") == "1",
    )
    return render(
        request,
        "improvement/my_work.html",
        {
            "work": my_work_for(user=request.user, filters=filters, second_factor=second_factor_used(request)),
            "kinds": WORK_KINDS,
        },
    )
