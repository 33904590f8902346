"""The sign-off checklist: open flags, requirements without evidence, categories changed since review,
unanswered items. Signing off with open items requires naming each in the statement; they are stored
with the sign-off and printed in the report."""

import pytest

from assessments.models import Assessment, Evidence, SignOff
from assessments.services.answers import answer_set
from assessments.services.common import AssessmentError
from assessments.services.flags import flag_raise
from assessments.services.workflow import assessment_request_review, assessment_sign_off, sign_off_check
from reports.rendering import report_data_build, report_html_render
from tests.assessments.workflow.helpers import accept_all, answer_all
from tests.factories import assessment_create, model_1_1


@pytest.fixture
def in_review(org, lead, assessor):
    assessment = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    answer_all(assessment, skip={"G.1.3"})
    Evidence.objects.filter(assessment=assessment, requirement__key="G.1.1").delete()
    flag_raise(
        assessment=assessment,
        requirement=assessment.model_version.requirements.get(key="G.1.2"),
        note="Scope of the HSM audit?",
        by=assessor,
    )
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    # The lead changes an accepted answer: G.2 becomes "changed since review".
    requirement = assessment.model_version.requirements.get(key="G.2.1")
    answer_set(
        assessment=assessment, requirement=requirement, level=5, notes="Late change", expected_version=0, by=lead
    )
    return assessment


def test_the_checklist_lists_every_kind_of_open_item(in_review):
    check = sign_off_check(assessment=in_review)
    assert check.ok, "open items do not block by themselves"
    assert [item.split()[0] for item in check.open_flags] == ["G.1.2"]
    assert check.open_flags[0].endswith(": Scope of the HSM audit?")
    assert [item.split()[0] for item in check.no_evidence] == ["G.1.1", "G.1.3"]  # G.1.3: unanswered too
    assert [item.split()[0] for item in check.changed_since_review] == ["G.2"]
    assert [item.split()[0] for item in check.open_items] == ["G.1.3"]
    assert check.suggested_statement().splitlines() == [
        "Signed off with these open items:",
        "Open “needs discussion” flags: G.1.2.",
        "Requirements without evidence: G.1.1, G.1.3.",
        "Categories changed since review: G.2.",
        "Applicable items not answered: G.1.3.",
    ]


def test_signing_off_without_naming_them_is_refused(in_review, lead):
    with pytest.raises(AssessmentError) as refused:
        assessment_sign_off(assessment=in_review, statement="Confirmed. G.1.1 has no evidence yet.", by=lead)
    assert "Not named: G.1.2, G.1.3, G.2" in str(refused.value)  # G.1.1 was named; "G.2" not by "G.2.1"
    assert not SignOff.objects.exists()


def test_naming_them_signs_off_and_the_report_prints_them(in_review, lead):
    statement = "Confirmed with open items: G.1.1, G.1.2 (flag), G.1.3 and G.2 (late change by the lead)."
    signoff = assessment_sign_off(assessment=in_review, statement=statement, by=lead)
    assert [(item["kind"], item["key"]) for item in signoff.open_items] == [
        ("open_flag", "G.1.2"),
        ("no_evidence", "G.1.1"),
        ("no_evidence", "G.1.3"),
        ("changed_since_review", "G.2"),
        ("unanswered", "G.1.3"),
    ]
    html = report_html_render(report_data_build(assessment=in_review, report_type="assessment"), "assessment")
    assert "Open items at sign-off</strong> (5)" in html
    assert "G.1.2 " in html and "Scope of the HSM audit?" in html


def test_a_clean_assessment_has_an_empty_checklist(org, lead):
    assessment = assessment_create(org, model_version=model_1_1(), status=Assessment.Status.IN_PROGRESS)
    answer_all(assessment)
    assessment_request_review(assessment=assessment, by=lead)
    accept_all(assessment, lead)
    check = sign_off_check(assessment=assessment)
    assert check.checklist_items == [] and check.suggested_statement() == ""
    assert assessment_sign_off(assessment=assessment, statement="Confirmed.", by=lead).open_items == []


def test_the_sign_off_page_shows_the_checklist_and_prefills_the_statement(in_review, lead, client_for):
    html = client_for(lead).get(f"/o/{in_review.organization.slug}/assessments/{in_review.pk}/sign-off/").content
    html = html.decode()
    assert 'data-kind="open_flag"' in html and "Requirements without evidence: 2" in html
    assert "Signed off with these open items:" in html
