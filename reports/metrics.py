"""The report outbox in /metrics and /readyz (registered with core in ReportsConfig.ready())."""

from datetime import timedelta

from django.db.models import Count, Min
from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

from reports.models import Report


def report_queue_metrics():
    """Reports queued or rendering (count, age of the oldest) and the render time of the last 24 hours."""
    pending = (
        Report.objects.filter(status__in=(Report.Status.QUEUED, Report.Status.RUNNING))
        .values("status")
        .annotate(count=Count("id"), oldest=Min("created_at"))
    )
    count = GaugeMetricFamily("pkimm_reports_pending", "Reports queued or rendering", labels=["status"])
    age = GaugeMetricFamily(
        "pkimm_reports_oldest_pending_age_seconds", "Age of the oldest pending report", labels=["status"]
    )
    now = timezone.now()
    seen = {row["status"]: row for row in pending}
    for status in (Report.Status.QUEUED, Report.Status.RUNNING):
        row = seen.get(status)
        count.add_metric([status], row["count"] if row else 0)
        age.add_metric([status], (now - row["oldest"]).total_seconds() if row else 0)
    yield count
    yield age
    finished = Report.objects.filter(
        status=Report.Status.DONE, finished_at__gte=now - timedelta(hours=24), started_at__isnull=False
    ).values_list("started_at", "finished_at")
    durations = [(done - started).total_seconds() for started, done in finished]
    render = SummaryMetricFamily(
        "pkimm_report_render_seconds", "Render time of the reports finished in the last 24 hours"
    )
    render.add_metric([], count_value=len(durations), sum_value=sum(durations))
    yield render
