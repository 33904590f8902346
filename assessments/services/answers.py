"""Saving answers without lost updates.

Each answer row carries a ``version``; a save names the version it was based on
(``expected_version``, 0 = "there was no answer yet"). The check is done by the database:
the first save creates the row (the unique constraint lets only one concurrent creator win) and
later saves run ``UPDATE ... WHERE id = ? AND version = ?``; a save that changes no row was based
on a stale version and raises ``AnswerConflict`` carrying the answer as stored now.

The first saved answer of a draft assessment starts it (draft -> in progress, in the same
transaction). Every accepted change writes one "answer.changed" audit entry whose object_id is
``"<assessment id>:<key>"`` (see ``selectors.history_object_id``), the per-answer history.
"""

from datetime import UTC

from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    CategoryReview,
    ExtensionAnswer,
    RequirementAnswer,
)
from assessments.selectors import ancestor_keys, history_object_id
from assessments.services.common import AnswerConflict, AssessmentError, assessment_ensure_editable
from assessments.services.summary import assessment_summary_refresh
from assessments.services.workflow import assessment_start_on_first_answer
from audit.services import audit_log
from catalog.models import ExtensionRelevance
from core.textrules import NOTES_MAX_LENGTH, text_problem
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

MAX_NOTES_LENGTH = NOTES_MAX_LENGTH


def answer_set(*, assessment, requirement, level, notes, expected_version, by) -> RequirementAnswer:
    """Set a requirement's level (1-5, or None: not assessed) and notes in a formal assessment."""
    _ensure_can_answer(assessment=assessment, by=by)
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
        by=by,
        key=requirement.key,
    )


def category_answer_set(*, assessment, category, level, notes, expected_version, by) -> CategoryAnswer:
    """Self-assessment: pick the level whose descriptor fits the category best (or None)."""
    _ensure_can_answer(assessment=assessment, by=by)
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
        by=by,
        key=category.key,
    )


def extension_answer_set(*, assessment, extension, category_key, level, notes, expected_version, by) -> ExtensionAnswer:
    """Answer an enabled extension's relevance question for one category."""
    _ensure_can_answer(assessment=assessment, by=by)
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
        by=by,
        key=f"{extension.ext_id}:{category_key}",
    )


def _ensure_can_answer(*, assessment, by) -> None:
    assessment_ensure_editable(assessment=assessment)
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_ANSWER)


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


ANSWER_FIELDS = ("id", "version", "level", "notes", "carried_over", "updated_at")


def _save_guard(*, model, lookup, assessment, category_id, category_key, key) -> dict:
    """Inside the save's transaction, one statement: the assessment row locked (saves of one assessment take
    turns, so the summary each computes includes every earlier save), its status as stored now, whether the
    key is out of scope, whether its category is accepted in review, and the stored answer (or None).

    Plain SQL (table and column names from the models, values as parameters): the save path runs it on every
    keystroke pause, and the ORM's compilation of the same query cost more than running it."""
    answer_table = model._meta.db_table
    joins, join_params = [], []
    for name, value in lookup.items():
        if name != "assessment":
            joins.append(f"x.{model._meta.get_field(name).column} = %s")
            join_params.append(getattr(value, "pk", value))
    ancestors = ancestor_keys(key.split(":")[-1])  # an extension answer's key is "<ext id>:<category key>"
    lock = " FOR UPDATE OF a" if connection.features.has_select_for_update_of else ""
    sql = f"""
        SELECT a.status,
               EXISTS(SELECT 1 FROM {Applicability._meta.db_table} s
                       WHERE s.organization_id = %s AND s.assessment_id = a.id
                         AND s.key IN ({", ".join(["%s"] * len(ancestors))}) AND s.level = %s),
               EXISTS(SELECT 1 FROM {CategoryReview._meta.db_table} r
                       WHERE r.organization_id = %s AND r.assessment_id = a.id
                         AND r.category_id = %s AND r.status = %s),
               {", ".join(f"x.{name}" for name in ANSWER_FIELDS)}
          FROM {Assessment._meta.db_table} a
          LEFT JOIN {answer_table} x ON x.assessment_id = a.id AND {" AND ".join(joins)}
         WHERE a.id = %s{lock}
    """  # noqa: S608 - names from the models, values as parameters
    params = [
        assessment.organization_id,
        *ancestors,
        Applicability.Level.NOT_APPLICABLE,
        assessment.organization_id,
        category_id,
        CategoryReview.Status.ACCEPTED,
        *join_params,
        assessment.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        status, out_of_scope, accepted, *stored = cursor.fetchone()
    assessment.status = status
    assessment_ensure_editable(assessment=assessment)
    if out_of_scope:
        raise AssessmentError(f"{key.split(':')[-1]} is marked not applicable in the scope of this assessment.")
    if accepted:
        raise AssessmentError(
            f"Category {category_key} was accepted in review and is locked. The reviewer can reopen it."
        )
    if stored[0] is None:
        return {"answer": None}
    values = dict(zip(ANSWER_FIELDS, stored, strict=True))
    values["carried_over"] = bool(values["carried_over"])
    if isinstance(values["updated_at"], str):  # SQLite hands back the stored text
        values["updated_at"] = _stored_datetime(values["updated_at"])
    return {"answer": model(**lookup, organization_id=assessment.organization_id, **values)}


def _stored_datetime(text: str):
    value = parse_datetime(text)
    if value is not None and timezone.is_naive(value):
        value = timezone.make_aware(value, UTC)
    return value


def _versioned_save(*, model, lookup, assessment, category_id, category_key, level, notes, expected_version, by, key):
    try:
        expected_version = int(expected_version)
    except (TypeError, ValueError):
        raise AssessmentError("The form was incomplete (no version). Reload the page and try again.") from None
    now = timezone.now()
    with transaction.atomic():
        guard = _save_guard(
            model=model,
            lookup=lookup,
            assessment=assessment,
            category_id=category_id,
            category_key=category_key,
            key=key,
        )
        if assessment.status == Assessment.Status.DRAFT:
            assessment_start_on_first_answer(assessment=assessment, by=by)
        existing = guard["answer"]
        if existing is None:
            if expected_version != 0:
                # Only possible if the answer was removed meanwhile (e.g. the assessment was re-scoped).
                raise AnswerConflict("This answer changed meanwhile.", current=model(**lookup, version=0))
            try:
                with transaction.atomic():
                    answer = model.objects.create(
                        organization_id=assessment.organization_id,
                        **lookup,
                        level=level,
                        notes=notes,
                        version=1,
                        updated_by=by,
                        updated_at=now,
                    )
            except IntegrityError:
                # Someone else created it first (the unique constraint decided): their save won.
                raise _conflict(model.objects.select_related("updated_by").get(**lookup)) from None
            before = {"level": None, "notes": ""}
        else:
            if existing.version != expected_version:
                raise _conflict(model.objects.select_related("updated_by").get(pk=existing.pk))
            before = {"level": existing.level, "notes": existing.notes}
            if before == {"level": level, "notes": notes} and not existing.carried_over:
                return existing  # nothing changed: no new version, no audit entry
            updated = model.objects.filter(pk=existing.pk, version=expected_version).update(
                level=level,
                notes=notes,
                version=F("version") + 1,
                carried_over=False,  # saving confirms an answer carried over from the previous assessment
                updated_by=by,
                updated_at=now,
            )
            if updated != 1:
                raise _conflict(model.objects.select_related("updated_by").get(pk=existing.pk))
            answer = existing  # now stored as:
            answer.level, answer.notes, answer.version = level, notes, expected_version + 1
            answer.carried_over, answer.updated_by, answer.updated_at = False, by, now
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="answer.changed",
            object_type=model._meta.model_name,
            object_id=history_object_id(assessment, key),
            object_repr=f"{key} in {assessment.name}",
            before=before,
            after={"level": level, "notes": notes},
        )
        assessment_summary_refresh(assessment=assessment, locked=True)
    return answer


def _conflict(current) -> AnswerConflict:
    who = current.updated_by.get_username() if current.updated_by else "someone"
    when = timezone.localtime(current.updated_at).strftime("%H:%M") if current.updated_at else ""
    return AnswerConflict(
        f"Not saved: {who} changed this answer{' at ' + when if when else ''} after you loaded it.",
        current=current,
    )
