"""The deferred summary refresh (assessments/services/summary.py): saves only count themselves; after the commit a
refresh (one per burst) brings the stored summary up to the count, never back to an older one; a queue that is
away means a refresh in-process, a lost refresh is caught up by the sweeper, and a page of one assessment shows
the current summary meanwhile."""

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerUnreachable

from assessments import tasks
from assessments.models import Assessment
from assessments.selectors_scores import assessment_summary_values
from assessments.services import summary
from assessments.services.answers import answer_set
from tests.factories import assessment_create, model_1_1


@pytest.fixture
def deferred(settings):
    settings.ASSESSMENT_SUMMARY_DEFERRED = True


@pytest.fixture
def formal(org):
    return assessment_create(org, model_version=model_1_1(), method="formal", status=Assessment.Status.IN_PROGRESS)


def _save(assessment, key, level, by):
    requirement = assessment.model_version.requirements.get(key=key)
    return answer_set(
        assessment=assessment, requirement=requirement, level=level, notes="", basis=None, expected_version=0, by=by
    )


def _stored(assessment):
    return Assessment.objects.get(pk=assessment.pk)


def test_a_save_counts_itself_and_the_refresh_after_the_commit_catches_up(
    deferred, formal, assessor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _save(formal, "G.1.1", 3, assessor)
    behind = _stored(formal)
    assert (behind.write_version, behind.summary_version, behind.summary_assessed) == (1, 0, 0)
    assert not behind.summary_is_current
    for callback in callbacks:  # the commit: the refresh is scheduled (tasks run in-process in tests)
        callback()
    caught_up = _stored(formal)
    assert caught_up.summary_is_current and caught_up.summary_version == 1
    assert caught_up.summary_assessed == 1 and caught_up.summary_overall_level is not None


def test_a_burst_of_saves_schedules_one_refresh(deferred, formal, assessor, monkeypatch):
    published = []
    monkeypatch.setattr(tasks.assessment_summary_refresh_task, "apply_async", lambda *a, **kw: published.append(a))
    for key in ("G.1.1", "G.1.2", "G.1.3"):
        summary.assessment_summary_schedule(assessment_id=formal.pk)
        _save(formal, key, 2, assessor)
    assert len(published) == 1, "the pending refresh covers the later saves"
    assert summary.assessment_summary_catch_up(assessment_id=formal.pk)
    summary.assessment_summary_schedule(assessment_id=formal.pk)  # the refresh ran: the next save schedules again
    assert len(published) == 2
    assert _stored(formal).summary_assessed == 3


def test_an_older_computation_never_replaces_a_newer_summary(deferred, formal, assessor):
    _save(formal, "G.1.1", 4, assessor)
    assert summary.assessment_summary_catch_up(assessment_id=formal.pk)
    assert not summary.assessment_summary_catch_up(assessment_id=formal.pk), "current: nothing to do"
    newer = _stored(formal)
    # A refresh that read version 1 finishes after one that stored version 2 (scope change, exact under lock).
    Assessment.objects.filter(pk=formal.pk).update(write_version=2, summary_version=2, summary_assessed=42)
    assert (
        Assessment.objects.filter(pk=formal.pk, summary_version__lt=newer.summary_version).update(summary_assessed=1)
        == 0
    )
    assert not summary.assessment_summary_catch_up(assessment_id=formal.pk)
    assert _stored(formal).summary_assessed == 42


def test_with_the_queue_away_the_refresh_runs_in_process(deferred, formal, assessor, monkeypatch, caplog):
    def unreachable(*args, **kwargs):
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.assessment_summary_refresh_task, "apply_async", unreachable)
    _save(formal, "G.1.1", 2, assessor)
    summary.assessment_summary_schedule(assessment_id=formal.pk)  # as after the commit: no exception
    assert _stored(formal).summary_is_current and _stored(formal).summary_assessed == 1
    assert "not queued" in caplog.text


def test_the_sweeper_catches_up_each_assessment_on_its_own(deferred, org, assessor, monkeypatch):
    first, second = (
        assessment_create(org, model_version=model_1_1(), method="formal", status=Assessment.Status.IN_PROGRESS)
        for _ in range(2)
    )
    _save(first, "G.1.1", 2, assessor)
    _save(second, "G.1.1", 3, assessor)
    real = summary.assessment_summary_values

    def broken_for_first(*, assessment):
        if assessment.pk == first.pk:
            raise ValueError("bad data of one tenant")
        return real(assessment=assessment)

    monkeypatch.setattr(summary, "assessment_summary_values", broken_for_first)
    assert summary.assessment_summaries_catch_up() == 1
    assert _stored(second).summary_is_current and not _stored(first).summary_is_current
    monkeypatch.setattr(summary, "assessment_summary_values", real)
    assert tasks.assessment_summaries_sweep_task() == 1
    assert _stored(first).summary_is_current and _stored(first).summary_assessed == 1


def test_the_sweeper_is_on_the_beat_schedule(settings):
    [entry] = [
        e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"].endswith("assessment_summaries_sweep_task")
    ]
    assert entry["schedule"] == settings.ASSESSMENT_SUMMARY_SWEEP_SECONDS


def test_the_assessment_page_shows_the_current_summary_before_the_refresh(deferred, formal, assessor, client_for):
    for key in ("G.1.1", "G.1.2"):
        _save(formal, key, 3, assessor)
    assert _stored(formal).summary_assessed == 0  # the refresh has not run (no commit inside the test)
    url = reverse("assessments:detail", kwargs={"org_slug": formal.organization.slug, "assessment_id": formal.pk})
    page = client_for(assessor).get(url).content.decode()
    expected = assessment_summary_values(assessment=_stored(formal))
    assert expected["summary_assessed"] == 2
    assert f"2 of {expected['summary_applicable']} applicable items assessed" in page


def test_the_api_reads_the_summary_its_save_made(deferred, formal, assessor):
    from tests.api.helpers import api_client, token_for

    _save(formal, "G.1.1", 4, assessor)
    assert _stored(formal).summary_assessed == 0  # the refresh has not run
    client = api_client(token_for(assessor, formal.organization))
    url = reverse("api:assessment", kwargs={"org_slug": formal.organization.slug, "assessment_id": formal.pk})
    body = client.get(url).json()
    assert body["assessed"] == 1 and body["overall_level"] is not None, body
