"""The category page and the overview need a number of queries that does not grow with their content."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.models import Assignment
from assessments.services.answers import answer_set
from assessments.services.comments import comment_add
from assessments.services.evidence import evidence_add_file, evidence_add_link
from assessments.services.flags import flag_raise
from tests.assessments.conftest import pqc_extension


def fill(assessment, category_key, by, *, per_requirement):
    """Answer every requirement of the category and add comments, evidence, flags and assignments."""
    for requirement in assessment.model_version.requirements.filter(category__key=category_key):
        answer_set(assessment=assessment, requirement=requirement, level=3, notes="n", expected_version=0, by=by)
        flag_raise(assessment=assessment, requirement=requirement, by=by)
        Assignment.objects.create(
            organization=assessment.organization, assessment=assessment, requirement=requirement, assignee=by
        )
        for i in range(per_requirement):
            comment_add(assessment=assessment, requirement=requirement, body=f"comment {i}", by=by)
            evidence_add_link(assessment=assessment, requirement=requirement, url=f"https://e.example/{i}", by=by)
            evidence_add_file(
                assessment=assessment,
                requirement=requirement,
                upload=SimpleUploadedFile(f"f{i}.pdf", b"%PDF-1.4\n%%EOF"),
                by=by,
            )


def count_queries(client, url):
    """Queries of a page once the process has its model version's catalogue (its first page loads it)."""
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def page(assessment, key):
    return reverse("assessments:questionnaire_category", args=[assessment.organization.slug, assessment.pk, key])


def test_relevance_questions_add_a_fixed_number_of_queries(client_for, formal, lead):
    """An enabled extension costs one query (its questions) on every category page and one more (their answers)
    on the categories it covers (G.1-G.4), whatever their content; no extension costs none."""
    client = client_for(lead)
    without = count_queries(client, page(formal, "G.2"))
    formal.extensions.add(pqc_extension())
    empty = count_queries(client, page(formal, "G.2"))
    fill(formal, "G.2", lead, per_requirement=3)
    assert count_queries(client, page(formal, "G.2")) == empty == without + 2
    assert count_queries(client, page(formal, "M.7")) == without + 1


def test_category_page_queries_do_not_depend_on_content(client_for, formal, lead, django_assert_max_num_queries):
    client = client_for(lead)
    # G.1 has 4 requirements, M.7 has 7: empty pages first.
    empty_small = count_queries(client, page(formal, "G.1"))
    empty_big = count_queries(client, page(formal, "M.7"))
    fill(formal, "G.1", lead, per_requirement=1)
    fill(formal, "M.7", lead, per_requirement=6)
    full_small = count_queries(client, page(formal, "G.1"))
    full_big = count_queries(client, page(formal, "M.7"))
    assert empty_small == empty_big == full_small == full_big
    with django_assert_max_num_queries(full_small):
        client.get(page(formal, "M.7"))
    html = client.get(page(formal, "M.7")).content.decode()
    assert html.count("comment 5") == 7 and html.count(">f5.pdf</a>") == 7


def test_overview_queries_do_not_depend_on_content(client_for, formal, lead):
    client = client_for(lead)
    overview = reverse("assessments:questionnaire", args=[formal.organization.slug, formal.pk])
    before = count_queries(client, overview)
    fill(formal, "G.1", lead, per_requirement=2)
    fill(formal, "M.7", lead, per_requirement=2)
    assert count_queries(client, overview) == before


def test_self_assessment_page_queries_are_fixed(client_for, self_assessment, lead):
    client = client_for(lead)
    before = count_queries(client, page(self_assessment, "G.1"))
    category = self_assessment.model_version.categories.get(key="G.1")
    for i in range(5):
        comment_add(assessment=self_assessment, category=category, body=f"c{i}", by=lead)
        evidence_add_link(assessment=self_assessment, category=category, url=f"https://e.example/{i}", by=lead)
    assert count_queries(client, page(self_assessment, "G.1")) == before
