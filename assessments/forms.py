"""Forms of the assessment management pages: they validate and convert; services decide."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms

from assessments.models import Assessment, UseCase
from catalog.models import ModelVersion
from core.validators import SingleLineCharField, validate_single_line

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _helper(submit_label: str, layout=None, **submit_attrs) -> FormHelper:
    helper = FormHelper()
    if layout is not None:
        helper.layout = layout
    helper.add_input(Submit("submit", submit_label, **submit_attrs))
    return helper


class ModelVersionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj} (built-in summary)" if obj.is_summary else str(obj)


class AssessmentForm(forms.Form):
    name = SingleLineCharField(max_length=200)
    model_version = ModelVersionChoiceField(queryset=ModelVersion.objects.none(), empty_label=None)
    method = forms.ChoiceField(
        choices=Assessment.Method.choices,
        initial=Assessment.Method.FORMAL,
        help_text="Self-assessment: a level per category. Formal: a level per requirement, with evidence. "
        "Independent third-party: a formal assessment by an outside assessor.",
    )
    assessor_type = forms.ChoiceField(choices=Assessment.AssessorType.choices, label="Assessor")
    assessor_name = SingleLineCharField(max_length=200, required=False, label="Assessor name")
    assessor_company = SingleLineCharField(max_length=200, required=False, label="Assessor company")
    start_date = forms.DateField(required=False, widget=DATE_WIDGET)
    target_date = forms.DateField(required=False, widget=DATE_WIDGET)
    finish_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args, editing: Assessment | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if editing is None:
            versions = sorted(ModelVersion.objects.all(), key=lambda mv: mv.version_key, reverse=True)
            self.fields["model_version"].queryset = ModelVersion.objects.all()
            if versions:
                self.fields["model_version"].initial = versions[0].pk
            submit = "Create assessment"
        else:
            # The model version is fixed once the assessment exists; the method while it is a draft.
            del self.fields["model_version"]
            if editing.status != Assessment.Status.DRAFT:
                self.fields["method"].disabled = True
            submit = "Save"
        self.helper = _helper(
            submit,
            Layout(
                "name",
                *(["model_version"] if editing is None else []),
                "method",
                Row(Column("assessor_type", css_class="col-md-4"), Column("assessor_name"), Column("assessor_company")),
                Row(Column("start_date"), Column("target_date"), Column("finish_date")),
            ),
        )


class UseCaseForm(forms.ModelForm):
    class Meta:
        model = UseCase
        fields = ["name", "description", "components", "out_of_scope"]
        labels = {"out_of_scope": "Out-of-scope considerations"}
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "components": forms.Textarea(attrs={"rows": 2}),
            "out_of_scope": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, submit_label="Save use-case", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["name"].validators.append(validate_single_line)
        self.helper = _helper(submit_label)


class EnvironmentForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["environment_design", "environment_interactions", "sampling_notes"]
        labels = {
            "environment_design": "High-level design",
            "environment_interactions": "Points of interaction",
            "sampling_notes": "Sampling",
        }
        help_texts = {"sampling_notes": "How evidence was sampled (systems, periods, interviews)."}
        widgets = {name: forms.Textarea(attrs={"rows": 3}) for name in fields}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Save environment")


class AssignmentForm(forms.Form):
    target = forms.ChoiceField(label="Category or requirement")
    assignee = forms.ModelChoiceField(queryset=None, label="Assign to")
    due_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args, targets, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["target"].choices = targets
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email or user.username
        self.helper = _helper(
            "Assign",
            Layout(
                Row(
                    Column("target", css_class="col-md-5"),
                    Column("assignee", css_class="col-md-4"),
                    Column("due_date", css_class="col-md-3"),
                )
            ),
        )


class SignOffForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you confirm, e.g. that the answers reflect the PKI in scope on the finish date.",
    )

    def __init__(self, *args, blocked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Sign off", **({"disabled": "disabled"} if blocked else {}))


class ReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded in the history.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Reopen assessment")
        self.helper.inputs[0].field_classes = "btn btn-danger"
