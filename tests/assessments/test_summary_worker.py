"""The deferred summary with a real Celery worker on Redis, as production runs it: a burst of saves from several
threads is scored by one or two refresh tasks, and the stored summary ends exact."""

import re
import threading
import time

import pytest
from django.db import connection

from assessments.models import Assessment
from assessments.selectors_scores import assessment_summary_values
from assessments.services.answers import answer_set
from tests.factories import assessment_create, model_1_1
from tests.reports.test_celery_worker import broker, workers  # noqa: F401 - fixtures
from tests.services import require_postgres

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

SAVES = 12
SUCCEEDED = re.compile(r"assessments\.tasks\.assessment_summary_refresh_task\[[^\]]+\] succeeded")


def test_a_burst_of_saves_is_scored_by_few_tasks_and_ends_exact(broker, workers, org, assessor, settings):  # noqa: F811
    require_postgres()  # threads against SQLite only wait for each other's database lock
    settings.ASSESSMENT_SUMMARY_DEFERRED = True
    settings.ASSESSMENT_SUMMARY_DELAY = 1.0
    worker = workers(queues="default")
    assessment = assessment_create(
        org, model_version=model_1_1(), method="formal", status=Assessment.Status.IN_PROGRESS
    )
    requirements = list(assessment.model_version.requirements.order_by("key")[:SAVES])
    errors = []

    def save(requirement, level):
        try:
            answer_set(
                assessment=Assessment.objects.get(pk=assessment.pk),
                requirement=requirement,
                level=level,
                notes="",
                expected_version=0,
                by=assessor,
            )
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(r, i % 5 + 1)) for i, r in enumerate(requirements)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.write_version == SAVES  # each save counted itself and left the scoring to the task

    deadline = time.monotonic() + 30
    while not stored.summary_is_current and time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{worker.output()[-3000:]}")
        time.sleep(0.2)
        stored = Assessment.objects.get(pk=assessment.pk)
    assert stored.summary_is_current, worker.output()[-3000:]
    expected = assessment_summary_values(assessment=stored)
    assert stored.summary_assessed == SAVES == expected["summary_assessed"]
    assert stored.summary_overall_value == expected["summary_overall_value"]
    time.sleep(settings.ASSESSMENT_SUMMARY_DELAY + 0.5)  # any refresh still pending has run
    refreshes = len(SUCCEEDED.findall(worker.output()))
    # One refresh per burst (a second one if the burst outlasted the delay), not one per save.
    assert 1 <= refreshes <= SAVES // 3, f"{refreshes} refresh tasks for {SAVES} saves:\n{worker.output()[-3000:]}"
