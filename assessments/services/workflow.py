"""The assessment workflow: draft -> in progress -> in review -> signed off (and reopen).

Every transition locks the assessment row (select_for_update) and checks the status on the locked
row, so two people acting at once cannot both succeed (e.g. a double sign-off).
"""

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from assessments.models import Assessment, CategoryReview, Evidence, Flag, SignOff
from assessments.selectors_manage import categories_in_scope, open_items, scope_tree
from assessments.selectors_read import AssessmentRead
from assessments.services.common import AssessmentError, assessment_lock_editable, questionnaire_url
from assessments.services.history import assessment_audit
from assessments.services.snapshot import assessment_snapshot_build
from assessments.signals import signoff_created
from core.events import ASSESSMENT_SIGNED_OFF, REVIEW_REQUESTED, event_announce
from core.profiles import person_name, person_title
from notifications.services import Kind, notify
from organizations.roles import Perm
from organizations.selectors import members_with_perm
from organizations.tenancy import ensure_perm

Status = Assessment.Status
ReviewStatus = CategoryReview.Status
OPEN_ITEMS_SHOWN = 25  # the sign-off refusal lists this many open items, then "and N more"


def assessment_url(assessment, name: str) -> str:
    """Path of an assessment page ("detail", "review", "sign_off", ...)."""
    from django.urls import reverse

    return reverse(
        f"assessments:{name}", kwargs={"org_slug": assessment.organization.slug, "assessment_id": assessment.pk}
    )


def _lock(*, assessment: Assessment, by, membership=None, permission: str) -> Assessment:
    ensure_perm(organization=assessment.organization, user=by, permission=permission, membership=membership)
    return assessment_lock_editable(assessment=assessment)


def _status_change(*, locked, by, action, before_status, extra=None):
    return assessment_audit(
        assessment=locked,
        by=by,
        action=action,
        before={"status": before_status},
        after={"status": locked.status, **(extra or {})},
    )


def assessment_start(*, assessment: Assessment, by, membership=None) -> Assessment:
    """Draft -> in progress, explicitly (the first answer does it too: ``assessment_start_on_first_answer``)."""
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_ANSWER, membership=membership)
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


def assessment_request_review(*, assessment: Assessment, by, membership=None) -> Assessment:
    """Draft or in progress -> in review: every category in scope waits for review again."""
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_MANAGE, membership=membership)
        if locked.status not in (Status.DRAFT, Status.IN_PROGRESS):
            raise AssessmentError("Review can only be requested for an assessment in progress.")
        in_scope = categories_in_scope(assessment=locked)
        if not in_scope:
            raise AssessmentError("Nothing is in scope: mark at least one category applicable first.")
        reviews = CategoryReview.objects.for_org(locked.organization).filter(assessment=locked)
        reviews.update(
            status=ReviewStatus.PENDING,
            comment="",
            reviewed_by=None,
            reviewed_at=None,
            changed_since_review_at=None,
            changed_since_review_by=None,
        )
        have = set(reviews.values_list("category_id", flat=True))
        CategoryReview.objects.bulk_create(
            CategoryReview(organization=locked.organization, assessment=locked, category=category.object)
            for category in in_scope
            if category.object.id not in have
        )
        before = locked.status
        locked.status = Status.IN_REVIEW
        locked.save(update_fields=["status", "updated_at"])
        entry = _status_change(
            locked=locked,
            by=by,
            action="assessment.review_requested",
            before_status=before,
            extra={"categories": [category.key for category in in_scope]},
        )
        event_announce(
            organization=locked.organization,
            event=REVIEW_REQUESTED,
            data={"assessment": _event_assessment(locked), "requested_by": by.get_username()},
        )
        notify(
            organization=locked.organization,
            kind=Kind.REVIEW_REQUESTED,
            event_key=f"audit:{entry.pk}",
            recipient_ids=[
                pk
                for pk in members_with_perm(organization=locked.organization, permission=Perm.ASSESSMENT_REVIEW)
                if pk != by.pk
            ],
            actor=by,
            title=f"Review requested: {locked.name}",
            body=f"{by.get_username()} asks you to review the {len(in_scope)} categories in scope of {locked.name}.",
            url=assessment_url(locked, "review"),
        )
    assessment.refresh_from_db()
    return assessment


def _review_for_change(*, assessment, category_key, by, membership=None) -> tuple[Assessment, CategoryReview]:
    locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_REVIEW, membership=membership)
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
    *, assessment, category_key, by, membership=None, allowed_from, refusal, action, status, comment=""
) -> CategoryReview:
    """One category's review moves to ``status``, from one of ``allowed_from`` (else ``refusal``), audited."""
    with transaction.atomic():
        locked, review = _review_for_change(
            assessment=assessment, category_key=category_key, by=by, membership=membership
        )
        if review.status not in allowed_from:
            raise AssessmentError(refusal)
        before = {"status": review.status, "comment": review.comment}
        review.status, review.comment = status, comment
        review.reviewed_by, review.reviewed_at = by, timezone.now()
        review.changed_since_review_at = review.changed_since_review_by = None  # looked at again now
        review.save()
        review.audit_entry = assessment_audit(
            assessment=locked,
            by=by,
            action=action,
            subject=f"{review.category.key} {review.category.name}",
            before={"category": review.category.key, **before},
            after={"category": review.category.key, "status": status, "comment": comment},
        )
        if status == ReviewStatus.SENT_BACK:
            _notify_sent_back(assessment=locked, review=review, by=by)
    return review


def _notify_sent_back(*, assessment, review, by) -> None:
    """To whoever the category (or one of its requirements) is assigned to; without assignments, to the
    people who answered in it."""
    from assessments.models import Assignment, CategoryAnswer, RequirementAnswer

    category = review.category
    assigned = Assignment.objects.for_org(assessment.organization).filter(assessment=assessment)
    recipients = set(assigned.filter(category=category).values_list("assignee_id", flat=True)) | set(
        assigned.filter(requirement__category=category).values_list("assignee_id", flat=True)
    )
    if not recipients:
        answers = RequirementAnswer if assessment.is_formal else CategoryAnswer
        lookup = {"requirement__category": category} if assessment.is_formal else {"category": category}
        recipients = set(
            answers.objects.for_org(assessment.organization)
            .filter(assessment=assessment, **lookup)
            .exclude(updated_by=None)
            .values_list("updated_by_id", flat=True)
        )
    recipients.discard(by.pk)
    notify(
        organization=assessment.organization,
        kind=Kind.SENT_BACK,
        event_key=f"audit:{review.audit_entry.pk}",
        recipient_ids=recipients,
        actor=by,
        title=f"{category.key} sent back: {assessment.name}",
        body=f"{by.get_username()} sent {category.key} {category.name} back to you: {review.comment}",
        url=questionnaire_url(assessment, category.key),
    )


NOT_ACCEPTED = (ReviewStatus.PENDING, ReviewStatus.SENT_BACK)


def category_review_mark_changed(*, assessment: Assessment, review: CategoryReview, by, what: str) -> None:
    """Inside the transaction of a lead's change in a category under review: the review becomes
    "changed since review" and, the first time, the reviewer is told (after commit)."""
    first = review.changed_since_review_at is None
    now = timezone.now()
    CategoryReview.objects.filter(pk=review.pk).update(changed_since_review_at=now, changed_since_review_by=by)
    review.changed_since_review_at, review.changed_since_review_by = now, by
    if not first:
        return
    entry = assessment_audit(
        assessment=assessment,
        by=by,
        action="category_review.changed_since_review",
        subject=f"{review.category.key} {review.category.name}",
        before={"category": review.category.key, "status": review.status},
        after={"category": review.category.key, "status": review.status, "changed": what},
    )
    reviewers = (
        [review.reviewed_by_id]
        if review.reviewed_by_id
        else members_with_perm(organization=assessment.organization, permission=Perm.ASSESSMENT_REVIEW)
    )
    notify(
        organization=assessment.organization,
        kind=Kind.REVIEW_CHANGED,
        event_key=f"audit:{entry.pk}",
        recipient_ids=[user_id for user_id in reviewers if user_id != by.pk],
        actor=by,
        title=f"{review.category.key} changed since your review: {what}",
        body=(
            f"{by.get_username()} changed {what} in {review.category.key} {review.category.name} of "
            f"{assessment.name} after it was {review.get_status_display().lower()}. Please look again."
        ),
        url=questionnaire_url(assessment, review.category.key),
    )


def category_review_accept(*, assessment: Assessment, category_key: str, by, membership=None) -> CategoryReview:
    return _review_change(
        assessment=assessment,
        category_key=category_key,
        by=by,
        allowed_from=NOT_ACCEPTED,
        refusal=f"{category_key} is already accepted.",
        action="category_review.accepted",
        status=ReviewStatus.ACCEPTED,
        membership=membership,
    )


def category_review_send_back(
    *, assessment: Assessment, category_key: str, comment: str, by, membership=None
) -> CategoryReview:
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
        membership=membership,
    )


def category_review_reopen(*, assessment: Assessment, category_key: str, by, membership=None) -> CategoryReview:
    """An accepted category back to "waiting for review" (it becomes editable again)."""
    return _review_change(
        assessment=assessment,
        category_key=category_key,
        by=by,
        allowed_from=(ReviewStatus.ACCEPTED,),
        refusal=f"{category_key} is not accepted.",
        action="category_review.reopened",
        status=ReviewStatus.PENDING,
        membership=membership,
    )


@dataclass
class SignOffCheck:
    """What the signer sees before signing off.

    Blocking (``ok`` is False): the status, and categories not accepted in review. The checklist
    (open flags, formal requirements without evidence, categories changed since review, unanswered
    items) does not block, but each of its items must be named (by its key) in the statement: they
    are stored with the sign-off and printed in the report.
    """

    status_problem: str = ""
    open_items: list[str] = field(default_factory=list)  # unanswered: "G.1.2 Title"
    not_accepted: list[str] = field(default_factory=list)
    open_flags: list[str] = field(default_factory=list)  # "G.1.3 Title: note"
    no_evidence: list[str] = field(default_factory=list)  # "G.1.1 Title"
    changed_since_review: list[str] = field(default_factory=list)  # "G.2 Name"

    @property
    def ok(self) -> bool:
        return not (self.status_problem or self.not_accepted)

    @property
    def checklist(self) -> list[tuple[str, str, list[str]]]:
        """(kind, heading, items) of every checklist group, in the order shown."""
        return [
            ("open_flag", "Open “needs discussion” flags", self.open_flags),
            ("no_evidence", "Requirements without evidence", self.no_evidence),
            ("changed_since_review", "Categories changed since review", self.changed_since_review),
            ("unanswered", "Applicable items not answered", self.open_items),
        ]

    @property
    def checklist_items(self) -> list[dict]:
        return [
            {"kind": kind, "key": item.split()[0].rstrip(":"), "text": item}
            for kind, _heading, items in self.checklist
            for item in items
        ]

    def unnamed(self, statement: str) -> list[dict]:
        """Checklist items whose key the statement does not name."""
        return [item for item in self.checklist_items if not _names(statement, item["key"])]

    def suggested_statement(self) -> str:
        if not self.checklist_items:
            return ""
        lines = ["Signed off with these open items:"]
        for _kind, heading, items in self.checklist:
            if items:
                lines.append(f"{heading}: " + ", ".join(item.split()[0].rstrip(":") for item in items) + ".")
        return "\n".join(lines)

    def message(self) -> str:
        parts = [self.status_problem] if self.status_problem else []
        if self.not_accepted:
            parts.append(f"These categories are not accepted yet: {', '.join(self.not_accepted)}.")
        if self.open_items:
            shown = "; ".join(self.open_items[:OPEN_ITEMS_SHOWN])
            more = len(self.open_items) - OPEN_ITEMS_SHOWN
            parts.append(
                f"{len(self.open_items)} applicable item(s) are not answered: {shown}"
                + (f" and {more} more." if more > 0 else ".")
            )
        return " ".join(parts)


def _names(statement: str, key: str) -> bool:
    """Whether the statement names ``key`` ("G.1" is not named by "G.1.2", nor "G.1.1" by "G.1.10")."""
    return re.search(rf"(?<![\w.]){re.escape(key)}(?![\w]|\.\w)", statement) is not None


def sign_off_check(*, assessment: Assessment) -> SignOffCheck:
    if assessment.is_signed_off:
        return SignOffCheck(status_problem="The assessment is already signed off.")
    if assessment.status != Status.IN_REVIEW:
        return SignOffCheck(status_problem="Request a review first: only an assessment in review can be signed off.")
    tree = scope_tree(assessment=assessment)
    in_scope = categories_in_scope(assessment=assessment, tree=tree)
    reviews = {
        review.category_id: review
        for review in CategoryReview.objects.for_org(assessment.organization).filter(assessment=assessment)
    }
    flags = Flag.objects.for_org(assessment.organization).filter(assessment=assessment, resolved_at=None)
    flagged = [
        (flag.requirement or flag.category, flag.note)
        for flag in flags.select_related("requirement", "category").order_by("pk")
    ]
    no_evidence = []
    if assessment.is_formal:
        evidenced = set(
            Evidence.objects.for_org(assessment.organization)
            .filter(assessment=assessment, requirement__isnull=False)
            .values_list("requirement_id", flat=True)
        )
        no_evidence = [
            f"{req.key} {req.name}"
            for category in in_scope
            for req in category.children
            if req.applicable and req.object.id not in evidenced
        ]
    return SignOffCheck(
        open_items=open_items(assessment=assessment, tree=tree),
        not_accepted=[
            category.key
            for category in in_scope
            if category.object.id not in reviews or reviews[category.object.id].status != ReviewStatus.ACCEPTED
        ],
        open_flags=[
            f"{target.key} {getattr(target, 'title', None) or target.name}" + (f": {note}" if note else "")
            for target, note in flagged
        ],
        no_evidence=no_evidence,
        changed_since_review=[
            f"{category.key} {category.name}"
            for category in in_scope
            if category.object.id in reviews and reviews[category.object.id].changed_since_review_at
        ],
    )


MAX_COUNTERSIGNERS = 4


def countersigners_clean(entries) -> list[dict]:
    """[{"name", "title"}] of the people who are to counter-sign the final reports (blank rows dropped)."""
    people = []
    for entry in entries or []:
        name = " ".join(str(entry.get("name") or "").split())
        title = " ".join(str(entry.get("title") or "").split())
        if not name and not title:
            continue
        if not name:
            raise AssessmentError(f"A counter-signer with the title {title!r} needs a name.")
        if len(name) > 150 or len(title) > 150:
            raise AssessmentError("Counter-signer names and titles are limited to 150 characters.")
        people.append({"name": name, "title": title})
    if len(people) > MAX_COUNTERSIGNERS:
        raise AssessmentError(f"At most {MAX_COUNTERSIGNERS} counter-signers can be named.")
    return people


def assessment_sign_off(*, assessment: Assessment, statement: str, by, membership=None, countersigners=None) -> SignOff:
    """In review, every category accepted, nothing open -> signed off, with a frozen snapshot.

    The signer's name and title are copied as they are now; ``countersigners`` names the people whose
    empty signature fields the final reports carry. ``signoff_created`` lets later layers (reports)
    freeze what they show, inside the same transaction.
    """
    statement = (statement or "").strip()
    if not statement:
        raise AssessmentError("A sign-off statement is required.")
    countersigners = countersigners_clean(countersigners)
    with transaction.atomic():
        locked = _lock(assessment=assessment, by=by, permission=Perm.ASSESSMENT_SIGNOFF, membership=membership)
        check = sign_off_check(assessment=locked)
        if not check.ok:
            raise AssessmentError("Sign-off refused. " + check.message())
        unnamed = check.unnamed(statement)
        if unnamed:
            keys = ", ".join(item["key"] for item in unnamed[:OPEN_ITEMS_SHOWN])
            more = f" and {len(unnamed) - OPEN_ITEMS_SHOWN} more" if len(unnamed) > OPEN_ITEMS_SHOWN else ""
            raise AssessmentError(
                f"Sign-off refused. Name every open item of the checklist in the statement (they are printed "
                f"in the report), or resolve it first. Not named: {keys}{more}. {check.message()}".strip()
            )
        now = timezone.now()
        read = AssessmentRead(locked)  # the snapshot and the exchange document frozen beside it read it once
        signoff = SignOff.objects.create(
            organization=locked.organization,
            assessment=locked,
            signed_by=by,
            signed_by_label=by.get_username(),
            signed_by_name=person_name(by),
            signed_by_title=person_title(by),
            signed_at=now,
            statement=statement,
            countersigners=countersigners,
            snapshot=assessment_snapshot_build(assessment=locked, read=read),
            open_items=check.checklist_items,
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
            extra={
                "signoff": signoff.pk,
                "statement": statement,
                "open_items": signoff.open_items,
                "countersigners": countersigners,
            },
        )
        notify(
            organization=locked.organization,
            kind=Kind.SIGNED_OFF,
            event_key=f"signed-off:{signoff.pk}",
            recipient_ids=[
                pk
                for pk in members_with_perm(organization=locked.organization, permission=Perm.ASSESSMENT_VIEW)
                if pk != by.pk
            ],
            actor=by,
            title=f"Signed off: {locked.name}",
            body=f"{by.get_username()} signed off {locked.name}."
            + (f" Open items named in the statement: {len(signoff.open_items)}." if signoff.open_items else ""),
            url=assessment_url(locked, "detail"),
        )
        event_announce(
            organization=locked.organization,
            event=ASSESSMENT_SIGNED_OFF,
            data={"assessment": _event_assessment(locked), "signed_off_by": by.get_username(), "signed_at": now},
        )
        signoff_created.send(sender=SignOff, signoff=signoff, read=read)
    assessment.refresh_from_db()
    return signoff


def _event_assessment(assessment) -> dict:
    return {"id": assessment.pk, "name": assessment.name, "status": assessment.status}


def assessment_reopen(*, assessment: Assessment, reason: str, by, membership=None) -> Assessment:
    """Owners only: signed off -> in progress. The sign-off stays in the history, marked reopened.

    The acceptances of the signed-off round are cleared (they would lock every category, and
    categories are only reopened for review in review); the audit log keeps them.
    """
    reason = (reason or "").strip()
    if not reason:
        raise AssessmentError("A reason is required to reopen a signed-off assessment.")
    with transaction.atomic():
        ensure_perm(
            organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_REOPEN, membership=membership
        )
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
            status=ReviewStatus.PENDING,
            comment="",
            reviewed_by=None,
            reviewed_at=None,
            changed_since_review_at=None,
            changed_since_review_by=None,
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
