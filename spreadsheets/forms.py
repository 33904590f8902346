from django import forms

from spreadsheets.workbook import MAX_WORKBOOK_BYTES


class WorkbookImportForm(forms.Form):
    workbook = forms.FileField(
        help_text="A filled PKI_Maturity_Assessment_Tool or PKI_Maturity_Self_Assessment_Tool (.xlsx)."
    )
    model_version = forms.CharField(
        required=False, max_length=20, help_text="Leave empty for the model the tools belong to (1.0.0)."
    )

    def clean_workbook(self):
        upload = self.cleaned_data["workbook"]
        if upload.size > MAX_WORKBOOK_BYTES:
            raise forms.ValidationError(f"The workbook is larger than {MAX_WORKBOOK_BYTES // (1024 * 1024)} MB.")
        return upload
