from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self):
        from assessments.exchange import signoff_freeze_exchange
        from assessments.signals import signoff_created

        signoff_created.connect(signoff_freeze_exchange, dispatch_uid="exchange-freeze-signoff")
