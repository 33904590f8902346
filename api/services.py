"""Creating, revoking and checking personal API tokens. Every use is written to the audit log."""

import hashlib
import secrets
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from audit.services import audit_log
from organizations.models import Membership

TOKEN_PREFIX = "pkimm_"
MAX_VALID_DAYS = 366


class ApiTokenError(Exception):
    """A refused token request, with a message for the user."""


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def api_token_create(*, user, organization, name: str, scope: str, valid_days: int) -> tuple[ApiToken, str]:
    """A new token of ``user`` for ``organization``; returns the row and the secret (shown once, never stored)."""
    if not Membership.objects.filter(organization=organization, user=user).exists():
        raise PermissionDenied("You are not a member of this organization.")
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ApiTokenError("A token needs a name (up to 100 characters).")
    if scope not in ApiToken.Scope.values:
        raise ApiTokenError("Choose read or read-write.")
    if not 1 <= int(valid_days) <= MAX_VALID_DAYS:
        raise ApiTokenError(f"A token is valid for 1 to {MAX_VALID_DAYS} days.")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            organization=organization,
            user=user,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=token_hash(secret),
            scope=scope,
            expires_at=timezone.now() + timedelta(days=int(valid_days)),
        )
        audit_log(
            organization=organization,
            actor=user,
            action="api_token.created",
            obj=token,
            after={"name": name, "scope": scope, "expires_at": token.expires_at},
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, by) -> ApiToken:
    if token.user_id != by.pk:
        raise PermissionDenied("Only the token's owner can revoke it.")
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_log(organization=token.organization, actor=by, action="api_token.revoked", obj=token)
    return token


def api_token_authenticate(*, secret: str, method: str, path: str) -> ApiToken | None:
    """The active token for ``secret`` (with its user and organization), its use recorded; None if unknown."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user", "organization")
        .filter(token_hash=token_hash(secret), revoked_at=None, expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    audit_log(
        organization=token.organization,
        actor=token.user,
        action="api_token.used",
        obj=token,
        after={"method": method, "path": path[:300]},
    )
    return token
