from django import template

register = template.Library()


@register.filter
def iso_minutes(value):
    """An ISO date-time string of the report data as "YYYY-MM-DD HH:MM"."""
    if not value:
        return ""
    return str(value)[:16].replace("T", " ")
