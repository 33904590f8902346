"""What every assessment write service shares: the error type and the read-only guards."""

from assessments.models import Assessment, CategoryReview


class AssessmentError(Exception):
    """A refused change, with a message for the user."""


class AnswerConflict(AssessmentError):
    """A save based on a stale version: carries the answer as it is now stored."""

    def __init__(self, message, *, current, fields=("level", "notes"), saved=()):
        super().__init__(message)
        self.current = current
        self.fields = list(fields)  # the fields someone else changed: not saved
        self.saved = list(saved)  # the fields of the same save that were saved all the same


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
    """Every answer, evidence, comment and flag service calls this before changing anything in a category.

    The one lock rule: an accepted category is locked until the reviewer reopens it. It needs no
    status check because acceptances only live within a review round: requesting review sets every
    category back to waiting, and reopening a signed-off assessment clears them (workflow services).
    """
    assessment_ensure_editable(assessment=assessment)
    accepted = CategoryReview.objects.for_org(assessment.organization_id).filter(
        assessment=assessment, category=category, status=CategoryReview.Status.ACCEPTED
    )
    if accepted.exists():
        raise AssessmentError(
            f"Category {category.key} was accepted in review and is locked. The reviewer can reopen it."
        )
