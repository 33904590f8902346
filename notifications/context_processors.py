from django.utils.functional import SimpleLazyObject

from notifications.selectors import unread_count, unread_latest


def notifications(request):
    """The unread count and the latest unread (the dashboard's "For you"), queried only when a page uses them
    (the bell in the navigation fetches its count: notifications.js)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": SimpleLazyObject(lambda: unread_count(user=user)),
        "unread_latest": SimpleLazyObject(lambda: unread_latest(user=user)),  # the dashboard's "For you"
    }
