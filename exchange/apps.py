from django.apps import AppConfig


class ExchangeConfig(AppConfig):
    name = "exchange"

    def ready(self):
        from assessments.signals import signoff_created
        from exchange.export import signoff_freeze_exchange

        # assessments sends the signal and never imports this layer above it.
        signoff_created.connect(signoff_freeze_exchange, dispatch_uid="exchange-freeze-signoff")
