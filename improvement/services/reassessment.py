"""Re-assessment: a new assessment of the same scope, started from a previous one.

The previous answers are the starting point, marked ``carried_over`` until someone confirms or changes
them. Target levels the lead chose and the previous assessment had not reached yet stay the goal and are
copied too; reached ones are not (the default, the next level above the current one, applies again).
Action plans belong to the organization, not to one assessment, so they simply carry on. With a newer
model version, everything is mapped through ``reassessment_mapping`` (categories by name, requirements by
their id within the category); what cannot be mapped is listed, never guessed.
"""

from django.db import transaction

from assessments.models import (
    Applicability,
    Assessment,
    CategoryAnswer,
    ExtensionAnswer,
    RequirementAnswer,
    UseCase,
)
from assessments.services.summary import assessment_summary_refresh
from audit.services import audit_log
from catalog.models import ExtensionRelevance
from catalog.selectors import profile_for_version
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters
from improvement.mapping import MappingReport, answer_has_content, reassessment_mapping
from improvement.models import TargetLevel
from improvement.services.common import ImprovementError
from organizations.roles import Perm
from organizations.tenancy import ensure_perm
from scoring.selectors import assessment_baseline_score

COPIED_FIELDS = (
    "method",
    "assessor_type",
    "assessor_name",
    "assessor_company",
    "environment_design",
    "environment_interactions",
    "sampling_notes",
)


@transaction.atomic
def reassessment_start(*, previous: Assessment, model_version=None, name: str, by) -> tuple[Assessment, MappingReport]:
    organization = previous.organization
    ensure_perm(organization=organization, user=by, permission=Perm.ASSESSMENT_CREATE)
    model_version = model_version or previous.model_version
    name = (name or "").strip()
    if not name:
        raise ImprovementError("The new assessment needs a name.")
    if len(name) > 200:
        raise ImprovementError("The name is limited to 200 characters.")
    if has_control_characters(name):
        raise ImprovementError(f"Name: {SINGLE_LINE_MESSAGE}")
    if model_version.version_key < previous.model_version.version_key:
        raise ImprovementError(
            f"A re-assessment cannot go back to an older model ({model_version.version} is older than "
            f"{previous.model_version.version})."
        )
    mapping = reassessment_mapping(previous=previous, model_version=model_version)
    profile = profile_for_version(model_version=model_version)
    subject_keys = {field["key"] for field in profile.subject_fields} if profile else set()

    assessment = Assessment.objects.create(
        organization=organization,
        name=name,
        model_version=model_version,
        previous=previous,
        created_by=by,
        profile=profile,
        subject={key: value for key, value in previous.subject.items() if key in subject_keys},
        **{field: getattr(previous, field) for field in COPIED_FIELDS},
    )
    UseCase.objects.bulk_create(
        UseCase(
            organization=organization,
            assessment=assessment,
            name=use_case.name,
            description=use_case.description,
            components=use_case.components,
            out_of_scope=use_case.out_of_scope,
            position=use_case.position,
        )
        for use_case in UseCase.objects.for_org(organization).filter(assessment=previous)
    )
    Applicability.objects.bulk_create(
        Applicability(
            organization=organization,
            assessment=assessment,
            key=mapping.key_map[row.key],
            level=row.level,
            reason=row.reason,
            updated_by=row.updated_by,
        )
        for row in Applicability.objects.for_org(organization).filter(assessment=previous)
        if row.key in mapping.key_map
    )
    _copy_answers(previous=previous, assessment=assessment, mapping=mapping)
    extensions = mapping.kept_extensions
    assessment.extensions.set(extensions)
    _copy_extension_answers(previous=previous, assessment=assessment, extensions=extensions, mapping=mapping)
    _copy_open_targets(previous=previous, assessment=assessment, mapping=mapping)
    assessment_summary_refresh(assessment=assessment)
    audit_log(
        organization=organization,
        actor=by,
        action="assessment.reassessment_started",
        obj=assessment,
        after={
            "previous": previous.pk,
            "model_version": model_version.version,
            "carried_over": mapping.carried_over_count,
            "new_categories": [c.new_key for c in mapping.new_categories],
            "dropped": [item.key for item in mapping.dropped_answers],
            "dropped_extensions": [str(extension) for extension in mapping.dropped_extensions],
        },
    )
    return assessment, mapping


def _carried(answer, **extra):
    return {
        "organization": answer.organization,
        "level": answer.level,
        "notes": answer.notes,
        "carried_over": True,
        # Who answered, and when, stays visible on the carried-over answer until it is confirmed.
        "updated_by": answer.updated_by,
        "updated_at": answer.updated_at,
        **extra,
    }


def _copy_answers(*, previous, assessment, mapping: MappingReport) -> None:
    organization = assessment.organization
    RequirementAnswer.objects.bulk_create(
        RequirementAnswer(
            **_carried(answer, assessment=assessment, requirement_id=mapping.requirement_map[answer.requirement_id])
        )
        for answer in RequirementAnswer.objects.for_org(organization).filter(assessment=previous)
        if answer.requirement_id in mapping.requirement_map and answer_has_content(answer)
    )
    CategoryAnswer.objects.bulk_create(
        CategoryAnswer(**_carried(answer, assessment=assessment, category_id=mapping.category_map[answer.category_id]))
        for answer in CategoryAnswer.objects.for_org(organization).filter(assessment=previous)
        if answer.category_id in mapping.category_map and answer_has_content(answer)
    )


def _copy_open_targets(*, previous, assessment, mapping: MappingReport) -> None:
    chosen = TargetLevel.objects.for_org(assessment.organization).filter(assessment=previous)
    if not chosen:
        return
    reached = assessment_baseline_score(assessment=previous).categories
    TargetLevel.objects.bulk_create(
        TargetLevel(
            organization=assessment.organization,
            assessment=assessment,
            category_key=mapping.key_map[target.category_key],
            level=target.level,
            updated_by=target.updated_by,
            updated_by_label=target.updated_by_label,
        )
        for target in chosen
        if target.category_key in mapping.key_map and (reached[target.category_key].level or 0) < target.level
    )


def _copy_extension_answers(*, previous, assessment, extensions, mapping: MappingReport) -> None:
    if not extensions:
        return
    organization = assessment.organization
    asked = set(ExtensionRelevance.objects.filter(extension__in=extensions).values_list("extension_id", "category_key"))
    rows = []
    for answer in ExtensionAnswer.objects.for_org(organization).filter(assessment=previous, extension__in=extensions):
        key = mapping.key_map.get(answer.category_key)
        if key and (answer.extension_id, key) in asked and answer_has_content(answer):
            rows.append(
                ExtensionAnswer(
                    **_carried(answer, assessment=assessment, extension_id=answer.extension_id, category_key=key)
                )
            )
    ExtensionAnswer.objects.bulk_create(rows)
