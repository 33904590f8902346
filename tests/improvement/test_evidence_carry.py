"""Evidence carried forward into a re-assessment (improvement.services.reassessment.evidence_carry_forward):
links to the earlier files, never a copy of their bytes; permission-checked and audited."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.urls import reverse

from assessments.models import Evidence
from audit.models import AuditEntry
from catalog.models import Category, Requirement
from improvement.services.common import ImprovementError
from improvement.services.reassessment import evidence_carry_forward, reassessment_start
from tests.factories import assessment_create
from tests.improvement.conftest import sign_off

pytestmark = pytest.mark.django_db


@pytest.fixture
def previous(org, mv10, mv11):
    """A signed-off 1.0.0 assessment with a file on M.5.1 (Key management; M.6 in 1.1.0) and a link on G.1."""
    assessment = assessment_create(org, model_version=mv10, name="PKI 2025")
    key_management = Requirement.objects.get(model_version=mv10, key="M.5.1")
    file_evidence = Evidence(
        organization=org,
        assessment=assessment,
        requirement=key_management,
        category=key_management.category,
        kind=Evidence.Kind.FILE,
        original_name="key-ceremony.pdf",
        size=9,
    )
    file_evidence.file.save("x", ContentFile(b"%PDF-1.7\n"), save=True)
    Evidence.objects.create(
        organization=org,
        assessment=assessment,
        category=Category.objects.get(model_version=mv10, key="G.1"),
        kind=Evidence.Kind.LINK,
        url="https://intranet.example/pki-strategy",
        title="PKI strategy",
    )
    return sign_off(assessment)


def _media_files(settings):
    return sorted(p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file())


def test_evidence_becomes_links_in_the_mapped_items_without_copying_files(previous, mv11, lead, settings):
    followup, _ = reassessment_start(previous=previous, model_version=mv11, name="PKI 2026", by=lead)
    files_before = _media_files(settings)
    result = evidence_carry_forward(assessment=followup, by=lead)
    assert sorted(result["linked"]) == ["G.1", "M.6.1"] and result["unmapped"] == []
    assert _media_files(settings) == files_before  # no bytes copied
    links = {
        e.target_key: e for e in Evidence.objects.filter(assessment=followup).select_related("requirement", "category")
    }
    earlier_file = Evidence.objects.get(assessment=previous, kind=Evidence.Kind.FILE)
    assert links["M.6.1"].kind == Evidence.Kind.LINK and links["M.6.1"].url == reverse(
        "assessments:evidence_download",
        kwargs={"org_slug": "acme", "assessment_id": previous.pk, "evidence_id": earlier_file.pk},
    )
    assert links["M.6.1"].title == "key-ceremony.pdf (from PKI 2025)"
    assert links["G.1"].url == "https://intranet.example/pki-strategy"
    entry = AuditEntry.objects.get(action="evidence.carried_forward")
    assert entry.actor == lead and sorted(entry.after["linked"]) == ["G.1", "M.6.1"]
    # Again: nothing new, nothing logged.
    assert evidence_carry_forward(assessment=followup, by=lead)["linked"] == []
    assert Evidence.objects.filter(assessment=followup).count() == 2
    assert AuditEntry.objects.filter(action="evidence.carried_forward").count() == 1


def test_the_link_is_permission_checked_when_opened(previous, mv11, lead, assessor, viewer, outsider, client_for):
    followup, _ = reassessment_start(previous=previous, model_version=mv11, name="PKI 2026", by=lead)
    evidence_carry_forward(assessment=followup, by=lead)
    url = Evidence.objects.get(assessment=followup, requirement__key="M.6.1").url
    assert client_for(assessor).get(url).status_code == 200
    assert client_for(viewer).get(url).status_code == 403  # viewers do not see evidence files
    assert client_for(outsider).get(url).status_code == 404


def test_refused_for_viewers_and_for_assessments_without_a_predecessor(previous, mv11, lead, viewer, org):
    followup, _ = reassessment_start(previous=previous, model_version=mv11, name="PKI 2026", by=lead)
    with pytest.raises(PermissionDenied):
        evidence_carry_forward(assessment=followup, by=viewer)
    with pytest.raises(ImprovementError, match="not started from a previous one"):
        evidence_carry_forward(assessment=assessment_create(org, name="Fresh"), by=lead)
    assert not Evidence.objects.filter(assessment=followup).exists()


def test_the_report_page_offers_it(previous, mv11, lead, client_for):
    followup, _ = reassessment_start(previous=previous, model_version=mv11, name="PKI 2026", by=lead)
    client = client_for(lead)
    page = client.get(reverse("plans:reassessment_report", args=["acme", followup.pk])).content.decode()
    assert "has <strong>2</strong> pieces of evidence" in page
    response = client.post(reverse("plans:evidence_carry", args=["acme", followup.pk]), follow=True)
    assert "2 pieces of evidence linked from the previous assessment." in response.content.decode()
