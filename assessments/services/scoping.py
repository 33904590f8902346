"""Scoping (primer, section 3): use-cases, the PKI environment and the applicability matrix.

Scope can change until sign-off. During review, a change that touches an accepted category is
refused until the reviewer reopens that category, and categories that come into scope get a
pending review.
"""

from dataclasses import dataclass

from django.db import transaction

from assessments.models import Applicability, Assessment, CategoryReview, UseCase
from assessments.selectors_manage import categories_in_scope, scope_tree
from assessments.services.common import (
    AssessmentError,
    assessment_lock_editable,
    field_changed_by_save,
    field_is_stale,
)
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


def applicability_set(
    *, assessment: Assessment, key: str, level: str, reason: str = "", by, version: int | None = None
) -> None:
    """Scope decision for one module ("G"), category ("G.1") or requirement ("G.1.1").

    With ``version`` (the decision's version the caller read) a change someone else made since is a
    ``ScopeConflict``; without it the decision is written as given.
    """
    basis = None if version is None else {key: ScopeBasis(version=version, legacy=True)}
    applicability_set_many(assessment=assessment, decisions={key: (level, reason)}, by=by, basis=basis)


@dataclass(frozen=True)
class ScopeBasis:
    """What the form showed for one key when loaded: the decision and its version (see
    ``services.answers.AnswerBasis``; the same merge rule). A legacy basis knows only the version."""

    level: str = Level.APPLICABLE
    reason: str = ""
    version: int = 0
    legacy: bool = False

    @property
    def shown(self) -> tuple[str, str]:
        return _normalized(self.level, self.reason)


class ScopeConflict(AssessmentError):
    """Some decisions were changed by someone else since the form was loaded: those were not saved (the
    others were). ``items``: per key what is stored now and what this save wanted."""

    def __init__(self, message, *, items, saved):
        super().__init__(message)
        self.items = items
        self.saved = saved


def scope_basis_parse(value: str) -> ScopeBasis:
    """The basis a scope form row sent (``"<version>:<level>:<reason>"``); bad input is an AssessmentError."""
    version, _, rest = (value or "").partition(":")
    level, _, reason = rest.partition(":")
    try:
        version = int(version)
    except ValueError:
        raise AssessmentError("The form was incomplete (no version). Reload the page and try again.") from None
    if version < 0 or level not in Level.values:
        raise AssessmentError("The form was incomplete (no version). Reload the page and try again.")
    return ScopeBasis(level=level, reason=reason, version=version)


def scope_basis_value(row) -> str:
    """What a scope form row sends back as its basis (``ScopeItem`` of ``scope_tree``)."""
    return f"{row.version}:{row.own_level}:{row.reason}"


def _normalized(level, reason) -> tuple[str, str]:
    reason = (reason or "").strip()
    return level, reason if level != Level.APPLICABLE else ""


def applicability_set_many(
    *, assessment: Assessment, decisions: dict[str, tuple[str, str]], by, basis: dict[str, ScopeBasis] | None = None
) -> int:
    """Apply several scope decisions ``{key: (level, reason)}`` at once; a refused one refuses them all.

    Partially and not applicable need a reason; applicable needs none (no row, or a row kept at
    "applicable" to keep its version, means applicable). With ``basis`` (per key, what the form showed)
    a key's decision is one versioned field merged like an answer's level or notes: a row left as shown
    is not a change; a change of a decision someone else changed since is not saved and, after the
    other changes are committed, raised as a ``ScopeConflict``. Returns how many decisions changed.
    """
    basis = basis or {}
    conflicts = []
    with transaction.atomic():
        # The assessment row lock orders every scope change of this assessment one after the other.
        locked = _lock_for_scope_change(assessment=assessment, by=by)
        tree = scope_tree(assessment=locked)
        problems = []
        normalized = {}
        for key, (level, reason) in decisions.items():
            item = tree.items.get(key)
            if item is None:
                problems.append(f"{key}: not part of model {locked.model_version.version}.")
            elif level not in Level.values:
                problems.append(f"{key}: unknown applicability.")
            elif level != Level.APPLICABLE and not (reason or "").strip():
                problems.append(f"{key}: a reason is required for “{Level(level).label.lower()}”.")
            else:
                normalized[key] = _normalized(level, reason)
        if problems:
            raise AssessmentError("Scope not saved. " + " ".join(problems))
        changed = {}
        for key, mine in normalized.items():
            item = tree.items[key]
            stored = (item.own_level, item.reason)
            shown = basis.get(key)
            if shown is None:
                if mine != stored:
                    changed[key] = mine
                continue
            if not field_changed_by_save(mine, stored=stored, shown=shown.shown, legacy=shown.legacy):
                continue  # left as shown (or already as someone made it)
            if field_is_stale(
                stored_version=item.version, basis_version=shown.version, changed_by_id=item.changed_by_id, by=by
            ):
                conflicts.append(_conflict_item(item, mine))
            else:
                changed[key] = mine
        if changed:
            _applicability_write(assessment=locked, tree=tree, changed=changed, by=by)
    if conflicts:
        raise _scope_conflict(conflicts, saved=len(changed))
    return len(changed)


def _applicability_write(*, assessment, tree, changed, by) -> None:
    _ensure_not_accepted(assessment=assessment, tree=tree, keys=changed)
    rows = {
        row.key: row
        for row in Applicability.objects.for_org(assessment.organization).filter(assessment=assessment, key__in=changed)
    }
    for key, (level, reason) in changed.items():
        item = tree.items[key]
        before = {"level": item.own_level, "reason": item.reason}
        row = rows.get(key)
        if row is None:
            Applicability.objects.create(
                organization=assessment.organization,
                assessment=assessment,
                key=key,
                level=level,
                reason=reason,
                version=1,
                updated_by=by,
            )
        else:
            # Set back to applicable, the row stays: its version is what later saves are compared with.
            row.level, row.reason, row.updated_by, row.updated_by_label = level, reason, by, ""
            row.version += 1
            row.save()
        assessment_audit(
            assessment=assessment,
            by=by,
            action="applicability.changed",
            subject=f"scope of {key} {item.name}"[:200],
            before={"key": key, **before},
            after={"key": key, "level": level, "reason": reason},
        )
    if assessment.status == Assessment.Status.IN_REVIEW:
        _reviews_add_missing(assessment=assessment)
    assessment_summary_refresh(assessment=assessment, locked=True)  # the caller holds the assessment's lock


def _conflict_item(item, mine) -> dict:
    return {
        "key": item.key,
        "name": item.name,
        "level": item.own_level,
        "level_label": Level(item.own_level).label,
        "reason": item.reason,
        "version": item.version,
        "by": item.changed_by_label or "someone",
        "mine_level": mine[0],
        "mine_level_label": Level(mine[0]).label,
        "mine_reason": mine[1],
    }


def _scope_conflict(items, *, saved) -> ScopeConflict:
    parts = ", ".join(f"{item['by']} changed {item['key']}" for item in items)
    kept = ""
    if saved:
        kept = f" Your other change{'s' if saved > 1 else ''} ({saved}) {'were' if saved > 1 else 'was'} saved."
    return ScopeConflict(f"Not saved: {parts} after you loaded the page.{kept}", items=items, saved=saved)


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
