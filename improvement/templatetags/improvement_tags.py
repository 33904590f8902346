from django import template

from improvement.selectors import assessment_targets_and_projection

register = template.Library()


@register.inclusion_tag("improvement/_results_targets.html", takes_context=True)
def results_targets(context, assessment):
    """``{% load improvement_tags %}{% results_targets assessment %}``: current vs target vs projected."""
    return {"request": context.get("request"), "targets": assessment_targets_and_projection(assessment=assessment)}
