"""The one place where the organization and the user's role are resolved from the URL.

Every organization URL starts with ``/o/<org_slug>/`` and its view is wrapped in ``org_view``:
- an anonymous user is sent to sign in;
- a signed-in user who is not a member gets 404 (no hint that the organization exists);
- a member whose role lacks the view's permission gets 403.
The view then finds ``request.organization``, ``request.membership``, ``request.role`` and
``request.perms``. Tenant-owned rows are fetched with ``tenant_get_or_404`` / ``.for_org(org)``.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS


def org_view(permission: str | None):
    """Decorate a view taking ``org_slug``; ``permission`` is what the role must grant (None: any member)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, org_slug, *args, **kwargs):
            membership = (
                Membership.objects.select_related("organization")
                .filter(organization__slug=org_slug, user=request.user)
                .first()
            )
            if membership is None:
                raise Http404("No such organization")
            request.organization = membership.organization
            request.membership = membership
            request.role = membership.role
            request.perms = ROLE_PERMISSIONS[membership.role]
            if permission is not None and permission not in request.perms:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorator


def require_perm(request, permission: str) -> None:
    """For a view whose actions need more than its base permission (e.g. POST vs GET)."""
    if permission not in request.perms:
        raise PermissionDenied


def tenant_get_or_404(model_or_queryset, organization, **lookups):
    """Fetch one tenant-owned row of ``organization``; rows of other organizations are 404."""
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    return get_object_or_404(queryset.filter(organization=organization), **lookups)


def member_perms(*, organization, user, membership=None) -> frozenset[str]:
    """What ``user`` may do in ``organization`` (empty for a non-member): for services.

    Views pass the membership their ``org_view`` resolved (``membership=request.membership``), so the
    service checks the same role without a second query; commands, tasks and tests leave it out and the
    role is looked up. A membership of another user or organization is ignored (looked up instead).
    """
    if user is None or not user.is_authenticated:
        return frozenset()
    organization_id = getattr(organization, "pk", organization)
    if membership is not None and membership.organization_id == organization_id and membership.user_id == user.pk:
        return ROLE_PERMISSIONS[membership.role]
    role = Membership.objects.filter(organization=organization, user=user).values_list("role", flat=True).first()
    return ROLE_PERMISSIONS.get(role, frozenset())


def ensure_perm(*, organization, user, permission: str, membership=None) -> None:
    """Services call this so that a write is refused whatever path it came through (``membership``: as
    ``member_perms``)."""
    if permission not in member_perms(organization=organization, user=user, membership=membership):
        raise PermissionDenied(f"You are not allowed to do this ({permission}).")
