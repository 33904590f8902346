"""Creating an assessment and changing its metadata."""

from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment
from assessments.services.common import AssessmentError, assessment_lock_editable
from assessments.services.extensions import extension_add
from assessments.services.history import assessment_audit
from assessments.services.summary import assessment_summary_refresh
from catalog.models import ModelVersion
from catalog.selectors import profile_for_version
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

# What assessment_update may change; the model version is fixed once answers can exist.
METADATA_FIELDS = (
    "name",
    "method",
    "assessor_type",
    "assessor_name",
    "assessor_company",
    "start_date",
    "target_date",
    "finish_date",
    "subject",
)


def _metadata(assessment) -> dict:
    data = {name: getattr(assessment, name) for name in METADATA_FIELDS}
    data["model_version"] = assessment.model_version.version
    return data


def _check_dates(*, start_date, target_date, finish_date) -> None:
    if start_date and target_date and target_date < start_date:
        raise AssessmentError("The target date cannot be before the start date.")
    if start_date and finish_date and finish_date < start_date:
        raise AssessmentError("The finish date cannot be before the start date.")


SUBJECT_MAX_LENGTH = {"text": 200, "date": 10, "textarea": 5000}


def subject_clean(*, profile, subject: dict) -> dict:
    """The subject fields the assessment profile asks for (assessment name, organization, assessor, use case,
    ...): only its keys, texts trimmed and bounded, required ones present. No profile: no subject fields."""
    if profile is None:
        return {}
    fields = {field["key"]: field for field in profile.subject_fields}
    unknown = sorted(set(subject) - set(fields))
    if unknown:
        raise AssessmentError(f"Unknown subject fields: {', '.join(unknown)}.")
    cleaned = {}
    for key, field in fields.items():
        value = str(subject.get(key) or "").strip()
        limit = SUBJECT_MAX_LENGTH.get(field["component"], 200)
        if len(value) > limit:
            raise AssessmentError(f"{field['label']} is limited to {limit} characters.")
        if field["component"] != "textarea" and has_control_characters(value):
            raise AssessmentError(f"{field['label']}: {SINGLE_LINE_MESSAGE}")
        if field.get("required") and not value:
            raise AssessmentError(f"{field['label']} is required.")
        if value:
            cleaned[key] = value
    return cleaned


def _check_single_line(**values) -> None:
    for field, value in values.items():
        if isinstance(value, str) and has_control_characters(value):
            raise AssessmentError(f"{field.replace('_', ' ').capitalize()}: {SINGLE_LINE_MESSAGE}")


def assessment_create(
    *,
    organization,
    by,
    membership=None,
    name: str,
    model_version: ModelVersion,
    method: str = Assessment.Method.FORMAL,
    assessor_type: str = Assessment.AssessorType.INTERNAL,
    assessor_name: str = "",
    assessor_company: str = "",
    start_date=None,
    target_date=None,
    finish_date=None,
    subject: dict | None = None,
    extensions=(),
) -> Assessment:
    """``extensions``: model extensions to use from the start (each must be compatible with the version)."""
    ensure_perm(organization=organization, user=by, permission=Perm.ASSESSMENT_CREATE, membership=membership)
    profile = profile_for_version(model_version=model_version)
    subject = subject_clean(profile=profile, subject=subject or {})
    if not name.strip():
        raise AssessmentError("An assessment needs a name.")
    _check_single_line(name=name, assessor_name=assessor_name, assessor_company=assessor_company)
    if method not in Assessment.Method.values:
        raise AssessmentError("Unknown assessment method.")
    if method == Assessment.Method.THIRD_PARTY and assessor_type != Assessment.AssessorType.EXTERNAL:
        raise AssessmentError("An independent third-party assessment is done by an external assessor.")
    _check_dates(start_date=start_date, target_date=target_date, finish_date=finish_date)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            organization=organization,
            created_by=by,
            name=name.strip(),
            model_version=model_version,
            method=method,
            assessor_type=assessor_type,
            assessor_name=assessor_name,
            assessor_company=assessor_company,
            start_date=start_date,
            target_date=target_date,
            finish_date=finish_date,
            profile=profile,
            subject=subject,
        )
        assessment_audit(
            assessment=assessment,
            by=by,
            action="assessment.created",
            after=_metadata(assessment),
        )
        for extension in extensions:
            extension_add(assessment=assessment, extension=extension, by=by)
        assessment_summary_refresh(assessment=assessment)
    return assessment


def assessment_update(*, assessment: Assessment, by, membership=None, **changes) -> Assessment:
    """Change metadata (``METADATA_FIELDS``). The method can change only while the assessment is a draft."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_MANAGE, membership=membership)
    unknown = set(changes) - set(METADATA_FIELDS)
    if unknown:
        raise AssessmentError(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    with transaction.atomic():
        locked = assessment_lock_editable(assessment=assessment)
        if "name" in changes and not str(changes["name"]).strip():
            raise AssessmentError("An assessment needs a name.")
        _check_single_line(**{k: changes[k] for k in ("name", "assessor_name", "assessor_company") if k in changes})
        if changes.get("method", locked.method) != locked.method:
            if changes["method"] not in Assessment.Method.values:
                raise AssessmentError("Unknown assessment method.")
            if locked.status != Assessment.Status.DRAFT:
                raise AssessmentError("The method can only be changed while the assessment is a draft.")
        if "subject" in changes:
            changes["subject"] = subject_clean(profile=locked.profile, subject=changes["subject"] or {})
        merged = {name: changes.get(name, getattr(locked, name)) for name in METADATA_FIELDS}
        if (
            merged["method"] == Assessment.Method.THIRD_PARTY
            and merged["assessor_type"] != Assessment.AssessorType.EXTERNAL
        ):
            raise AssessmentError("An independent third-party assessment is done by an external assessor.")
        _check_dates(
            start_date=merged["start_date"], target_date=merged["target_date"], finish_date=merged["finish_date"]
        )
        before = _metadata(locked)
        for name, value in merged.items():
            setattr(locked, name, value)
        after = _metadata(locked)
        if before == after:
            return locked
        locked.updated_at = timezone.now()
        locked.save()
        assessment_audit(
            assessment=locked,
            by=by,
            action="assessment.updated",
            before={k: v for k, v in before.items() if before[k] != after[k]},
            after={k: v for k, v in after.items() if before[k] != after[k]},
        )
    assessment.refresh_from_db()
    return assessment
