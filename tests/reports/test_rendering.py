"""data -> HTML -> PDF, without Celery: plain dicts for the templates, the database for the data."""

import io
import re
from datetime import timedelta

import pypdf
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from assessments.models import Assessment, RequirementAnswer
from reports import rendering
from reports.models import Report
from tests.factories import assessment_create
from tests.reports.builders import answered_assessment, sign_off


def pdf_pages_text(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in pypdf.PdfReader(io.BytesIO(pdf)).pages]


@pytest.mark.parametrize("report_type", Report.Type.values)
def test_every_type_renders_from_plain_data_with_a_draft_mark(report_data, report_type):
    html = rendering.report_html_render(report_data, report_type)
    assert "Plain Data Org" in html and "Plain assessment" in html
    assert 'class="draft-mark"' in html and "DRAFT – not signed off" in html
    assert '<span class="model-version">1.1.0</span>' in html
    assert "Formal assessment" in html and "trust level Medium" in html


def test_signed_off_data_names_signer_and_has_no_draft_mark(report_data):
    report_data["signoff"] = {"by": "Lee Lead", "at": "2026-02-01T09:30:00+00:00", "statement": "We confirm it."}
    for report_type in Report.Type.values:
        html = rendering.report_html_render(report_data, report_type)
        assert "draft-mark" not in html
        assert "Lee Lead" in html and "We confirm it." in html
        assert "2026-02-01" in html
    assert "2026-02-01 09:30 UTC" in rendering.report_html_render(report_data, "detailed")


def test_detailed_html_has_contents_requirements_evidence_scope_and_improvements(report_data):
    html = rendering.report_html_render(report_data, "detailed")
    assert 'class="toc"' in html and 'href="#cat-g1"' in html
    assert "G.1.1 A sponsor exists" in html and "Sponsor named in the charter." in html
    assert "Outsourced roadmap." in html  # applicability reason of a requirement
    assert "ab" * 32 in html  # evidence hash
    assert "Discussed." in html  # comment
    assert "Sampled ten certificates." in html and "Two-tier CA." in html
    assert "Prioritized improvements" in html and "+0.30" in html
    assert "Comparison with the previous assessment" not in html and "Action plans" not in html


def test_detailed_html_shows_the_comparison_and_action_plan_hooks_when_filled(report_data):
    report_data["comparison"] = {
        "previous": {"name": "PKI assessment 2025", "date": "2025-01-31", "model_version": "1.0.0"},
        "overall": {"key": "", "name": "Overall", "previous": "1.50", "current": "2.50", "delta": "+1.00"},
        "modules": [{"key": "G", "name": "Governance", "previous": "1.75", "current": "2.25", "delta": "+0.50"}],
        "categories": [
            {"key": "G.1", "name": "Strategy and vision", "previous": "1.50", "current": "2.50", "delta": "+1.00"}
        ],
    }
    report_data["action_plans"] = [
        {
            "key": "G.1.1",
            "name": "A sponsor exists",
            "target": "4 Managed",
            "objectives": "Name a sponsor",
            "owner": "Ann",
            "due": "2026-06-30",
            "status": "In progress",
            "title": "Appoint an executive sponsor",
            "overdue": True,
        }
    ]
    html = rendering.report_html_render(report_data, "detailed")
    assert "Comparison with the previous assessment" in html and "PKI assessment 2025" in html
    assert "Action plans" in html and "Name a sponsor" in html and "Appoint an executive sponsor" in html
    assert "overdue" in html and "+1.00" in html
    assert re.search(r'<tr class="module-row"><td>G</td><td>Governance</td>.*?\+0\.50', html)


def test_detailed_data_compares_with_the_previous_signed_off_assessment(org, lead):
    previous = answered_assessment(org, user=lead, name="PKI assessment 2025")
    RequirementAnswer.objects.filter(assessment=previous).update(level=1)
    Assessment.objects.filter(pk=previous.pk).update(
        status=Assessment.Status.SIGNED_OFF, signed_off_at=timezone.now() - timedelta(days=365)
    )
    current = answered_assessment(org, user=lead, name="PKI assessment 2026")
    data = rendering.report_data_build(assessment=current, report_type="detailed")
    comparison = data["comparison"]
    assert comparison["previous"]["name"] == "PKI assessment 2025" and comparison["overall"]["previous"] == "1.00"
    assert comparison["overall"]["delta"] == f"+{float(data['overall']['display']) - 1:.2f}"
    first = comparison["categories"][0]
    assert first["previous"] == "1.00" and first["current"] == data["categories"][0]["score"]["display"]
    assert len(comparison["categories"]) == len(data["categories"])
    html = rendering.report_html_render(data, "detailed")
    assert "Comparison with the previous assessment" in html
    assert rendering.report_data_build(assessment=current, report_type="assessment")["comparison"] is None


def test_unknown_type_is_refused(report_data):
    with pytest.raises(rendering.ReportError):
        rendering.report_html_render(report_data, "novel")


def test_pdf_fetches_nothing_from_the_network():
    fetcher = rendering._static_only_fetcher()
    with pytest.raises(ValueError, match="no external resources"):
        fetcher.fetch("http://127.0.0.1:9/logo.png")
    with pytest.raises(ValueError, match="static directory only"):
        fetcher.fetch("file:///etc/passwd")
    pdf = rendering.report_pdf_render('<p>Hello</p><img src="https://127.0.0.1:9/x.png">')
    assert pdf.startswith(b"%PDF-")


def test_data_build_uses_a_constant_number_of_queries(org, lead):
    small = assessment_create(org, name="Small")
    RequirementAnswer.objects.create(
        organization=org, assessment=small, requirement=small.model_version.requirements.first(), level=3
    )
    large = answered_assessment(org, user=lead, name="Large")
    counts = []
    for assessment in (small, large):
        with CaptureQueriesContext(connection) as queries:
            rendering.report_data_build(assessment=assessment, report_type="detailed")
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 20


def test_input_hash_ignores_the_issue_time_but_follows_the_answers(org, lead):
    assessment = answered_assessment(org, user=lead)
    first = rendering.report_data_build(assessment=assessment, report_type="detailed")
    second = rendering.report_data_build(assessment=assessment, report_type="detailed")
    assert first["issued_at"] != second["issued_at"] or first == second
    assert rendering.report_input_hash(first) == rendering.report_input_hash(second)
    RequirementAnswer.objects.filter(assessment=assessment).update(level=5)
    third = rendering.report_data_build(assessment=assessment, report_type="detailed")
    assert rendering.report_input_hash(third) != rendering.report_input_hash(first)


def test_detailed_pdf_of_a_full_assessment(org, lead):
    assessment = answered_assessment(org, user=lead)
    pdf, data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="detailed")
    pages = pdf_pages_text(pdf)
    text = "\n".join(pages)
    assert org.name in text
    assert data["overall"]["level"]["label"] in text
    for category in assessment.model_version.categories.all():
        assert category.name in text
    assert all("DRAFT" in page for page in pages), "every draft page carries the DRAFT mark"
    assert all(f"Page {n} of {len(pages)}" in page for n, page in enumerate(pages, start=1))
    assert "Contents" in pages[1]


def test_attestation_of_a_signed_off_assessment_has_no_draft_mark(org, lead):
    assessment = answered_assessment(org, user=lead)
    sign_off(assessment, user=lead, label="Lee Lead <lead@acme.test>")
    pdf, _data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="attestation")
    pages = pdf_pages_text(pdf)
    assert len(pages) <= 2
    assert not any("DRAFT" in page for page in pages)
    assert "Lee Lead" in "".join(pages) and org.name in pages[0]


def test_attestation_lists_every_exclusion_with_its_reason_and_the_assurance_label(org, lead):
    from assessments.models import Applicability
    from catalog.models import Category

    assessment = answered_assessment(org, user=lead)
    category = Category.objects.filter(model_version=assessment.model_version).order_by("id")[3]
    Applicability.objects.create(
        organization=org,
        assessment=assessment,
        key=category.key,
        level=Applicability.Level.NOT_APPLICABLE,
        reason="No hardware security modules are operated here.",
    )
    pdf, data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="attestation")
    text = " ".join(" ".join(pdf_pages_text(pdf)).split())
    assert (
        f"Category {category.key} {category.name} Not applicable No hardware security modules are operated here."
        in text
    )
    # The builder's requirement exclusion and partial category are listed too, each with its reason.
    for row in data["applicability"]:
        assert row["reason"] and row["reason"] in text
    assert {row["kind"] for row in data["applicability"]} == {"Category", "Requirement"}
    assert "This attests that" in text
    assert (
        "Formal assessment by Dana Auditor, Example Assurance Ltd (external assessor) — not independently verified"
        in text
    )


def test_a_self_assessment_is_declared_never_attested(org, lead):
    assessment = answered_assessment(org, user=lead, method=Assessment.Method.SELF)
    pdf, data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="attestation")
    text = " ".join(" ".join(pdf_pages_text(pdf)).split())
    assert data["assurance"] == {
        "tier": "self",
        "label": "Self-assessment — not independently verified",
        "verified": False,
        "attests": False,
    }
    assert "This attests" not in text and "Attestation report" not in text
    assert "Self-assessment declaration" in text and "Self-assessment — not independently verified" in text


def test_self_assessment_report(org, lead):
    assessment = answered_assessment(org, user=lead, method=Assessment.Method.SELF)
    pdf, data, _timings = rendering.report_render_bytes(assessment=assessment, report_type="self")
    text = "\n".join(pdf_pages_text(pdf))
    assert "Self-assessment report" in text
    assert data["overall"]["level"]["label"] in text
    assert assessment.model_version.categories.first().name in text
