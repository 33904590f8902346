from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from audit.models import AuditEntry
from organizations.models import Membership, Organization


def test_create_organization_is_idempotent(owner):
    out = StringIO()
    call_command("create_organization", "--slug", "initech", "--name", "Initech", "--owner", owner.email, stdout=out)
    assert "Created organization 'initech'" in out.getvalue()
    out = StringIO()
    call_command("create_organization", "--slug", "initech", "--name", "Other name", stdout=out)
    assert "exists already" in out.getvalue()
    assert Organization.objects.get(slug="initech").name == "Initech"
    assert Membership.objects.get(organization__slug="initech").user == owner


def test_create_organization_unknown_owner(db):
    with pytest.raises(CommandError, match="No user"):
        call_command("create_organization", "--slug", "x", "--name", "X", "--owner", "nobody@x.test")
    assert not Organization.objects.filter(slug="x").exists()


def test_create_organization_audits_like_the_ui(owner):
    call_command(
        "create_organization", "--slug", "initech", "--name", "Initech", "--owner", owner.email, stdout=StringIO()
    )
    entries = AuditEntry.objects.filter(organization__slug="initech").order_by("id")
    assert [(e.action, e.actor) for e in entries] == [("organization.created", None), ("membership.added", None)]
    assert entries[1].after == {"user": owner.get_username(), "role": "owner"}


def test_create_organization_without_owner(db):
    call_command("create_organization", "--slug", "initech", "--name", "Initech", stdout=StringIO())
    assert Organization.objects.filter(slug="initech").exists()
    assert not Membership.objects.filter(organization__slug="initech").exists()


def test_create_organization_refuses_an_invalid_slug(db):
    with pytest.raises(CommandError, match="not a valid slug"):
        call_command("create_organization", "--slug", "Init Tech", "--name", "Initech", stdout=StringIO())
    assert not Organization.objects.exists()
