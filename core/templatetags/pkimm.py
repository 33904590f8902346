from django import template

from catalog.levels import LEVEL_NAMES, level_label
from core.markdown import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.filter
def level_name(number):
    return LEVEL_NAMES.get(number, "")


@register.filter(name="level_label")
def level_label_filter(number):
    return level_label(number)


@register.filter
def has_perm(request, permission):
    """``{% if request|has_perm:"assessment.answer" %}`` inside organization pages."""
    return permission in getattr(request, "perms", ())


@register.filter
def two_decimals(value):
    if value is None:
        return "–"
    return f"{float(value):.2f}"


@register.filter
def percent(value):
    if value is None:
        return 0
    return round(float(value) * 100)
