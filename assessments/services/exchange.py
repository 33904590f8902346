"""Import of an assessment file: the exchange format, or the PKI Consortium web tool's progress.

Everything is checked first (``exchange_check``), and only a file without problems is written, in one
transaction. docs/exchange-format.md describes the format; ``assessments/exchange.py`` writes it.
"""

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from assessments.exchange import assessment_export_data
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
from assessments.services.exchange_check import ImportPlan, PlannedAnswer, exchange_data_check
from assessments.services.summary import assessment_summary_refresh
from audit.services import audit_log
from catalog.models import Requirement
from catalog.selectors import profile_for_version
from improvement.models import TargetLevel
from organizations.models import Membership
from organizations.roles import Perm, role_has_perm
from organizations.tenancy import ensure_perm


@dataclass
class ImportResult:
    assessment: Assessment
    # What was imported differently from the file (e.g. an assignee who is not a member here).
    notices: list[str] = field(default_factory=list)


class _People:
    """What a file says about people is a label, never an account of this installation: every person field is
    stored as its label. Only an assignee becomes a member's assignment (made here, by the importer)."""

    def __init__(self, organization):
        self.members = {}
        self.roles = {}
        for membership in Membership.objects.filter(organization=organization).select_related("user"):
            user = membership.user
            self.roles[user.pk] = membership.role
            for name in {user.email, user.get_username()}:
                if name:
                    self.members.setdefault(name.lower(), user)

    def user(self, email: str):
        return self.members.get(email.lower()) if email else None

    def can_answer(self, email: str) -> bool:
        """Only members who can answer may hold an assignment (as the workflow requires)."""
        user = self.user(email)
        return user is not None and role_has_perm(self.roles[user.pk], Perm.ASSESSMENT_ANSWER)

    def fields(self, name: str, email: str) -> dict:
        """``{name: None, name_label: label}`` for a person field."""
        return {name: None, f"{name}_label": email or ""}


def _target_fields(target) -> dict:
    """The row fields naming ``target``: comments, evidence and flags on a requirement also name its
    category (as the questionnaire stores them); the exporter reads the requirement first."""
    if isinstance(target, Requirement):
        return {"requirement": target, "category_id": target.category_id}
    return {"requirement": None, "category": target}


def _assignment_target_fields(target) -> dict:
    # An assignment names exactly one of the two (as the workflow stores them).
    if isinstance(target, Requirement):
        return {"requirement": target, "category": None}
    return {"requirement": None, "category": target}


def _keep_times(model, rows, times_by_field: dict[str, list]) -> None:
    """Restore creation times that ``auto_now``/``auto_now_add`` replaced (bulk_update skips those)."""
    changed = []
    for name, times in times_by_field.items():
        for row, value in zip(rows, times, strict=True):
            if value is not None:
                setattr(row, name, value)
                changed.append(name)
    if changed:
        model.objects.bulk_update(rows, sorted(set(changed)))


def _answer_row(model, answer: PlannedAnswer, people: _People, **fields):
    return model(
        version=1,  # a stored answer's first version (0 means "no answer yet" to the questionnaire)
        level=answer.level,
        notes=answer.notes,
        carried_over=answer.carried_over,
        updated_at=answer.updated_at,
        **people.fields("updated_by", answer.updated_by),
        **fields,
    )


def _claimed_review(review: dict) -> str:
    if review["status"] == CategoryReview.Status.PENDING:
        return review["comment"]
    claim = f"Imported, not witnessed here: {CategoryReview.Status(review['status']).label.lower()}"
    if review["reviewed_by"]:
        claim += f" by {review['reviewed_by']}"
    if review["reviewed_at"]:
        claim += f" on {review['reviewed_at']:%Y-%m-%d}"
    return f"{claim}." + (f" {review['comment']}" if review["comment"] else "")


def _write(plan: ImportPlan, organization, by) -> tuple[Assessment, list[str]]:
    people = _People(organization)
    notices = []
    fields = dict(plan.fields)
    # Sign-offs are witnessed here: a file's "signed off" arrives in progress, its sign-offs as imported history.
    claimed_status = fields["status"]
    fields["signed_off_at"] = None
    if claimed_status == Assessment.Status.SIGNED_OFF:
        fields["status"] = Assessment.Status.IN_PROGRESS
        notices.append(
            "The file says the assessment was signed off: it was imported in progress, and its sign-offs are kept "
            "as history imported from elsewhere, not witnessed here. Review and sign it off here to make it final."
        )
    assessment = Assessment.objects.create(
        organization=organization,
        model_version=plan.model_version,
        profile=profile_for_version(model_version=plan.model_version),
        created_by=by,
        signed_off_by=None,
        **fields,
    )
    common = {"organization": organization, "assessment": assessment}
    assessment.extensions.set(plan.extensions)
    UseCase.objects.bulk_create(UseCase(**common, **u) for u in plan.use_cases)

    scope_items = list(plan.scope.items())
    scope_rows = Applicability.objects.bulk_create(
        Applicability(**common, key=key, level=s.level, reason=s.reason, **people.fields("updated_by", s.updated_by))
        for key, s in scope_items
    )
    _keep_times(Applicability, scope_rows, {"updated_at": [s.updated_at for _, s in scope_items]})

    RequirementAnswer.objects.bulk_create(
        _answer_row(RequirementAnswer, answer, people, requirement=requirement, **common)
        for requirement, answer in plan.requirement_answers.items()
    )
    CategoryAnswer.objects.bulk_create(
        _answer_row(CategoryAnswer, answer, people, category=category, **common)
        for category, answer in plan.category_answers.items()
    )
    ExtensionAnswer.objects.bulk_create(
        _answer_row(ExtensionAnswer, answer, people, extension=extension, category_key=key, **common)
        for extension, key, answer in plan.extension_answers
    )

    comments = Comment.objects.bulk_create(
        Comment(**common, **_target_fields(c["target"]), body=c["body"], **people.fields("author", c["author"]))
        for c in plan.comments
    )
    _keep_times(Comment, comments, {"created_at": [c["created_at"] for c in plan.comments]})

    evidence = Evidence.objects.bulk_create(
        Evidence(
            **common,
            **_target_fields(e["target"]),
            **{name: e[name] for name in ("kind", "url", "title", "original_name", "content_type", "size", "sha256")},
            **people.fields("uploaded_by", e["uploaded_by"]),
        )
        for e in plan.evidence
    )
    _keep_times(Evidence, evidence, {"created_at": [e["created_at"] for e in plan.evidence]})

    kept_assignments = []
    for a in plan.assignments:
        if not people.can_answer(a["assignee"]):
            notices.append(
                f"The assignment of {a['target'].key} to {a['assignee']} was left out: "
                "not a member here who can answer."
            )
        else:
            kept_assignments.append(a)
    assignments = Assignment.objects.bulk_create(
        Assignment(
            **common,
            **_assignment_target_fields(a["target"]),
            assignee=people.user(a["assignee"]),
            due_date=a["due_date"],
            **people.fields("assigned_by", a["assigned_by"]),
        )
        for a in kept_assignments
    )
    _keep_times(Assignment, assignments, {"created_at": [a["created_at"] for a in kept_assignments]})

    flags = Flag.objects.bulk_create(
        Flag(
            **common,
            **_target_fields(f["target"]),
            note=f["note"],
            resolved_at=f["resolved_at"],
            **people.fields("raised_by", f["raised_by"]),
            **people.fields("resolved_by", f["resolved_by"]),
        )
        for f in plan.flags
    )
    _keep_times(Flag, flags, {"created_at": [f["created_at"] for f in plan.flags]})

    # A review decision in a file is a claim: the categories wait for a review here, the claim stays readable.
    CategoryReview.objects.bulk_create(
        CategoryReview(
            **common,
            category=r["category"],
            status=CategoryReview.Status.PENDING,
            comment=_claimed_review(r),
            reviewed_at=None,
            reviewed_by=None,
            reviewed_by_label="",
        )
        for r in plan.reviews
    )
    SignOff.objects.bulk_create(
        SignOff(
            **common,
            imported=True,
            signed_by=None,
            signed_by_label=s["signed_by_label"] or s["signed_by"],
            signed_at=s["signed_at"],
            statement=s["statement"],
            snapshot=s["snapshot"],
            reopened_at=s["reopened_at"],
            reopen_reason=s["reopen_reason"],
            **people.fields("reopened_by", s["reopened_by"]),
        )
        for s in plan.sign_offs
    )
    targets = TargetLevel.objects.bulk_create(
        TargetLevel(
            **common, category_key=t["category_key"], level=t["level"], **people.fields("updated_by", t["updated_by"])
        )
        for t in plan.target_levels
    )
    _keep_times(TargetLevel, targets, {"updated_at": [t["updated_at"] for t in plan.target_levels]})
    return assessment, notices


def assessment_import_data(*, organization, data: Any, by=None, model_version: str | None = None) -> ImportResult:
    """Create a new assessment in ``organization`` from file data; nothing is created if anything is wrong.

    ``by`` is the member importing (checked for the create permission; None for the command line, which
    runs as the operator). ``model_version`` chooses the model of a PKI Consortium tool file (default 1.1.0).
    """
    if by is not None:
        ensure_perm(organization=organization, user=by, permission=Perm.ASSESSMENT_CREATE)
    plan = exchange_data_check(data=data, model_version=model_version)
    with transaction.atomic():
        assessment, notices = _write(plan, organization, by)
        if plan.detected_version:
            notices.append(
                f"The PKI Consortium tool file was read as PKIMM {plan.detected_version}, the version its "
                "category keys belong to."
            )
        assessment_summary_refresh(assessment=assessment)
        audit_log(
            organization=organization,
            actor=by,
            action="assessment.imported",
            obj=assessment,
            after={
                "source": plan.source,
                "model_version": plan.model_version.version,
                "requirement_answers": len(plan.requirement_answers),
                "category_answers": len(plan.category_answers),
                "notices": notices,
            },
        )
    return ImportResult(assessment=assessment, notices=notices)


def assessment_export(*, assessment: Assessment, by=None) -> dict:
    """The exchange-format data of ``assessment``, with an audit entry (the data leaves the application)."""
    data = assessment_export_data(assessment=assessment)
    audit_log(organization=assessment.organization, actor=by, action="assessment.exported", obj=assessment)
    return data
