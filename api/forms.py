from django import forms

from api.models import ApiToken
from api.services import MAX_VALID_DAYS


class ApiTokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. 'GRC sync'.")
    organization = forms.ChoiceField(help_text="A token works for one organization only.")
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    valid_days = forms.IntegerField(min_value=1, max_value=MAX_VALID_DAYS, initial=90, label="Valid for (days)")

    def __init__(self, *args, memberships, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].choices = [(m.organization.slug, m.organization.name) for m in memberships]
