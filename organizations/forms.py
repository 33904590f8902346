from django import forms

from core.validators import SingleLineCharField
from organizations.roles import Role


class OrganizationCreateForm(forms.Form):
    name = SingleLineCharField(max_length=200, label="Organization name")
    slug = forms.SlugField(
        max_length=60,
        required=False,
        label="Short name for the address",
        help_text="Letters, digits and dashes; derived from the name when left empty.",
    )


class OrganizationSettingsForm(forms.Form):
    name = SingleLineCharField(max_length=200)
    reassessment_interval_months = forms.IntegerField(
        min_value=1,
        max_value=60,
        label="Re-assess every (months)",
        help_text="The model advises re-assessing yearly or every two years.",
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ASSESSOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
