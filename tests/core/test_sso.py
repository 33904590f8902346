"""Single sign-on with OpenID Connect against a real provider (oidc-provider-mock) started here on 127.0.0.1."""

import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import werkzeug.serving
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse

from organizations.models import Membership, SsoDomain
from organizations.services import OrganizationError, sso_domain_link
from tests.conftest import make_user


@pytest.fixture
def provider(settings):
    """The OIDC provider on a free port of 127.0.0.1, known to the application through its settings."""
    from oidc_provider_mock import User as ProviderUser
    from oidc_provider_mock import app

    users = [
        ProviderUser(sub="alice", claims={"email": "alice@acme.test", "email_verified": True, "name": "Alice Example"}),
        ProviderUser(sub="carol", claims={"email": "carol@acme.test", "email_verified": True}),
        ProviderUser(sub="eve", claims={"email": "eve@elsewhere.test", "email_verified": True}),
        ProviderUser(sub="unverified", claims={"email": "bob@acme.test", "email_verified": False}),
    ]
    server = werkzeug.serving.make_server("127.0.0.1", 0, app(user_claims=users), threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    issuer = f"http://127.0.0.1:{server.server_port}"
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "corp",
                    "name": "Corporate sign-on",
                    "client_id": "pkimm-test",
                    "secret": "pkimm-test-secret",
                    "settings": {"server_url": issuer},
                }
            ],
        }
    }
    cache.clear()
    yield issuer
    server.shutdown()
    thread.join(5)


def _sso_sign_in(client, subject: str):
    """Start at the application, answer the provider's form as ``subject``, come back with the code."""
    start = client.post(reverse("openid_connect_login", kwargs={"provider_id": "corp"}))
    assert start.status_code == 302, start.content[:300]
    authorize_url = start["Location"]
    assert authorize_url.startswith("http://127.0.0.1:")
    answer = requests.post(authorize_url, data={"sub": subject}, allow_redirects=False, timeout=10)
    assert answer.status_code == 302, answer.text[:300]
    callback = urlsplit(answer.headers["Location"])
    assert "code" in parse_qs(callback.query)
    return client.get(f"{callback.path}?{callback.query}")


def test_a_linked_domain_signs_in_and_joins_its_organization(client, provider, org, owner):
    sso_domain_link(organization=org, domain="acme.test", provider="corp", by=owner)
    response = _sso_sign_in(client, "alice")
    assert response.status_code == 302
    alice = User.objects.get(email="alice@acme.test")
    assert client.session["_auth_user_id"] == str(alice.pk)
    assert alice.emailaddress_set.get().verified
    assert Membership.objects.get(organization=org, user=alice).role == "viewer"
    # The provider named her: no profile question before the organization's pages.
    assert alice.profile.full_name == "Alice Example"
    assert client.get(reverse("assessments:list", args=[org.slug])).status_code == 200


def test_without_a_name_from_the_provider_the_profile_page_asks_for_it(client, provider, org, owner):
    sso_domain_link(organization=org, domain="acme.test", provider="corp", by=owner)
    _sso_sign_in(client, "carol")
    response = client.get(reverse("assessments:list", args=[org.slug]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("profile"))


def test_without_a_linked_domain_or_invitation_sso_creates_no_account(client, provider, org, owner):
    sso_domain_link(organization=org, domain="acme.test", provider="corp", by=owner)
    _sso_sign_in(client, "eve")  # a real account at the provider, in a domain nobody linked
    assert not User.objects.filter(email="eve@elsewhere.test").exists()
    assert "_auth_user_id" not in client.session


def test_an_address_the_provider_did_not_verify_is_not_enough(client, provider, org, owner):
    sso_domain_link(organization=org, domain="acme.test", provider="corp", by=owner)
    _sso_sign_in(client, "unverified")
    assert not Membership.objects.filter(organization=org, user__email="bob@acme.test").exists()
    assert "_auth_user_id" not in client.session


def test_only_a_verified_address_of_the_domain_can_link_it(provider, org, owner, db):
    with pytest.raises(OrganizationError, match="verified address @bank.example"):
        sso_domain_link(organization=org, domain="bank.example", provider="corp", by=owner)
    with pytest.raises(OrganizationError, match="Unknown single sign-on provider"):
        sso_domain_link(organization=org, domain="acme.test", provider="nope", by=owner)
    unverified = make_user("admin@bank.example", verified=False)
    from organizations.models import Membership as M

    M.objects.create(organization=org, user=unverified, role="owner")
    with pytest.raises(OrganizationError):
        sso_domain_link(organization=org, domain="bank.example", provider="corp", by=unverified)
    assert not SsoDomain.objects.exists()
