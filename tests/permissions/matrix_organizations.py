from organizations.models import Invitation, Membership
from tests.permissions.spec import FORBIDDEN, OWNER, Case, by_role, org_kwargs, signed_in

# POST targets are harmless: the matrix users only see allowed or refused; effects are tested elsewhere.


def prepare(world):
    from datetime import timedelta

    from django.utils import timezone

    world.objects["viewer_membership"] = Membership.objects.get(organization=world.org, user=world.users["viewer"])
    world.objects["invitation"] = Invitation.objects.create(
        organization=world.org,
        email="new@acme.test",
        role="viewer",
        token_hash="x" * 64,
        expires_at=timezone.now() + timedelta(days=7),
    )


def _membership(w):
    return org_kwargs(w, membership_id=w.objects["viewer_membership"].pk)


CASES = [
    Case("home", lambda w: {}, signed_in()),
    # Organizations are created by staff by default (ORGANIZATION_CREATORS); members and outsiders get 403.
    Case("org_create", lambda w: {}, signed_in(FORBIDDEN)),
    # Unknown token: a clear page for everyone (404), signed in or not.
    Case(
        "invitation_accept",
        lambda w: {"token": "no-such-token"},
        {r: 404 for r in ("owner", "lead", "assessor", "viewer", "outsider", "anonymous")},
    ),
    Case("org_home", org_kwargs, by_role(302)),
    Case("org_settings", org_kwargs, by_role(allowed=OWNER)),
    Case("org_members", org_kwargs, by_role(allowed=OWNER)),
    Case("org_member_role", _membership, by_role(302, allowed=OWNER), method="post", data=lambda w: {"role": "viewer"}),
    Case("org_member_remove", lambda w: org_kwargs(w, membership_id=0), by_role(404, allowed=OWNER), method="post"),
    Case("org_invitation_revoke", lambda w: org_kwargs(w, invitation_id=0), by_role(404, allowed=OWNER), method="post"),
    # Leaving: any member may (the owner is refused with a message as the last owner: a redirect too).
    Case("org_leave", org_kwargs, by_role(302), method="post"),
    Case("org_audit", org_kwargs, by_role(allowed=OWNER)),
]
