from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_http_methods

from assessments.selectors_read import AssessmentRead, score_json
from assessments.selectors_scores import assessment_results
from assessments.services.common import AssessmentError
from assessments.services.extensions import assessment_extension_disable, assessment_extension_enable
from assessments.views.common import assessment_of_url
from catalog.selectors import extensions_all
from improvement.selectors import assessment_targets_and_projection
from organizations.roles import Perm
from organizations.tenancy import org_view, require_perm
from results import presentation
from results.charts import module_bar_chart_svg, radar_chart_svg
from results.forms import ExtensionToggleForm


@org_view(Perm.ASSESSMENT_VIEW)
def results_detail(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    results = assessment_results(assessment=assessment)
    modules_svg = module_bar_chart_svg(
        presentation.module_bar_items(results), level_names=results.assessment.model_version.level_name_map
    )
    context = {
        "assessment": assessment,
        "results": results,
        "result": results.result,
        "overall_level": presentation.overall_level(results),
        "rows": presentation.score_rows(results),
        "distribution": presentation.level_distribution(results),
        "priorities": presentation.priority_rows(results),
        "extension_cards": presentation.extension_cards(results),
        "targets": assessment_targets_and_projection(assessment=assessment, results=results),
        # The charts escape every label themselves.
        "radar_svg": mark_safe(radar_chart_svg(presentation.radar_items(results))),  # noqa: S308
        "modules_svg": mark_safe(modules_svg),  # noqa: S308
    }
    return render(request, "results/results_detail.html", context)


@org_view(Perm.ASSESSMENT_VIEW)
def results_json(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    return JsonResponse(score_json(AssessmentRead(assessment)))


@org_view(Perm.ASSESSMENT_VIEW)
@require_http_methods(["GET", "POST"])
def results_extensions(request, assessment_id):
    assessment = assessment_of_url(request, assessment_id)
    if request.method == "POST":
        require_perm(request, Perm.ASSESSMENT_MANAGE)
        form = ExtensionToggleForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Choose an extension and whether to enable or disable it.")
            return redirect("results:extensions", org_slug=request.organization.slug, assessment_id=assessment.pk)
        extension = form.cleaned_data["extension"]
        enable = form.cleaned_data["action"] == ExtensionToggleForm.ENABLE
        service = assessment_extension_enable if enable else assessment_extension_disable
        try:
            service(assessment=assessment, extension=extension, by=request.user, membership=request.membership)
        except AssessmentError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{extension} {'enabled' if enable else 'disabled'}.")
        return redirect("results:extensions", org_slug=request.organization.slug, assessment_id=assessment.pk)

    enabled_ids = set(assessment.extensions.values_list("pk", flat=True))
    version = assessment.model_version.version
    extensions = [
        {"extension": extension, "enabled": extension.pk in enabled_ids}
        for extension in extensions_all()
        if extension.is_compatible_with(version) or extension.pk in enabled_ids
    ]
    context = {
        "assessment": assessment,
        "extensions": extensions,
        "can_manage": Perm.ASSESSMENT_MANAGE in request.perms and not assessment.is_signed_off,
    }
    return render(request, "results/results_extensions.html", context)
