"""The API's counterpart of organizations/tenancy.py: organization and role from the URL, the token's limits.

- not signed in (no session, no valid token): 401;
- not a member, or a token made for another organization: 404;
- a role without the permission, or a read-only token on a write: 403.
"""

from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.permissions import SAFE_METHODS

from api.models import ApiToken
from organizations.models import Membership
from organizations.roles import ROLE_PERMISSIONS


def api_organization(request, org_slug: str, permission: str | None):
    """The organization of ``org_slug`` for this request, with ``request.perms`` set; raises as above."""
    token = request.auth if isinstance(request.auth, ApiToken) else None
    if token is not None and token.organization.slug != org_slug:
        raise NotFound("No such organization.")
    membership = (
        Membership.objects.select_related("organization").filter(organization__slug=org_slug, user=request.user).first()
    )
    if membership is None:
        raise NotFound("No such organization.")
    perms = ROLE_PERMISSIONS[membership.role]
    request.perms = perms
    request.membership = membership  # passed to the services, which check the same role without a query
    if permission is not None and permission not in perms:
        raise PermissionDenied("Your role does not allow this.")
    if token is not None and request.method not in SAFE_METHODS and not token.can_write:
        raise PermissionDenied("This token is read-only.")
    return membership.organization


def api_require(request, permission: str) -> None:
    if permission not in request.perms:
        raise PermissionDenied("Your role does not allow this.")
