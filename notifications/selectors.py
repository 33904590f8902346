from notifications.models import Notification, NotificationPreference


def unread_count(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at=None).count()


def unread_latest(*, user, limit: int = 5) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, read_at=None)[:limit])


def inbox(*, user, limit: int = 100) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user).select_related("organization", "actor")[:limit])


def preference_of(*, user) -> str:
    from notifications.services import email_preference

    return email_preference(user)


__all__ = ["NotificationPreference", "inbox", "preference_of", "unread_count", "unread_latest"]
