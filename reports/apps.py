from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self):
        from assessments.signals import signoff_created
        from core.health import readiness_check_register
        from core.observability import metrics_collector_register
        from reports.metrics import report_queue_metrics
        from reports.services import signoff_freeze_reports
        from reports.signing import signing_material_load

        signoff_created.connect(signoff_freeze_reports, dispatch_uid="reports-freeze-signoff")
        # core's /readyz and /metrics, which import no app above core.
        readiness_check_register("signing", signing_material_load)
        metrics_collector_register(report_queue_metrics)
