import re

from django.db import transaction

from assessments.models import Comment
from assessments.services.common import AssessmentError, category_ensure_editable, questionnaire_url
from assessments.services.targets import target_category, target_check, target_label
from audit.services import audit_log
from core.textrules import COMMENT_MAX_LENGTH, text_problem
from notifications.services import Kind, notify
from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS, Perm
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
        _notify_mentions(assessment=assessment, comment=comment, by=by, requirement=requirement, category=category)
    return comment


MENTION = re.compile(r"(?<![\w.+-])@([\w.+-]+@[\w-]+(?:\.[\w-]+)+|[\w.+-]+)")


def comment_mentions(*, organization, body: str) -> list:
    """The members named in a comment as ``@e-mail`` (or ``@user name``) who can see the assessment."""
    names = {name.rstrip(".").lower() for name in MENTION.findall(body)}
    if not names:
        return []
    from django.db.models import Q

    members = Membership.objects.filter(organization=organization, user__is_active=True).filter(
        Q(user__email__in=names) | Q(user__username__in=names)
    )
    return [m.user_id for m in members if Perm.ASSESSMENT_VIEW in ROLE_PERMISSIONS.get(m.role, ())]


def _notify_mentions(*, assessment, comment, by, requirement, category) -> None:
    mentioned = [pk for pk in comment_mentions(organization=assessment.organization, body=comment.body) if pk != by.pk]
    if not mentioned:
        return
    label = target_label(requirement=requirement, category=category)
    key = requirement.key if requirement else category.key
    notify(
        organization=assessment.organization,
        kind=Kind.MENTION,
        event_key=f"comment:{comment.pk}",
        recipient_ids=mentioned,
        actor=by,
        title=f"{by.get_username()} mentioned you on {key} ({assessment.name})",
        body=f"On {label}:\n{comment.body}",
        url=questionnaire_url(assessment, target_category(requirement=requirement, category=category).key, key),
    )
