"""Every URL pattern of the project, checked for owner, lead, assessor, viewer, outsider and anonymous."""

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests.permissions as permissions_pkg
from organizations.models import Membership, Organization
from organizations.roles import Role
from tests.conftest import make_user
from tests.csp import csp_problems
from tests.permissions.spec import LOGIN, ROLES, World

# Django's admin and django-allauth's account pages (sign-in, sign-up, e-mail, password, two-factor, single
# sign-on: tests/core/test_accounts.py and friends) are covered by those projects; everything else must be listed.
EXEMPT_PREFIXES = ("admin:", "account_", "mfa_", "socialaccount_", "openid_connect_")
EXEMPT_NAMES = {"login", "logout", "signup", "password_change", "password_reset"}


def _matrix_modules():
    for info in pkgutil.iter_modules(permissions_pkg.__path__):
        if info.name.startswith("matrix_"):
            yield importlib.import_module(f"tests.permissions.{info.name}")


def _all_cases():
    for module in _matrix_modules():
        for case in module.CASES:
            yield module, case


def _url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _url_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}"


def test_every_url_pattern_is_in_the_matrix():
    covered = {case.url_name for _, case in _all_cases()}
    missing = sorted(
        name
        for name in set(_url_names())
        if name not in covered and name not in EXEMPT_NAMES and not name.startswith(EXEMPT_PREFIXES)
    )
    assert not missing, f"URL patterns without an entry in tests/permissions/matrix_*.py: {missing}"


def test_every_url_pattern_has_a_name():
    def unnamed(resolver=None):
        for pattern in (resolver or get_resolver()).url_patterns:
            if isinstance(pattern, URLResolver):
                if getattr(pattern, "namespace", None) == "admin":
                    continue
                urlconf = getattr(pattern.urlconf_name, "__name__", str(pattern.urlconf_name))
                if urlconf.startswith("allauth."):  # allauth keeps unnamed aliases of its old paths
                    continue
                yield from unnamed(pattern)
            elif not pattern.name:
                yield str(pattern.pattern)

    assert list(unnamed()) == []


@pytest.fixture
def world(db):
    org = Organization.objects.create(name="Acme Trust Services", slug="acme")
    other = Organization.objects.create(name="Globex PKI", slug="globex")
    users = {}
    for role in (Role.OWNER, Role.LEAD, Role.ASSESSOR, Role.VIEWER):
        users[str(role)] = make_user(f"{role}@acme.test")
        Membership.objects.create(organization=org, user=users[str(role)], role=role)
    users["outsider"] = make_user("outsider@globex.test")
    Membership.objects.create(organization=other, user=users["outsider"], role=Role.OWNER)
    world = World(org=org, other_org=other, users=users)
    for module in _matrix_modules():
        if hasattr(module, "prepare"):
            module.prepare(world)
    return world


def _case_id(case):
    return f"{case.method.upper()} {case.url_name}{' ' + case.label if case.label else ''}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("case", [case for _, case in _all_cases()], ids=_case_id)
def test_access(client, world, case, role):
    if role != "anonymous":
        client.force_login(world.users[role])
    url = reverse(case.url_name, kwargs=case.kwargs(world))
    data = case.data(world) if case.data else {}
    response = getattr(client, case.method)(url, data) if case.method != "get" else client.get(url, data)
    expected = case.expect[role]
    assert not csp_problems(response), csp_problems(response)
    if expected == LOGIN:
        assert response.status_code == 302, f"{role}: {response.status_code}"
        assert reverse("login") in response["Location"]
    elif isinstance(expected, tuple):
        assert response.status_code in expected, f"{role}: {response.status_code} not in {expected}"
    else:
        assert response.status_code == expected, f"{role}: got {response.status_code}, expected {expected}"
