from django import template

from improvement.selectors import assessment_targets_and_projection

register = template.Library()


@register.inclusion_tag("improvement/_results_targets.html", takes_context=True)
def results_targets(context, assessment, results=None):
    """``{% load improvement_tags %}{% results_targets assessment %}``: current vs target vs projected.

    ``results`` (optional): the page's ``assessment_results`` of the same assessment, not to load it twice.
    """
    targets = assessment_targets_and_projection(assessment=assessment, results=results)
    return {"request": context.get("request"), "targets": targets}
