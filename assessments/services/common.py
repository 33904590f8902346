"""What every assessment write service shares: the error type and the read-only guards."""

from assessments.models import Assessment
from assessments.selectors import CATEGORY_LOCKED_MESSAGE, category_is_locked


class AssessmentError(Exception):
    """A refused change, with a message for the user."""


class AnswerConflict(AssessmentError):
    """A save based on a stale version: carries the answer as it is now stored."""

    def __init__(self, message, *, current):
        super().__init__(message)
        self.current = current


def assessment_ensure_editable(*, assessment) -> None:
    """Every write service calls this: a signed-off assessment is read-only for everyone."""
    if assessment.is_signed_off:
        raise AssessmentError("This assessment is signed off and read-only. An owner can reopen it.")


def assessment_lock_editable(*, assessment) -> Assessment:
    """Inside a transaction: the assessment row re-read under a lock, so that a sign-off racing with the
    change is seen (and refuses it) instead of being overwritten."""
    locked = (
        Assessment.objects.select_for_update().select_related("model_version", "organization").get(pk=assessment.pk)
    )
    assessment_ensure_editable(assessment=locked)
    return locked


def category_ensure_editable(*, assessment, category) -> None:
    """Every answer, evidence, comment and flag service calls this before changing anything in a category:
    the assessment must be editable and the category not locked (``assessments.selectors.category_is_locked``)."""
    assessment_ensure_editable(assessment=assessment)
    if category_is_locked(assessment=assessment, category=category):
        raise AssessmentError(CATEGORY_LOCKED_MESSAGE.format(key=category.key))
