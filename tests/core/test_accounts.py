"""Accounts through django-allauth: sign-in by e-mail, invitation-only sign-up, verification, throttling."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from organizations.models import Invitation, Membership
from organizations.services import invitation_create
from tests.conftest import PASSWORD, make_user

NEW_PASSWORD = "brand new passphrase 7"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()  # allauth keeps its rate-limit counters in the cache
    yield
    cache.clear()


def _sign_in(client, email, password=PASSWORD):
    return client.post("/accounts/login/", {"login": email, "password": password})


def test_sign_in_and_out(client, owner):
    response = _sign_in(client, owner.email)
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_the_short_names_and_paths_still_work():
    assert reverse("login") == reverse("account_login") == "/accounts/login/"
    assert reverse("signup") == "/accounts/signup/"
    assert reverse("password_change") == "/accounts/password/change/"
    assert reverse("password_reset") == "/accounts/password/reset/"


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = _sign_in(client, owner.email, "nope")
    assert response.status_code == 200 and b"not correct" in response.content


def test_login_locks_out_after_repeated_failures_and_says_nothing_about_the_account(client, owner):
    for _ in range(5):
        assert _sign_in(client, owner.email, "wrong guess").status_code == 200
    locked = _sign_in(client, owner.email, PASSWORD)  # the right password, too late
    assert locked.status_code in (200, 429)
    assert "_auth_user_id" not in client.session
    assert b"Too many failed login attempts" in locked.content
    # An address without an account gets the very same answer: the lockout reveals nothing.
    for _ in range(5):
        _sign_in(client, "nobody@acme.test", "wrong guess")
    unknown = _sign_in(client, "nobody@acme.test", "wrong guess")
    assert b"Too many failed login attempts" in unknown.content


def test_sign_up_without_an_invitation_is_closed(client, db):
    response = client.get("/accounts/signup/")
    assert b"Sign-up is by invitation" in response.content
    client.post(
        "/accounts/signup/", {"email": "mallory@evil.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert not User.objects.filter(email="mallory@evil.test").exists()


def test_open_sign_up_is_a_setting_and_needs_e_mail_verification(client, db, settings):
    settings.ACCOUNT_OPEN_SIGNUP = True
    response = client.post(
        "/accounts/signup/", {"email": "newcomer@acme.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@acme.test")
    assert user.username == "newcomer@acme.test"
    assert not EmailAddress.objects.get(user=user).verified
    assert "_auth_user_id" not in client.session  # not signed in before the address is confirmed
    link = re.search(r"https?://[^/]+(/accounts/confirm-email/\S+)", mail.outbox[-1].body).group(1)
    client.post(link)
    assert EmailAddress.objects.get(user=user).verified


def test_sign_up_with_an_invitation_takes_the_invited_address(client, org, owner):
    invitation, link = invitation_create(organization=org, email="invitee@acme.test", role="assessor", by=owner)
    client.get(link)
    page = client.get("/accounts/signup/")
    assert b"invitee@acme.test" in page.content and b"readonly" in page.content
    # Another address is refused, even with the invitation in hand.
    client.post("/accounts/signup/", {"email": "other@evil.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert not User.objects.filter(email="other@evil.test").exists()
    response = client.post(
        f"/accounts/signup/?next={link}",
        {"email": "invitee@acme.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "next": link},
    )
    assert response.status_code == 302
    user = User.objects.get(email="invitee@acme.test")
    assert EmailAddress.objects.get(user=user).verified  # the invitation link reached that inbox
    client.post(link)
    assert Membership.objects.filter(organization=org, user=user, role="assessor").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_by == user


def test_sign_up_does_not_reveal_an_existing_account(client, org, owner, settings):
    settings.ACCOUNT_OPEN_SIGNUP = True
    taken = client.post(
        "/accounts/signup/", {"email": owner.email, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    fresh = client.post(
        "/accounts/signup/", {"email": "fresh@acme.test", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert taken.status_code == fresh.status_code == 302
    assert taken["Location"] == fresh["Location"]
    assert User.objects.filter(email=owner.email).count() == 1


def test_password_reset_flow_reveals_nothing(client, owner):
    known = client.post("/accounts/password/reset/", {"email": owner.email})
    unknown = client.post("/accounts/password/reset/", {"email": "nobody@acme.test"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    body = next(m.body for m in mail.outbox if m.to == [owner.email])
    link = re.search(r"https?://[^/]+(/accounts/password/reset/key/\S+)", body).group(1)
    response = client.get(link, follow=True)
    set_url = response.redirect_chain[-1][0]
    response = client.post(set_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.login(username=owner.username, password=NEW_PASSWORD)


def test_password_change_page_renders_in_the_app_layout(client_for, owner):
    response = client_for(owner).get("/accounts/password/change/")
    assert response.status_code == 200 and b"Change Password" in response.content
    assert b"PKIMM Assess" in response.content and b"navbar" in response.content


def test_an_unverified_address_cannot_sign_in(client, db):
    make_user("unverified@acme.test", verified=False)
    response = _sign_in(client, "unverified@acme.test")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 302 and "confirm-email" in response["Location"]


def test_the_sign_in_page_says_how_accounts_are_made(client, db, settings):
    page = client.get("/accounts/login/").content.decode()
    assert re.search(r'<label\s+for="id_login" class="form-label requiredField">\s*E-mail', page)
    assert "Accounts are made by invitation" in page and "sign up" not in page.lower()
    settings.ACCOUNT_OPEN_SIGNUP = True
    page = client.get("/accounts/login/").content.decode()
    assert 'No account yet? <a href="/accounts/signup/">Create one</a>' in page


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/accounts/reauthenticate/",
        "/accounts/signup/",
        "/accounts/password/reset/",
        "/accounts/2fa/",
        "/accounts/email/",
    ],
)
def test_account_pages_keep_to_the_content_security_policy(client, owner, url):
    from tests.csp import csp_problems

    if url not in ("/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"):
        client.force_login(owner)
    response = client.get(url)
    assert response.status_code == 200
    assert csp_problems(response) == []
