from crispy_forms.helper import FormHelper
from django import forms

from catalog.models import ModelVersion
from exchange.files import MAX_FILE_BYTES


class ExchangeImportForm(forms.Form):
    file = forms.FileField(
        required=False,
        help_text="An assessment exported from PKIMM Assess (.json), or progress.yaml of the PKI Consortium tool.",
        widget=forms.ClearableFileInput(attrs={"accept": ".json,.yaml,.yml,application/json"}),
    )
    share_link = forms.CharField(
        required=False,
        label="Or a share link of the PKI Consortium tool",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "https://…#progress=…"}),
        max_length=MAX_FILE_BYTES,
    )
    model_version = forms.ChoiceField(
        required=False,
        label="Model version for a PKI Consortium tool file",
        help_text="Exported files name their own version; a tool file's version is told by its category keys.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        versions = ModelVersion.objects.order_by("-version").values_list("version", flat=True)
        self.fields["model_version"].choices = [("", "From the file"), *((v, v) for v in versions)]
        self.helper = FormHelper()
        self.helper.form_tag = False

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload and upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
        return upload

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("file")) == bool(cleaned.get("share_link", "").strip()):
            raise forms.ValidationError("Choose a file or paste a share link (one of the two).")
        return cleaned

    def document(self) -> tuple[bytes | str, str]:
        """(content, file name) of what was submitted."""
        upload = self.cleaned_data.get("file")
        if upload:
            return upload.read(), upload.name
        return self.cleaned_data["share_link"], ""
