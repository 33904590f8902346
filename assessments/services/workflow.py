"""The assessment workflow: draft -> in progress -> in review -> signed off (and reopen).

Every transition locks the assessment row (select_for_update) and checks the status on the locked
row, so two people acting at once cannot both succeed (e.g. a double sign-off).
"""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, CategoryReview, SignOff
from assessments.selectors_manage import categories_in_scope, open_items, scope_tree
from assessments.services.common import AssessmentError, assessment_lock_editable
from assessments.services.history import assessment_audit
from assessments.services.snapshot import assessment_snapshot_build
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

Status = Assessment.Status
ReviewStatus = CategoryReview.Status
OPEN_ITEMS_SHOWN = 25  # the sign-off refusal lists this many open items, then "and N more"


def _lock(*, assessment: Assessment, by, permission: str) -> Assessment:
    ensure_perm(organization=assessment.organization, user=by, permission=permission)
    return assessment_lock_editable(assessment=assessment)


def _status_change(*, locked, by, action, before_status, extra=None) -> None:
    assessment_audit(
        assessment=locked,
        by=by,
        action=action,
        before={"status": before_status},
        after={"status": locked.status, **(extra or {})},
    )


def assessment_start(*, assessment: Assessment, by) -> Assessment:
    """Draft -> in progress, explicitly (the first answer does it too: ``assessment_start_on_first_answer``)."""
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_ANSWER)
        if locked.status != Status.DRAFT:
            raise AssessmentError("Only a draft assessment can be started.")
        _start(locked=locked, by=by)
    assessment.refresh_from_db()
    return assessment


def assessment_start_on_first_answer(*, assessment: Assessment, by) -> None:
    """Inside the answer's transaction: a draft becomes in progress; already started (by a concurrent
    first answer) is fine, signed off meanwhile refuses. The caller checked the permission to answer."""
    locked = assessment_lock_editable(assessment=assessment)
    if locked.status == Status.DRAFT:
        _start(locked=locked, by=by)
    assessment.status, assessment.start_date = locked.status, locked.start_date


def _start(*, locked: Assessment, by) -> None:
    locked.status = Status.IN_PROGRESS
    if locked.start_date is None:
        locked.start_date = timezone.localdate()
    locked.save(update_fields=["status", "start_date", "updated_at"])
    _status_change(locked=locked, by=by, action="assessment.started", before_status=Status.DRAFT)


def assessment_request_review(*, assessment: Assessment, by) -> Assessment:
    """Draft or in progress -> in review: every category in scope waits for review again."""
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_MANAGE)
        if locked.status not in (Status.DRAFT, Status.IN_PROGRESS):
            raise AssessmentError("Review can only be requested for an assessment in progress.")
        in_scope = categories_in_scope(assessment=locked)
        if not in_scope:
            raise AssessmentError("Nothing is in scope: mark at least one category applicable first.")
        reviews = CategoryReview.objects.for_org(locked.organization).filter(assessment=locked)
        reviews.update(status=ReviewStatus.PENDING, comment="", reviewed_by=None, reviewed_at=None)
        have = set(reviews.values_list("category_id", flat=True))
        CategoryReview.objects.bulk_create(
            CategoryReview(organization=locked.organization, assessment=locked, category=category.object)
            for category in in_scope
            if category.object.id not in have
        )
        before = locked.status
        locked.status = Status.IN_REVIEW
        locked.save(update_fields=["status", "updated_at"])
        _status_change(
            locked=locked,
            by=by,
            action="assessment.review_requested",
            before_status=before,
            extra={"categories": [category.key for category in in_scope]},
        )
    assessment.refresh_from_db()
    return assessment


def _review_for_change(*, assessment, category_key, by) -> tuple[Assessment, CategoryReview]:
    locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_REVIEW)
    if locked.status != Status.IN_REVIEW:
        raise AssessmentError("Categories are reviewed only while the assessment is in review.")
    in_scope_keys = {category.key for category in categories_in_scope(assessment=locked)}
    if category_key not in in_scope_keys:
        raise AssessmentError(f"{category_key} is not a category in scope.")
    review = (
        CategoryReview.objects.for_org(locked.organization)
        .select_for_update()
        .select_related("category")
        .filter(assessment=locked, category__key=category_key)
        .first()
    )
    if review is None:
        raise AssessmentError(f"{category_key} has no review yet.")
    return locked, review


def _review_change(
    *, assessment, category_key, by, allowed_from, refusal, action, status, comment=""
) -> CategoryReview:
    """One category's review moves to ``status``, from one of ``allowed_from`` (else ``refusal``), audited."""
    with transaction.atomic():
        locked, review = _review_for_change(assessment=assessment, category_key=category_key, by=by)
        if review.status not in allowed_from:
            raise AssessmentError(refusal)
        before = {"status": review.status, "comment": review.comment}
        review.status, review.comment = status, comment
        review.reviewed_by, review.reviewed_at = by, timezone.now()
        review.save()
        assessment_audit(
            assessment=locked,
            by=by,
            action=action,
            subject=f"{review.category.key} {review.category.name}",
            before={"category": review.category.key, **before},
            after={"category": review.category.key, "status": status, "comment": comment},
        )
    return review


NOT_ACCEPTED = (ReviewStatus.PENDING, ReviewStatus.SENT_BACK)


def category_review_accept(*, assessment: Assessment, category_key: str, by) -> CategoryReview:
    return _review_change(
        assessment=assessment,
        category_key=category_key,
        by=by,
        allowed_from=NOT_ACCEPTED,
        refusal=f"{category_key} is already accepted.",
        action="category_review.accepted",
        status=ReviewStatus.ACCEPTED,
    )


def category_review_send_back(*, assessment: Assessment, category_key: str, comment: str, by) -> CategoryReview:
    """Back to the assessors with what to fix; they can edit the category again."""
    comment = (comment or "").strip()
    if not comment:
        raise AssessmentError("Say why the category is sent back: a comment is required.")
    return _review_change(
        assessment=assessment,
        category_key=category_key,
        by=by,
        allowed_from=NOT_ACCEPTED,
        refusal=f"{category_key} is accepted: reopen it first.",
        action="category_review.sent_back",
        status=ReviewStatus.SENT_BACK,
        comment=comment,
    )


def category_review_reopen(*, assessment: Assessment, category_key: str, by) -> CategoryReview:
    """An accepted category back to "waiting for review" (it becomes editable again)."""
    return _review_change(
        assessment=assessment,
        category_key=category_key,
        by=by,
        allowed_from=(ReviewStatus.ACCEPTED,),
        refusal=f"{category_key} is not accepted.",
        action="category_review.reopened",
        status=ReviewStatus.PENDING,
    )


@dataclass
class SignOffCheck:
    """What stands between the assessment and its sign-off (nothing: it can be signed off)."""

    status_problem: str = ""
    open_items: list[str] = field(default_factory=list)
    not_accepted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.status_problem or self.open_items or self.not_accepted)

    def message(self) -> str:
        parts = [self.status_problem] if self.status_problem else []
        if self.open_items:
            shown = "; ".join(self.open_items[:OPEN_ITEMS_SHOWN])
            more = len(self.open_items) - OPEN_ITEMS_SHOWN
            parts.append(
                f"{len(self.open_items)} applicable item(s) are not answered: {shown}"
                + (f" and {more} more." if more > 0 else ".")
            )
        if self.not_accepted:
            parts.append(f"These categories are not accepted yet: {', '.join(self.not_accepted)}.")
        return " ".join(parts)


def sign_off_check(*, assessment: Assessment) -> SignOffCheck:
    if assessment.is_signed_off:
        return SignOffCheck(status_problem="The assessment is already signed off.")
    if assessment.status != Status.IN_REVIEW:
        return SignOffCheck(status_problem="Request a review first: only an assessment in review can be signed off.")
    tree = scope_tree(assessment=assessment)
    accepted = set(
        CategoryReview.objects.for_org(assessment.organization)
        .filter(assessment=assessment, status=ReviewStatus.ACCEPTED)
        .values_list("category_id", flat=True)
    )
    return SignOffCheck(
        open_items=open_items(assessment=assessment, tree=tree),
        not_accepted=[
            category.key
            for category in categories_in_scope(assessment=assessment, tree=tree)
            if category.object.id not in accepted
        ],
    )


def assessment_sign_off(*, assessment: Assessment, statement: str, by) -> SignOff:
    """In review, every category accepted, nothing open -> signed off, with a frozen snapshot."""
    statement = (statement or "").strip()
    if not statement:
        raise AssessmentError("A sign-off statement is required.")
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_SIGNOFF)
        check = sign_off_check(assessment=locked)
        if not check.ok:
            raise AssessmentError("Sign-off refused. " + check.message())
        now = timezone.now()
        signoff = SignOff.objects.create(
            organization=locked.organization,
            assessment=locked,
            signed_by=by,
            signed_by_label=by.get_username(),
            signed_at=now,
            statement=statement,
            snapshot=assessment_snapshot_build(assessment=locked),
        )
        locked.status = Status.SIGNED_OFF
        locked.signed_off_at, locked.signed_off_by = now, by
        if locked.finish_date is None:
            locked.finish_date = timezone.localdate()
        locked.save(update_fields=["status", "signed_off_at", "signed_off_by", "finish_date", "updated_at"])
        _status_change(
            locked=locked,
            by=by,
            action="assessment.signed_off",
            before_status=Status.IN_REVIEW,
            extra={"signoff": signoff.pk, "statement": statement},
        )
    assessment.refresh_from_db()
    return signoff


def assessment_reopen(*, assessment: Assessment, reason: str, by) -> Assessment:
    """Owners only: signed off -> in progress. The sign-off stays in the history, marked reopened.

    The acceptances of the signed-off round are cleared (they would lock every category, and
    categories are only reopened for review in review); the audit log keeps them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("A reason is required to reopen a signed-off assessment.")
    with transaction.atomic():
        ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_REOPEN)
        locked = Assessment.objects.select_for_update().select_related("organization").get(pk=assessment.pk)
        if not locked.is_signed_off:
            raise AssessmentError("Only a signed-off assessment can be reopened.")
        signoff = (
            SignOff.objects.for_org(locked.organization)
            .filter(assessment=locked, reopened_at=None, imported=False)
            .first()
        )
        now = timezone.now()
        if signoff is not None:
            signoff.reopened_at, signoff.reopened_by, signoff.reopen_reason = now, by, reason
            signoff.save(update_fields=["reopened_at", "reopened_by", "reopen_reason"])
        CategoryReview.objects.for_org(locked.organization).filter(assessment=locked).update(
            status=ReviewStatus.PENDING, comment="", reviewed_by=None, reviewed_at=None
        )
        locked.status = Status.IN_PROGRESS
        locked.signed_off_at = locked.signed_off_by = None
        locked.save(update_fields=["status", "signed_off_at", "signed_off_by", "updated_at"])
        _status_change(
            locked=locked,
            by=by,
            action="assessment.reopened",
            before_status=Status.SIGNED_OFF,
            extra={"reason": reason, "signoff": signoff.pk if signoff else None},
        )
    assessment.refresh_from_db()
    return assessment
