"""Forms of the assessment management pages: they validate and convert; services decide."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms

from assessments.models import Assessment, UseCase
from catalog.models import Extension, ModelVersion
from catalog.selectors import profile_for_version
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


class ExtensionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        versions = ", ".join(obj.compatibility) or "no model version"
        return f"{obj.name} {obj.version} (for PKIMM {versions})"


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
            profile = profile_for_version(model_version=versions[0]) if versions else None
            submit = "Create assessment"
            extensions = Extension.objects.order_by("name", "ext_id", "version")
            if extensions.exists():
                self.fields["extensions"] = ExtensionChoiceField(
                    queryset=extensions,
                    required=False,
                    widget=forms.CheckboxSelectMultiple,
                    label="Extensions",
                    help_text="Extra maturity questions scored beside the baseline (e.g. PQC readiness). "
                    "They can also be turned on or off later, on the results page.",
                )
        else:
            # The model version is fixed once the assessment exists; the method while it is a draft.
            del self.fields["model_version"]
            if editing.status != Assessment.Status.DRAFT:
                self.fields["method"].disabled = True
            profile = editing.profile
            submit = "Save"
        self.subject_keys = self._add_subject_fields(profile, editing)
        self.helper = _helper(
            submit,
            Layout(
                "name",
                *(["model_version"] if editing is None else []),
                "method",
                Row(Column("assessor_type", css_class="col-md-4"), Column("assessor_name"), Column("assessor_company")),
                Row(Column("start_date"), Column("target_date"), Column("finish_date")),
                *(["extensions"] if "extensions" in self.fields else []),
                *(f"subject_{key}" for key in self.subject_keys),
            ),
        )

    def _add_subject_fields(self, profile, editing) -> list[str]:
        """The assessment profile's subject fields (organization, assessor, use case, ...), stored as given."""
        if profile is None:
            return []
        keys = []
        note = "" if editing else f" (asked by the assessment profile of PKIMM {profile.model_version.version})"
        for field in profile.subject_fields:
            widget = {
                "textarea": forms.Textarea(attrs={"rows": field.get("rows", 3)}),
                "date": DATE_WIDGET,
            }.get(field["component"], forms.TextInput())
            field_class = forms.CharField if field["component"] == "textarea" else SingleLineCharField
            self.fields[f"subject_{field['key']}"] = field_class(
                label=field["label"],
                required=bool(field.get("required")),
                widget=widget,
                help_text=(field.get("hint") or "") + note,
                initial=(editing.subject.get(field["key"], "") if editing else ""),
            )
            keys.append(field["key"])
        return keys

    def clean(self):
        cleaned = super().clean()
        model_version, extensions = cleaned.get("model_version"), cleaned.get("extensions") or ()
        if model_version is not None:
            for extension in extensions:
                if not extension.is_compatible_with(model_version.version):
                    self.add_error(
                        "extensions", f"{extension.name} {extension.version} is not for PKIMM {model_version.version}."
                    )
        ids = [extension.ext_id for extension in extensions]
        if len(ids) != len(set(ids)):
            self.add_error("extensions", "Choose one version of each extension.")
        if self.subject_keys:
            cleaned["subject"] = {key: cleaned.pop(f"subject_{key}", "") for key in self.subject_keys}
        return cleaned


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
    item = forms.ChoiceField(label="Category or requirement")
    assignee = forms.ModelChoiceField(queryset=None, label="Assign to")
    due_date = forms.DateField(required=False, widget=DATE_WIDGET)

    def __init__(self, *args, items, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].choices = items
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email or user.username
        self.helper = _helper(
            "Assign",
            Layout(
                Row(
                    Column("item", css_class="col-md-5"),
                    Column("assignee", css_class="col-md-4"),
                    Column("due_date", css_class="col-md-3"),
                )
            ),
        )


COUNTERSIGNER_ROWS = 3
COUNTERSIGNER_EXAMPLES = ("Executive sponsor", "Security executive (CISO)", "")


class SignOffForm(forms.Form):
    statement = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What you confirm, e.g. that the answers reflect the PKI in scope on the finish date.",
    )

    def __init__(self, *args, blocked: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        rows = []
        for number in range(1, COUNTERSIGNER_ROWS + 1):
            example = COUNTERSIGNER_EXAMPLES[number - 1]
            self.fields[f"countersigner_{number}_name"] = forms.CharField(
                max_length=150, required=False, label=f"Counter-signer {number}: full name"
            )
            self.fields[f"countersigner_{number}_title"] = forms.CharField(
                max_length=150,
                required=False,
                label="Job title",
                widget=forms.TextInput(attrs={"placeholder": f"e.g. {example}"} if example else {}),
            )
            rows.append(
                Row(
                    Column(f"countersigner_{number}_name", css_class="col-md-6"),
                    Column(f"countersigner_{number}_title", css_class="col-md-6"),
                )
            )
        self.helper = _helper(
            "Sign off",
            Layout(
                "statement",
                HTML(
                    '<p class="small text-body-secondary mb-2">Optional: people who are to counter-sign the final '
                    "reports with their own certificate. Each report gets an empty signature field for each of them."
                    "</p>"
                ),
                *rows,
            ),
            **({"disabled": "disabled"} if blocked else {}),
        )

    def countersigners(self) -> list[dict]:
        return [
            {
                "name": self.cleaned_data[f"countersigner_{n}_{part}"],
                "title": self.cleaned_data[f"countersigner_{n}_title"],
            }
            for n in range(1, COUNTERSIGNER_ROWS + 1)
            for part in ("name",)
        ]


class ReopenForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), help_text="Recorded in the history.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = _helper("Reopen assessment")
        self.helper.inputs[0].field_classes = "btn btn-danger"


class BulkAssignmentForm(forms.Form):
    """One assignee and one due date for several categories (chosen by check boxes, or all unassigned)."""

    SELECTED, UNASSIGNED = "selected", "unassigned"

    assignee = forms.ModelChoiceField(queryset=None, label="Assign to")
    due_date = forms.DateField(required=False, widget=DATE_WIDGET, label="Due date")
    categories = forms.MultipleChoiceField(required=False)
    scope = forms.ChoiceField(choices=[(SELECTED, "The selected categories"), (UNASSIGNED, "All unassigned")])

    def __init__(self, *args, category_keys, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].choices = [(key, key) for key in category_keys]
        self.fields["assignee"].queryset = members
        self.fields["assignee"].label_from_instance = lambda user: user.get_full_name() or user.email or user.username

    def clean(self):
        data = super().clean()
        if data.get("scope") == self.SELECTED and not data.get("categories"):
            raise forms.ValidationError("Select at least one category, or assign all unassigned ones.")
        return data
