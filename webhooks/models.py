"""Outgoing webhooks of an organization and the log of their deliveries."""

import uuid

from django.conf import settings
from django.db import models

from organizations.models import TenantModel


class Webhook(TenantModel):
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, help_text="Key of the HMAC-SHA256 signature of every delivery.")
    events = models.JSONField(default=list, help_text="Event names this webhook receives.")
    active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.url


class WebhookDelivery(TenantModel):
    """One event for one webhook: retries update this row (``attempts``), so each event is recorded once."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.UUIDField(default=uuid.uuid4)
    event = models.CharField(max_length=60)
    # Names an occurrence announced on every run (e.g. "plan-overdue:<id>:<due date>"): delivered once.
    dedupe_key = models.CharField(max_length=200, blank=True)
    payload = models.JSONField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["webhook", "event_id"], name="one_delivery_per_event"),
            models.UniqueConstraint(
                fields=["webhook", "dedupe_key"], condition=~models.Q(dedupe_key=""), name="one_delivery_per_occurrence"
            ),
        ]
        verbose_name_plural = "webhook deliveries"
