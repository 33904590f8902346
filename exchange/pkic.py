"""An assessment in the PKI Consortium browser tool's formats: its progress.yaml and its share link.

The tool keeps one level per category (``"<module>.<category>"`` keys, the model's own: ``G.1`` in 1.x,
``G.strategy-and-vision`` in 2.0.0), -1 for not applicable and 0 for not assessed, with the level's name
and the category's descriptor of that level as the tool shows them. A formal assessment gives each
category the level of its computed value; the tool has no requirement answers.
"""

import base64
import json

import yaml
from django.conf import settings

from assessments.models import UseCase
from assessments.selectors_scores import assessment_score

NOT_APPLICABLE = -1
NOT_ASSESSED = 0


def _level_entry(category, level: int | None, applicable: bool) -> dict:
    if not applicable:
        return {"level": NOT_APPLICABLE, "result": "Not applicable", "description": "", "applicability": False}
    if level is None:
        return {"level": NOT_ASSESSED, "result": "", "description": "", "applicability": True}
    descriptor = next((item for item in category.levels if item.get("number") == level), {})
    return {
        "level": level,
        "result": descriptor.get("name", str(level)),
        "description": descriptor.get("description", ""),
        "applicability": True,
    }


def pkic_progress_data(*, assessment) -> dict:
    """The tool's document: assessment name, assessor, use-case description and the progress per category."""
    result = assessment_score(assessment=assessment)
    categories = assessment.model_version.categories.order_by("position")
    progress = {
        category.key: _level_entry(
            category,
            result.categories[category.key].level,
            category.key not in result.not_applicable,
        )
        for category in categories
    }
    use_cases = UseCase.objects.for_org(assessment.organization).filter(assessment=assessment).order_by("position")
    return {
        "assessmentName": assessment.name,
        "assessorName": assessment.assessor_name,
        "useCaseDescription": "\n\n".join(u.description for u in use_cases if u.description.strip()),
        "progress": progress,
    }


def pkic_progress_yaml(data: dict) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def pkic_share_link(data: dict) -> str:
    """The tool's share link: each field base64 in the URL fragment (progress as JSON), nothing sent to a server."""
    fields = [
        ("progress", _b64(json.dumps(data["progress"], ensure_ascii=False, separators=(",", ":")))),
        ("assessmentName", _b64(data["assessmentName"])),
        ("assessorName", _b64(data["assessorName"])),
        ("useCaseDescription", _b64(data["useCaseDescription"])),
    ]
    return settings.PKIC_TOOL_URL + "#" + "&".join(f"{name}={value}" for name, value in fields)
