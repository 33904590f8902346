"""Full name and job title of an account (asked at first sign-in, editable on the profile page).

Sign-offs copy them (as they were then) and reports show them: a person is never named by an e-mail
address alone when they gave their name.
"""

from django.db import transaction

from audit.services import audit_log
from core.models import Profile
from core.validators import SINGLE_LINE_MESSAGE, has_control_characters


class ProfileError(Exception):
    """A profile that cannot be saved, with a message for the user."""


def profile_of(*, user) -> Profile | None:
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def profile_is_complete(*, user) -> bool:
    profile = profile_of(user=user)
    return bool(profile and profile.full_name.strip())


def person_name(user, fallback: str = "") -> str:
    """The person's full name, else Django's name fields, else the e-mail address."""
    if user is None:
        return fallback
    profile = profile_of(user=user)
    if profile and profile.full_name:
        return profile.full_name
    return user.get_full_name() or user.email or user.get_username() or fallback


def person_title(user) -> str:
    profile = profile_of(user=user) if user is not None else None
    return profile.job_title if profile else ""


def profile_update(*, user, full_name: str, job_title: str) -> Profile:
    if has_control_characters(full_name) or has_control_characters(job_title):
        raise ProfileError(SINGLE_LINE_MESSAGE)
    full_name, job_title = " ".join((full_name or "").split()), " ".join((job_title or "").split())
    if not full_name:
        raise ProfileError("Your full name is required: reports and sign-offs show it.")
    if len(full_name) > 150 or len(job_title) > 150:
        raise ProfileError("Name and job title are limited to 150 characters.")
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        before = {"full_name": profile.full_name, "job_title": profile.job_title} if profile else None
        if profile is None:
            profile = Profile(user=user)
        profile.full_name, profile.job_title = full_name, job_title
        profile.save()
        # Pages that list members use Django's name fields: keep them in step with the profile.
        user.first_name, user.last_name = full_name[:150], ""
        user.save(update_fields=["first_name", "last_name"])
        audit_log(
            organization=None,
            actor=user,
            action="profile.updated",
            obj=profile,
            before=before,
            after={"full_name": full_name, "job_title": job_title},
        )
    user.profile = profile
    return profile
