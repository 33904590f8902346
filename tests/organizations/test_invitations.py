from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from audit.models import AuditEntry
from organizations import services
from organizations.models import Invitation, Membership
from organizations.services import OrganizationError, invitation_accept, invitation_create, invitation_revoke
from tests.conftest import make_user


def _token(link):
    return link.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def invited(org, owner):
    invitation, link = invitation_create(organization=org, email="New@Acme.test", role="assessor", by=owner)
    return invitation, _token(link)


def test_invitation_sends_a_single_use_link(invited):
    invitation, token = invited
    assert invitation.email == "new@acme.test"
    assert len(mail.outbox) == 1
    assert token in mail.outbox[0].body
    assert token not in invitation.token_hash  # only the hash is stored


def test_accepting_joins_with_the_role_and_is_audited(org, invited):
    invitation, token = invited
    user = make_user("new@acme.test")
    membership = invitation_accept(token=token, user=user)
    assert membership.role == "assessor"
    assert AuditEntry.objects.filter(organization=org, action="invitation.accepted").count() == 1
    assert AuditEntry.objects.filter(organization=org, action="membership.added", object_id=membership.pk).exists()


def test_accepting_twice_is_refused_and_changes_nothing(org, invited):
    _, token = invited
    user = make_user("new@acme.test")
    invitation_accept(token=token, user=user)
    before = Membership.objects.count()
    with pytest.raises(OrganizationError, match="used already"):
        invitation_accept(token=token, user=user)
    assert Membership.objects.count() == before


def test_expired_link_is_refused(org, invited):
    invitation, token = invited
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    user = make_user("new@acme.test")
    with pytest.raises(OrganizationError, match="expired"):
        invitation_accept(token=token, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_link_for_another_address_is_refused(org, invited):
    _, token = invited
    other = make_user("someone-else@acme.test")
    with pytest.raises(OrganizationError, match="is for new@acme.test"):
        invitation_accept(token=token, user=other)
    assert not Membership.objects.filter(user=other).exists()
    assert Invitation.objects.get().accepted_at is None


def test_revoked_link_is_refused(org, owner, invited):
    invitation, token = invited
    invitation_revoke(invitation=invitation, by=owner)
    user = make_user("new@acme.test")
    with pytest.raises(OrganizationError, match="revoked"):
        invitation_accept(token=token, user=user)
    assert AuditEntry.objects.filter(action="invitation.revoked").count() == 1


def test_unknown_token_is_refused(db):
    with pytest.raises(OrganizationError, match="not valid"):
        invitation_accept(token="nope", user=make_user("x@y.test"))


def test_only_owners_invite(org, lead):
    with pytest.raises(PermissionDenied):
        invitation_create(organization=org, email="x@acme.test", role="viewer", by=lead)
    assert not Invitation.objects.exists()


def test_member_cannot_be_invited_again(org, owner, assessor):
    with pytest.raises(OrganizationError, match="member already"):
        invitation_create(organization=org, email="assessor@acme.test", role="viewer", by=owner)


def test_accept_page_flows(client, org, invited):
    _, token = invited
    url = f"/invitations/{token}/"
    response = client.get(url)
    assert response.status_code == 200 and b"Create your account to accept" in response.content
    user = make_user("new@acme.test")
    client.force_login(user)
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == f"/o/{org.slug}/"
    response = client.get(url)
    assert response.status_code == 410 and b"used already" in response.content


def test_signup_then_accept(client, org, invited):
    _, token = invited
    client.get(f"/invitations/{token}/")  # the invitation link opens sign-up for the invited address
    response = client.post(
        "/accounts/signup/",
        {
            "email": "new@acme.test",  # the invited address
            "password1": "a long passphrase 42",
            "password2": "a long passphrase 42",
            "next": f"/invitations/{token}/",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/invitations/{token}/"
    assert client.post(f"/invitations/{token}/").status_code == 302
    assert Membership.objects.filter(organization=org, user__email="new@acme.test", role="assessor").exists()


def _state():
    return (
        list(Membership.objects.order_by("pk").values()),
        list(Invitation.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


@pytest.mark.parametrize(
    ("spoil", "message", "status"),
    [
        ("expire", "This invitation has expired.", 410),
        ("revoke", "This invitation has been revoked.", 410),
        ("use", "This invitation has been used already.", 410),
    ],
)
def test_accept_page_shows_each_refusal_and_changes_nothing(client, org, owner, invited, spoil, message, status):
    invitation, token = invited
    user = make_user("new@acme.test")
    if spoil == "expire":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    elif spoil == "revoke":
        invitation_revoke(invitation=invitation, by=owner)
    else:
        invitation_accept(token=token, user=user)
    before = _state()
    client.force_login(user)
    response = client.post(f"/invitations/{token}/", follow=True)
    assert message in response.content.decode()
    assert _state() == before
    assert client.get(f"/invitations/{token}/").status_code == status


def test_accept_page_refuses_another_address_and_changes_nothing(client, org, invited):
    _, token = invited
    before = _state()
    client.force_login(make_user("someone-else@acme.test"))
    response = client.post(f"/invitations/{token}/", follow=True)
    assert "This invitation is for new@acme.test, but you are signed in as someone-else@acme.test." in (
        response.content.decode()
    )
    assert _state() == before


def test_a_revoke_after_the_first_check_still_wins(org, owner, invited, monkeypatch):
    """The accept re-checks the locked row: a revoke between its first look and its lock is not ignored."""
    invitation, token = invited
    stale = services.invitation_check(token=token)  # looked valid
    invitation_revoke(invitation=invitation, by=owner)
    monkeypatch.setattr(services, "invitation_check", lambda *, token: stale)
    user = make_user("new@acme.test")
    with pytest.raises(OrganizationError, match="revoked"):
        invitation_accept(token=token, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_revoking_twice_is_refused(org, owner, invited):
    invitation, _ = invited
    invitation_revoke(invitation=invitation, by=owner)
    stale = Invitation.objects.get(pk=invitation.pk)
    stale.revoked_at = None  # a copy loaded before the first revoke
    with pytest.raises(OrganizationError, match="no longer pending"):
        invitation_revoke(invitation=stale, by=owner)
    assert AuditEntry.objects.filter(action="invitation.revoked").count() == 1


def test_a_failed_e_mail_leaves_no_invitation(org, owner, monkeypatch):
    def broken_send_mail(**kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(services, "send_mail", broken_send_mail)
    with pytest.raises(OrganizationError, match="could not be sent"):
        invitation_create(organization=org, email="x@acme.test", role="viewer", by=owner)
    assert not Invitation.objects.exists()
    assert not AuditEntry.objects.filter(action="invitation.created").exists()
