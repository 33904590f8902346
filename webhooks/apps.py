from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self):
        from webhooks import receivers  # noqa: F401  (connects to core.events)
