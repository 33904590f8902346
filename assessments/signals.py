"""Signals of the assessment workflow for the layers above (which assessments never imports)."""

from django.dispatch import Signal

# Sent inside the sign-off transaction, with ``signoff`` and ``read`` (the assessment read its snapshot was built
# from, ``selectors_read.AssessmentRead``): the reports app freezes the report data then, the exchange app the
# exchange document.
signoff_created = Signal()
