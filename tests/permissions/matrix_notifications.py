"""Notification URLs: each signed-in person sees only their own inbox; another's notification is a 404."""

from notifications.services import notification_deliver
from tests.permissions.spec import LOGIN, NOT_FOUND, ROLES, Case, signed_in


def prepare(world):
    [notification] = notification_deliver(
        organization_id=world.org.pk,
        kind="mention",
        event_key="matrix",
        recipient_ids=[world.users["lead"].pk],
        title="For the lead",
        body="",
        url=f"/o/{world.org.slug}/",
    )
    world.objects["notification"] = notification


def _only_the_lead():
    expect = {role: NOT_FOUND for role in ROLES}
    expect["lead"] = 302
    expect["anonymous"] = LOGIN
    return expect


CASES = [
    Case("notifications:inbox", lambda w: {}, signed_in()),
    Case("notifications:count", lambda w: {}, signed_in()),
    Case("notifications:open", lambda w: {"notification_id": w.objects["notification"].pk}, _only_the_lead()),
    Case("notifications:mark_all_read", lambda w: {}, signed_in(302), method="post", data=lambda w: {}),
    Case("notifications:settings", lambda w: {}, signed_in()),
    Case(
        "notifications:settings",
        lambda w: {},
        signed_in(),
        method="post",
        data=lambda w: {"email": "sometimes"},
        label="invalid choice",
    ),
]
