"""The frozen copy of an assessment kept with each sign-off (reports and history read it)."""

from django.utils import timezone

from assessments.models import Assessment
from assessments.selectors_manage import scope_tree
from assessments.selectors_read import AssessmentRead, score_json


def assessment_snapshot_build(*, assessment: Assessment, read: AssessmentRead | None = None) -> dict:
    """Metadata, use-cases, scope, answers and results (with every enabled extension) as plain JSON data: a
    projection of the assessment's read (``selectors_read``; ``read``: one already made, e.g. at sign-off)."""
    read = read or AssessmentRead(assessment)
    tree = scope_tree(assessment=assessment, rows=read.scope)

    def answer_data(answer, key):
        item = tree.items.get(key)
        return {
            "level": answer.level,
            "notes": answer.notes,
            "applicability": item.level if item else None,
            "carried_over": answer.carried_over,
        }

    return {
        "taken_at": timezone.now().isoformat(),
        "assessment": {
            "name": assessment.name,
            "method": assessment.method,
            "model_version": assessment.model_version.version,
            "assessor_type": assessment.assessor_type,
            "assessor_name": assessment.assessor_name,
            "assessor_company": assessment.assessor_company,
            "start_date": assessment.start_date.isoformat() if assessment.start_date else None,
            "target_date": assessment.target_date.isoformat() if assessment.target_date else None,
            "finish_date": assessment.finish_date.isoformat() if assessment.finish_date else None,
            "environment_design": assessment.environment_design,
            "environment_interactions": assessment.environment_interactions,
            "sampling_notes": assessment.sampling_notes,
        },
        "use_cases": [
            {
                "name": use_case.name,
                "description": use_case.description,
                "components": use_case.components,
                "out_of_scope": use_case.out_of_scope,
            }
            for use_case in read.use_cases
        ],
        "scope": {
            item.key: {"level": item.own_level, "reason": item.reason}
            for item in tree.items.values()
            if item.own_level != "applicable"
        },
        "answers": {
            answer.requirement.key: answer_data(answer, answer.requirement.key) for answer in read.requirement_answers
        },
        "category_answers": {
            answer.category.key: answer_data(answer, answer.category.key) for answer in read.category_answers
        },
        "extension_answers": [
            {
                "extension": answer.extension.ext_id,
                "extension_version": answer.extension.version,
                "category": answer.category_key,
                "level": answer.level,
                "notes": answer.notes,
            }
            for answer in read.extension_answers
        ],
        "results": score_json(read),
        # The evidence manifest: what each file was when signed off (name, size, SHA-256), links by address.
        "evidence": [
            {
                "target": _evidence_item_key(item),  # the stored key of the item (format of the snapshot)
                "kind": item.kind,
                "title": item.title,
                "name": item.original_name,
                "url": item.url,
                "size": item.size,
                "sha256": item.sha256,
            }
            for item in read.evidence
        ],
    }


def _evidence_item_key(item) -> str:
    if item.requirement_id:
        return item.requirement.key
    return item.category.key if item.category_id else ""
