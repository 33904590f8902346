from celery import shared_task

from webhooks.models import WebhookDelivery
from webhooks.services import retry_delay, webhook_deliver_attempt


@shared_task(bind=True, max_retries=None, acks_late=True)
def deliver_webhook_task(self, delivery_id: int):
    """One attempt per run; a failed attempt is retried with backoff until WEBHOOK_MAX_ATTEMPTS."""
    outcome = webhook_deliver_attempt(delivery_id=delivery_id)
    if outcome is False:
        attempts = WebhookDelivery.objects.filter(pk=delivery_id).values_list("attempts", flat=True).first() or 1
        raise self.retry(countdown=retry_delay(attempts))
    return outcome
