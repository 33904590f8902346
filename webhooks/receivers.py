"""Domain events (core.events) become webhook deliveries."""

from django.dispatch import receiver

from core.events import domain_event
from webhooks.services import webhook_event_dispatch


@receiver(domain_event)
def _dispatch(sender, *, organization, event, data, dedupe_key="", **kwargs):
    webhook_event_dispatch(organization=organization, event=event, data=data, dedupe_key=dedupe_key)
