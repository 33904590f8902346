"""Saving answers without lost updates, merged field by field.

Each answer row carries a ``version`` (accepted saves) and, per field (level, notes), the version at
which that field last changed and who changed it. A save names what it was based on (an
``AnswerBasis``: per field the value and version the form showed; or, from older callers, one
``expected_version``). Under a row lock, each field the save changes is accepted unless someone else
changed that same field since the basis: different fields changed by different people both survive,
only the same field is a conflict (``AnswerConflict``, raised after the accepted fields are committed).
A person's own later save (e.g. from another tab) is never a conflict with themselves.

The first saved answer of a draft assessment starts it (draft -> in progress, in the same
transaction). Every accepted change writes one "answer.changed" audit entry whose object_id is
``"<assessment id>:<key>"`` (see ``selectors.history_object_id``), the per-answer history; a save
that changes nothing writes none.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.live import answers_changed_signal
from assessments.models import AnswerBase, Assessment, CategoryAnswer, ExtensionAnswer, RequirementAnswer
from assessments.selectors import applicability_map, history_object_id, is_applicable
from assessments.services.common import (
    AnswerConflict,
    AssessmentError,
    assessment_ensure_editable,
    category_review_lock,
    field_changed_by_save,
    field_is_stale,
)
from assessments.services.summary import assessment_summary_refresh
from assessments.services.workflow import assessment_start_on_first_answer, category_review_mark_changed
from audit.services import audit_log
from catalog.models import ExtensionRelevance
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

MAX_NOTES_LENGTH = 20_000


def answer_set(*, assessment, requirement, level, notes, by, expected_version=None, basis=None) -> RequirementAnswer:
    """Set a requirement's level (1-5, or None: not assessed) and notes in a formal assessment."""
    _ensure_can_answer(assessment=assessment, by=by)
    if not assessment.is_formal:
        raise AssessmentError("A self-assessment is answered per category, not per requirement.")
    if requirement.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"Requirement {requirement.key} is not part of this assessment's model version.")
    _ensure_in_scope(assessment=assessment, key=requirement.key)
    review = category_review_lock(assessment=assessment, category=requirement.category, by=by)
    level, notes = _clean(level, notes)
    answer = _versioned_save(
        model=RequirementAnswer,
        lookup={"assessment": assessment, "requirement": requirement},
        assessment=assessment,
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        review=review,
        by=by,
        key=requirement.key,
    )
    return answer


def category_answer_set(*, assessment, category, level, notes, by, expected_version=None, basis=None) -> CategoryAnswer:
    """Self-assessment: pick the level whose descriptor fits the category best (or None)."""
    _ensure_can_answer(assessment=assessment, by=by)
    if assessment.is_formal:
        raise AssessmentError("A formal assessment is answered per requirement, not per category.")
    if category.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"Category {category.key} is not part of this assessment's model version.")
    _ensure_in_scope(assessment=assessment, key=category.key)
    review = category_review_lock(assessment=assessment, category=category, by=by)
    level, notes = _clean(level, notes)
    return _versioned_save(
        model=CategoryAnswer,
        lookup={"assessment": assessment, "category": category},
        assessment=assessment,
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        review=review,
        by=by,
        key=category.key,
    )


def extension_answer_set(
    *, assessment, extension, category_key, level, notes, by, expected_version=None, basis=None
) -> ExtensionAnswer:
    """Answer an enabled extension's relevance question for one category."""
    _ensure_can_answer(assessment=assessment, by=by)
    if not assessment.extensions.filter(pk=extension.pk).exists():
        raise AssessmentError(f"The extension {extension} is not enabled on this assessment.")
    if not ExtensionRelevance.objects.filter(extension=extension, category_key=category_key).exists():
        raise AssessmentError(f"The extension {extension} asks nothing about category {category_key}.")
    _ensure_in_scope(assessment=assessment, key=category_key)
    category = assessment.model_version.categories.filter(key=category_key).first()
    if category is None:
        raise AssessmentError(f"Category {category_key} is not part of this assessment's model version.")
    review = category_review_lock(assessment=assessment, category=category, by=by)
    level, notes = _clean(level, notes)
    return _versioned_save(
        model=ExtensionAnswer,
        lookup={"assessment": assessment, "extension": extension, "category_key": category_key},
        assessment=assessment,
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        review=review,
        by=by,
        key=f"{extension.ext_id}:{category_key}",
    )


def _ensure_can_answer(*, assessment, by) -> None:
    assessment_ensure_editable(assessment=assessment)
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER)


def _ensure_in_scope(*, assessment, key) -> None:
    if not is_applicable(applicability_map(assessment=assessment), key):
        raise AssessmentError(f"{key} is marked not applicable in the scope of this assessment.")


def _clean(level, notes) -> tuple[int | None, str]:
    if level in ("", None):
        level = None
    else:
        try:
            level = int(level)
        except (TypeError, ValueError):
            raise AssessmentError("The level must be a number from 1 to 5, or 'not assessed'.") from None
        if not 1 <= level <= 5:
            raise AssessmentError("The level must be a number from 1 to 5, or 'not assessed'.")
    notes = (notes or "").replace("\r\n", "\n")
    if len(notes) > MAX_NOTES_LENGTH:
        raise AssessmentError(f"Notes are limited to {MAX_NOTES_LENGTH} characters.")
    return level, notes


def _versioned_save(*, model, lookup, assessment, level, notes, expected_version, basis, review, by, key):
    """Apply the fields this save changed; report the ones someone else changed since ``basis``.

    The answer row is locked (select_for_update) while it is compared and written, so concurrent saves
    of one answer are decided one after the other. Accepted fields are committed even when another
    field conflicts: a conflict is raised only after the commit, carrying the answer as stored then.
    """
    basis = _basis(basis, expected_version)
    mine = {"level": level, "notes": notes}
    now = timezone.now()
    with transaction.atomic():
        if assessment.status == Assessment.Status.DRAFT:
            assessment_start_on_first_answer(assessment=assessment, by=by)
        answer, created = _locked_or_created(model=model, lookup=lookup, assessment=assessment)
        if created and basis.legacy and basis.level_version:
            # Only possible if the answer was removed meanwhile (e.g. the assessment was re-scoped).
            raise AnswerConflict("This answer changed meanwhile.", current=model(**lookup, version=0))
        before = {"level": answer.level, "notes": answer.notes}
        changed, conflicts = [], []
        for field in AnswerBase.FIELDS:
            if not basis.changes(field, mine[field], stored=before[field]):
                continue  # this save leaves the field as it is (or as someone already made it)
            if basis.legacy:  # one version for the whole answer: any later save by someone else conflicts
                stale = field_is_stale(
                    stored_version=answer.version,
                    basis_version=basis.level_version,
                    changed_by_id=answer.updated_by_id,
                    by=by,
                )
            else:
                stale = field_is_stale(
                    stored_version=getattr(answer, f"{field}_version"),
                    basis_version=basis.version_of(field),
                    changed_by_id=getattr(answer, f"{field}_changed_by_id"),
                    by=by,
                )
            if stale:
                conflicts.append(field)  # someone else changed it after the form was loaded
            else:
                changed.append(field)
        confirm = not changed and not conflicts and answer.carried_over
        if changed or confirm:
            _write(answer=answer, model=model, changed=changed, values=mine, by=by, now=now)
            audit_log(
                organization=assessment.organization,
                actor=by,
                action="answer.changed",
                object_type=model._meta.model_name,
                object_id=history_object_id(assessment, key),
                object_repr=f"{key} in {assessment.name}",
                before=before,
                after={"level": answer.level, "notes": answer.notes},
            )
            assessment_summary_refresh(assessment=assessment)
            answers_changed_signal(assessment_id=assessment.pk)
            if review is not None:  # a lead's change in a category under review
                category_review_mark_changed(assessment=assessment, review=review, by=by, what=f"the answer of {key}")
        elif created:
            answer.delete()  # nothing to store: no empty row either
            answer = model(**lookup, version=0)
    if conflicts:
        answer = model.objects.select_related("updated_by", "level_changed_by", "notes_changed_by").get(pk=answer.pk)
        raise _conflict(answer, conflicts, saved=changed)
    return answer


@dataclass(frozen=True)
class AnswerBasis:
    """What the form showed when loaded (or last saved): per field its value and the version it had.

    A field counts as changed by this save when the submitted value differs from the basis value; a
    legacy basis (only one ``expected_version``, values unknown) counts every field that differs from
    the stored value.
    """

    level: object = None
    level_version: int = 0
    notes: str = ""
    notes_version: int = 0
    legacy: bool = False

    def version_of(self, field) -> int:
        return getattr(self, f"{field}_version")

    def changes(self, field, value, *, stored) -> bool:
        return field_changed_by_save(value, stored=stored, shown=getattr(self, field), legacy=self.legacy)


def _basis(basis, expected_version) -> AnswerBasis:
    if basis is not None:
        return basis
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise AssessmentError("The form was incomplete (no version). Reload the page and try again.") from None
    return AnswerBasis(level_version=expected_version, notes_version=expected_version, legacy=True)


def answer_basis(*, level, level_version, notes, notes_version) -> AnswerBasis:
    """The basis a form sent (strings from a POST), cleaned; bad input is an AssessmentError."""
    try:
        level_version, notes_version = int(level_version), int(notes_version)
    except (TypeError, ValueError):
        raise AssessmentError("The form was incomplete (no version). Reload the page and try again.") from None
    level, notes = _clean(level, notes)
    return AnswerBasis(level=level, level_version=level_version, notes=notes, notes_version=notes_version)


def _locked_or_created(*, model, lookup, assessment):
    """The answer row locked for this transaction (created empty, version 0, if there was none) and
    whether it was created here."""
    answer = model.objects.select_for_update().filter(**lookup).first()
    if answer is not None:
        return answer, False
    try:
        with transaction.atomic():
            return model.objects.create(organization_id=assessment.organization_id, **lookup), True
    except IntegrityError:
        # A concurrent first save created it: wait for it, then compare field by field like any update.
        return model.objects.select_for_update().get(**lookup), False


def _write(*, answer, model, changed, values, by, now) -> None:
    answer.version += 1
    for field in changed:
        setattr(answer, field, values[field])
        setattr(answer, f"{field}_version", answer.version)
        setattr(answer, f"{field}_changed_by", by)
    answer.carried_over, answer.updated_by, answer.updated_at = False, by, now
    fields = ["version", "carried_over", "updated_by", "updated_at"]
    fields += [name for field in changed for name in (field, f"{field}_version", f"{field}_changed_by")]
    # The row is locked; the version condition also guards databases without row locks (SQLite).
    updated = model.objects.filter(pk=answer.pk, version=answer.version - 1).update(
        **{name: getattr(answer, name) for name in fields}
    )
    if updated != 1:
        raise AssessmentError("This answer changed while it was being saved. Try again.")


FIELD_NAMES = {"level": "the level", "notes": "the notes"}


def _conflict(current, fields, *, saved) -> AnswerConflict:
    parts = []
    for field in fields:
        who = getattr(current, f"{field}_changed_by")
        parts.append(f"{who.get_username() if who else 'someone'} changed {FIELD_NAMES[field]}")
    when = timezone.localtime(current.updated_at).strftime("%H:%M") if current.updated_at else ""
    kept = f" Your change of {' and '.join(FIELD_NAMES[f] for f in saved)} was saved." if saved else ""
    return AnswerConflict(
        f"Not saved: {' and '.join(parts)}{' at ' + when if when else ''} after you loaded it.{kept}",
        current=current,
        fields=fields,
        saved=saved,
    )
