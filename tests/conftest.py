"""Base fixtures: one organization with an owner, a lead assessor, an assessor and a viewer,
plus an outsider who belongs to another organization only.

Test data is the project's own (tests/factories.py: the starter model and files the tests write). The
official PKIMM files are an extra set: tests reading them carry ``@pytest.mark.official``.
"""

import pytest
from django.contrib.auth.models import User

from core.models import Profile
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests import services

# Paths of the official files, for tests marked ``official`` only (see tests/official.py).
from tests.official import (  # noqa: F401
    EXTENSION_SCHEMA,
    MAPPING_1_1_TO_2_0,
    MODEL_1_0,
    MODEL_1_1,
    MODEL_2_0,
    MODEL_SCHEMA,
    OFFICIAL_DIR,
    PQC_EXTENSION,
    PQC_EXTENSION_0_2,
    PQC_EXTENSION_0_6,
    PROFILE_SELF,
    REFERENCES,
)

PASSWORD = "correct horse battery staple"


def make_user(email: str, *, full_name: str | None = None, job_title: str = "", verified: bool = True) -> User:
    """An account as sign-up makes it (the e-mail address is the user name, verified unless told otherwise), whose
    person has given their name (as at first sign-in); full_name="" leaves the profile out."""
    from allauth.account.models import EmailAddress

    user = User.objects.create_user(username=email, email=email, password=PASSWORD)
    EmailAddress.objects.create(user=user, email=email, primary=True, verified=verified)
    if full_name is None:
        full_name = email.split("@")[0].replace(".", " ").title()
    if full_name:
        # The profile only (not Django's name fields, which profile_update keeps in step): pages that show
        # members by e-mail in other tests stay as they are.
        Profile.objects.create(user=user, full_name=full_name, job_title=job_title)
    return user


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if item.get_closest_marker("official"):
        services.require_official_files()


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media"), "base_url": None},
        },
    }


@pytest.fixture
def org(db):
    return Organization.objects.create(name="Acme Trust Services", slug="acme")


@pytest.fixture
def other_org(db):
    return Organization.objects.create(name="Globex PKI", slug="globex")


def _member(org, email, role):
    user = make_user(email)
    Membership.objects.create(organization=org, user=user, role=role)
    return user


@pytest.fixture
def owner(org):
    return _member(org, "owner@acme.test", Role.OWNER)


@pytest.fixture
def lead(org):
    return _member(org, "lead@acme.test", Role.LEAD)


@pytest.fixture
def assessor(org):
    return _member(org, "assessor@acme.test", Role.ASSESSOR)


@pytest.fixture
def viewer(org):
    return _member(org, "viewer@acme.test", Role.VIEWER)


@pytest.fixture
def outsider(other_org):
    return _member(other_org, "outsider@globex.test", Role.OWNER)


@pytest.fixture
def team(owner, lead, assessor, viewer, outsider):
    """All five users by role name, for permission tests."""
    return {"owner": owner, "lead": lead, "assessor": assessor, "viewer": viewer, "outsider": outsider}


@pytest.fixture
def client_for(client):
    """``client_for(user)``: the test client signed in as ``user``."""

    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in
