"""The assessment exchange format (``pkimm-assessment``, version 1): the export side.

One JSON document holds everything an assessment holds except the contents of evidence files, for
backups, moving an assessment to another instance or organization, and tests. docs/exchange-format.md
describes every field; ``exchange/services.py`` reads it back.

The export is deterministic: the same rows always give the same document, key for key, so that
export -> import -> export gives an identical file. Ids, the assessment's own creation time and the
optimistic-locking counters are left out: they belong to one database, not to the assessment.
"""

import json
from datetime import UTC

from assessments.models import (
    Applicability,
    Assessment,
    Assignment,
    CategoryReview,
    Comment,
    Flag,
    SignOff,
)
from assessments.selectors_read import AssessmentRead
from catalog.models import Category, Module, Requirement
from improvement.models import TargetLevel

FORMAT = "pkimm-assessment"
FORMAT_VERSION = 1


def exchange_json_text(data: dict) -> str:
    """The one JSON spelling of an export (command and download): indented, UTF-8, keys in export order."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def timestamp_text(value) -> str | None:
    """A datetime as ISO 8601 in UTC (the one spelling the export uses)."""
    return value.astimezone(UTC).isoformat() if value else None


def date_text(value) -> str | None:
    return value.isoformat() if value else None


def person_text(user, label: str = "") -> str | None:
    """Who did something: the member's e-mail, or the label kept for someone who is not a member here."""
    if user is not None:
        return user.email or user.get_username()
    return label or None


def _item_key(row) -> str | None:
    # Rows attached to a requirement, to a category, or to the whole assessment (neither).
    if row.requirement_id:
        return row.requirement.key
    if row.category_id:
        return row.category.key
    return None


def _answer_entry(answer) -> dict:
    """The non-default fields of one answer row (an empty row means the same as no row and gives {})."""
    entry = {}
    if answer.level is not None:
        entry["level"] = answer.level
    if answer.notes:
        entry["notes"] = answer.notes
    if answer.carried_over:
        entry["carried_over"] = True
    if entry:
        if by := person_text(answer.updated_by, answer.updated_by_label):
            entry["updated_by"] = by
        if answer.updated_at:
            entry["updated_at"] = timestamp_text(answer.updated_at)
    return entry


def _applicability_entry(row: Applicability) -> dict:
    entry = {"applicability": row.level}
    if row.reason:
        entry["reason"] = row.reason
    if by := person_text(row.updated_by, row.updated_by_label):
        entry["applicability_updated_by"] = by
    if row.updated_at:
        entry["applicability_updated_at"] = timestamp_text(row.updated_at)
    return entry


def _merged(keys_in_order, answers: dict, scope: dict) -> dict:
    """Answer and applicability of each key in one entry, in model order; keys with neither are left out."""
    merged = {}
    for key in keys_in_order:
        entry = {**answers.get(key, {}), **scope.get(key, {})}
        if entry:
            merged[key] = entry
    return merged


def _org_rows(model, assessment):
    return model.objects.for_org(assessment.organization_id).filter(assessment=assessment)


def assessment_export_data(*, assessment: Assessment, read: AssessmentRead | None = None) -> dict:
    """The assessment as exchange-format data (JSON-ready), in a fixed number of queries: a projection of the
    assessment's read (``assessments/selectors_read.py``; ``read``: one already made, e.g. at sign-off) plus the
    rows only this document carries (comments, evidence uploaders, assignments, flags, reviews, sign-offs,
    target levels)."""
    read = read or AssessmentRead(assessment)
    model_version = assessment.model_version
    module_codes = list(Module.objects.filter(model_version=model_version).values_list("code", flat=True))
    category_keys = list(Category.objects.filter(model_version=model_version).values_list("key", flat=True))
    requirement_keys = list(Requirement.objects.filter(model_version=model_version).values_list("key", flat=True))

    scope = {row.key: _applicability_entry(row) for row in read.scope}
    requirement_answers = {a.requirement.key: entry for a in read.requirement_answers if (entry := _answer_entry(a))}
    category_answers = {a.category.key: entry for a in read.category_answers if (entry := _answer_entry(a))}

    enabled = {e.ext_id: e.version for e in read.extensions}
    extension_answers: dict[str, dict[str, dict]] = {}
    for a in read.extension_answers:
        if entry := _answer_entry(a):
            extension_answers.setdefault(a.extension.ext_id, {})[a.category_key] = entry
            enabled.setdefault(a.extension.ext_id, a.extension.version)
    extensions = {ext_id: _merged(category_keys, extension_answers.get(ext_id, {}), {}) for ext_id in sorted(enabled)}

    targets = ("category", "requirement")
    comments = [
        {
            "target": _item_key(c),
            "author": person_text(c.author, c.author_label),
            "body": c.body,
            "created_at": timestamp_text(c.created_at),
        }
        for c in _org_rows(Comment, assessment).select_related(*targets, "author").order_by("created_at", "id")
    ]
    evidence = [
        {
            "target": _item_key(e),
            "kind": e.kind,
            "url": e.url,
            "title": e.title,
            "original_name": e.original_name,
            "content_type": e.content_type,
            "size": e.size,
            "sha256": e.sha256,
            "uploaded_by": person_text(e.uploaded_by, e.uploaded_by_label),
            "created_at": timestamp_text(e.created_at),
        }
        for e in read.evidence
    ]
    assignments = [
        {
            "target": _item_key(a),
            "assignee": person_text(a.assignee),
            "due_date": date_text(a.due_date),
            "assigned_by": person_text(a.assigned_by, a.assigned_by_label),
            "created_at": timestamp_text(a.created_at),
        }
        for a in _org_rows(Assignment, assessment)
        .select_related(*targets, "assignee", "assigned_by")
        .order_by("created_at", "id")
    ]
    flags = [
        {
            "target": _item_key(f),
            "note": f.note,
            "raised_by": person_text(f.raised_by, f.raised_by_label),
            "created_at": timestamp_text(f.created_at),
            "resolved_by": person_text(f.resolved_by, f.resolved_by_label),
            "resolved_at": timestamp_text(f.resolved_at),
        }
        for f in _org_rows(Flag, assessment)
        .select_related(*targets, "raised_by", "resolved_by")
        .order_by("created_at", "id")
    ]
    reviews_by_key = {
        r.category.key: {
            "status": r.status,
            "comment": r.comment,
            "reviewed_by": person_text(r.reviewed_by, r.reviewed_by_label),
            "reviewed_at": timestamp_text(r.reviewed_at),
        }
        for r in _org_rows(CategoryReview, assessment).select_related("category", "reviewed_by")
    }
    sign_offs = [
        {
            "signed_by": person_text(s.signed_by, s.signed_by_label),
            "signed_by_label": s.signed_by_label,
            "signed_at": timestamp_text(s.signed_at),
            "statement": s.statement,
            "snapshot": s.snapshot,
            "reopened_by": person_text(s.reopened_by, s.reopened_by_label),
            "reopened_at": timestamp_text(s.reopened_at),
            "reopen_reason": s.reopen_reason,
        }
        for s in _org_rows(SignOff, assessment).select_related("signed_by", "reopened_by").order_by("signed_at", "id")
    ]

    chosen_targets = {t.category_key: t for t in _org_rows(TargetLevel, assessment).select_related("updated_by")}
    target_levels = {
        key: {
            "level": chosen_targets[key].level,
            "updated_by": person_text(chosen_targets[key].updated_by, chosen_targets[key].updated_by_label),
            "updated_at": timestamp_text(chosen_targets[key].updated_at),
        }
        for key in category_keys
        if key in chosen_targets
    }

    signed_off = None
    if assessment.signed_off_at:
        # The signer may not be a member here (imported): the sign-off row's label still names them.
        by = person_text(assessment.signed_off_by)
        if by is None:
            active = [s for s in sign_offs if s["reopened_at"] is None]
            by = active[-1]["signed_by"] if active else None
        signed_off = {"at": timestamp_text(assessment.signed_off_at), "by": by}

    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "model_version": model_version.version,
        "name": assessment.name,
        "method": assessment.method,
        "status": assessment.status,
        "signed_off": signed_off,
        "assessor": {
            "type": assessment.assessor_type,
            "name": assessment.assessor_name,
            "company": assessment.assessor_company,
        },
        "dates": {
            "start": date_text(assessment.start_date),
            "target": date_text(assessment.target_date),
            "finish": date_text(assessment.finish_date),
        },
        "environment": {
            "design": assessment.environment_design,
            "interactions": assessment.environment_interactions,
        },
        "sampling_notes": assessment.sampling_notes,
        "use_cases": [
            {
                "name": u.name,
                "description": u.description,
                "components": u.components,
                "out_of_scope": u.out_of_scope,
            }
            for u in read.use_cases
        ],
        "modules": _merged(module_codes, {}, scope),
        "category_answers": _merged(category_keys, category_answers, scope),
        "answers": _merged(requirement_keys, requirement_answers, scope),
        "extensions": extensions,
        "extension_versions": {ext_id: enabled[ext_id] for ext_id in sorted(enabled)},
        "comments": comments,
        "evidence": evidence,
        "assignments": assignments,
        "flags": flags,
        "reviews": {key: reviews_by_key[key] for key in category_keys if key in reviews_by_key},
        "sign_offs": sign_offs,
        "target_levels": target_levels,
    }


def signoff_freeze_exchange(*, signoff, read=None, **_):
    """Receiver of ``signoff_created``: the exchange document of the signed-off state joins its snapshot
    (the credential embedded in final reports carries it). ``read``: the read the snapshot was built from (the
    same facts, read once)."""
    from assessments.models import SignOff

    snapshot = dict(signoff.snapshot, exchange=assessment_export_data(assessment=signoff.assessment, read=read))
    SignOff.objects.filter(pk=signoff.pk).update(snapshot=snapshot)
    signoff.snapshot = snapshot
