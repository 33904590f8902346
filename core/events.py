"""Domain events that other parts of the application (e.g. outgoing webhooks) may react to.

Lower layers announce what happened with ``event_announce``; they never import the layers that listen.
Receivers run after the surrounding transaction commits, so an event is only seen for a change that stayed.
"""

from django.db import transaction
from django.dispatch import Signal

# Sent with: organization, event (one of EVENTS), data (a JSON-serializable dict), dedupe_key ("" or a key
# that names the occurrence, for events announced again on every run, e.g. an overdue plan each day).
domain_event = Signal()

ASSESSMENT_SIGNED_OFF = "assessment.signed_off"
REPORT_READY = "report.ready"
REVIEW_REQUESTED = "review.requested"
PLAN_OVERDUE = "plan.overdue"
EVENTS = (ASSESSMENT_SIGNED_OFF, REPORT_READY, REVIEW_REQUESTED, PLAN_OVERDUE)


def event_announce(*, organization, event: str, data: dict, dedupe_key: str = "") -> None:
    if event not in EVENTS:
        raise ValueError(f"Unknown event {event!r}")
    transaction.on_commit(
        lambda: domain_event.send(
            sender=event_announce, organization=organization, event=event, data=data, dedupe_key=dedupe_key
        )
    )
