"""Look-ups shared by management commands: an organization by slug and an account by e-mail, or a CommandError."""

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from organizations.models import Organization


def command_organization(slug: str) -> Organization:
    organization = Organization.objects.filter(slug=slug).first()
    if organization is None:
        raise CommandError(f"There is no organization {slug!r}.")
    return organization


def command_user(email: str):
    user = get_user_model().objects.filter(email__iexact=email).first()
    if user is None:
        raise CommandError(f"There is no user {email!r}.")
    return user
