"""Tasks of assessments: the deferred summary refresh and its sweeper (see assessments/services/summary.py)."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from assessments.services.summary import assessment_summaries_catch_up, assessment_summary_catch_up


@shared_task(
    name="assessments.tasks.assessment_summary_refresh_task",
    acks_late=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=5,
    retry_backoff=2,
)
def assessment_summary_refresh_task(assessment_id: int) -> bool:
    """Idempotent: stores the summary only if it is behind the assessment's write_version."""
    return assessment_summary_catch_up(assessment_id=assessment_id)


@shared_task(name="assessments.tasks.assessment_summaries_sweep_task")
def assessment_summaries_sweep_task() -> int:
    """Beat (ASSESSMENT_SUMMARY_SWEEP_SECONDS): summaries whose refresh was lost with the queue."""
    return assessment_summaries_catch_up()
