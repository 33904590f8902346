from django.utils import timezone

from organizations.models import Invitation, Membership


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


def memberships_of_user(*, user, organization=None):
    """The user's memberships with their organizations, newest first (only ``organization``'s if given)."""
    memberships = Membership.objects.filter(user=user).select_related("organization").order_by("-id")
    return memberships.filter(organization=organization) if organization is not None else memberships


def users_with_perm(*, organization, permission: str):
    """The users whose role in ``organization`` grants ``permission``, by email (a queryset, for form choices)."""
    from django.contrib.auth import get_user_model

    from organizations.roles import ROLE_PERMISSIONS

    roles = [role for role, perms in ROLE_PERMISSIONS.items() if permission in perms]
    return (
        get_user_model()
        .objects.filter(memberships__organization=organization, memberships__role__in=roles)
        .select_related("profile")
        .order_by("email")
    )
