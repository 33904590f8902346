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

from core.sql import first_row_models, row_id
from organizations.models import Membership, Organization
from organizations.roles import ROLE_PERMISSIONS


def org_view(permission: str | None):
    """Decorate a view taking ``org_slug``; ``permission`` is what the role must grant (None: any member)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, org_slug, *args, **kwargs):
            membership, request.url_objects = membership_of_url(org_slug=org_slug, user=request.user, url_kwargs=kwargs)
            if membership is None:
                raise Http404("No such organization")
            if membership.organization.require_mfa and not second_factor_used(request):
                return mfa_required(request, membership.organization)
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


# Objects of the URL that org_view loads in the statement that finds the membership (one round trip fewer on
# every page of such an object): URL kwarg -> (model, {attribute: model of a foreign key loaded with it}). Apps
# above register theirs in ready() (assessments: "assessment_id"); views take them through their one loader.
URL_OBJECTS: dict[str, tuple[type, dict[str, type]]] = {}


def url_object_register(*, kwarg: str, model, related: dict | None = None) -> None:
    URL_OBJECTS[kwarg] = (model, related or {})


def membership_of_url(*, org_slug, user, url_kwargs=None) -> tuple[Membership | None, dict]:
    """The user's membership in the organization of this slug, with the organization (None for a non-member),
    and the registered objects of this URL: kwarg -> (id, the instance if it belongs to that organization, else
    None).

    Every organization page runs it: plain SQL (columns from the models), because compiling the ORM query
    (``Membership.objects.select_related("organization").filter(...).first()``, whose default ordering also
    joins the user table) cost 1.38 ms CPU against 0.19 ms for this, 7.4x (bench/raw_sql.py, PostgreSQL, load 3
    on 2 cores)."""
    source = f"{Membership._meta.db_table} m JOIN {Organization._meta.db_table} o ON o.id = m.organization_id"
    params = {"slug": org_slug, "user_id": user.pk}
    models = {"m": Membership, "o": Organization}
    wanted = []  # (kwarg, id, alias, {attribute: alias})
    for index, (kwarg, (model, related)) in enumerate(sorted(URL_OBJECTS.items())):
        object_id = row_id((url_kwargs or {}).get(kwarg))
        if object_id is None:
            continue
        alias = f"u{index}"
        source += (
            f" LEFT JOIN {model._meta.db_table} {alias}"
            f" ON {alias}.id = %({alias}_id)s AND {alias}.organization_id = o.id"
        )
        params[f"{alias}_id"] = object_id
        models[alias] = model
        joined = {}
        for number, (attribute, related_model) in enumerate(related.items()):
            related_alias = f"{alias}r{number}"
            column = model._meta.get_field(attribute).column
            source += (
                f" LEFT JOIN {related_model._meta.db_table} {related_alias} ON {related_alias}.id = {alias}.{column}"
            )
            models[related_alias] = related_model
            joined[attribute] = related_alias
        wanted.append((kwarg, object_id, alias, joined))
    found = first_row_models(
        source=source, where="o.slug = %(slug)s AND m.user_id = %(user_id)s", params=params, models=models
    )
    if found is None:
        return None, {}
    loaded = dict(zip(models, found, strict=True))
    membership, organization = loaded["m"], loaded["o"]
    membership.organization = organization
    url_objects = {}
    for kwarg, object_id, alias, joined in wanted:
        instance = loaded[alias]
        if instance is not None:
            for attribute, related_alias in joined.items():
                setattr(instance, attribute, loaded[related_alias])
        url_objects[kwarg] = (object_id, instance)
    return membership, url_objects


def second_factor_used(request) -> bool:
    from organizations.accounts import second_factor_used as used

    return used(request)


def mfa_required(request, organization):
    """403 with the way in: set up a second factor, or sign in again with it."""
    from organizations.accounts import has_second_factor

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
    from organizations.accounts import has_second_factor
    from organizations.accounts import second_factor_used as used

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
