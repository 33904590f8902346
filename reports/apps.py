from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from assessments.signals import signoff_created
        from reports.services import signoff_freeze_reports

        signoff_created.connect(signoff_freeze_reports, dispatch_uid="reports-freeze-signoff")
