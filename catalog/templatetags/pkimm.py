from decimal import Decimal
from fractions import Fraction

from django import template
from django.utils.html import format_html

from core.markdown import render_markdown
from scoring.engine import format_value
from scoring.levels import LEVEL_NAMES, level_label

register = template.Library()


@register.filter
def markdown(text):
    return render_markdown(text)


@register.simple_tag
def provisional(assessment):
    """ "provisional" beside a value of an assessment that is not signed off: it still changes with the answers."""
    if assessment is None or getattr(assessment, "is_signed_off", True):
        return ""
    return format_html(
        '<span class="badge text-bg-light border fw-normal provisional" title="{}">provisional</span>',
        "Not signed off yet: the value changes as answers change.",
    )


def _names(source) -> dict[int, str]:
    """Level names of a model version (``ModelVersion`` or anything with ``model_version``), else the general ones."""
    if source is None or source == "":
        return LEVEL_NAMES
    model_version = getattr(source, "model_version", source)
    return getattr(model_version, "level_name_map", LEVEL_NAMES)


@register.filter
def level_name(number, source=None):
    """``{{ 2|level_name:model_version }}``: "Basic" in 1.x, "Foundational" in 2.0.0."""
    return _names(source).get(number, "")


@register.filter(name="level_label")
def level_label_filter(number, source=None):
    """``{{ level|level_label:assessment }}``: "2 Foundational" with the assessment's model version's names."""
    return level_label(number, _names(source))


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


@register.filter
def length_of(difference, what):
    """``{{ difference|length_of:"added" }}``: how many requirements a version difference lists under ``what``."""
    return difference.count(what)


@register.filter(name="person_name")
def person_name_filter(user):
    """``{{ member|person_name }}``: the person's full name, else their e-mail address."""
    from core.profiles import person_name

    return person_name(user)
