"""Writes on organizations, memberships and invitations. Every change lands in the audit log."""

import hashlib
import re
import secrets
import smtplib
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from audit.services import audit_log
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters, single_line_text
from organizations.models import Invitation, Membership, Organization, SsoDomain
from organizations.roles import Perm, Role
from organizations.tenancy import ensure_perm


class OrganizationError(Exception):
    """A refused change, with a message for the user."""


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def organization_create(*, name: str, slug: str = "", by, owner=None) -> Organization:
    """Create an organization; ``owner`` (by default its creator ``by``) becomes its owner.

    ``by`` is None for set-up scripts (``manage.py create_organization``), which may leave it without owner.
    """
    owner = owner or by
    name = name.strip()
    if not name:
        raise OrganizationError("An organization needs a name.")
    if has_control_characters(name):
        raise OrganizationError(f"Organization name: {SINGLE_LINE_MESSAGE}")
    slug = slugify(slug or name)[:60]
    if not slug:
        raise OrganizationError("Choose a short name for the address (letters, digits and dashes).")
    with transaction.atomic():
        # A taken address gets a random suffix: the form never tells whether an organization exists.
        for attempt in range(5):
            candidate = slug if attempt == 0 else f"{slug[:53]}-{secrets.token_hex(3)}"
            try:
                with transaction.atomic():
                    organization = Organization.objects.create(name=name, slug=candidate)
                break
            except IntegrityError:
                continue
        else:
            raise OrganizationError("No free address was found: choose another short name.")
        slug = candidate
        audit_log(
            organization=organization,
            actor=by,
            action="organization.created",
            obj=organization,
            after={"name": name, "slug": slug},
        )
        if owner is not None:
            membership = Membership.objects.create(organization=organization, user=owner, role=Role.OWNER)
            audit_log(
                organization=organization,
                actor=by,
                action="membership.added",
                obj=membership,
                after={"user": owner.get_username(), "role": Role.OWNER},
            )
    return organization


def organization_create_allowed(*, user) -> bool:
    """ORGANIZATION_CREATORS: "staff" (operators only) or "verified" (anyone with a verified e-mail address)."""
    from allauth.account.models import EmailAddress

    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_staff or settings.ORGANIZATION_CREATORS == "staff":
        return user.is_staff
    return EmailAddress.objects.filter(user=user, verified=True).exists()


def organization_update(*, organization, name: str, reassessment_interval_months: int, by) -> Organization:
    ensure_perm(organization=organization, user=by, permission=Perm.ORG_SETTINGS)
    if not name.strip():
        raise OrganizationError("An organization needs a name.")
    if has_control_characters(name.strip()):
        raise OrganizationError(f"Organization name: {SINGLE_LINE_MESSAGE}")
    if not 1 <= reassessment_interval_months <= 60:
        raise OrganizationError("The re-assessment interval must be between 1 and 60 months.")
    before = {"name": organization.name, "reassessment_interval_months": organization.reassessment_interval_months}
    organization.name = name.strip()
    organization.reassessment_interval_months = reassessment_interval_months
    after = {"name": organization.name, "reassessment_interval_months": organization.reassessment_interval_months}
    with transaction.atomic():
        organization.save(update_fields=["name", "reassessment_interval_months"])
        audit_log(
            organization=organization,
            actor=by,
            action="organization.updated",
            obj=organization,
            before=before,
            after=after,
        )
    return organization


def _other_owner_exists(membership) -> bool:
    return (
        Membership.objects.filter(organization_id=membership.organization_id, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


def membership_set_role(*, membership: Membership, role: str, by) -> Membership:
    organization = membership.organization
    ensure_perm(organization=organization, user=by, permission=Perm.ORG_MANAGE_MEMBERS)
    if role not in Role.values:
        raise OrganizationError(f"Unknown role “{role}”.")
    with transaction.atomic():
        # Lock the owners so that two owners demoting each other at once cannot leave none.
        list(Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER))
        membership.refresh_from_db()
        if membership.role == role:
            return membership
        if membership.role == Role.OWNER and not _other_owner_exists(membership):
            raise OrganizationError("The last owner cannot be demoted: make someone else an owner first.")
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        audit_log(
            organization=organization,
            actor=by,
            action="membership.role_changed",
            obj=membership,
            before={"user": membership.user.get_username(), "role": before},
            after={"user": membership.user.get_username(), "role": role},
        )
    return membership


def membership_remove(*, membership: Membership, by) -> None:
    """Owners remove members; any member may leave (remove themselves)."""
    organization = membership.organization
    if membership.user_id != by.pk:
        ensure_perm(organization=organization, user=by, permission=Perm.ORG_MANAGE_MEMBERS)
    with transaction.atomic():
        list(Membership.objects.select_for_update().filter(organization=organization, role=Role.OWNER))
        membership = Membership.objects.filter(pk=membership.pk).select_related("user").first()
        if membership is None:
            raise OrganizationError("This person is not a member any more.")
        if membership.role == Role.OWNER and not _other_owner_exists(membership):
            raise OrganizationError("The last owner cannot leave: make someone else an owner first.")
        snapshot = {"user": membership.user.get_username(), "role": membership.role}
        membership_id = membership.pk
        membership.delete()
        audit_log(
            organization=organization,
            actor=by,
            action="membership.removed",
            object_type="membership",
            object_id=membership_id,
            object_repr=snapshot["user"],
            before=snapshot,
        )


def invitation_create(*, organization, email: str, role: str, by, request=None) -> tuple[Invitation, str]:
    """Invite ``email`` with ``role``; returns the invitation and the link sent by e-mail."""
    ensure_perm(organization=organization, user=by, permission=Perm.ORG_MANAGE_MEMBERS)
    email = email.strip().lower()
    if role not in Role.values:
        raise OrganizationError(f"Unknown role “{role}”.")
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise OrganizationError(f"{email} is a member already.")
    now = timezone.now()
    if Invitation.objects.filter(
        organization=organization, email__iexact=email, accepted_at=None, revoked_at=None, expires_at__gt=now
    ).exists():
        raise OrganizationError(f"{email} has a pending invitation already: revoke it to send a new one.")
    # Created, mailed and logged together: a failed send leaves no invitation behind.
    with transaction.atomic():
        token = secrets.token_urlsafe(32)
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            token_hash=_token_hash(token),
            invited_by=by,
            expires_at=now + timedelta(days=settings.INVITATION_VALID_DAYS),
        )
        path = reverse("invitation_accept", kwargs={"token": token})
        link = request.build_absolute_uri(path) if request is not None else path
        try:
            send_mail(
                subject=single_line_text(f"You are invited to {organization.name} on PKIMM Assess"),
                message=(
                    f"{by.get_username()} invites you to join {organization.name} as {Role(role).label}.\n\n"
                    f"Accept the invitation: {link}\n\n"
                    f"The link can be used once and expires on {invitation.expires_at:%Y-%m-%d %H:%M} UTC."
                ),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=[email],
            )
        except (OSError, smtplib.SMTPException) as error:
            raise OrganizationError(
                f"The invitation e-mail to {email} could not be sent ({error}); nothing was saved."
            ) from None
        audit_log(
            organization=organization,
            actor=by,
            action="invitation.created",
            obj=invitation,
            after={"email": email, "role": role, "expires_at": invitation.expires_at.isoformat()},
        )
    return invitation, link


def invitation_revoke(*, invitation: Invitation, by) -> None:
    ensure_perm(organization=invitation.organization, user=by, permission=Perm.ORG_MANAGE_MEMBERS)
    with transaction.atomic():
        # Locked and checked again: a revoke and an accept at the same moment cannot both succeed.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at or locked.revoked_at:
            raise OrganizationError("This invitation is no longer pending.")
        locked.revoked_at = invitation.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        audit_log(
            organization=invitation.organization,
            actor=by,
            action="invitation.revoked",
            obj=locked,
            before={"email": locked.email, "role": locked.role},
        )


@dataclass
class InvitationCheck:
    invitation: Invitation | None
    problem: str = ""


def invitation_check(*, token: str) -> InvitationCheck:
    """Find the pending invitation behind ``token`` or say why it cannot be used."""
    invitation = Invitation.objects.select_related("organization").filter(token_hash=_token_hash(token)).first()
    if invitation is None:
        return InvitationCheck(None, "This invitation link is not valid. Ask for a new invitation.")
    return InvitationCheck(invitation, _invitation_problem(invitation))


def _invitation_problem(invitation: Invitation) -> str:
    if invitation.accepted_at:
        return "This invitation has been used already."
    if invitation.revoked_at:
        return "This invitation has been revoked. Ask for a new invitation."
    if invitation.expires_at <= timezone.now():
        return "This invitation has expired. Ask the organization's owner for a new one."
    return ""


def invitation_accept(*, token: str, user) -> Membership:
    with transaction.atomic():
        check = invitation_check(token=token)
        if check.problem:
            raise OrganizationError(check.problem)
        # Lock the row and check again: the same link opened twice at once joins once, and a revoke
        # that slipped in after the first check wins.
        invitation = Invitation.objects.select_for_update().select_related("organization").get(pk=check.invitation.pk)
        if problem := _invitation_problem(invitation):
            raise OrganizationError(problem)
        if (user.email or "").lower() != invitation.email.lower():
            raise OrganizationError(
                f"This invitation is for {invitation.email}, but you are signed in as {user.email or user}. "
                "Sign in with the invited address."
            )
        if Membership.objects.filter(organization=invitation.organization, user=user).exists():
            raise OrganizationError(f"You are a member of {invitation.organization.name} already.")
        membership = Membership.objects.create(organization=invitation.organization, user=user, role=invitation.role)
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        audit_log(
            organization=invitation.organization,
            actor=user,
            action="invitation.accepted",
            obj=invitation,
            after={"email": invitation.email, "role": invitation.role},
        )
        audit_log(
            organization=invitation.organization,
            actor=user,
            action="membership.added",
            obj=membership,
            after={"user": user.get_username(), "role": invitation.role},
        )
    return membership


def organization_mfa_require(*, organization, required: bool, by) -> Organization:
    """Members must (or need no longer) sign in with a second factor to enter the organization."""
    ensure_perm(organization=organization, user=by, permission=Perm.ORG_SETTINGS)
    if required and not member_has_second_factor(user=by):
        raise OrganizationError("Set up two-factor authentication for your own account first.")
    before = {"require_mfa": organization.require_mfa}
    organization.require_mfa = required
    with transaction.atomic():
        organization.save(update_fields=["require_mfa"])
        audit_log(
            organization=organization,
            actor=by,
            action="organization.mfa_required" if required else "organization.mfa_not_required",
            obj=organization,
            before=before,
            after={"require_mfa": required},
        )
    return organization


def member_has_second_factor(*, user) -> bool:
    from core.accounts import has_second_factor

    return has_second_factor(user)


def sso_domain_link(*, organization, domain: str, provider: str, by) -> SsoDomain:
    """Link an e-mail domain to a single sign-on provider. The one linking it must hold a verified address of
    that domain: an organization cannot claim someone else's domain."""
    from allauth.account.models import EmailAddress

    ensure_perm(organization=organization, user=by, permission=Perm.ORG_SETTINGS)
    domain = (domain or "").strip().lower().lstrip("@")
    if not re.fullmatch(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}", domain):
        raise OrganizationError("Enter a domain name such as example.com.")
    if provider not in sso_provider_ids():
        raise OrganizationError("Unknown single sign-on provider.")
    verified = EmailAddress.objects.filter(user=by, verified=True, email__iendswith=f"@{domain}").exists()
    if not verified:
        raise OrganizationError(f"Only someone with a verified address @{domain} can link that domain.")
    with transaction.atomic():
        try:
            with transaction.atomic():
                link = SsoDomain.objects.create(
                    organization=organization, domain=domain, provider=provider, linked_by=by
                )
        except IntegrityError:
            raise OrganizationError(f"{domain} is linked to this provider already.") from None
        audit_log(
            organization=organization,
            actor=by,
            action="sso_domain.linked",
            obj=link,
            after={"domain": domain, "provider": provider},
        )
    return link


def sso_provider_ids() -> list[str]:
    apps = settings.SOCIALACCOUNT_PROVIDERS.get("openid_connect", {}).get("APPS", [])
    return [app["provider_id"] for app in apps]


def sso_member_join(*, user, provider: str) -> list[Membership]:
    """A new account from single sign-on joins, as viewer, the organizations that linked its domain."""
    from organizations.selectors import sso_domain_organizations

    joined = []
    for organization in sso_domain_organizations(provider=provider, email=user.email or ""):
        membership, created = Membership.objects.get_or_create(
            organization=organization, user=user, defaults={"role": Role.VIEWER}
        )
        if created:
            audit_log(
                organization=organization,
                actor=user,
                action="membership.added",
                obj=membership,
                after={"user": user.get_username(), "role": Role.VIEWER, "via": f"single sign-on ({provider})"},
            )
            joined.append(membership)
    return joined
