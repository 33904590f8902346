from django import forms

from catalog.modelfile import MAX_FILE_BYTES


class CatalogImportForm(forms.Form):
    MODEL = "model"
    EXTENSION = "extension"
    REFERENCES = "references"
    PROFILE = "profile"

    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[
            (MODEL, "A model version (pkimm-model-<version>.yaml)"),
            (EXTENSION, "An extension (<id>-extension.yaml)"),
            (REFERENCES, "The references catalogue (pkimm-references.yaml); import it before model 2.0.0"),
            (PROFILE, "An assessment profile (pkimm-self-assessment-profile-<version>.yaml)"),
        ],
        initial=MODEL,
        widget=forms.RadioSelect,
    )
    file = forms.FileField(label="YAML file", help_text="As published by the PKI Consortium.")
    replace = forms.BooleanField(
        required=False,
        label="Replace a version that was imported from a different file",
        help_text="Refused once an assessment uses that version.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(f"The file is larger than {MAX_FILE_BYTES // 1024 // 1024} MB.")
        return upload
