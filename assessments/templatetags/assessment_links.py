"""Links into the questionnaire pages (another app area), built from the assessment's own URL."""

from django import template
from django.urls import reverse

register = template.Library()


@register.simple_tag
def questionnaire_url(assessment, category_key=""):
    base = reverse("assessments:detail", kwargs={"org_slug": assessment.organization.slug, "pk": assessment.pk})
    return f"{base}questionnaire/{category_key}/" if category_key else f"{base}questionnaire/"
