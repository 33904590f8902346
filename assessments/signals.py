"""Signals of the assessment workflow for the layers above (which assessments never imports)."""

from django.dispatch import Signal

# Sent inside the sign-off transaction, with ``signoff``: the reports app freezes the report data then.
signoff_created = Signal()
