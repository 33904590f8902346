from celery import shared_task

from improvement.services.reminders import reminders_send


@shared_task
def send_reminders_task() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): reminders are idempotent, so an extra run sends nothing twice."""
    return reminders_send()
