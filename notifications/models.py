"""In-app notifications (the inbox behind the bell) and each person's e-mail preference.

One row per event and recipient (``event_key`` unique per recipient): delivering an event twice
(a retried task, a second reminder run) finds the row and sends nothing again.
"""

from django.conf import settings
from django.db import models


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    MENTION = "mention", "Mentioned in a comment"
    SENT_BACK = "sent_back", "Sent back to you"
    REVIEW_REQUESTED = "review_requested", "Review requested"
    REVIEW_CHANGED = "review_changed", "Changed since your review"
    REPORT_READY = "report_ready", "Report ready"
    SIGNED_OFF = "signed_off", "Sign-off done"
    REMINDER = "reminder", "Reminder"


class Notification(models.Model):
    organization = models.ForeignKey(
        "organizations.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    event_key = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, help_text="Path of the item, on this site.")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    email_skipped = models.BooleanField(default=False, help_text="The recipient wanted no e-mail for it.")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "event_key"], name="unique_notification_event")]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.title


class EmailPreference(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately, one e-mail per notification"
    DAILY = "daily", "Once a day, a digest"
    OFF = "off", "Never (the inbox only)"


class NotificationPreference(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    email = models.CharField(max_length=20, choices=EmailPreference.choices, default=EmailPreference.IMMEDIATELY)
