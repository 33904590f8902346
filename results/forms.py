from django import forms

from catalog.models import Extension


class ExtensionToggleForm(forms.Form):
    ENABLE, DISABLE = "enable", "disable"

    extension = forms.ModelChoiceField(queryset=Extension.objects.all())
    action = forms.ChoiceField(choices=[(ENABLE, "Enable"), (DISABLE, "Disable")])
