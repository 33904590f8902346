"""Download an export; upload a file to create an assessment."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from assessments.models import Assessment, CategoryAnswer
from audit.models import AuditEntry
from exchange.export import assessment_export_data
from tests.exchange.exchange_helpers import as_imported, self_assessment
from tests.exchange.test_pkic_tool import PROGRESS_YAML
from tests.factories import assessment_create, model_1_1


def _export_url(org, pk):
    return reverse("exchange:export", kwargs={"org_slug": org.slug, "assessment_id": pk})


def _import_url(org):
    return reverse("exchange:import", kwargs={"org_slug": org.slug})


def test_export_downloads_the_exchange_file(org, lead, assessor, client_for):
    assessment = self_assessment(org, lead=lead, assessor=assessor)
    response = client_for(lead).get(_export_url(org, assessment.pk))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    today = timezone.localdate().isoformat()
    # <organization>-<assessment>-<type>-<date>.json
    assert response["Content-Disposition"] == (
        f'attachment; filename="acme-trust-services-acme-self-assessment-2026-pkimm-assessment-{today}.json"'
    )
    assert json.loads(response.content) == assessment_export_data(assessment=assessment)
    assert response["Cache-Control"] == "private, no-store"
    assert AuditEntry.objects.get(action="assessment.exported").actor == lead


def test_export_of_another_organizations_assessment_is_not_found(org, other_org, lead, client_for):
    foreign = assessment_create(other_org)
    assert client_for(lead).get(_export_url(org, foreign.pk)).status_code == 404


def test_viewer_cannot_export_and_outsider_does_not_see_it(org, lead, assessor, viewer, outsider, client_for):
    assessment = self_assessment(org, lead=lead, assessor=assessor)
    assert client_for(viewer).get(_export_url(org, assessment.pk)).status_code == 403
    assert client_for(outsider).get(_export_url(org, assessment.pk)).status_code == 404
    assert client_for(assessor).get(_import_url(org)).status_code == 403
    assert client_for(outsider).get(_import_url(org)).status_code == 404


def test_import_form(org, lead, client_for):
    model_1_1()
    response = client_for(lead).get(_import_url(org))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b"1.1.0" in response.content


def test_uploading_an_export_creates_the_assessment(org, lead, assessor, client_for):
    original = self_assessment(org, lead=lead, assessor=assessor)
    text = json.dumps(assessment_export_data(assessment=original))
    upload = SimpleUploadedFile("backup.json", text.encode(), content_type="application/json")
    response = client_for(lead).post(_import_url(org), {"file": upload})

    imported = Assessment.objects.exclude(pk=original.pk).get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/assessments/{imported.pk}/"
    assert imported.created_by == lead
    expected = json.loads(as_imported(json.dumps(assessment_export_data(assessment=original))))
    assert assessment_export_data(assessment=imported) == expected
    assert AuditEntry.objects.get(action="assessment.imported").actor == lead


def test_uploading_a_tool_progress_file(org, lead, client_for):
    model_1_1()
    upload = SimpleUploadedFile("progress.yaml", PROGRESS_YAML.encode(), content_type="application/x-yaml")
    response = client_for(lead).post(_import_url(org), {"file": upload})
    assert response.status_code == 302
    assert CategoryAnswer.objects.filter(assessment__organization=org).count() == 2


def test_refused_upload_lists_every_problem_and_creates_nothing(org, lead, client_for):
    model_1_1()
    bad = {
        "format": "pkimm-assessment",
        "format_version": 1,
        "model_version": "1.1.0",
        "name": "x",
        "method": "formal",
        "colour": "blue",
        "answers": {"G.1.1": {"level": 7}, "G.1.9": {"level": 2}},
    }
    upload = SimpleUploadedFile("bad.json", json.dumps(bad).encode(), content_type="application/json")
    response = client_for(lead).post(_import_url(org), {"file": upload})
    assert response.status_code == 200
    assert response.context["problems"] == [
        "$.colour: unknown key",
        '$.answers["G.1.1"].level: 7 is outside 1-5',
        '$.answers["G.1.9"]: no such requirement in model 1.1.0',
    ]
    assert "no such requirement in model 1.1.0" in response.content.decode()
    assert not Assessment.objects.exists()


def test_a_file_or_a_link_is_needed(org, lead, client_for):
    response = client_for(lead).post(_import_url(org), {})
    assert response.status_code == 200
    assert "Choose a file or paste a share link" in response.content.decode()
    assert not Assessment.objects.exists()


def test_pasting_a_share_link(org, lead, client_for):
    import base64

    model_1_1()
    progress = base64.b64encode(json.dumps({"G.1": {"level": 2}}).encode()).decode()
    name = base64.b64encode(b"Linked").decode()
    link = f"https://pkic.org/pkimm/assessment/#progress={progress}&assessmentName={name}"
    response = client_for(lead).post(_import_url(org), {"share_link": link})
    assert response.status_code == 302
    assert Assessment.objects.get().name == "Linked"


def test_export_and_import_queries_do_not_grow_with_data(
    org, lead, assessor, client_for, django_assert_max_num_queries
):
    from assessments.models import Comment, RequirementAnswer
    from tests.scoring.results_helpers import answer_every_requirement, answer_requirements

    client = client_for(lead)
    small = self_assessment(org, lead=lead, assessor=assessor)
    answer_requirements(small, {"G.1.1": 3})  # every kind of row present once: only the amounts differ
    with django_assert_max_num_queries(40) as small_export:
        small_text = client.get(_export_url(org, small.pk)).content
    with django_assert_max_num_queries(80) as small_import:
        client.post(_import_url(org), {"file": SimpleUploadedFile("small.json", small_text)})

    large = self_assessment(org, lead=lead, assessor=assessor)
    answer_every_requirement(large)
    Comment.objects.bulk_create(
        Comment(organization=org, assessment=large, author=lead, body=f"Comment {n}") for n in range(50)
    )
    with django_assert_max_num_queries(len(small_export.captured_queries)):
        large_text = client.get(_export_url(org, large.pk)).content
    with django_assert_max_num_queries(len(small_import.captured_queries)):
        response = client.post(_import_url(org), {"file": SimpleUploadedFile("large.json", large_text)})
    assert response.status_code == 302
    imported = Assessment.objects.order_by("-pk").first()
    assert RequirementAnswer.objects.filter(assessment=imported).count() == 78
