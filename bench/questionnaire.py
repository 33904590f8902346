"""Server-side timings of the questionnaire against a throwaway database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pkimm_bench /path/to/python bench/questionnaire.py [iterations]

Creates ``test_<dbname>`` (dropped at the end), builds a fully answered formal assessment of model
1.1.0 as the starter model has it (official structure and weights; one comment and one link per
requirement), then times through Django's test client, in the same run:
  (a) the largest category page, (b) the questionnaire overview, (c) saving one answer (htmx),
  (d) the baseline: a minimal signed-in Django page, defined here (``baseline_view``): the same
      org_view sign-in and membership check as every organization page, then base.html (navigation,
      organization bar) around one heading,
and prints medians and their ratios to (d). Goal: (a)-(c) within 3x the baseline. For scale it also
times (e) the assessment list of the organization (one assessment), a real page, not used in the ratios.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pkimm.test_settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.template import engines  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402
from django.urls import clear_url_caches, include, path, reverse  # noqa: E402

from organizations.roles import Perm  # noqa: E402
from organizations.tenancy import org_view  # noqa: E402

BASELINE_TEMPLATE = engines["django"].from_string(
    '{% extends "base.html" %}{% block content %}<h1 class="h3">{{ request.organization.name }}</h1>'
    "<p>Signed in as {{ user.email }}.</p>{% endblock %}"
)


@org_view(Perm.ASSESSMENT_VIEW)
def baseline_view(request):
    """(d): a minimal signed-in page of an organization."""
    return HttpResponse(BASELINE_TEMPLATE.render({"page_title": "Baseline"}, request))


# This module is the URL configuration of the run: the application's URLs plus the baseline page.
urlpatterns = [
    path("o/<slug:org_slug>/bench-baseline/", baseline_view, name="bench_baseline"),
    path("", include("pkimm.urls")),
]


def build_data():
    from assessments.models import Assessment, RequirementAnswer
    from assessments.services.answers import answer_set
    from assessments.services.comments import comment_add
    from assessments.services.evidence import evidence_add_link
    from organizations.models import Membership, Organization
    from organizations.roles import Role
    from tests.conftest import make_user
    from tests.factories import assessment_create, model_1_1

    org = Organization.objects.create(name="Bench PKI", slug="bench")
    lead = make_user("lead@bench.test")
    Membership.objects.create(organization=org, user=lead, role=Role.LEAD)
    assessment = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    for i, requirement in enumerate(assessment.model_version.requirements.select_related("category")):
        answer_set(
            assessment=assessment,
            requirement=requirement,
            level=i % 5 + 1,
            notes=f"Observed during the workshop, item {i}.",
            expected_version=0,
            by=lead,
        )
        comment_add(assessment=assessment, requirement=requirement, body="Evidence reviewed.", by=lead)
        evidence_add_link(
            assessment=assessment, requirement=requirement, url=f"https://wiki.bench.test/pki/{i}", by=lead
        )
    largest = assessment.model_version.categories.annotate(n=Count("requirements")).order_by("-n", "position").first()
    answered = RequirementAnswer.objects.filter(assessment=assessment).count()
    return org, lead, assessment, largest, answered


def timed(fn, iterations, warmup=10):
    """Wall-clock and CPU milliseconds of this process per call (CPU excludes waiting for the database),
    and the SQL statements of one call."""
    for _ in range(warmup):
        fn()
    statements = []
    with connection.execute_wrapper(lambda execute, sql, *args: statements.append(sql) or execute(sql, *args)):
        fn()
    wall, cpu = [], []
    for _ in range(iterations):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return wall, cpu, len(statements)


def load_average() -> str:
    return " ".join(f"{value:.1f}" for value in os.getloadavg())


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    load_at_start = load_average()
    setup_test_environment()
    settings.ROOT_URLCONF = __name__
    clear_url_caches()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        org, lead, assessment, largest, answered = build_data()
        client = Client()
        client.force_login(lead)
        slug = org.slug
        urls = {
            "category": reverse("assessments:questionnaire_category", args=[slug, assessment.pk, largest.key]),
            "overview": reverse("assessments:questionnaire", args=[slug, assessment.pk]),
            "baseline": reverse("bench_baseline", args=[slug]),
            "list": reverse("assessments:list", args=[slug]),
        }
        requirement = largest.requirements.order_by("position").first()
        save_url = reverse("assessments:answer_save", args=[slug, assessment.pk, requirement.key])
        from assessments.models import RequirementAnswer

        state = {"version": RequirementAnswer.objects.get(assessment=assessment, requirement=requirement).version}

        def get(url):
            def run():
                response = client.get(url)
                assert response.status_code == 200, (url, response.status_code)
                response.content  # noqa: B018 - render fully

            return run

        def save():
            level = state["version"] % 5 + 1
            response = client.post(
                save_url,
                {"level": str(level), "notes": "Bench", "version": str(state["version"])},
                HTTP_HX_REQUEST="true",
            )
            assert response.status_code == 200 and "Saved" in response.content.decode(), response.content[:300]
            state["version"] += 1

        rows = [
            ("(d) baseline: minimal signed-in page (base.html)", timed(get(urls["baseline"]), iterations)),
            (f"(a) category page {largest.key} ({largest.requirements.count()} requirements)", None),
            ("(b) questionnaire overview", timed(get(urls["overview"]), iterations)),
            ("(c) save one answer (htmx)", timed(save, iterations)),
        ]
        rows[1] = (rows[1][0], timed(get(urls["category"]), iterations))
        reference = ("(e) for scale: assessment list (1 assessment)", timed(get(urls["list"]), iterations))
        baseline = statistics.median(rows[0][1][0])
        baseline_cpu = statistics.median(rows[0][1][1])
        print(
            f"\nPKIMM questionnaire bench: {connection.vendor}, model 1.1.0 formal, {answered} answered requirements, "
            f"{iterations} iterations each (Django test client, server side)\n"
            f"load average (1/5/15 min) at the start {load_at_start}, at the end {load_average()}\n"
        )
        print(f"{'what':<52} {'median ms':>10} {'p90 ms':>9} {'x baseline':>11} {'CPU ms':>8} {'CPU x':>7} {'SQL':>4}")
        print("-" * 106)
        for label, (wall, cpu, statements) in [*rows, reference]:
            median, median_cpu = statistics.median(wall), statistics.median(cpu)
            p90 = statistics.quantiles(wall, n=10)[-1]
            print(
                f"{label:<52} {median:>10.2f} {p90:>9.2f} {median / baseline:>11.2f} "
                f"{median_cpu:>8.2f} {median_cpu / baseline_cpu:>7.2f} {statements:>4}"
            )
        worst = max(statistics.median(row[1][0]) / baseline for row in rows[1:])
        print(f"\nGoal: (a)-(c) within 3x the baseline -> {'met' if worst <= 3 else 'NOT met'} (worst {worst:.2f}x)")
        print("SQL: statements of one request (transaction BEGIN/COMMIT not counted).")
        if connection.vendor != "postgresql":
            print("Note: not PostgreSQL; set DATABASE_URL=postgres://... for the reference figures.")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
