"""The stored summary ("X of Y assessed", overall value) stays exact when saves to *different* requirements
race: every round of concurrent saves ends with the summary equal to a fresh computation (PostgreSQL threads),
computed under each save's lock (inline) or by the refresh after each commit (deferred; the tasks run in-process
here, tests/assessments/test_summary_worker.py has the real worker)."""

import threading

import pytest
from django.db import connection

from assessments.models import Assessment
from assessments.selectors_scores import assessment_baseline_score, fraction_to_decimal
from assessments.services.answers import answer_set
from tests.assessments.test_answer_concurrency import THREADS, setup  # noqa: F401 - fixture
from tests.services import require_postgres

ROUNDS = 6


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("deferred", [False, True], ids=["inline", "deferred"])
def test_summary_is_exact_after_concurrent_saves_to_different_requirements(setup, settings, deferred):  # noqa: F811
    require_postgres()
    settings.ASSESSMENT_SUMMARY_DEFERRED = deferred
    assessment, _requirement, users = setup
    requirements = list(assessment.model_version.requirements.order_by("key"))
    for round_number in range(ROUNDS):
        barrier = threading.Barrier(THREADS)
        errors = []

        def work(i, user, round_number=round_number, barrier=barrier, errors=errors):
            try:
                barrier.wait()
                answer_set(
                    assessment=Assessment.objects.get(pk=assessment.pk),
                    requirement=requirements[round_number * THREADS + i],
                    level=(i + round_number) % 5 + 1,
                    notes="",
                    expected_version=0,
                    by=user,
                )
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(repr(error))
            finally:
                connection.close()

        threads = [threading.Thread(target=work, args=(i, user)) for i, user in enumerate(users)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert not errors, errors
        stored = Assessment.objects.get(pk=assessment.pk)
        fresh = assessment_baseline_score(assessment=stored)
        assert stored.summary_assessed == (round_number + 1) * THREADS == fresh.completeness.assessed, (
            f"round {round_number}: stored {stored.summary_assessed}, computed {fresh.completeness.assessed}"
        )
        assert stored.summary_overall_value == fraction_to_decimal(fresh.overall.value)
        assert stored.summary_is_current
