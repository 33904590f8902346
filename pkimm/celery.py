import os

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkimm.settings")

app = Celery("pkimm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@after_setup_logger.connect
@after_setup_task_logger.connect
def _structured_worker_logs(logger, **kwargs):
    """Workers log in the same JSON lines as the web processes (LOG_FORMAT, see settings)."""
    from django.conf import settings

    if getattr(settings, "LOG_FORMAT", "text") == "json":
        from core.observability import JsonFormatter

        for handler in logger.handlers:
            handler.setFormatter(JsonFormatter())
