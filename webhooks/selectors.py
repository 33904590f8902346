from webhooks.models import Webhook, WebhookDelivery


def webhooks_of_org(*, organization):
    return Webhook.objects.for_org(organization)


def webhook_deliveries_recent(*, organization, webhook, limit: int = 100):
    """The webhook's latest deliveries (a queryset, at most ``limit``)."""
    return WebhookDelivery.objects.for_org(organization).filter(webhook=webhook)[:limit]
