"""export_assessment -> import_assessment -> score_assessment gives the same scores and the same export."""

import json
from fractions import Fraction

import pytest
from django.urls import reverse

from assessments.models import Assessment, Assignment, Comment, Evidence, RequirementAnswer
from audit.models import AuditEntry
from organizations.models import Membership
from organizations.roles import Role
from tests.assessments.exchange_helpers import (
    FORMER_COLLEAGUE,
    as_imported,
    export_text,
    formal_assessment_with_pqc,
    run,
    scores,
    self_assessment,
)


def _round_trip(assessment, organization, tmp_path):
    first = export_text(assessment.pk, tmp_path)
    new_id = int(run("import_assessment", str(tmp_path / f"export-{assessment.pk}.json"), "--org", organization.slug))
    assert new_id != assessment.pk
    return first, export_text(new_id, tmp_path), Assessment.objects.get(pk=new_id)


def test_self_assessment_round_trip(org, lead, assessor, tmp_path):
    original = self_assessment(org, lead=lead, assessor=assessor)
    first, second, imported = _round_trip(original, org, tmp_path)

    assert second == as_imported(first)
    assert scores(imported.pk) == scores(original.pk)
    result = scores(imported.pk)
    # Primer: G.1 = 3, G.2 = 2 gives module G = (3·5 + 2·4) / 9; M.6 is out of scope.
    assert result["overall"] == {"value": float(Fraction(23, 9)), "level": 2}
    assert result["categories"]["M.6"] == {"value": None, "level": None}
    data = json.loads(first)
    assert data["method"] == "self"
    assert data["category_answers"]["M.6"] == {
        "level": 4,
        "updated_by": "assessor@acme.test",
        "updated_at": "2026-03-10T09:15:30.000005+00:00",
        "applicability": "not_applicable",
        "reason": "Keys are held by the provider.",
        "applicability_updated_by": "lead@acme.test",
        "applicability_updated_at": "2026-03-11T09:15:30+00:00",
    }
    assert data["modules"]["O"]["applicability"] == "partial"
    assert imported.status == Assessment.Status.DRAFT
    assert imported.summary_overall_level == 2


def test_formal_assessment_with_extension_round_trip(org, lead, assessor, tmp_path):
    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    first, second, imported = _round_trip(original, org, tmp_path)

    assert second == as_imported(first)
    original_scores = scores(original.pk)
    assert scores(imported.pk) == original_scores
    # Primer's worked example: module G = overall = 74/27; module R is out of scope (its answer is not scored).
    assert original_scores["overall"] == {"value": float(Fraction(74, 27)), "level": 2}
    assert original_scores["modules"]["R"] == {"value": None, "level": None}
    assert original_scores["extensions"]["pqc"]["score"] is not None

    data = json.loads(first)
    assert data["extensions"]["pqc"]["G.1"]["level"] == 2
    assert data["extension_versions"] == {"pqc": "0.1.0"}
    assert data["answers"]["G.1.3"]["applicability"] == "not_applicable"
    assert data["answers"]["G.1.3"]["level"] == 5  # kept, though not scored
    assert data["answers"]["R.14.1"]["carried_over"] is True
    assert data["answers"]["O.13.1"] == {"notes": "Logs reviewed."}
    assert data["answers"]["M.7.2"]["applicability"] == "applicable"
    assert data["status"] == "in_review"
    assert [c["target"] for c in data["comments"]] == ["G.1.1", "G.1", None]
    assert data["comments"][1]["author"] == FORMER_COLLEAGUE
    assert data["comments"][0]["created_at"] == "2026-03-02T09:15:30.123456+00:00"
    assert data["evidence"][1]["original_name"] == "CP v3.pdf"
    assert data["sign_offs"][0]["reopen_reason"] == "Typo in G.2 notes."
    assert list(data["target_levels"]) == ["G.1", "G.2"]  # model order
    assert data["target_levels"]["G.2"] == {
        "level": 4,
        "updated_by": "lead@acme.test",
        "updated_at": "2026-03-12T09:15:30+00:00",
    }
    assert data["target_levels"]["G.1"]["updated_by"] is None

    assert imported.status == Assessment.Status.IN_REVIEW
    assert imported.extensions.get().ext_id == "pqc"
    assert imported.created_by is None  # the command line imports as the operator
    entry = AuditEntry.objects.get(action="assessment.imported", object_id=str(imported.pk))
    assert entry.after["requirement_answers"] == 11


def test_moving_to_another_organization_keeps_people_as_labels(org, other_org, lead, assessor, outsider, tmp_path):
    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    # The lead also works for Globex; the assessor does not.
    Membership.objects.create(organization=other_org, user=lead, role=Role.LEAD)
    first, second, imported = _round_trip(original, other_org, tmp_path)

    assert imported.organization == other_org
    assert scores(imported.pk) == scores(original.pk)
    comments = list(Comment.objects.filter(assessment=imported).order_by("created_at").select_related("category"))
    assert (comments[0].author, comments[0].author_label) == (None, "lead@acme.test")  # a label, not the account
    assert (comments[0].requirement.key, comments[0].category.key) == ("G.1.1", "G.1")
    assert (comments[1].requirement, comments[1].category.key) == (None, "G.1")
    assert (comments[2].author, comments[2].author_label) == (None, "assessor@acme.test")
    answer = RequirementAnswer.objects.get(assessment=imported, requirement__key="G.1.1")
    assert (answer.updated_by, answer.updated_by_label) == (None, "assessor@acme.test")
    assert Evidence.objects.filter(assessment=imported, uploaded_by_label=FORMER_COLLEAGUE).count() == 1
    # An assignment needs a member: the assessor's is left out, the lead's is kept.
    assert list(Assignment.objects.filter(assessment=imported).values_list("assignee", flat=True)) == [lead.pk]

    expected, got = json.loads(first), json.loads(second)
    assert [a["assignee"] for a in expected.pop("assignments")] == ["assessor@acme.test", "lead@acme.test"]
    assert [a["assignee"] for a in got.pop("assignments")] == ["lead@acme.test"]
    assert got == json.loads(as_imported(json.dumps(expected)))


def test_import_notices_are_printed_on_stderr(org, other_org, lead, assessor, tmp_path, capsys):
    from io import StringIO

    from django.core.management import call_command

    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    path = tmp_path / "formal.json"
    run("export_assessment", str(original.pk), "-o", str(path))
    out, err = StringIO(), StringIO()
    call_command("import_assessment", str(path), "--org", other_org.slug, stdout=out, stderr=err)
    assert out.getvalue().strip().isdigit()
    assert "The assignment of G.2 to assessor@acme.test was left out" in err.getvalue()


@pytest.mark.parametrize("build", [self_assessment, formal_assessment_with_pqc])
def test_export_query_count_does_not_grow(org, lead, assessor, build, django_assert_max_num_queries):
    from assessments.exchange import assessment_export_data
    from tests.scoring.results_helpers import answer_every_requirement

    small = build(org, lead=lead, assessor=assessor)
    with django_assert_max_num_queries(17) as small_queries:
        assessment_export_data(assessment=Assessment.objects.select_related("model_version").get(pk=small.pk))
    large = build(org, lead=lead, assessor=assessor)
    RequirementAnswer.objects.filter(assessment=large).delete()
    answer_every_requirement(large)
    for n in range(30):
        Comment.objects.create(organization=org, assessment=large, author=lead, body=f"comment {n}")
    with django_assert_max_num_queries(len(small_queries.captured_queries)):
        data = assessment_export_data(assessment=Assessment.objects.select_related("model_version").get(pk=large.pk))
    assert len(data["comments"]) == 33


def test_signed_off_assessment_round_trip_into_another_instance(org, other_org, lead, assessor, tmp_path):
    from assessments.models import SignOff
    from tests.assessments.exchange_helpers import at

    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    SignOff.objects.create(
        organization=org,
        assessment=original,
        signed_by=lead,
        signed_by_label="lead@acme.test",
        signed_at=at(25),
        statement="Signed again after the fix.",
    )
    Assessment.objects.filter(pk=original.pk).update(
        status=Assessment.Status.SIGNED_OFF, signed_off_at=at(25), signed_off_by=lead
    )
    Assignment.objects.filter(assessment=original).delete()  # assignments need members of the receiving side
    first, second, imported = _round_trip(original, other_org, tmp_path)

    assert second == as_imported(first)
    assert json.loads(first)["signed_off"] == {"at": "2026-03-25T09:15:30+00:00", "by": "lead@acme.test"}
    assert not imported.is_signed_off and imported.status == Assessment.Status.IN_PROGRESS
    assert imported.signed_off_by is None and imported.signed_off_at is None
    signoffs = list(imported.signoffs.order_by("signed_at"))
    assert [(s.signed_by, s.signed_by_label, s.imported) for s in signoffs] == [(None, "lead@acme.test", True)] * 2


def test_assignments_go_only_to_members_who_can_answer(org, other_org, lead, assessor, tmp_path):
    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    Membership.objects.create(organization=other_org, user=lead, role=Role.VIEWER)
    Membership.objects.create(organization=other_org, user=assessor, role=Role.ASSESSOR)
    path = tmp_path / "formal.json"
    run("export_assessment", str(original.pk), "-o", str(path))
    from assessments.services.exchange import assessment_import_data
    from assessments.services.exchange_files import exchange_document_parse

    result = assessment_import_data(organization=other_org, data=exchange_document_parse(content=path.read_bytes()))
    kept = Assignment.objects.filter(assessment=result.assessment).select_related("category", "requirement")
    assert [(a.assignee, a.category.key, a.requirement) for a in kept] == [(assessor, "G.2", None)]
    assert result.notices == [
        "The assignment of G.1.1 to lead@acme.test was left out: not a member here who can answer."
    ]


def test_imported_evidence_without_its_file_is_not_found_not_a_crash(org, lead, assessor, client_for, tmp_path):
    """The format carries no file contents: the evidence row comes over, its download answers 404."""
    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    _first, _second, imported = _round_trip(original, org, tmp_path)
    evidence = Evidence.objects.filter(assessment=imported, kind=Evidence.Kind.FILE).first()
    assert evidence is not None and not evidence.file
    url = reverse("assessments:evidence_download", args=[org.slug, imported.pk, evidence.pk])
    assert client_for(lead).get(url).status_code == 404
    # The same kind of row on a requirement: the category page names it without a download link.
    requirement = imported.model_version.requirements.get(key="G.2.1")
    shown = Evidence.objects.create(
        organization=org,
        assessment=imported,
        requirement=requirement,
        category=requirement.category,
        kind=Evidence.Kind.FILE,
        title="Certificate policy v4",
        original_name="CP v4.pdf",
        size=10,
    )
    page = reverse("assessments:questionnaire_category", args=[org.slug, imported.pk, shown.requirement.category.key])
    html = client_for(lead).get(page).content.decode()
    download = reverse("assessments:evidence_download", args=[org.slug, imported.pk, shown.pk])
    assert "file not stored here" in html and download not in html
