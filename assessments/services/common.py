"""What every assessment write service shares: the error type and the read-only guards."""

import datetime

from django.utils import timezone

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


# The per-field merge rule shared by answers (level, notes) and scope decisions (applicability + reason).


def field_changed_by_save(value, *, stored, shown, legacy=False) -> bool:
    """Whether a save changes a field: it differs from what is stored and from what the form showed
    (``shown``); a legacy save (values shown unknown) changes every field that differs from the stored one."""
    if value == stored:
        return False
    return legacy or value != shown


def field_is_stale(*, stored_version, basis_version, changed_by_id, by) -> bool:
    """Someone else changed the field after the version the save was based on (a person's own later
    save, e.g. in another tab, never conflicts with them)."""
    return stored_version > basis_version and changed_by_id not in (None, by.pk)


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


def category_review_lock(*, assessment, category, by):
    """Answers and evidence of a category under review: read-only while it waits for review (the
    assessment in review) or after it was accepted, until the reviewer sends it back.

    A lead (who may manage the assessment) can still change them: the review is returned here so that
    the caller marks it "changed since review" in the same transaction (and the reviewer is told).
    """
    assessment_ensure_editable(assessment=assessment)
    review = (
        CategoryReview.objects.for_org(assessment.organization_id)
        .filter(assessment=assessment, category=category)
        .select_related("category")
        .first()
    )
    return category_review_check(assessment=assessment, review=review, category_key=category.key, by=by)


def category_review_check(*, assessment, review, category_key: str, by):
    """The rule of ``category_review_lock`` for a review already read (or None), e.g. by the answer save's
    guard statement: None when the category is open, the review when a lead changes it, else refused."""
    if review is None:
        return None
    waiting = review.status == CategoryReview.Status.PENDING and assessment.status == Assessment.Status.IN_REVIEW
    if not waiting and review.status != CategoryReview.Status.ACCEPTED:
        return None
    from organizations.roles import Perm
    from organizations.tenancy import member_perms

    if Perm.ASSESSMENT_MANAGE in member_perms(organization=assessment.organization, user=by):
        return review
    if waiting:
        raise AssessmentError(
            f"Category {category_key} is waiting for review: its answers are read-only until the reviewer "
            "sends it back."
        )
    raise AssessmentError(f"Category {category_key} was accepted in review and is locked. The reviewer can reopen it.")


def questionnaire_url(assessment, category_key: str, key: str = "") -> str:
    """The path of a category page of the questionnaire (at a requirement's card when ``key`` is given)."""
    from django.urls import reverse

    url = reverse(
        "assessments:questionnaire_category",
        kwargs={
            "org_slug": assessment.organization.slug,
            "assessment_id": assessment.pk,
            "category_key": category_key,
        },
    )
    if key:
        import re

        url += "#item-" + re.sub(r"[^A-Za-z0-9]+", "-", key)
    return url


def due_date_ensure_not_past(due_date: datetime.date | None) -> None:
    """A due date before today is refused (it would be overdue the moment it is set)."""
    if due_date is not None and due_date < timezone.localdate():
        raise AssessmentError(
            f"The due date {due_date:%d %B %Y} is in the past: choose today or a later date. Nothing was assigned."
        )
