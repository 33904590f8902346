"""What the raw-SQL selectors and lookups gain over the ORM queries they replace (figures for their docstrings).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pkimm_bench /path/to/python bench/raw_sql.py [iterations]

Creates ``test_<dbname>`` (dropped at the end), builds the questionnaire bench's assessment (bench/data.py),
then times, in turns, each selector and the same rows read with one ORM query per table (written here, for
comparison only): median CPU and wall milliseconds per call, and the ratio ORM / raw SQL.
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

from django.db import connection  # noqa: E402
from django.db.models import Count, Q  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

ANSWER_FIELDS = (
    "requirement_id",
    "level",
    "notes",
    "version",
    "carried_over",
    "updated_at",
    "updated_by__email",
    "updated_by__username",
)


def orm_category_page_rows(*, assessment, category, requirements):
    from assessments.models import (
        Applicability,
        Assessment,
        Assignment,
        CategoryReview,
        Comment,
        Evidence,
        Flag,
        RequirementAnswer,
    )

    org, ids = assessment.organization_id, [r.pk for r in requirements]
    mine = {"assessment": assessment}
    return {
        "scope": list(Applicability.objects.for_org(org).filter(**mine).values_list("key", "level")),
        "answer": list(
            RequirementAnswer.objects.for_org(org).filter(**mine, requirement_id__in=ids).values(*ANSWER_FIELDS)
        ),
        "comment": list(
            Comment.objects.for_org(org)
            .filter(**mine, requirement_id__in=ids)
            .values("requirement_id", "body", "created_at", "author__email", "author__username")
        ),
        "evidence": list(
            Evidence.objects.for_org(org)
            .filter(**mine, requirement_id__in=ids)
            .values("id", "requirement_id", "kind", "url", "title", "original_name", "size", "file")
        ),
        "flag": list(
            Flag.objects.for_org(org)
            .filter(**mine, requirement_id__in=ids, resolved_at__isnull=True)
            .values("id", "requirement_id", "raised_by__email")
        ),
        "assignment": list(
            Assignment.objects.for_org(org)
            .filter(Q(requirement_id__in=ids) | Q(category_id=category.pk), **mine)
            .values("requirement_id", "due_date", "assignee__email", "assignee__username")
        ),
        "review": list(
            CategoryReview.objects.for_org(org).filter(**mine, category_id=category.pk).values("status", "comment")
        ),
        "extension": list(
            Assessment.extensions.through.objects.filter(
                assessment__organization_id=org, assessment=assessment
            ).values_list("extension_id", flat=True)
        ),
    }


def orm_overview_rows(*, assessment):
    from assessments.models import Applicability, Assignment, CategoryReview, Flag, RequirementAnswer

    org, mine = assessment.organization_id, {"assessment": assessment}
    return {
        "scope": list(Applicability.objects.for_org(org).filter(**mine).values_list("key", "level")),
        "answered": list(
            RequirementAnswer.objects.for_org(org).filter(**mine, level__isnull=False).values_list("requirement_id")
        ),
        "assignment": list(
            Assignment.objects.for_org(org)
            .filter(**mine)
            .values("requirement_id", "category_id", "assignee_id", "due_date", "assignee__email")
            .order_by("due_date")
        ),
        "review": list(CategoryReview.objects.for_org(org).filter(**mine).values_list("category_id", "status")),
        "flag": list(
            Flag.objects.for_org(org)
            .filter(**mine, resolved_at__isnull=True)
            .values("requirement_id", "category_id", "created_at", "note", "raised_by__email")
        ),
    }


def orm_baseline_score(*, assessment):
    from assessments.models import Applicability, RequirementAnswer
    from catalog.readmodel import scoring_model_for
    from scoring.engine import METHOD_FORMAL, AnswerSet, score_assessment

    model = scoring_model_for(model_version=assessment.model_version)
    org, mine = assessment.organization_id, {"assessment": assessment}
    not_applicable = set(
        Applicability.objects.for_org(org)
        .filter(**mine, level=Applicability.Level.NOT_APPLICABLE)
        .values_list("key", flat=True)
    )
    levels = {
        model.requirement_keys[requirement_id]: level
        for requirement_id, level in RequirementAnswer.objects.for_org(org)
        .filter(**mine, level__isnull=False)
        .values_list("requirement_id", "level")
    }
    answers = AnswerSet(method=METHOD_FORMAL, requirement_levels=levels, not_applicable=not_applicable)
    return score_assessment(model.spec, answers)


def timed(fn, iterations):
    for _ in range(10):
        fn()
    wall, cpu = [], []
    for _ in range(iterations):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from assessments.models import Assessment
        from assessments.selectors import _category_page_rows, _overview_rows, assessment_of_org
        from assessments.selectors_scores import assessment_baseline_score
        from bench.data import answered_formal_assessment, organization_with_lead, starter_model
        from catalog.readmodel import model_catalogue
        from organizations.models import Membership
        from organizations.tenancy import membership_of_url, tenant_get_or_404

        model_version = starter_model()
        org, lead = organization_with_lead(name="Bench PKI", slug="bench")
        assessment = answered_formal_assessment(organization=org, lead=lead, model_version=model_version)
        catalogue = model_catalogue(model_version=assessment.model_version)
        largest = model_version.categories.annotate(n=Count("requirements")).order_by("-n", "position").first()
        category = catalogue.category_by_key[largest.key]
        page = {"assessment": assessment, "category": category, "requirements": catalogue.requirements_of[category.pk]}
        pairs = [
            (
                "_category_page_rows (category page)",
                lambda: _category_page_rows(**page),
                lambda: orm_category_page_rows(**page),
            ),
            (
                "_overview_rows (questionnaire overview)",
                lambda: _overview_rows(assessment=assessment),
                lambda: orm_overview_rows(assessment=assessment),
            ),
            (
                "assessment_baseline_score (every save)",
                lambda: assessment_baseline_score(assessment=assessment),
                lambda: orm_baseline_score(assessment=assessment),
            ),
            (
                "membership_of_url (every organization page)",
                lambda: membership_of_url(org_slug=org.slug, user=lead),
                lambda: Membership.objects.select_related("organization").filter(organization=org, user=lead).first(),
            ),
            (
                "assessment_of_org (every assessment page)",
                lambda: assessment_of_org(organization=org, assessment_id=assessment.pk),
                lambda: tenant_get_or_404(Assessment.objects.select_related("model_version"), org, pk=assessment.pk),
            ),
        ]
        print(f"\nRaw SQL vs ORM: {connection.vendor}, model 1.1.0, category {largest.key}, {iterations} calls each")
        print(f"load average (1/5/15 min) {' '.join(f'{v:.1f}' for v in os.getloadavg())}\n")
        header = ("raw CPU ms", "ORM CPU ms", "CPU x", "raw ms", "ORM ms", "wall x")
        print(f"{'selector':<46} " + " ".join(f"{name:>10}" for name in header))
        for label, raw, orm in pairs:
            raw_wall, raw_cpu = timed(raw, iterations)
            orm_wall, orm_cpu = timed(orm, iterations)
            figures = (raw_cpu, orm_cpu, orm_cpu / raw_cpu, raw_wall, orm_wall, orm_wall / raw_wall)
            print(f"{label:<46} " + " ".join(f"{value:>10.2f}" for value in figures))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
