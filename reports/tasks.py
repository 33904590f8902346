"""The report task: runs ``services.report_render`` on the "reports" queue.

acks_late + reject_on_worker_lost: a worker that dies mid-render leaves the message unacknowledged, so
it is delivered again (at once when only the pool process died, after the broker's visibility timeout
when the whole worker died). The time limits stay below that timeout (checked in settings), so a
running task is never delivered to a second worker. The render itself is idempotent.
"""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from reports import services
from reports.rendering import ReportError
from reports.signing import SigningError
from scoring.engine import ScoringError

logger = logging.getLogger(__name__)

TRANSIENT_ERRORS = (OperationalError, InterfaceError, RedisConnectionError, ConnectionError, TimeoutError)
EXPECTED_ERRORS = (ReportError, ScoringError)
SIGNING_FAILED = (
    "The report could not be signed: report signing is not set up correctly on this installation. "
    "An administrator can see why in the server log; retry once it is fixed."
)


class ReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        report_id = args[0] if args else kwargs.get("report_id")
        if isinstance(exc, TRANSIENT_ERRORS):
            message = "The report could not be rendered after several tries (database or broker unavailable)."
        else:
            message = "The report could not be rendered because of an internal error. Please try again."
        logger.error("Report %s failed: %r", report_id, exc)
        services.report_fail(report_id=report_id, message=message)


@shared_task(
    bind=True,
    base=ReportTask,
    name="reports.tasks.render_report_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=3,
    retry_backoff=True,
    retry_backoff_max=60,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def render_report_task(self, report_id: int) -> str:
    try:
        report = services.report_render(report_id=report_id)
    except SigningError as error:
        # The details (with what an administrator should do) go to the log, a plain message to the user.
        logger.error("Report %s could not be signed: %s", report_id, error)
        services.report_fail(report_id=report_id, message=SIGNING_FAILED)
        return "failed"
    except EXPECTED_ERRORS as error:
        services.report_fail(report_id=report_id, message=str(error))
        return "failed"
    except SoftTimeLimitExceeded:
        services.report_fail(
            report_id=report_id, message="Rendering took too long and was stopped. Please try again later."
        )
        return "failed"
    return "done" if report is not None else "skipped"
