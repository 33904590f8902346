"""Scoping (primer, section 3): use-cases, the PKI environment and the applicability matrix.

Scope can change until sign-off. During review, a change that touches an accepted category is
refused until the reviewer reopens that category, and categories that come into scope get a
pending review.
"""

from django.db import transaction

from assessments.models import Applicability, Assessment, CategoryReview, UseCase
from assessments.selectors_manage import categories_in_scope, scope_tree
from assessments.services.common import AssessmentError, assessment_lock_editable
from assessments.services.history import assessment_audit
from assessments.services.summary import assessment_summary_refresh
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

Level = Applicability.Level
USE_CASE_FIELDS = ("name", "description", "components", "out_of_scope")
ENVIRONMENT_FIELDS = ("environment_design", "environment_interactions", "sampling_notes")


def _lock_for_scope_change(*, assessment: Assessment, by) -> Assessment:
    """Permission, then the assessment row locked (a sign-off cannot slip in between) and still editable."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE)
    return assessment_lock_editable(assessment=assessment)


def _use_case_data(use_case) -> dict:
    return {name: getattr(use_case, name) for name in USE_CASE_FIELDS}


def use_case_add(
    *, assessment: Assessment, by, name: str, description: str = "", components: str = "", out_of_scope: str = ""
) -> UseCase:
    if not name.strip():
        raise AssessmentError("A use-case needs a name.")
    if has_control_characters(name):
        raise AssessmentError(f"Use-case name: {SINGLE_LINE_MESSAGE}")
    with transaction.atomic():
        locked = _lock_for_scope_change(assessment=assessment, by=by)
        position = UseCase.objects.for_org(locked.organization).filter(assessment=locked).count()
        use_case = UseCase.objects.create(
            organization=locked.organization,
            assessment=locked,
            name=name.strip(),
            description=description,
            components=components,
            out_of_scope=out_of_scope,
            position=position,
        )
        assessment_audit(
            assessment=locked,
            by=by,
            action="use_case.added",
            subject=f"use-case {use_case.name}",
            after=_use_case_data(use_case),
        )
    return use_case


def use_case_update(*, use_case: UseCase, by, **changes) -> UseCase:
    unknown = set(changes) - set(USE_CASE_FIELDS)
    if unknown:
        raise AssessmentError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    if "name" in changes and not str(changes["name"]).strip():
        raise AssessmentError("A use-case needs a name.")
    if "name" in changes and has_control_characters(str(changes["name"])):
        raise AssessmentError(f"Use-case name: {SINGLE_LINE_MESSAGE}")
    with transaction.atomic():
        locked = _lock_for_scope_change(assessment=use_case.assessment, by=by)
        before = _use_case_data(use_case)
        for name, value in changes.items():
            setattr(use_case, name, value.strip() if name == "name" else value)
        after = _use_case_data(use_case)
        if before != after:
            use_case.save()
            assessment_audit(
                assessment=locked,
                by=by,
                action="use_case.updated",
                subject=f"use-case {use_case.name}",
                before={k: v for k, v in before.items() if before[k] != after[k]},
                after={k: v for k, v in after.items() if before[k] != after[k]},
            )
    return use_case


def use_case_remove(*, use_case: UseCase, by) -> None:
    with transaction.atomic():
        locked = _lock_for_scope_change(assessment=use_case.assessment, by=by)
        assessment_audit(
            assessment=locked,
            by=by,
            action="use_case.removed",
            subject=f"use-case {use_case.name}",
            before=_use_case_data(use_case),
        )
        use_case.delete()


def assessment_environment_update(*, assessment: Assessment, by, **changes) -> Assessment:
    """The PKI environment: high-level design, points of interaction, sampling notes."""
    unknown = set(changes) - set(ENVIRONMENT_FIELDS)
    if unknown:
        raise AssessmentError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = _lock_for_scope_change(assessment=assessment, by=by)
        before = {name: getattr(locked, name) for name in ENVIRONMENT_FIELDS}
        for name, value in changes.items():
            setattr(locked, name, value)
        after = {name: getattr(locked, name) for name in ENVIRONMENT_FIELDS}
        if before != after:
            locked.save(update_fields=[*ENVIRONMENT_FIELDS, "updated_at"])
            assessment_audit(
                assessment=locked,
                by=by,
                action="assessment.environment_updated",
                subject="PKI environment",
                before={k: v for k, v in before.items() if before[k] != after[k]},
                after={k: v for k, v in after.items() if before[k] != after[k]},
            )
    assessment.refresh_from_db()
    return assessment


def applicability_set(*, assessment: Assessment, key: str, level: str, reason: str = "", by) -> None:
    """Scope decision for one module ("G"), category ("G.1") or requirement ("G.1.1")."""
    applicability_set_many(assessment=assessment, decisions={key: (level, reason)}, by=by)


def applicability_set_many(*, assessment: Assessment, decisions: dict[str, tuple[str, str]], by) -> int:
    """Apply several scope decisions ``{key: (level, reason)}`` at once, all or nothing.

    Partially and not applicable need a reason; applicable removes the row (no row means applicable).
    Returns how many decisions changed something.
    """
    with transaction.atomic():
        locked = _lock_for_scope_change(assessment=assessment, by=by)
        tree = scope_tree(assessment=locked)
        problems = []
        normalized = {}
        for key, (level, reason) in decisions.items():
            reason = (reason or "").strip()
            item = tree.items.get(key)
            if item is None:
                problems.append(f"{key}: not part of model {locked.model_version.version}.")
            elif level not in Level.values:
                problems.append(f"{key}: unknown applicability.")
            elif level != Level.APPLICABLE and not reason:
                problems.append(f"{key}: a reason is required for “{Level(level).label.lower()}”.")
            else:
                normalized[key] = (level, reason if level != Level.APPLICABLE else "")
        if problems:
            raise AssessmentError("Scope not saved. " + " ".join(problems))
        changed = {
            key: value
            for key, value in normalized.items()
            if value != (tree.items[key].own_level, tree.items[key].reason)
        }
        if not changed:
            return 0
        _ensure_not_accepted(assessment=locked, tree=tree, keys=changed)
        rows = {
            row.key: row
            for row in Applicability.objects.for_org(locked.organization).filter(assessment=locked, key__in=changed)
        }
        for key, (level, reason) in changed.items():
            item = tree.items[key]
            before = {"level": item.own_level, "reason": item.reason}
            row = rows.get(key)
            if level == Level.APPLICABLE:
                row.delete()
            elif row is None:
                Applicability.objects.create(
                    organization=locked.organization,
                    assessment=locked,
                    key=key,
                    level=level,
                    reason=reason,
                    updated_by=by,
                )
            else:
                row.level, row.reason, row.updated_by = level, reason, by
                row.save()
            assessment_audit(
                assessment=locked,
                by=by,
                action="applicability.changed",
                subject=f"scope of {key} {item.name}"[:200],
                before={"key": key, **before},
                after={"key": key, "level": level, "reason": reason},
            )
        if locked.status == Assessment.Status.IN_REVIEW:
            _reviews_add_missing(assessment=locked)
        assessment_summary_refresh(assessment=locked)
    return len(changed)


def _ensure_not_accepted(*, assessment, tree, keys) -> None:
    """During review, an accepted category is locked: its scope cannot change (nor its module's)."""
    if assessment.status != Assessment.Status.IN_REVIEW:
        return
    accepted = set(
        CategoryReview.objects.for_org(assessment.organization)
        .filter(assessment=assessment, status=CategoryReview.Status.ACCEPTED)
        .values_list("category__key", flat=True)
    )
    touched = set()
    for key in keys:
        item = tree.items[key]
        if item.kind == "module":
            touched.update(category.key for category in item.children)
        elif item.kind == "category":
            touched.add(key)
        else:
            touched.add(key.rsplit(".", 1)[0])  # "G.1.2" belongs to "G.1"
    blocked = sorted(touched & accepted)
    if blocked:
        raise AssessmentError(
            f"These categories are accepted and locked: {', '.join(blocked)}. The reviewer must reopen them first."
        )


def _reviews_add_missing(*, assessment) -> None:
    """Categories that came into scope during review wait for review too."""
    have = set(
        CategoryReview.objects.for_org(assessment.organization)
        .filter(assessment=assessment)
        .values_list("category_id", flat=True)
    )
    CategoryReview.objects.bulk_create(
        CategoryReview(organization=assessment.organization, assessment=assessment, category=category.object)
        for category in categories_in_scope(assessment=assessment)
        if category.object.id not in have
    )
