from django.utils import timezone

from organizations.models import Invitation, Membership


def member_list(*, organization):
    return Membership.objects.for_org(organization).select_related("user").order_by("user__email")


def invitation_pending_list(*, organization):
    return (
        Invitation.objects.for_org(organization)
        .filter(accepted_at=None, revoked_at=None, expires_at__gt=timezone.now())
        .select_related("invited_by")
    )
