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


class SecurityForm(forms.Form):
    require_mfa = forms.BooleanField(
        required=False,
        label="Members must use two-factor authentication",
        help_text="Members enter the organization only from a session signed in with a second factor.",
    )


class SsoDomainForm(forms.Form):
    domain = SingleLineCharField(max_length=253, label="E-mail domain", help_text="For example example.com.")
    provider = forms.ChoiceField(label="Single sign-on provider", choices=())

    def __init__(self, *args, providers=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["provider"].choices = [(p, p) for p in providers]


class InvitationForm(forms.Form):
    email = forms.EmailField(label="E-mail address")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.ASSESSOR)


class RoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
