"""Accounts through django-allauth: who may sign up, and what a second factor proves.

Sign-up is by invitation: the invitation page (organizations/views.py) keeps its token in the session, and the
sign-up form takes the e-mail address from that invitation (the invitation link reached that inbox, so the address
counts as verified). Open sign-up is a setting (ACCOUNT_OPEN_SIGNUP, off by default). Single sign-on creates an
account only for an address the provider verified in a domain an organization linked to that provider
(organizations.models.SsoDomain).
"""

import time

from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.authentication import get_authentication_records
from allauth.account.forms import LoginForm, ResetPasswordForm, SignupForm
from allauth.core import context as allauth_context
from allauth.mfa.utils import is_mfa_enabled
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django import forms
from django.conf import settings
from django.utils.http import url_has_allowed_host_and_scheme

from core.profiles import ProfileError, profile_update
from core.validators import single_line_text

INVITATION_SESSION_KEY = "pkimm_invitation_token"


def pending_invitation(request):
    """The invitation whose link was opened in this session, while it can still be accepted; else None."""
    from organizations.services import invitation_check  # organizations sits above core

    token = request.session.get(INVITATION_SESSION_KEY)
    if not token:
        return None
    check = invitation_check(token=token)
    return None if check.problem else check.invitation


def has_second_factor(user) -> bool:
    return bool(user and user.is_authenticated and is_mfa_enabled(user))


def second_factor_used(request, *, within_seconds: int | None = None) -> bool:
    """Did this session's user prove a second factor (at sign-in or since), within ``within_seconds`` if given?"""
    records = get_authentication_records(request, request.user)
    now = time.time()
    return any(
        r.get("method") == "mfa" and (within_seconds is None or now - r.get("at", 0) <= within_seconds) for r in records
    )


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        return settings.ACCOUNT_OPEN_SIGNUP or pending_invitation(request) is not None

    def is_email_verified(self, request, email: str) -> bool:
        invitation = pending_invitation(request)
        return bool(invitation and invitation.email.lower() == (email or "").lower())

    def populate_username(self, request, user) -> None:
        # The project's accounts use the e-mail address as user name (as the admin and the fixtures do).
        user.username = (user.email or "").lower()

    def format_email_subject(self, subject: str) -> str:
        return single_line_text(f"[{settings.SITE_NAME}] {subject}")

    def is_safe_url(self, url: str) -> bool:
        """``next`` after sign-in or sign-up: paths of this site only, never another host."""
        return url_has_allowed_host_and_scheme(url, allowed_hosts=None)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        """Open sign-up, the invited address, or an address the provider verified in a domain linked to it."""
        from organizations.selectors import sso_domain_organizations

        if settings.ACCOUNT_OPEN_SIGNUP:
            return True
        email = (sociallogin.user.email or "").lower()
        if not email or not any(a.verified and a.email.lower() == email for a in sociallogin.email_addresses):
            return False
        invitation = pending_invitation(request)
        if invitation is not None and invitation.email.lower() == email:
            return True
        return sso_domain_organizations(provider=sociallogin.account.provider, email=email).exists()

    def populate_user(self, request, sociallogin, data):
        user = super().populate_user(request, sociallogin, data)
        user.username = (user.email or "").lower()
        return user

    def save_user(self, request, sociallogin, form=None):
        from organizations.services import sso_member_join

        user = super().save_user(request, sociallogin, form)
        sso_member_join(user=user, provider=sociallogin.account.provider)
        # The provider's name for the person spares them the profile question at first sign-in.
        claims = sociallogin.account.extra_data or {}
        userinfo = claims.get("userinfo", claims) if isinstance(claims, dict) else {}
        name = str(userinfo.get("name") or user.get_full_name() or "")
        if name.strip():
            try:
                profile_update(user=user, full_name=name, job_title="")
            except ProfileError:
                pass  # a name we cannot keep: the profile page asks for it
        return user


class InvitationSignupForm(SignupForm):
    """allauth's sign-up form; with an invitation, the address is the invited one and cannot be changed."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_email_field(self.fields["email"])
        for name in ("password1", "password2"):
            if name in self.fields:
                self.fields[name].widget.attrs.pop("placeholder", None)
        request = allauth_context.request
        self.invitation = pending_invitation(request) if request is not None else None
        if self.invitation is not None:
            self.fields["email"].initial = self.invitation.email
            self.fields["email"].widget.attrs["readonly"] = True
            self.fields["email"].help_text = "The address the invitation was sent to."

    def clean_email(self):
        email = super().clean_email()
        if self.invitation is not None and email.lower() != self.invitation.email.lower():
            raise forms.ValidationError("Sign up with the address the invitation was sent to.")
        return email


def signup_is_open(request) -> bool:
    """Whether this visitor may create an account now (open sign-up, or an invitation opened in the session)."""
    return get_adapter(request).is_open_for_signup(request)


def _plain_email_field(field) -> None:
    """Our wording: a label ("E-mail") instead of a placeholder that disappears while typing."""
    field.label = "E-mail"
    field.widget.attrs.pop("placeholder", None)
    field.widget.attrs.setdefault("autocomplete", "email")


class EmailLoginForm(LoginForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_email_field(self.fields["login"])
        self.fields["password"].widget.attrs.pop("placeholder", None)
        if "remember" in self.fields:
            self.fields["remember"].label = "Keep me signed in on this device"


class EmailResetPasswordForm(ResetPasswordForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _plain_email_field(self.fields["email"])
