from io import StringIO

import pytest
from django.core.management import CommandError, call_command

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
