from decimal import Decimal
from fractions import Fraction

from django import template

from catalog.levels import LEVEL_NAMES, level_label
from core.markdown import render_markdown
from scoring.engine import format_value

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
    """Round half up exactly, like the scoring engine (a float would turn 2.745 into 2.74)."""
    if value is None or value == "":
        return format_value(None)
    if isinstance(value, float):
        value = Decimal(repr(value))
    return format_value(Fraction(value))


@register.filter
def percent(value):
    if value is None:
        return 0
    return round(float(value) * 100)
