"""After sign-off nothing is editable: every write service of the questionnaire refuses."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment, Comment, Evidence, Flag, RequirementAnswer
from assessments.services.answers import answer_set, category_answer_set, extension_answer_set
from assessments.services.comments import comment_add
from assessments.services.common import AssessmentError
from assessments.services.evidence import evidence_add_file, evidence_add_link, evidence_delete
from assessments.services.flags import flag_raise, flag_resolve
from tests.assessments.conftest import pqc_extension


@pytest.fixture
def signed_off(formal, requirement, lead):
    """A formal assessment with one of everything, then signed off."""
    formal.extensions.add(pqc_extension())
    answer_set(assessment=formal, requirement=requirement, level=3, notes="", expected_version=0, by=lead)
    evidence = evidence_add_link(assessment=formal, requirement=requirement, url="https://example.org/x", by=lead)
    flag = flag_raise(assessment=formal, requirement=requirement, by=lead)
    formal.status = Assessment.Status.SIGNED_OFF
    formal.save()
    return {"assessment": formal, "evidence": evidence, "flag": flag}


def _write_calls(world, requirement, lead):
    a = world["assessment"]
    category = requirement.category
    return {
        "answer_set": lambda: answer_set(
            assessment=a, requirement=requirement, level=4, notes="", expected_version=1, by=lead
        ),
        "category_answer_set": lambda: category_answer_set(
            assessment=a, category=category, level=4, notes="", expected_version=0, by=lead
        ),
        "extension_answer_set": lambda: extension_answer_set(
            assessment=a,
            extension=a.extensions.get(),
            category_key="G.1",
            level=4,
            notes="",
            expected_version=0,
            by=lead,
        ),
        "comment_add": lambda: comment_add(assessment=a, requirement=requirement, body="late", by=lead),
        "evidence_add_file": lambda: evidence_add_file(
            assessment=a, requirement=requirement, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF"), by=lead
        ),
        "evidence_add_link": lambda: evidence_add_link(
            assessment=a, requirement=requirement, url="https://example.org/late", by=lead
        ),
        "evidence_delete": lambda: evidence_delete(evidence=world["evidence"], by=lead),
        "flag_raise": lambda: flag_raise(
            assessment=a, requirement=a.model_version.requirements.get(key="G.1.2"), by=lead
        ),
        "flag_resolve": lambda: flag_resolve(flag=world["flag"], by=lead),
    }


SERVICES = [
    "answer_set",
    "category_answer_set",
    "extension_answer_set",
    "comment_add",
    "evidence_add_file",
    "evidence_add_link",
    "evidence_delete",
    "flag_raise",
    "flag_resolve",
]


@pytest.mark.parametrize("service", SERVICES)
def test_every_write_service_refuses_after_sign_off(signed_off, requirement, lead, service):
    before = (
        list(RequirementAnswer.objects.values_list("level", "version")),
        Comment.objects.count(),
        Evidence.objects.count(),
        list(Flag.objects.values_list("pk", "resolved_at")),
    )
    with pytest.raises(AssessmentError, match="signed off"):
        _write_calls(signed_off, requirement, lead)[service]()
    after = (
        list(RequirementAnswer.objects.values_list("level", "version")),
        Comment.objects.count(),
        Evidence.objects.count(),
        list(Flag.objects.values_list("pk", "resolved_at")),
    )
    assert after == before


def test_the_list_covers_every_write_service():
    import assessments.services.answers as answers
    import assessments.services.comments as comments
    import assessments.services.evidence as evidence
    import assessments.services.flags as flags

    public = {
        name
        for module in (answers, comments, evidence, flags)
        for name, value in vars(module).items()
        if callable(value)
        and getattr(value, "__module__", "") == module.__name__
        and not name.startswith("_")
        and name not in ("evidence_detect_type", "comment_mentions")  # reads, not writes
    }
    # evidence_open_for_download is a read (audited), not a write
    assert public - {"DetectedType", "AnswerBasis", "answer_basis", "evidence_open_for_download"} == set(SERVICES)


def test_signed_off_page_is_read_only(client_for, signed_off, lead):
    a = signed_off["assessment"]
    response = client_for(lead).get(f"/o/{a.organization.slug}/assessments/{a.pk}/questionnaire/G.1/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "signed off" in html
    assert "hx-post" not in html
    assert '<fieldset class="mb-2" disabled>' in html
