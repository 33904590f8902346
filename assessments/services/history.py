"""Audit entries of scope, assignment and workflow changes, filed under their assessment.

Every entry names the assessment as its object (type "assessment", its id), so the history of
one assessment is one indexed query; the changed item (use-case, scope key, category review,
assignment) is named in the entry's text and its before/after values.
"""

from audit.services import audit_log


def assessment_audit(*, assessment, by, action: str, subject: str = "", before=None, after=None):
    return audit_log(
        organization=assessment.organization,
        actor=by,
        action=action,
        object_type="assessment",
        object_id=assessment.pk,
        object_repr=f"{assessment.name} · {subject}" if subject else assessment.name,
        before=before,
        after=after,
    )
