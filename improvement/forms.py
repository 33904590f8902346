from django import forms
from django.contrib.auth import get_user_model

from core.validators import SingleLineCharField
from improvement.models import ActionPlan
from improvement.selectors import BOARD_SORTS

LEVEL_CHOICES = [
    (n, f"{n} – {name}")
    for n, name in ((1, "Initial"), (2, "Basic"), (3, "Advanced"), (4, "Managed"), (5, "Optimized"))
]


class DateInput(forms.DateInput):
    input_type = "date"


class ActionPlanForm(forms.Form):
    title = SingleLineCharField(max_length=200)
    target_level = forms.TypedChoiceField(choices=LEVEL_CHOICES, coerce=int, help_text="The level this plan aims for.")
    objectives = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    responsible_user = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), required=False, label="Responsible member"
    )
    responsible_text = SingleLineCharField(
        max_length=200, required=False, label="…or someone outside the organization", help_text="Name and company."
    )
    due_date = forms.DateField(required=False, widget=DateInput, label="Due date")
    resources = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    dependencies = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    outputs = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    comments = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    # The plan's last change as the form showed it: refuses a save over a newer change.
    seen_updated_at = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(memberships__organization=organization).order_by("email")
        self.fields["responsible_user"].queryset = users
        self.fields["responsible_user"].label_from_instance = lambda user: user.get_full_name() or user.email

    def clean(self):
        data = super().clean()
        if data.get("responsible_user") and data.get("responsible_text"):
            raise forms.ValidationError("Name either a member or someone outside the organization, not both.")
        return data


class ActionPlanCreateForm(ActionPlanForm):
    item = forms.ChoiceField(label="Category or requirement")
    tasks = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, help_text="One task per line (a checklist)."
    )
    field_order = ["item", "title", "target_level"]

    def __init__(self, *args, categories, requirements, **kwargs):
        super().__init__(*args, **kwargs)
        groups = []
        for category in categories:
            options = [(category.key, f"{category.key} {category.name} (whole category)")]
            options += [(r.key, f"{r.key} {r.title}") for r in requirements if r.category_id == category.pk]
            groups.append((f"{category.key} {category.name}", options))
        self.fields["item"].choices = groups
        self.fields["title"].required = False
        self.fields["title"].help_text = "Leave empty to name it after the category or requirement."


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ActionPlan.Status.choices)


class TaskForm(forms.Form):
    text = SingleLineCharField(max_length=300, label="New task")


SMALL_SELECT = forms.Select(attrs={"class": "form-select form-select-sm"})


class BoardFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[("open", "Open"), ("", "All"), *ActionPlan.Status.choices],
        widget=SMALL_SELECT,
    )
    owner = forms.ChoiceField(required=False, widget=SMALL_SELECT)
    overdue = forms.BooleanField(
        required=False, label="Overdue only", widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )
    sort = forms.ChoiceField(required=False, choices=list(BOARD_SORTS.items()), widget=SMALL_SELECT, label="Sort by")

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Everyone"), ("none", "Nobody named (or an outsider)"), *owners]


class CompareForm(forms.Form):
    before = forms.ChoiceField(label="Before", widget=forms.Select(attrs={"class": "form-select form-select-sm"}))
    after = forms.ChoiceField(label="After", widget=forms.Select(attrs={"class": "form-select form-select-sm"}))

    def __init__(self, *args, assessments, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(a.pk), _assessment_label(a)) for a in assessments]
        self.fields["before"].choices = choices
        self.fields["after"].choices = choices

    def clean(self):
        data = super().clean()
        if data.get("before") and data.get("before") == data.get("after"):
            raise forms.ValidationError("Choose two different assessments.")
        return data


def _assessment_label(assessment) -> str:
    when = assessment.signed_off_at or assessment.created_at
    state = "signed off" if assessment.is_signed_off else assessment.get_status_display().lower()
    return f"{assessment.name} ({when:%d %b %Y}, {state}, PKIMM {assessment.model_version.version})"


class ReassessmentForm(forms.Form):
    name = SingleLineCharField(max_length=200)
    model_version = forms.ModelChoiceField(queryset=None, empty_label=None)

    def __init__(self, *args, model_versions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["model_version"].queryset = model_versions
        self.fields["model_version"].label_from_instance = lambda mv: (
            f"PKIMM {mv.version}" + (" (built-in summary)" if mv.is_summary else "")
        )
