"""The stored summary of an assessment ("X of Y assessed", overall value and level) for lists and dashboards.

Every save of answers or scope adds one to ``Assessment.write_version`` while it holds the assessment's lock;
``summary_version`` is the write_version the stored summary includes. Two ways to keep it current:

- inline (``ASSESSMENT_SUMMARY_DEFERRED`` off: no task queue, tests): the save computes the summary under the
  lock it holds, so it is exact when the save commits;
- deferred (on, the default with Redis): the save only bumps the counter; after the commit a task computes the
  summary about ``ASSESSMENT_SUMMARY_DELAY`` seconds later, at most one pending per assessment (a burst of
  saves is scored once), and stores it only if it is newer than the stored one. The save holds the lock for
  its own few statements, not for scoring the whole assessment: this is what lets saves of one assessment
  keep up with many people typing (bench/save_load.py). A refresh lost with the queue is caught up by the
  beat sweeper (``assessment_summaries_catch_up``); a page of one assessment derives a stale summary on read
  (``assessments.selectors.assessment_with_current_summary``).

Why the deferred refresh is exact once it ran: it reads write_version first, then the answers in a later
statement, which (read committed) sees every save that committed before that version was read, and it writes
only ``WHERE summary_version < version``, so an older computation never replaces a newer one.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F

from assessments.models import Assessment
from assessments.selectors_scores import assessment_summary_values

logger = logging.getLogger(__name__)

# A pending refresh's marker outlives its countdown by far; if the task was lost, the next save schedules again.
PENDING_SECONDS = 30
CATCH_UP_BATCH = 500


def assessment_summary_refresh(*, assessment, locked: bool = False) -> None:
    """Recompute and store the summary now, exactly (for services that change scope, imports, bulk work).

    Under the lock of the assessment row (``locked``: the caller's transaction holds it already), so it
    includes every committed save; one UPDATE of the summary columns and the two versions only, so that it
    never overwrites a concurrent change of the assessment's other fields.
    """
    if not locked:
        with transaction.atomic():
            Assessment.objects.select_for_update().filter(pk=assessment.pk).values_list("pk").first()
            assessment_summary_refresh(assessment=assessment, locked=True)
        return
    summary = assessment_summary_values(assessment=assessment)
    Assessment.objects.filter(pk=assessment.pk).update(
        **summary, write_version=F("write_version") + 1, summary_version=F("write_version") + 1
    )
    for name, value in summary.items():
        setattr(assessment, name, value)


def assessment_summary_after_save(*, assessment) -> None:
    """Called by a save inside its transaction, holding the assessment's lock, after it bumped write_version."""
    if not settings.ASSESSMENT_SUMMARY_DEFERRED:
        assessment_summary_refresh(assessment=assessment, locked=True)
        return
    assessment_id = assessment.pk
    transaction.on_commit(lambda: assessment_summary_schedule(assessment_id=assessment_id))


def _pending_key(assessment_id) -> str:
    # Several databases (parallel test runs) may share one cache.
    return f"pkimm:{settings.DATABASES['default']['NAME']}:summary-pending:{assessment_id}"


def assessment_summary_schedule(*, assessment_id) -> None:
    """After a save committed: refresh the summary in ASSESSMENT_SUMMARY_DELAY seconds, unless a refresh is
    pending already (it will include this save, having not yet read the version). Never raises: with the
    queue unreachable the refresh runs here and now."""
    from assessments.tasks import assessment_summary_refresh_task

    key = _pending_key(assessment_id)
    try:
        if not cache.add(key, 1, timeout=PENDING_SECONDS):
            return
        assessment_summary_refresh_task.apply_async(
            (assessment_id,), countdown=settings.ASSESSMENT_SUMMARY_DELAY, retry=False
        )
    except Exception as error:  # noqa: BLE001 - cache or broker away: the same to us, refresh in-process
        logger.warning("Summary refresh of assessment %s not queued (%r); refreshing now", assessment_id, error)
        assessment_summary_catch_up(assessment_id=assessment_id)


def assessment_summary_catch_up(*, assessment_id) -> bool:
    """Bring the stored summary up to the assessment's write_version if it is behind (idempotent; the task of
    ``assessment_summary_schedule`` and the sweeper). True when it stored a newer summary."""
    try:
        cache.delete(_pending_key(assessment_id))  # saves from now on schedule a refresh of their own
    except Exception:  # noqa: BLE001, S110 - the cache is away: the marker expires by itself
        pass
    assessment = Assessment.objects.select_related("model_version", "profile").filter(pk=assessment_id).first()
    if assessment is None or assessment.summary_is_current:
        return False
    version = assessment.write_version  # read before the answers (see the module docstring)
    summary = assessment_summary_values(assessment=assessment)
    updated = Assessment.objects.filter(pk=assessment_id, summary_version__lt=version).update(
        **summary, summary_version=version
    )
    return updated == 1


def assessment_summaries_catch_up(*, limit: int = CATCH_UP_BATCH) -> int:
    """The sweeper (beat): every assessment whose summary is behind, each on its own, so one that fails does not
    stop the others. Returns how many were brought up to date."""
    behind = list(
        Assessment.objects.filter(summary_version__lt=F("write_version"))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    done = 0
    for assessment_id in behind:
        try:
            done += assessment_summary_catch_up(assessment_id=assessment_id)
        except Exception:  # noqa: BLE001 - logged; the next sweep tries again
            logger.exception("Summary of assessment %s not refreshed", assessment_id)
    return done
