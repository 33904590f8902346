"""Request ids, structured (JSON) logs and Prometheus metrics.

- ``RequestIdMiddleware``: every request gets an id (a sane incoming ``X-Request-ID`` from the proxy, or a new
  one), returned in the ``X-Request-ID`` header and added to every log record written while it is handled.
- ``JsonFormatter``: one JSON object per log line (time, level, logger, message, request_id, exception).
- ``MetricsMiddleware`` and ``metrics_view`` (``/metrics``): request counts and latencies by view, plus, read at
  scrape time, the report queue (pending reports, age of the oldest, Celery queue lengths in Redis) and report
  render times. With several gunicorn workers set PROMETHEUS_MULTIPROC_DIR (an empty directory) so that the
  request metrics of all workers are added up.
"""

import contextvars
import json
import logging
import os
import re
import time
import uuid
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.http import HttpResponse, HttpResponseForbidden
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, SummaryMetricFamily

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
_SANE_ID = re.compile(r"\A[A-Za-z0-9._-]{8,64}\Z")


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _SANE_ID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = request_id_var.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(token)
        response["X-Request-ID"] = request_id
        return response


class RequestIdFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", request_id_var.get()),
            "process": record.process,
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


# --- metrics -----------------------------------------------------------------------------------------------

REQUESTS = Counter("pkimm_http_requests_total", "HTTP requests", ["method", "view", "status"])
LATENCY = Histogram(
    "pkimm_http_request_duration_seconds",
    "Time to answer an HTTP request",
    ["method", "view"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10),
)


class MetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unresolved"
        LATENCY.labels(request.method, view).observe(time.perf_counter() - started)
        REQUESTS.labels(request.method, view, str(response.status_code)).inc()
        return response


class QueueCollector:
    """Read at scrape time from the database (the outbox) and Redis: true for every process alike."""

    def collect(self):
        from django.db.models import Count, Min

        from reports.models import Report

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
        if settings.REDIS_URL:
            yield self._celery_queues()

    @staticmethod
    def _celery_queues():
        import redis

        prefix = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("global_keyprefix", "")
        depth = GaugeMetricFamily("pkimm_celery_queue_length", "Messages waiting in a Celery queue", labels=["queue"])
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        try:
            for queue in ("default", "reports"):
                depth.add_metric([queue], client.llen(f"{prefix}{queue}"))
        except redis.exceptions.RedisError:
            pass
        finally:
            client.close()
        return depth


def _registry() -> CollectorRegistry:
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(REQUESTS)
        registry.register(LATENCY)
    registry.register(QueueCollector())
    return registry


def metrics_view(request):
    """Prometheus text format. With METRICS_TOKEN set, only for ``Authorization: Bearer <token>``."""
    token = settings.METRICS_TOKEN
    if token and request.headers.get("Authorization", "") != f"Bearer {token}":
        return HttpResponseForbidden("metrics token required\n")
    return HttpResponse(generate_latest(_registry()), content_type=CONTENT_TYPE_LATEST)
