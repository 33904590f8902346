"""Roles and what each may do: the one table every view, service and test consults."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    LEAD = "lead", "Lead assessor"
    ASSESSOR = "assessor", "Assessor"
    VIEWER = "viewer", "Viewer"


class Perm:
    """Permission names. A view declares the one it needs; services check the same names."""

    ORG_VIEW = "org.view"
    ORG_MANAGE_MEMBERS = "org.manage_members"
    ORG_SETTINGS = "org.settings"
    ORG_AUDIT_VIEW = "org.audit_view"
    ORG_DELETE_DATA = "org.delete_data"

    ASSESSMENT_VIEW = "assessment.view"  # see assessments, their answers and results
    ASSESSMENT_CREATE = "assessment.create"
    ASSESSMENT_MANAGE = "assessment.manage"  # metadata, scope, assignments, request review
    ASSESSMENT_ANSWER = "assessment.answer"  # answers, notes, evidence, flags
    ASSESSMENT_COMMENT = "assessment.comment"
    ASSESSMENT_REVIEW = "assessment.review"  # accept / send back categories
    ASSESSMENT_SIGNOFF = "assessment.signoff"
    ASSESSMENT_REOPEN = "assessment.reopen"  # reopen a signed-off assessment
    ASSESSMENT_EXPORT = "assessment.export"
    EVIDENCE_VIEW = "evidence.view"

    REPORT_REQUEST = "report.request"
    REPORT_DOWNLOAD_DRAFT = "report.download_draft"
    REPORT_DOWNLOAD_SIGNED = "report.download_signed"
    REPORT_COUNTERSIGN = "report.countersign"  # upload a final report back with a counter-signature

    PLAN_VIEW = "plan.view"
    PLAN_MANAGE = "plan.manage"  # targets and action plans
    PORTFOLIO_VIEW = "portfolio.view"


_VIEWER = {
    Perm.ORG_VIEW,
    Perm.ASSESSMENT_VIEW,
    Perm.REPORT_DOWNLOAD_SIGNED,
    Perm.PLAN_VIEW,
}
_ASSESSOR = _VIEWER | {
    Perm.ASSESSMENT_ANSWER,
    Perm.ASSESSMENT_COMMENT,
    Perm.EVIDENCE_VIEW,
    Perm.REPORT_REQUEST,
    Perm.REPORT_DOWNLOAD_DRAFT,
}
_LEAD = _ASSESSOR | {
    Perm.ASSESSMENT_CREATE,
    Perm.ASSESSMENT_MANAGE,
    Perm.ASSESSMENT_REVIEW,
    Perm.ASSESSMENT_SIGNOFF,
    Perm.ASSESSMENT_EXPORT,
    Perm.REPORT_COUNTERSIGN,
    Perm.PLAN_MANAGE,
    Perm.PORTFOLIO_VIEW,
}
_OWNER = _LEAD | {
    Perm.ORG_MANAGE_MEMBERS,
    Perm.ORG_SETTINGS,
    Perm.ORG_AUDIT_VIEW,
    Perm.ORG_DELETE_DATA,
    Perm.ASSESSMENT_REOPEN,
}

ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(_OWNER),
    Role.LEAD: frozenset(_LEAD),
    Role.ASSESSOR: frozenset(_ASSESSOR),
    Role.VIEWER: frozenset(_VIEWER),
}


def role_has_perm(role: str | None, perm: str) -> bool:
    return role is not None and perm in ROLE_PERMISSIONS.get(role, frozenset())
