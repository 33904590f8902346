"""Two-factor authentication: an organization can require it at every entry; signing needs a recent second factor."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from django.urls import reverse

from assessments.models import Assessment
from improvement.selectors import portfolio_for
from organizations.services import OrganizationError, organization_mfa_require
from tests.conftest import PASSWORD
from tests.factories import assessment_create


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _totp(user) -> str:
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return secret


def _code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


def _sign_in_with_totp(client, user, secret):
    response = client.post(reverse("account_login"), {"login": user.email, "password": PASSWORD})
    assert response["Location"] == reverse("mfa_authenticate")
    response = client.post(reverse("mfa_authenticate"), {"code": _code(secret)})
    assert response.status_code == 302, response.content[:500]
    return client


def _org_page(org):
    return reverse("assessments:list", kwargs={"org_slug": org.slug})


def test_members_without_a_second_factor_are_stopped_at_every_entry(org, owner, assessor, client_for):
    secret = _totp(owner)
    organization_mfa_require(organization=org, required=True, by=owner)  # owner has MFA itself
    assessment = assessment_create(org)
    client = client_for(assessor)
    for url in (
        _org_page(org),
        reverse("assessments:detail", args=[org.slug, assessment.pk]),
        reverse("org_members", args=[org.slug]),
        reverse("results:detail", args=[org.slug, assessment.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Two-factor authentication required" in response.content
        assert reverse("mfa_index").encode() in response.content
    # A member with a second factor, signed in with a password only, is asked to confirm it.
    stale = client_for(owner).get(_org_page(org))
    assert stale.status_code == 403 and reverse("mfa_reauthenticate").encode() in stale.content
    # Signed in with the second factor: in.
    from django.test import Client

    assert _sign_in_with_totp(Client(), owner, secret).get(_org_page(org)).status_code == 200


def test_organizations_without_the_requirement_are_unaffected(org, other_org, owner, outsider, client_for):
    _totp(owner)
    organization_mfa_require(organization=org, required=True, by=owner)
    assert client_for(outsider).get(_org_page(other_org)).status_code == 200


def test_the_portfolio_leaves_out_organizations_that_require_it(org, owner):
    org.require_mfa = True
    org.save()
    assert [r.organization for r in portfolio_for(user=owner, second_factor=True)["rows"]] == [org]
    assert portfolio_for(user=owner, second_factor=False)["rows"] == []


def test_my_work_leaves_out_organizations_that_require_it(org, owner, client_for):
    from improvement.selectors_work import my_work_for

    org.require_mfa = True
    org.save()
    assert my_work_for(user=owner, second_factor=True).organizations == [org]
    assert my_work_for(user=owner, second_factor=False).organizations == []
    page = client_for(owner).get(reverse("work:index"))  # signed in without a second factor
    assert page.status_code == 200 and org.name.encode() not in page.content


def test_only_an_owner_with_a_second_factor_can_require_it(org, owner, lead, client_for):
    with pytest.raises(OrganizationError, match="two-factor authentication for your own account"):
        organization_mfa_require(organization=org, required=True, by=owner)
    _totp(owner)
    response = client_for(owner).post(
        reverse("org_settings", args=[org.slug]), {"action": "security", "require_mfa": "on"}
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.require_mfa


def test_sign_off_needs_a_recent_second_factor(org, owner, client_for, settings):
    from django.test import Client

    secret = _totp(owner)
    assessment = assessment_create(org, status=Assessment.Status.IN_REVIEW)
    url = reverse("assessments:sign_off", args=[org.slug, assessment.pk])
    stale = client_for(owner).post(url, {"statement": "We confirm.", "confirm": "on"})
    assert stale.status_code == 302 and stale["Location"].startswith(reverse("mfa_reauthenticate"))
    fresh = _sign_in_with_totp(Client(), owner, secret)
    response = fresh.post(url, {"statement": "We confirm.", "confirm": "on"})
    assert not response.get("Location", "").startswith(reverse("mfa_reauthenticate"))
    settings.MFA_RECENT_SECONDS = 0
    time.sleep(1)
    later = fresh.post(url, {"statement": "We confirm.", "confirm": "on"})
    assert later.status_code == 302 and later["Location"].startswith(reverse("mfa_reauthenticate"))
