"""Cost of the live co-editing feed (polling of a category page's "changes since" endpoint).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pkimm_bench REDIS_URL=redis://127.0.0.1:6379/0 \\
        /path/to/python bench/live_poll.py [iterations]

Creates ``test_<dbname>`` (dropped at the end), a formal assessment of the starter model with every
requirement answered, and times through Django's test client (server side, one process):
  (d) the baseline: a minimal signed-in page (as in bench/questionnaire.py),
  (p1) a poll when nothing changed since the cursor (the usual case: no answer query),
  (p2) a poll after a colleague saved (the category's changed answers are read and returned),
  (p3) a poll whose cursor is unknown to the cache (first poll after a cache restart: answers read).
Presence goes to Redis when REDIS_URL is set (as in production), else to this process.
It prints requests per user per minute and, from the median CPU time, the share of one CPU core that
50 people with the page open would use.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkimm.test_settings")

import django  # noqa: E402

django.setup()

import questionnaire as questionnaire_bench  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import clear_url_caches, reverse  # noqa: E402

from assessments import live  # noqa: E402

USERS = 50


def build_data():
    from bench.data import answered_formal_assessment, organization_with_lead, starter_model

    model_version = starter_model()
    org, lead = organization_with_lead(name="Bench PKI", slug="bench")
    assessment = answered_formal_assessment(organization=org, lead=lead, model_version=model_version, threads=False)
    category = model_version.categories.order_by("position").first()
    return org, lead, assessment, category


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    setup_test_environment()
    settings.ROOT_URLCONF = questionnaire_bench.__name__
    clear_url_caches()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        org, lead, assessment, category = build_data()
        client = Client()
        client.force_login(lead)
        live_url = reverse("assessments:questionnaire_live", args=[org.slug, assessment.pk, category.key])
        baseline_url = reverse("bench_baseline", args=[org.slug])
        changed_key = live._last_change_key(assessment.pk)

        def get(url, *, expect_changes=None, before=None):
            def run():
                if before:
                    before()
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                if expect_changes is not None:
                    assert bool(response.json()["changes"]) == expect_changes, response.content[:200]

            return run

        now = time.time()
        rows = [
            ("(d) baseline: minimal signed-in page", questionnaire_bench.timed(get(baseline_url), iterations)),
            (
                "(p1) poll, nothing changed",
                questionnaire_bench.timed(
                    get(
                        f"{live_url}?since={now + 3600}",
                        expect_changes=False,
                        before=lambda: cache.set(changed_key, now, 600),
                    ),
                    iterations,
                ),
            ),
            (
                "(p2) poll after a colleague's save",
                questionnaire_bench.timed(
                    get(
                        f"{live_url}?since={now - 1}",
                        expect_changes=True,
                        before=lambda: cache.set(changed_key, time.time(), 600),
                    ),
                    iterations,
                ),
            ),
            (
                "(p3) poll, last change unknown to the cache",
                questionnaire_bench.timed(
                    get(f"{live_url}?since={now - 1}", expect_changes=True, before=lambda: cache.delete(changed_key)),
                    iterations,
                ),
            ),
        ]
        per_minute = 60 / live.POLL_SECONDS
        print(
            f"\nPKIMM live feed bench: {connection.vendor}, presence in "
            f"{'Redis' if settings.REDIS_URL else 'this process'}, category {category.key} "
            f"({category.requirements.count()} requirements answered), {iterations} iterations each\n"
            f"load average (1/5/15 min): {questionnaire_bench.load_average()}\n"
            f"poll every {live.POLL_SECONDS} s while the page is visible: {per_minute:.0f} requests per user "
            "per minute (none while the tab is hidden)\n"
        )
        print(f"{'what':<46} {'median ms':>10} {'p90 ms':>9} {'CPU ms':>8} {'SQL':>4} {'50 users: % of a core':>22}")
        print("-" * 104)
        for label, (wall, cpu, statements) in rows:
            median_cpu = statistics.median(cpu)
            share = USERS * per_minute / 60 * median_cpu / 1000 * 100
            print(
                f"{label:<46} {statistics.median(wall):>10.2f} {statistics.quantiles(wall, n=10)[-1]:>9.2f} "
                f"{median_cpu:>8.2f} {statements:>4} {share:>21.1f}%"
            )
        print("SQL: statements of one request (session, user, membership, assessment, and answers when changed).")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
