from django import forms

from core.events import EVENTS

EVENT_LABELS = {
    "assessment.signed_off": "Assessment signed off",
    "report.ready": "Report ready",
    "review.requested": "Review requested",
    "plan.overdue": "Action plan overdue",
}


class WebhookForm(forms.Form):
    url = forms.URLField(
        max_length=500, assume_scheme="https", label="URL", help_text="Where the JSON deliveries are POSTed."
    )
    events = forms.MultipleChoiceField(
        choices=[(event, EVENT_LABELS[event]) for event in EVENTS], widget=forms.CheckboxSelectMultiple
    )
