"""Questionnaire URLs: members read, assessors and above write, evidence downloads need evidence.view."""

from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.models import Assessment
from assessments.services.evidence import evidence_add_file
from tests.factories import assessment_create
from tests.permissions.spec import MEMBERS, WORKERS, Case, by_role, org_kwargs


def prepare(world):
    assessment = assessment_create(world.org, name="Matrix questionnaire", status=Assessment.Status.IN_PROGRESS)
    requirement = assessment.model_version.requirements.get(key="G.1.1")
    evidence = evidence_add_file(
        assessment=assessment,
        requirement=requirement,
        upload=SimpleUploadedFile("policy.pdf", b"%PDF-1.4\n%%EOF\n"),
        by=world.users["lead"],
    )
    world.objects["q_assessment"] = assessment
    world.objects["q_evidence"] = evidence


def _a(world, **extra):
    return org_kwargs(world, assessment_id=world.objects["q_assessment"].pk, **extra)


def _evidence(world):
    return _a(world, evidence_id=world.objects["q_evidence"].pk)


CASES = [
    Case("assessments:questionnaire", _a, by_role(allowed=MEMBERS)),
    Case("assessments:questionnaire_category", lambda w: _a(w, category_key="G.1"), by_role(allowed=MEMBERS)),
    # Live feed of a category page (presence, changed answers) and @mention candidates for comments.
    Case("assessments:questionnaire_live", lambda w: _a(w, category_key="G.1"), by_role(allowed=MEMBERS)),
    # The page's leave beacon (pagehide): removes the caller's own presence only.
    Case(
        "assessments:questionnaire_leave",
        lambda w: _a(w, category_key="G.1"),
        by_role(204, allowed=MEMBERS),
        method="post",
        data=lambda w: {},
    ),
    Case("assessments:mention_candidates", lambda w: _a(w), by_role(allowed=WORKERS)),
    # Invalid level: refused by the service, nothing saved, back to the page.
    Case(
        "assessments:answer_save",
        lambda w: _a(w, slot="G.1.1"),
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {"level": "9", "version": "0"},
    ),
    # Without htmx the fragment URL sends the browser back to the category page.
    Case("assessments:answer_fragment", lambda w: _a(w, slot="G.1.1"), by_role(302, allowed=MEMBERS)),
    # Nothing carried over in G.1: refused with a message, nothing changed.
    Case(
        "assessments:carried_over_confirm",
        lambda w: _a(w, category_key="G.1"),
        by_role(302, allowed=WORKERS),
        method="post",
    ),
    Case("assessments:answer_history", lambda w: _a(w, slot="G.1.1"), by_role(allowed=MEMBERS)),
    Case(
        "assessments:comment_add",
        lambda w: _a(w, key="G.1.1"),
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {"body": ""},
    ),
    Case(
        "assessments:flag_toggle",
        lambda w: _a(w, key="G.1.1"),
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {"note": "x" * 600},
    ),
    Case(
        "assessments:evidence_upload",
        lambda w: _a(w, key="G.1.1"),
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {},
    ),
    Case(
        "assessments:evidence_link_add",
        lambda w: _a(w, key="G.1.1"),
        by_role(302, allowed=WORKERS),
        method="post",
        data=lambda w: {"url": "not a url"},
    ),
    Case("assessments:evidence_download", _evidence, by_role(allowed=WORKERS)),
    Case("assessments:evidence_delete", _evidence, by_role(302, allowed=WORKERS), method="post"),
]
