from celery import shared_task

from notifications.services import notification_deliver, notifications_send_digests


@shared_task(autoretry_for=(OSError,), max_retries=3, retry_backoff=True, acks_late=True)
def deliver_notification_task(**event) -> int:
    """After the change committed: inbox rows and immediate e-mails. Idempotent (one per event and person)."""
    return len(notification_deliver(**event))


@shared_task
def send_digests_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): the digest e-mails of people who chose them."""
    return notifications_send_digests()
