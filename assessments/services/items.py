"""The item comments, evidence and flags attach to: a requirement (formal) or a category (self-assessment).

"Item" always means this; "target" means a target level (improvement) or date.
"""

from assessments.services.common import AssessmentError


def item_check(*, assessment, requirement=None, category=None) -> dict:
    """Validate the item and return the model fields that point at it (requirement rows also name their category)."""
    if (requirement is None) == (category is None):
        raise AssessmentError("Choose one requirement or one category.")
    if requirement is not None:
        if requirement.model_version_id != assessment.model_version_id:
            raise AssessmentError(f"Requirement {requirement.key} is not part of this assessment's model version.")
        return {"requirement": requirement, "category_id": requirement.category_id}
    if category.model_version_id != assessment.model_version_id:
        raise AssessmentError(f"Category {category.key} is not part of this assessment's model version.")
    return {"category": category, "requirement": None}


def item_label(*, requirement=None, category=None) -> str:
    return requirement.key if requirement is not None else category.key


def item_category(*, requirement=None, category=None):
    """The category whose review lock applies to the item."""
    return requirement.category if requirement is not None else category
