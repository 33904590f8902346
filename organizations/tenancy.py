"""The one place where the organization and the user's role are resolved from the URL.

Every organization URL starts with ``/o/<org_slug>/`` and its view is wrapped in ``org_view``:
- an anonymous user is sent to sign in;
- a signed-in user who is not a member gets 404 (no hint that the organization exists);
- a member of an organization that requires two-factor authentication, whose session was not signed in with a
  second factor, is sent to set one up or to prove it (``mfa_required``);
- a member whose role lacks the view's permission gets 403.
The view then finds ``request.organization``, ``request.membership``, ``request.role`` and
``request.perms``. Tenant-owned rows are fetched with ``tenant_get_or_404`` / ``.for_org(org)``.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

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
            if membership.organization.require_mfa and not second_factor_used(request):
                return mfa_required(request, membership.organization)
            request.organization = membership.organization
            request.membership = membership
            request.role = membership.role
            request.perms = ROLE_PERMISSIONS[membership.role]
            # The services called by this request check the same role again: let them reuse this lookup.
            request.user._pkimm_org_perms = {membership.organization_id: request.perms}
            if permission is not None and permission not in request.perms:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.required_permission = permission
        return wrapper

    return decorator


def second_factor_used(request) -> bool:
    from core.accounts import second_factor_used as used

    return used(request)


def mfa_required(request, organization):
    """403 with the way in: set up a second factor, or sign in again with it."""
    from core.accounts import has_second_factor

    context = {"organization": organization, "has_second_factor": has_second_factor(request.user)}
    return render(request, "organizations/mfa_required.html", context, status=403)


def recent_second_factor(view):
    """For acts that sign (sign-off, a final report): where MFA is on (the user has a second factor, or the
    organization requires one), a POST needs a second factor proved within MFA_RECENT_SECONDS; otherwise the user
    is sent to prove it and comes back."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method == "POST" and (refusal := recent_second_factor_refusal(request)):
            return refusal
        return view(request, *args, **kwargs)

    return wrapper


def recent_second_factor_refusal(request):
    """None when the request may sign; else where to prove the second factor (see ``recent_second_factor``)."""
    from core.accounts import has_second_factor
    from core.accounts import second_factor_used as used

    mfa_on = has_second_factor(request.user) or request.organization.require_mfa
    if not mfa_on or used(request, within_seconds=settings.MFA_RECENT_SECONDS):
        return None
    if not has_second_factor(request.user):
        return mfa_required(request, request.organization)
    messages.info(request, "Confirm it is you with your second factor, then submit again.")
    back = request.META.get("HTTP_REFERER") or request.get_full_path()
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = request.get_full_path()
    return redirect(f"{reverse('mfa_reauthenticate')}?{urlencode({'next': back})}")


def require_perm(request, permission: str) -> None:
    """For a view whose actions need more than its base permission (e.g. POST vs GET)."""
    if permission not in request.perms:
        raise PermissionDenied


def tenant_get_or_404(model_or_queryset, organization, **lookups):
    """Fetch one tenant-owned row of ``organization``; rows of other organizations are 404."""
    queryset = getattr(model_or_queryset, "objects", model_or_queryset)
    return get_object_or_404(queryset.filter(organization=organization), **lookups)


def member_perms(*, organization, user) -> frozenset[str]:
    """What ``user`` may do in ``organization`` (empty for a non-member): for services."""
    if user is None or not user.is_authenticated:
        return frozenset()
    resolved_this_request = getattr(user, "_pkimm_org_perms", {})
    organization_id = getattr(organization, "pk", organization)
    if organization_id in resolved_this_request:
        return resolved_this_request[organization_id]
    role = Membership.objects.filter(organization=organization, user=user).values_list("role", flat=True).first()
    return ROLE_PERMISSIONS.get(role, frozenset())


def ensure_perm(*, organization, user, permission: str) -> None:
    """Services call this so that a write is refused whatever path it came through."""
    if permission not in member_perms(organization=organization, user=user):
        raise PermissionDenied(f"You are not allowed to do this ({permission}).")
