"""Saving answers without lost updates, merged field by field.

Each answer row carries a ``version`` (accepted saves) and, per field (level, notes), the version at
which that field last changed and who changed it. A save names what it was based on (an
``AnswerBasis``: per field the value and version the form showed; or, from older callers, one
``expected_version``). Under a row lock, each field the save changes is accepted unless someone else
changed that same field since the basis: different fields changed by different people both survive,
only the same field is a conflict (``AnswerConflict``, raised after the accepted fields are committed).
A person's own later save (e.g. from another tab) is never a conflict with themselves.

Saves of one assessment take turns: a save locks the assessment row (counting the save in its
``write_version``), then reads in one statement its status, the scope, the category's review and the stored
answer (``_save_guard``), so it is decided on what every earlier save committed, in few statements. The
dashboard summary follows the count (``services/summary.py``: under the lock without a task queue, else
by a task shortly after, so the lock is held only for the save's own statements).

The first saved answer of a draft assessment starts it (draft -> in progress, in the same
transaction). Every accepted change writes one "answer.changed" audit entry whose object_id is
``"<assessment id>:<key>"`` (see ``selectors.history_object_id``), the per-answer history; a save
that changes nothing writes none.
"""

from dataclasses import dataclass
from datetime import UTC

from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessments.live import answers_changed_signal
from assessments.models import (
    AnswerBase,
    Applicability,
    Assessment,
    CategoryAnswer,
    CategoryReview,
    ExtensionAnswer,
    RequirementAnswer,
)
from assessments.selectors import ancestor_keys, history_object_id
from assessments.services.common import (
    AnswerConflict,
    AssessmentError,
    assessment_ensure_editable,
    category_review_check,
    field_changed_by_save,
    field_is_stale,
)
from assessments.services.summary import assessment_summary_after_save
from assessments.services.workflow import assessment_start_on_first_answer, category_review_mark_changed
from audit.services import audit_log
from catalog.models import ExtensionRelevance
from core.textrules import NOTES_MAX_LENGTH, text_problem
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

MAX_NOTES_LENGTH = NOTES_MAX_LENGTH


def answer_set(
    *, assessment, requirement, level, notes, by, membership=None, expected_version=None, basis=None
) -> RequirementAnswer:
    """Set a requirement's level (1-5, or None: not assessed) and notes in a formal assessment."""
    _ensure_can_answer(assessment=assessment, by=by, membership=membership)
    if not assessment.is_formal:
        raise AssessmentError("A self-assessment is answered per category, not per requirement.")
    if requirement.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"Requirement {requirement.key} is not part of this assessment's model version.")
    level, notes = _clean(level, notes)
    return _versioned_save(
        model=RequirementAnswer,
        lookup={"assessment": assessment, "requirement": requirement},
        assessment=assessment,
        category_id=requirement.category_id,
        category_key=requirement.key.rsplit(".", 1)[0],
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        by=by,
        membership=membership,
        key=requirement.key,
    )


def category_answer_set(
    *, assessment, category, level, notes, by, membership=None, expected_version=None, basis=None
) -> CategoryAnswer:
    """Self-assessment: pick the level whose descriptor fits the category best (or None)."""
    _ensure_can_answer(assessment=assessment, by=by, membership=membership)
    if assessment.is_formal:
        raise AssessmentError("A formal assessment is answered per requirement, not per category.")
    if category.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"Category {category.key} is not part of this assessment's model version.")
    level, notes = _clean(level, notes)
    return _versioned_save(
        model=CategoryAnswer,
        lookup={"assessment": assessment, "category": category},
        assessment=assessment,
        category_id=category.pk,
        category_key=category.key,
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        by=by,
        membership=membership,
        key=category.key,
    )


def extension_answer_set(
    *, assessment, extension, category_key, level, notes, by, membership=None, expected_version=None, basis=None
) -> ExtensionAnswer:
    """Answer an enabled extension's relevance question for one category."""
    _ensure_can_answer(assessment=assessment, by=by, membership=membership)
    if not assessment.extensions.filter(pk=extension.pk).exists():
        raise AssessmentError(f"The extension {extension} is not enabled on this assessment.")
    if not ExtensionRelevance.objects.filter(extension=extension, category_key=category_key).exists():
        raise AssessmentError(f"The extension {extension} asks nothing about category {category_key}.")
    category = assessment.model_version.categories.filter(key=category_key).first()
    if category is None:
        raise AssessmentError(f"Category {category_key} is not part of this assessment's model version.")
    level, notes = _clean(level, notes)
    return _versioned_save(
        model=ExtensionAnswer,
        lookup={"assessment": assessment, "extension": extension, "category_key": category_key},
        assessment=assessment,
        category_id=category.pk,
        category_key=category_key,
        level=level,
        notes=notes,
        expected_version=expected_version,
        basis=basis,
        by=by,
        membership=membership,
        key=f"{extension.ext_id}:{category_key}",
    )


def _ensure_can_answer(*, assessment, by, membership=None) -> None:
    assessment_ensure_editable(assessment=assessment)
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER, membership=membership)


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
    if problem := text_problem(notes):
        raise AssessmentError(f"Notes not saved: {problem}.")
    return level, notes


def _versioned_save(
    *,
    model,
    lookup,
    assessment,
    category_id,
    category_key,
    level,
    notes,
    expected_version,
    basis,
    by,
    membership=None,
    key,
):
    """Apply the fields this save changed; report the ones someone else changed since ``basis``.

    The guard locks the assessment row first, so concurrent saves of the assessment (and so of
    one answer) are decided one after the other; the write also requires the version it read. Accepted
    fields are committed even when another field conflicts: a conflict is raised only after the commit,
    carrying the answer as stored then.
    """
    basis = _basis(basis, expected_version)
    mine = {"level": level, "notes": notes}
    now = timezone.now()
    with transaction.atomic():
        answer, review = _save_guard(
            model=model,
            lookup=lookup,
            assessment=assessment,
            category_id=category_id,
            category_key=category_key,
            key=key,
            by=by,
            membership=membership,
        )
        if assessment.status == Assessment.Status.DRAFT:
            assessment_start_on_first_answer(assessment=assessment, by=by)
        created = answer is None
        if created:
            if basis.legacy and basis.level_version:
                # Only possible if the answer was removed meanwhile (e.g. the assessment was re-scoped).
                raise AnswerConflict("This answer changed meanwhile.", current=model(**lookup, version=0))
            answer = model(**lookup, organization_id=assessment.organization_id)
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
            _write(answer=answer, model=model, created=created, changed=changed, values=mine, by=by, now=now)
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
            answers_changed_signal(assessment_id=assessment.pk)
            if review is not None:  # a lead's change in a category under review
                category_review_mark_changed(assessment=assessment, review=review, by=by, what=f"the answer of {key}")
        # The guard's lock added one to write_version (whatever this save changed): the summary follows it.
        assessment_summary_after_save(assessment=assessment)
    if conflicts:
        answer = model.objects.select_related("updated_by", "level_changed_by", "notes_changed_by").get(pk=answer.pk)
        raise _conflict(answer, conflicts, saved=changed)
    return answer


# The stored answer as the guard reads it (model field names; SQL uses their columns).
GUARD_ANSWER_FIELDS = (
    "id",
    "version",
    "level",
    "notes",
    "carried_over",
    "updated_at",
    "updated_by",
    "updated_by_label",
    "level_version",
    "notes_version",
    "level_changed_by",
    "notes_changed_by",
)
GUARD_REVIEW_FIELDS = ("id", "status", "reviewed_by", "changed_since_review_at", "changed_since_review_by")


def _save_guard(*, model, lookup, assessment, category_id, category_key, key, by, membership=None):
    """Inside the save's transaction, two statements: the assessment row locked and its write_version counted
    (saves of one assessment take turns), its status as stored now, whether the
    key is out of scope, the category's review, and the stored answer. Returns (answer or None, the review
    when a lead changes a category under review, else None); refuses a signed-off assessment, an answer out
    of scope and a category locked by its review (``category_review_check``).

    Plain SQL (table and column names from the models, values as parameters): the save path runs it on every
    pause in typing, and the ORM's compilation of the same query cost more than running it."""
    write_version = Assessment._meta.get_field("write_version").column
    answer_fields = [model._meta.get_field(name) for name in GUARD_ANSWER_FIELDS]
    review_fields = [CategoryReview._meta.get_field(name) for name in GUARD_REVIEW_FIELDS]
    joins, join_params = [], []
    for name, value in lookup.items():
        if name != "assessment":
            joins.append(f"x.{model._meta.get_field(name).column} = %s")
            join_params.append(getattr(value, "pk", value))
    ancestors = ancestor_keys(key.split(":")[-1])  # an extension answer's key is "<ext id>:<category key>"
    sql = f"""
        SELECT a.status,
               EXISTS(SELECT 1 FROM {Applicability._meta.db_table} s
                       WHERE s.organization_id = %s AND s.assessment_id = a.id
                         AND s.key IN ({", ".join(["%s"] * len(ancestors))}) AND s.level = %s),
               {", ".join(f"r.{field.column}" for field in review_fields)},
               {", ".join(f"x.{field.column}" for field in answer_fields)}
          FROM {Assessment._meta.db_table} a
          LEFT JOIN {CategoryReview._meta.db_table} r
            ON r.assessment_id = a.id AND r.organization_id = %s AND r.category_id = %s
          LEFT JOIN {model._meta.db_table} x ON x.assessment_id = a.id AND {" AND ".join(joins)}
         WHERE a.id = %s
    """  # noqa: S608 - names from the models, values as parameters
    params = [
        assessment.organization_id,
        *ancestors,
        Applicability.Level.NOT_APPLICABLE,
        assessment.organization_id,
        category_id,
        *join_params,
        assessment.pk,
    ]
    with connection.cursor() as cursor:
        # The lock first, in a statement of its own: a statement that waited for a row lock still reads the
        # other tables as they were when it started (PostgreSQL, read committed), so the answer, scope and
        # review are read by the next statement, which starts after every earlier save committed. The lock is
        # an UPDATE that counts the save (the summary's version, see services/summary.py); it locks SQLite too.
        cursor.execute(
            f"UPDATE {Assessment._meta.db_table} SET {write_version} = {write_version} + 1 WHERE id = %s",
            [assessment.pk],
        )
        cursor.execute(sql, params)
        status, out_of_scope, *row = cursor.fetchone()
    stored_review, stored_answer = row[: len(review_fields)], row[len(review_fields) :]
    assessment.status = status
    assessment_ensure_editable(assessment=assessment)
    if out_of_scope:
        raise AssessmentError(f"{key.split(':')[-1]} is marked not applicable in the scope of this assessment.")
    review = None
    if stored_review[0] is not None:
        values = _from_db(review_fields, stored_review)
        review = CategoryReview(
            organization_id=assessment.organization_id, assessment_id=assessment.pk, category_id=category_id, **values
        )
    review = category_review_check(
        assessment=assessment, review=review, category_key=category_key, by=by, membership=membership
    )
    if stored_answer[0] is None:
        return None, review
    values = _from_db(answer_fields, stored_answer)
    return model(**lookup, organization_id=assessment.organization_id, **values), review


def _from_db(fields, values) -> dict:
    """Raw column values as model attributes (booleans and datetimes as SQLite hands them back, too)."""
    result = {}
    for field, value in zip(fields, values, strict=True):
        if value is not None and field.get_internal_type() == "BooleanField":
            value = bool(value)
        elif isinstance(value, str) and field.get_internal_type() == "DateTimeField":
            value = parse_datetime(value)
            if value is not None and timezone.is_naive(value):
                value = timezone.make_aware(value, UTC)
        result[field.attname] = value
    return result


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


def _write(*, answer, model, created, changed, values, by, now) -> None:
    """Store the accepted fields: one INSERT for a new answer, else one UPDATE that requires the version read."""
    answer.version += 1
    for field in changed:
        setattr(answer, field, values[field])
        setattr(answer, f"{field}_version", answer.version)
        setattr(answer, f"{field}_changed_by", by)
    answer.carried_over, answer.updated_by, answer.updated_at = False, by, now
    if created:
        try:
            answer.save(force_insert=True)
        except IntegrityError:
            # Created meanwhile by a path that does not take the assessment's lock (the constraint decided).
            raise AssessmentError("This answer changed while it was being saved. Try again.") from None
        return
    fields = ["version", "carried_over", "updated_by", "updated_at"]
    fields += [name for field in changed for name in (field, f"{field}_version", f"{field}_changed_by")]
    # The version condition guards writers that do not take the assessment's lock (and SQLite).
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
