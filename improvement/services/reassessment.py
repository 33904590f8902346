"""Re-assessment: a new assessment of the same scope, started from a previous one.

The previous answers are the starting point, marked ``carried_over`` until someone confirms or changes
them. Target levels the lead chose and the previous assessment had not reached yet stay the goal and are
copied too; reached ones are not (the default, the next level above the current one, applies again).
Action plans belong to the organization, not to one assessment, so they simply carry on. With a newer
model version, everything is mapped through ``reassessment_mapping`` (categories by name, requirements by
their id within the category); what cannot be mapped is listed, never guessed.
"""

from django.db import transaction
from django.urls import reverse

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


@transaction.atomic
def evidence_carry_forward(*, assessment: Assessment, by) -> dict:
    """Offer the previous assessment's evidence in this re-assessment, as links to the earlier files.

    No file is copied: each piece of evidence becomes a link in the mapped requirement (or category) of
    the new assessment, to the earlier file's download address (which checks, at every click, that the
    reader may see evidence of this organization) or to the earlier web link. Run again, it adds only
    what is not linked yet. Returns ``{"linked": [keys], "unmapped": [keys of the previous version]}``.
    """
    from assessments.models import Evidence
    from assessments.services.common import AssessmentError, assessment_lock_editable

    organization = assessment.organization
    ensure_perm(organization=organization, user=by, permission=Perm.ASSESSMENT_ANSWER)
    ensure_perm(organization=organization, user=by, permission=Perm.EVIDENCE_VIEW)
    previous = assessment.previous
    if previous is None or previous.organization_id != organization.pk:
        raise ImprovementError("This assessment was not started from a previous one.")
    try:
        locked = assessment_lock_editable(assessment=assessment)
    except AssessmentError as error:
        raise ImprovementError(str(error)) from None
    mapping = reassessment_mapping(previous=previous, model_version=locked.model_version)
    earlier = list(
        Evidence.objects.for_org(organization)
        .filter(assessment=previous)
        .select_related("requirement", "category")
        .order_by("pk")
    )
    have = set(
        Evidence.objects.for_org(organization)
        .filter(assessment=locked, kind=Evidence.Kind.LINK)
        .values_list("requirement_id", "category_id", "url")
    )
    from catalog.models import Category, Requirement

    categories = Category.objects.in_bulk(list(mapping.category_map.values()))
    requirements = Requirement.objects.select_related("category").in_bulk(list(mapping.requirement_map.values()))
    created, unmapped = [], []
    for evidence in earlier:
        if evidence.requirement_id:
            requirement = requirements.get(mapping.requirement_map.get(evidence.requirement_id))
            category = requirement.category if requirement else None
        else:
            requirement = None
            category = categories.get(mapping.category_map.get(evidence.category_id))
        if category is None:
            unmapped.append(evidence.target_key)
            continue
        if evidence.kind == Evidence.Kind.FILE:
            if not evidence.file:
                continue  # imported without its content: nothing to link to
            url = reverse(
                "assessments:evidence_download",
                kwargs={"org_slug": organization.slug, "assessment_id": previous.pk, "evidence_id": evidence.pk},
            )
        else:
            url = evidence.url
        if (requirement.pk if requirement else None, category.pk, url) in have:
            continue
        name = evidence.title or evidence.original_name or evidence.url
        created.append(
            Evidence(
                organization=organization,
                assessment=locked,
                requirement=requirement,
                category=category,
                kind=Evidence.Kind.LINK,
                url=url,
                title=f"{name} (from {previous.name})"[:255],
                uploaded_by=by,
            )
        )
    Evidence.objects.bulk_create(created)
    linked = [e.requirement.key if e.requirement else e.category.key for e in created]
    if created:
        audit_log(
            organization=organization,
            actor=by,
            action="evidence.carried_forward",
            obj=locked,
            object_type="assessment",
            object_repr=f"{locked.name} · evidence of {previous.name}",
            after={"from": previous.name, "linked": linked, "not_mapped": unmapped},
        )
    return {"linked": linked, "unmapped": unmapped}
