from django.db import transaction

from assessments.models import Comment
from assessments.services.common import AssessmentError, category_ensure_editable
from assessments.services.targets import target_category, target_check, target_label
from audit.services import audit_log
from core.textrules import COMMENT_MAX_LENGTH, text_problem
from organizations.roles import Perm
from organizations.tenancy import ensure_perm

MAX_COMMENT_LENGTH = COMMENT_MAX_LENGTH


def comment_add(*, assessment, body, by, requirement=None, category=None) -> Comment:
    """Add a comment to the thread of a requirement (or of a category in a self-assessment)."""
    ensure_perm(organization=assessment.organization, user=by, permission=Perm.ASSESSMENT_COMMENT)
    target = target_check(assessment=assessment, requirement=requirement, category=category)
    category_ensure_editable(
        assessment=assessment, category=target_category(requirement=requirement, category=category)
    )
    body = (body or "").strip()
    if not body:
        raise AssessmentError("The comment is empty.")
    if len(body) > MAX_COMMENT_LENGTH:
        raise AssessmentError(f"A comment is limited to {MAX_COMMENT_LENGTH} characters.")
    if problem := text_problem(body):
        raise AssessmentError(f"The comment was not added: it {problem}.")
    with transaction.atomic():
        comment = Comment.objects.create(
            organization_id=assessment.organization_id, assessment=assessment, author=by, body=body, **target
        )
        audit_log(
            organization=assessment.organization,
            actor=by,
            action="comment.added",
            obj=comment,
            object_repr=f"Comment on {target_label(requirement=requirement, category=category)}",
            after={"body": body},
        )
    return comment
