"""The answer save path stays cheap, whatever the data size. With the deferred summary (production, a task
queue): at most five SQL statements in the save service called directly (the member's role, the assessment's
lock that counts the save, the guard read of status, scope, review and answer, the update, the audit entry;
in a request the role is already known, so four), six for the whole htmx request. Without a task queue the
save also reads and stores the summary under its lock (two more). Transaction control (BEGIN/COMMIT,
savepoints in tests) is not counted.

The lock has a statement of its own because the per-field merge must compare with the answer as the previous
save committed it: a statement that waited for the lock still reads the other tables as they were when it
started (PostgreSQL, read committed)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assessment
from assessments.services.answers import answer_set

HTMX = {"HTTP_HX_REQUEST": "true"}
# deferred summary -> (service called directly, whole request). Sessions come from the cache; the view reads the
# signed-in user, then the membership with the assessment of the URL in one statement (org_view), and the service
# does not look the role up again.
MAX_STATEMENTS = {True: (5, 2 + 5 - 1), False: (7, 2 + 7 - 1)}
DEFERRED = pytest.mark.parametrize("deferred", [True, False], ids=["deferred-summary", "inline-summary"])


def _statements(captured) -> list[str]:
    return [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]


def _save(client, assessment, slot, level, version):
    url = reverse(
        "assessments:answer_save",
        kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk, "slot": slot},
    )
    return client.post(url, {"level": str(level), "notes": "seen", "version": str(version)}, **HTMX)


@DEFERRED
def test_a_save_request_takes_a_bounded_number_of_statements(client_for, formal, assessor, settings, deferred):
    settings.ASSESSMENT_SUMMARY_DEFERRED = deferred
    client = client_for(assessor)
    assert _save(client, formal, "G.1.1", 2, 0).status_code == 200  # first answer: starts the assessment
    assert _save(client, formal, "G.1.2", 2, 0).status_code == 200  # warms the per-process caches
    for version, level in ((1, 3), (2, 4)):
        with CaptureQueriesContext(connection) as captured:
            response = _save(client, formal, "G.1.2", level, version)
        assert response.status_code == 200 and "Saved" in response.content.decode()
        statements = _statements(captured)
        assert len(statements) <= MAX_STATEMENTS[deferred][1], "\n".join(statements)
    formal.refresh_from_db()
    assert formal.status == Assessment.Status.IN_PROGRESS
    # Inline: exact at once. Deferred: the refresh runs after the commit (never here, inside the test's
    # transaction), so the stored summary is behind and says so.
    assert (formal.summary_assessed, formal.summary_is_current) == ((2, True) if not deferred else (0, False))


@DEFERRED
def test_the_save_service_takes_a_bounded_number_of_statements(formal, requirement, assessor, settings, deferred):
    settings.ASSESSMENT_SUMMARY_DEFERRED = deferred
    answer = answer_set(assessment=formal, requirement=requirement, level=1, notes="", expected_version=0, by=assessor)
    for level in (2, 3):
        with CaptureQueriesContext(connection) as captured:
            answer = answer_set(
                assessment=formal,
                requirement=requirement,
                level=level,
                notes="",
                expected_version=answer.version,
                by=assessor,
            )
        statements = _statements(captured)
        assert len(statements) <= MAX_STATEMENTS[deferred][0], "\n".join(statements)
    assert answer.version == 3
