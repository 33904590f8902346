"""Assessments holding something of everything the exchange format carries, for the exchange tests."""

import json
from datetime import UTC, date, datetime
from io import StringIO

from django.core.management import call_command

from assessments.models import (
    Applicability,
    Assessment,
    Assignment,
    CategoryAnswer,
    CategoryReview,
    Comment,
    Evidence,
    ExtensionAnswer,
    Flag,
    RequirementAnswer,
    SignOff,
    UseCase,
)
from catalog.models import Category, Requirement
from improvement.models import TargetLevel
from tests.factories import assessment_create, model_1_1
from tests.factories_extensions import pqc_extension

FORMER_COLLEAGUE = "former.colleague@elsewhere.test"  # a person who is not a member of any organization here


def at(day: int, hour: int = 9, microsecond: int = 0) -> datetime:
    return datetime(2026, 3, day, hour, 15, 30, microsecond, tzinfo=UTC)


def _rows(assessment):
    return {"organization": assessment.organization, "assessment": assessment}


def _scope(assessment, key, level, reason="", by=None, when=None):
    row = Applicability.objects.create(**_rows(assessment), key=key, level=level, reason=reason, updated_by=by)
    if when:
        Applicability.objects.filter(pk=row.pk).update(updated_at=when)


def _set_created(model, row, when):
    model.objects.filter(pk=row.pk).update(created_at=when)


def _shared_parts(assessment, *, lead, assessor):
    """Use cases, comments, evidence, flags and a review: the same in both kinds of assessment."""
    mv = assessment.model_version
    g1 = Category.objects.get(model_version=mv, key="G.1")
    g2 = Category.objects.get(model_version=mv, key="G.2")
    g11 = Requirement.objects.get(model_version=mv, key="G.1.1")
    UseCase.objects.create(
        **_rows(assessment),
        name="Public TLS",
        description="Server certificates for the web shop",
        components="Issuing CA, ACME server",
        out_of_scope="Internal device certificates: assessed separately",
        position=0,
    )
    UseCase.objects.create(**_rows(assessment), name="Code signing", description="Release builds", position=1)
    comments = [
        # Rows on a requirement also name its category, as the questionnaire stores them.
        Comment.objects.create(
            **_rows(assessment), requirement=g11, category=g1, author=lead, body="Strategy paper v2 seen."
        ),
        Comment.objects.create(**_rows(assessment), category=g1, author_label=FORMER_COLLEAGUE, body="Ask the CISO."),
        Comment.objects.create(**_rows(assessment), author=assessor, body="Kick-off done. “Quotes” and ü survive."),
    ]
    for day, comment in enumerate(comments, start=2):
        _set_created(Comment, comment, at(day, microsecond=123456))
    link = Evidence.objects.create(
        **_rows(assessment),
        requirement=g11,
        category=g1,
        kind=Evidence.Kind.LINK,
        url="https://intranet.example.test/pki/strategy",
        title="PKI strategy",
        uploaded_by=lead,
    )
    file = Evidence.objects.create(
        **_rows(assessment),
        category=g2,
        kind=Evidence.Kind.FILE,
        title="Certificate policy",
        original_name="CP v3.pdf",
        content_type="application/pdf",
        size=123456,
        sha256="ab" * 32,
        uploaded_by_label=FORMER_COLLEAGUE,
    )
    _set_created(Evidence, link, at(4))
    _set_created(Evidence, file, at(5))
    flag = Flag.objects.create(
        **_rows(assessment), category=g2, note="Which CP version applies?", raised_by=assessor, resolved_by=lead
    )
    Flag.objects.filter(pk=flag.pk).update(created_at=at(6), resolved_at=at(7))
    CategoryReview.objects.create(
        **_rows(assessment),
        category=g1,
        status=CategoryReview.Status.ACCEPTED,
        comment="Fine",
        reviewed_by=lead,
        reviewed_at=at(8),
    )
    assignment = Assignment.objects.create(
        **_rows(assessment), category=g2, assignee=assessor, assigned_by=lead, due_date=date(2026, 4, 1)
    )
    _set_created(Assignment, assignment, at(3))
    target = TargetLevel.objects.create(**_rows(assessment), category_key="G.2", level=4, updated_by=lead)
    TargetLevel.objects.filter(pk=target.pk).update(updated_at=at(12))
    TargetLevel.objects.create(**_rows(assessment), category_key="G.1", level=5)


def self_assessment(org, *, lead, assessor) -> Assessment:
    """Primer's self-assessment example (G.1 = 3, G.2 = 2) plus scope, notes and workflow rows."""
    assessment = assessment_create(
        org,
        method=Assessment.Method.SELF,
        name="Acme self-assessment 2026",
        assessor_name="PKI team",
        start_date=date(2026, 3, 1),
        environment_design="Two-tier hierarchy, offline root.",
        created_by=lead,
    )
    mv = assessment.model_version
    for key, level, notes in (("G.1", 3, "Roadmap exists, not yet funded."), ("G.2", 2, ""), ("M.6", 4, "")):
        CategoryAnswer.objects.create(
            **_rows(assessment),
            category=Category.objects.get(model_version=mv, key=key),
            level=level,
            notes=notes,
            updated_by=assessor,
            updated_at=at(10, microsecond=5),
        )
    # M.6 answered and then scoped out: the answer stays stored and is not scored.
    _scope(assessment, "M.6", Applicability.Level.NOT_APPLICABLE, "Keys are held by the provider.", lead, at(11))
    _scope(assessment, "O", Applicability.Level.PARTIAL, "Only the CA side is ours.", lead, at(11))
    _scope(assessment, "R.15", Applicability.Level.PARTIAL, "Training is bought in.")
    _shared_parts(assessment, lead=lead, assessor=assessor)
    return assessment


def formal_assessment_with_pqc(org, *, lead, assessor) -> Assessment:
    """Primer's formal example (G.1 = 4, 3, N/A, 2; G.2 all 2) with the PQC extension and the rest."""
    model_1_1()
    pqc = pqc_extension()
    assessment = assessment_create(
        org,
        method=Assessment.Method.FORMAL,
        name="Acme formal assessment 2026",
        status=Assessment.Status.IN_REVIEW,
        assessor_type=Assessment.AssessorType.EXTERNAL,
        assessor_name="Jane Auditor",
        assessor_company="Audit & Co",
        start_date=date(2026, 3, 1),
        target_date=date(2026, 5, 31),
        environment_design="Two-tier hierarchy.\n\nOffline root, two issuing CAs.",
        environment_interactions="RA portal, HSM vendor, CRL distribution.",
        sampling_notes="Sampled 25 of 400 issued certificates.",
        created_by=lead,
    )
    assessment.extensions.add(pqc)
    mv = assessment.model_version
    requirements = {r.key: r for r in Requirement.objects.filter(model_version=mv)}
    levels = {"G.1.1": 4, "G.1.2": 3, "G.1.3": 5, "G.1.4": 2, **{f"G.2.{n}": 2 for n in range(1, 6)}, "R.14.1": 5}
    for key, level in levels.items():
        RequirementAnswer.objects.create(
            **_rows(assessment),
            requirement=requirements[key],
            level=level,
            notes="Interviewed the CA manager." if key == "G.1.1" else "",
            carried_over=key == "R.14.1",
            updated_by=assessor if key != "G.1.2" else None,
            updated_by_label=FORMER_COLLEAGUE if key == "G.1.2" else "",
            updated_at=at(12, hour=int(key[-1]) + 8),
        )
    RequirementAnswer.objects.create(**_rows(assessment), requirement=requirements["O.13.1"], notes="Logs reviewed.")
    _scope(assessment, "G.1.3", Applicability.Level.NOT_APPLICABLE, "No separate PKI budget line.", lead, at(11))
    _scope(assessment, "R", Applicability.Level.NOT_APPLICABLE, "Resources are the parent company's.", lead, at(11))
    _scope(assessment, "O.11", Applicability.Level.PARTIAL, "Manual issuance for the root.", lead, at(11))
    _scope(assessment, "M.7.2", Applicability.Level.APPLICABLE, "Was questioned; confirmed in scope.", assessor)
    for key, level, notes in (("G.1", 2, "No PQC budget yet."), ("G.2", 3, "")):
        ExtensionAnswer.objects.create(
            **_rows(assessment), extension=pqc, category_key=key, level=level, notes=notes, updated_by=assessor
        )
    _shared_parts(assessment, lead=lead, assessor=assessor)
    Assignment.objects.create(**_rows(assessment), requirement=requirements["G.1.1"], assignee=lead)
    SignOff.objects.create(
        **_rows(assessment),
        signed_by=lead,
        signed_by_label="lead@acme.test",
        signed_at=at(20),
        statement="I confirm the results.",
        snapshot={"overall": {"value": 2.74, "level": 2}},
        reopened_at=at(21),
        reopened_by=lead,
        reopen_reason="Typo in G.2 notes.",
    )
    return assessment


def run(command, *args) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def export_text(assessment_id, tmp_path) -> str:
    path = tmp_path / f"export-{assessment_id}.json"
    run("export_assessment", str(assessment_id), "-o", str(path))
    return path.read_text(encoding="utf-8")


def scores(assessment_id) -> dict:
    """The scores of ``score_assessment --json`` as value and level (level names and exact fractions have their
    own tests in tests/improvement/test_reassessment_2_0.py); the name must match the model version's."""
    data = json.loads(run("score_assessment", str(assessment_id), "--json"))
    names = Assessment.objects.get(pk=assessment_id).model_version.level_name_map

    def plain(score):
        assert score.pop("level_name") == (names[score["level"]] if score["level"] else None)
        exact = score.pop("exact")
        assert (exact is None) == (score["value"] is None)
        return score

    data["overall"] = plain(data["overall"])
    for part in ("modules", "categories"):
        data[part] = {key: plain(score) for key, score in data[part].items()}
    return data


def as_imported(text: str) -> str:
    """The export of what an import makes of ``text``: a file's sign-off and review decisions are claims, not
    witnessed here (the assessment arrives in progress, its categories wait for review, the claim is kept)."""
    data = json.loads(text)
    if data["status"] == "signed_off":
        data["status"], data["signed_off"] = "in_progress", None
    for review in data["reviews"].values():
        if review["status"] != "pending":
            claim = f"Imported, not witnessed here: {review['status'].replace('_', ' ')}"
            claim += f" by {review['reviewed_by']}" if review["reviewed_by"] else ""
            claim += f" on {review['reviewed_at'][:10]}" if review["reviewed_at"] else ""
            comment = f"{claim}." + (f" {review['comment']}" if review["comment"] else "")
            review.update(status="pending", comment=comment, reviewed_by=None, reviewed_at=None)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
