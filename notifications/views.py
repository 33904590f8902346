from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from notifications.models import EmailPreference, Notification
from notifications.selectors import inbox, preference_of, unread_count
from notifications.services import notification_open, notification_preference_set, notifications_mark_all_read


@login_required
def inbox_view(request):
    return render(
        request,
        "notifications/inbox.html",
        {"notifications": inbox(user=request.user), "page_title": "Notifications"},
    )


@login_required
def count_view(request):
    """The bell's unread count, fetched by notifications.js (so that pages themselves need no query for it)."""
    return JsonResponse({"unread": unread_count(user=request.user)})


@login_required
def open_view(request, notification_id):
    """Go to the item, marking the notification read. Another person's notification is a 404."""
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    return redirect(notification_open(notification=notification))


@login_required
@require_POST
def mark_all_read_view(request):
    notifications_mark_all_read(user=request.user)
    return redirect("notifications:inbox")


@login_required
def settings_view(request):
    if request.method == "POST":
        try:
            notification_preference_set(user=request.user, email=request.POST.get("email", ""))
        except ValueError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Saved: how you get notifications by e-mail.")
            return redirect("notifications:settings")
    return render(
        request,
        "notifications/settings.html",
        {"choices": EmailPreference.choices, "current": preference_of(user=request.user), "page_title": "E-mail"},
    )
