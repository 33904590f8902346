"""The report task: runs ``services.report_render`` on the "reports" queue.

acks_late + reject_on_worker_lost: a worker that dies mid-render leaves the message unacknowledged, so
it is delivered again (at once when only the pool process died, after the broker's visibility timeout
when the whole worker died). The time limits stay below that timeout (checked in settings), so a
running task is never delivered to a second worker. The render itself is idempotent.

The report row is the source of truth (an outbox): ``sweep_reports_task`` (beat, every REPORT_SWEEP_SECONDS)
enqueues again what a lost worker, a lost Redis message or an unreachable broker left pending, long before
the visibility timeout. Transient failures (database or broker away) are retried with exponential backoff
over minutes; the failure handler itself tolerates a database that is away (the sweeper takes over).
"""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError
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
        try:
            services.report_fail(report_id=report_id, message=message)
        except DatabaseError as error:
            # The database is away right now: the row keeps its old heartbeat and the sweeper takes it up.
            logger.error("Report %s: failure not recorded (%r); the sweeper will take it up", report_id, error)


@shared_task(
    bind=True,
    base=ReportTask,
    name="reports.tasks.render_report_task",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    max_retries=settings.REPORT_RETRIES,
    retry_backoff=settings.REPORT_RETRY_BACKOFF,
    retry_backoff_max=300,
    retry_jitter=False,
    soft_time_limit=settings.REPORT_SOFT_TIME_LIMIT,
    time_limit=settings.REPORT_TIME_LIMIT,
)
def render_report_task(self, report_id: int) -> str:
    try:
        report = services.report_render(
            report_id=report_id, task_id=self.request.id or "", heartbeat=not self.request.is_eager
        )
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


@shared_task(name="reports.tasks.sweep_reports_task", ignore_result=True)
def sweep_reports_task() -> int:
    return len(services.report_sweep())
