"""The permission matrix's last column: this organization's slug with another organization's ids -> 404.

Every matrix module's ``prepare`` runs twice: for Acme (the matrix's own world) and, mirrored, for Globex
with its own members. Each organization URL is then requested under Acme's slug with the ids of Globex's
objects. Acme's owner may do everything in Acme, so anything but 404 means a view found (or changed)
another organization's row through this organization's URL.
"""

import pytest
from django.urls import reverse

from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.conftest import make_user
from tests.permissions.spec import World
from tests.permissions.test_matrix import _all_cases, _case_id, _matrix_modules


def _world(org, other_org, domain):
    users = {}
    for role in (Role.OWNER, Role.LEAD, Role.ASSESSOR, Role.VIEWER):
        users[str(role)] = make_user(f"{role}@{domain}")
        Membership.objects.create(organization=org, user=users[str(role)], role=role)
    users["outsider"] = make_user(f"outsider@other.{domain}")
    Membership.objects.create(organization=other_org, user=users["outsider"], role=Role.OWNER)
    world = World(org=org, other_org=other_org, users=users)
    for module in _matrix_modules():
        if hasattr(module, "prepare"):
            module.prepare(world)
    return world


@pytest.fixture
def worlds(db):
    acme = Organization.objects.create(name="Acme Trust Services", slug="acme")
    globex = Organization.objects.create(name="Globex PKI", slug="globex")
    return _world(acme, globex, "acme.test"), _world(globex, acme, "globex.test")


def test_own_slug_with_another_organizations_ids_is_not_found(client, worlds):
    own, foreign = worlds
    client.force_login(own.users["owner"])
    checked, wrong = set(), []
    for _, case in _all_cases():
        own_kwargs, foreign_kwargs = case.kwargs(own), case.kwargs(foreign)
        if "org_slug" not in own_kwargs or case.expect["owner"] in (404, 405):
            # Not an organization URL, a row that already names another's object, or a method the route refuses
            # before it looks anything up (the route's own method has its row).
            continue
        ids = {k: v for k, v in foreign_kwargs.items() if k != "org_slug" and v != own_kwargs[k]}
        if not ids:
            continue  # names no object of its own (or only keys of the model, the same in both)
        url = reverse(case.url_name, kwargs={**foreign_kwargs, "org_slug": own.org.slug})
        data = case.data(foreign) if case.data else {}
        response = getattr(client, case.method)(url, data) if case.method != "get" else client.get(url, data)
        checked.add(case.url_name)
        if response.status_code != 404:
            wrong.append(f"{_case_id(case)} {url}: {response.status_code}")
    assert not wrong, "another organization's ids under this organization's slug must be 404:\n" + "\n".join(wrong)
    assert len(checked) >= 30, sorted(checked)  # a guard against a loop that checks nothing
