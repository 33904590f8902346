"""A file's sign-offs, statuses and people are claims: an import never creates a signed-off assessment."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from assessments.exchange import assessment_export_data
from assessments.models import Assessment, CategoryReview, SignOff
from assessments.services.workflow import sign_off_check
from reports.services import report_request
from tests.assessments.exchange_helpers import formal_assessment_with_pqc

FORGED_LABEL = "Chief Executive Officer (approved)"


def _forged_file(original, owner) -> bytes:
    data = assessment_export_data(assessment=original)
    data.update(
        status="signed_off",
        method="third_party",
        assessor={"type": "external", "name": "Big Four", "company": "Audit AG"},
        signed_off={"at": "2020-01-15T10:00:00+00:00", "by": owner.email},
    )
    for answer in data["answers"].values():
        if "level" in answer:
            answer["level"] = 5
    for review in data["reviews"].values():
        review.update(status="accepted", reviewed_by=owner.email, reviewed_at="2020-01-14T10:00:00+00:00")
    data["sign_offs"] = [
        {
            "signed_by": owner.email,
            "signed_by_label": FORGED_LABEL,
            "signed_at": "2020-01-15T10:00:00+00:00",
            "statement": "Approved by the board.",
        }
    ]
    return json.dumps(data).encode()


def test_a_forged_sign_off_arrives_as_unwitnessed_history(org, owner, lead, assessor, client_for):
    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    upload = SimpleUploadedFile("forged.json", _forged_file(original, owner), content_type="application/json")
    response = client_for(lead).post(reverse("exchange:import", kwargs={"org_slug": org.slug}), {"file": upload})
    assert response.status_code == 302

    imported = Assessment.objects.exclude(pk=original.pk).get()
    assert imported.status == Assessment.Status.IN_PROGRESS
    assert not imported.is_signed_off
    assert (imported.signed_off_at, imported.signed_off_by) == (None, None)
    signoff = SignOff.objects.get(assessment=imported)
    assert (signoff.imported, signoff.signed_by, signoff.signed_by_label) == (True, None, FORGED_LABEL)
    # The owner never signed and no one reviewed here: every category waits for a review of this installation.
    reviews = CategoryReview.objects.filter(assessment=imported)
    assert reviews and {r.status for r in reviews} == {CategoryReview.Status.PENDING}
    assert {r.reviewed_by_id for r in reviews} == {None}
    assert all(r.comment.startswith(f"Imported, not witnessed here: accepted by {owner.email}") for r in reviews)
    assert not sign_off_check(assessment=imported).ok

    # No report made from it is final (nor signed by the installation as a sign-off).
    report = report_request(assessment=imported, report_type="attestation", by=lead)
    report.refresh_from_db()
    assert (report.is_final, report.signoff) == (False, None)

    page = client_for(lead).get(reverse("assessments:detail", args=[org.slug, imported.pk]))
    assert b"Imported from elsewhere, not witnessed here" in page.content
    assert b'badge text-bg-success ms-1">Current' not in page.content


def test_people_in_a_file_are_labels_not_accounts(org, owner, lead, assessor):
    from assessments.models import Comment
    from assessments.services.exchange import assessment_import_data

    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    data = assessment_export_data(assessment=original)
    for comment in data["comments"]:
        comment["author"] = owner.email  # the owner never wrote them
    result = assessment_import_data(organization=org, data=data, by=lead)
    comments = Comment.objects.filter(assessment=result.assessment)
    assert {(c.author_id, c.author_label) for c in comments} == {(None, owner.email)}


def _assert_arrived_unwitnessed(imported):
    assert imported.status == Assessment.Status.IN_PROGRESS
    assert (imported.signed_off_at, imported.signed_off_by) == (None, None)
    signoff = SignOff.objects.get(assessment=imported)
    assert (signoff.imported, signoff.signed_by, signoff.signed_by_label) == (True, None, FORGED_LABEL)
    # #13's signer name and title are what a sign-off made here records: a file's claim never fills them.
    assert (signoff.signed_by_name, signoff.signed_by_title, signoff.countersigners) == ("", "", [])
    report = report_request(assessment=imported, report_type="attestation", by=imported.created_by)
    report.refresh_from_db()
    assert (report.is_final, report.signoff) == (False, None)


def test_the_api_import_keeps_a_forged_sign_off_as_unwitnessed_history(org, owner, lead, assessor):
    from tests.api.helpers import api_client, token_for

    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    client = api_client(token_for(lead, org))
    url = reverse("api:exchange_import", kwargs={"org_slug": org.slug})
    response = client.post(url, json.loads(_forged_file(original, owner)), format="json")
    assert response.status_code == 201, response.content
    assert any("signed off" in notice for notice in response.json()["notices"])
    _assert_arrived_unwitnessed(Assessment.objects.get(pk=response.json()["id"]))


def test_the_import_command_keeps_a_forged_sign_off_as_unwitnessed_history(org, owner, lead, assessor, tmp_path):
    from django.core.management import call_command

    original = formal_assessment_with_pqc(org, lead=lead, assessor=assessor)
    path = tmp_path / "forged.json"
    path.write_bytes(_forged_file(original, owner))
    call_command("import_assessment", str(path), "--org", org.slug, "--as", lead.email)
    _assert_arrived_unwitnessed(Assessment.objects.exclude(pk=original.pk).get())
