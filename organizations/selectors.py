from django.utils import timezone

from assessments.models import Assessment
from organizations.models import Invitation, Membership

DASHBOARD_SORTS = {
    "name": lambda row: row.organization.name.lower(),
    "recent": lambda row: -(row.last_activity.timestamp() if row.last_activity else 0),
    "role": lambda row: (row.membership.role, row.organization.name.lower()),
}


class DashboardRow:
    def __init__(self, membership, assessments):
        self.membership = membership
        self.organization = membership.organization
        self.assessments = assessments
        self.last_activity = max((a.updated_at for a in assessments), default=membership.organization.created_at)


def dashboard_rows(*, user, query: str = "", sort: str = "recent") -> list[DashboardRow]:
    """Every organization of ``user`` with its assessments, most recent first: two queries in all."""
    memberships = list(Membership.objects.filter(user=user).select_related("organization"))
    if query:
        needle = query.strip().lower()
        memberships = [m for m in memberships if needle in m.organization.name.lower() or needle in m.organization.slug]
    by_org = {m.organization_id: [] for m in memberships}
    if by_org:
        assessments = (
            Assessment.objects.filter(organization_id__in=by_org)
            .select_related("model_version")
            .order_by("-updated_at", "-id")
        )
        for assessment in assessments:
            by_org[assessment.organization_id].append(assessment)
    rows = [DashboardRow(m, by_org[m.organization_id]) for m in memberships]
    rows.sort(key=DASHBOARD_SORTS.get(sort, DASHBOARD_SORTS["recent"]))
    return rows


def member_list(*, organization):
    return Membership.objects.for_org(organization).select_related("user").order_by("user__email")


def invitation_pending_list(*, organization):
    return (
        Invitation.objects.for_org(organization)
        .filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )


def members_with_perm(*, organization, permission: str) -> list[int]:
    """Ids of the active members whose role grants ``permission`` (e.g. who can review)."""
    from organizations.roles import ROLE_PERMISSIONS

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    return list(
        Membership.objects.filter(organization=organization, role__in=roles, user__is_active=True)
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def members_matching(*, organization, query: str, limit: int = 8) -> list[dict]:
    """Members whose e-mail, user name or name starts with ``query`` (for @mention autocomplete)."""
    from django.db.models import Q

    query = (query or "").strip().lstrip("@")
    members = Membership.objects.filter(organization=organization, user__is_active=True).select_related("user")
    if query:
        members = members.filter(
            Q(user__email__istartswith=query)
            | Q(user__username__istartswith=query)
            | Q(user__first_name__istartswith=query)
            | Q(user__last_name__istartswith=query)
        )
    return [
        {"email": m.user.email or m.user.username, "name": m.user.get_full_name()}
        for m in members.order_by("user__email")[:limit]
    ]


def sso_domain_organizations(*, provider: str, email: str):
    """Organizations that linked the domain of ``email`` to the single sign-on ``provider``."""
    from organizations.models import Organization

    domain = email.rpartition("@")[2].lower()
    return Organization.objects.filter(sso_domains__provider=provider, sso_domains__domain=domain)
