"""/healthz, /readyz, /metrics, request ids and JSON log lines."""

import json
import logging

from django.db import OperationalError

from core import health
from core.observability import JsonFormatter, RequestIdFilter
from reports.signing import signing_init


def test_healthz_answers_without_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_readyz_checks_database_redis_storage_and_signing(client, db, settings, tmp_path):
    response = client.get("/readyz")
    assert response.status_code == 503, "no signing material yet"
    assert response.json()["checks"]["signing"] == {"ok": False, "error": "SigningError"}
    assert response.json()["checks"]["database"]["ok"] and response.json()["checks"]["storage"]["ok"]
    signing_init(directory=tmp_path / "signing", common_name="Ready")
    settings.SIGNING_DIR, settings.SIGNING_P12 = tmp_path / "signing", ""
    response = client.get("/readyz")
    assert response.status_code == 200, response.json()
    assert set(response.json()["checks"]) == {"database", "redis", "storage", "signing"}


def test_readyz_is_unavailable_when_the_database_is_away(client, db, monkeypatch):
    def away():
        raise OperationalError("connection refused")

    monkeypatch.setitem(health.READINESS_CHECKS, "database", away)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "OperationalError"}


def test_readyz_is_unavailable_when_redis_is_away(client, db, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["redis"]["ok"] is False


def test_metrics_count_requests_and_show_the_report_queue(client, org, lead, settings):
    from reports.models import Report
    from tests.reports.builders import answered_assessment

    assessment = answered_assessment(org, user=lead)
    Report.objects.create(organization=org, assessment=assessment, type="attestation", requested_by=lead)
    client.get("/healthz")
    text = client.get("/metrics").content.decode()
    assert 'pkimm_http_requests_total{method="GET",status="200",view="healthz"}' in text
    assert 'pkimm_http_request_duration_seconds_bucket{le="0.005",method="GET",view="healthz"}' in text
    assert 'pkimm_reports_pending{status="queued"} 1.0' in text
    assert "pkimm_reports_oldest_pending_age_seconds" in text and "pkimm_report_render_seconds_count" in text
    settings.METRICS_TOKEN = "s3cret-token"
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200


def test_every_response_carries_a_request_id_and_keeps_a_sane_incoming_one(client):
    generated = client.get("/healthz")["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", HTTP_X_REQUEST_ID="proxy-id-12345")["X-Request-ID"] == "proxy-id-12345"
    assert client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"] != "<script>"


def test_log_lines_are_json_with_the_request_id():
    record = logging.LogRecord("pkimm.test", logging.WARNING, __file__, 1, "saved %s", ("G.1.1",), None)
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["message"] == "saved G.1.1" and line["level"] == "WARNING" and line["request_id"] == "-"
