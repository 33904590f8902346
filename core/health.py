"""Probes for load balancers and orchestrators: ``/healthz`` (the process answers) and ``/readyz`` (it can
serve: database, Redis, file storage and report-signing material all reachable). JSON, no sign-in, no data."""

import logging
import time

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _redis() -> None:
    if not settings.REDIS_URL:
        return  # tasks run in-process: nothing to reach
    import redis

    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()


def _storage() -> None:
    default_storage.exists("readyz-probe")  # a metadata request: reachable and authorised


def _signing() -> None:
    from reports.signing import signing_material_load

    signing_material_load()


READINESS_CHECKS = {"database": _database, "redis": _redis, "storage": _storage, "signing": _signing}


@never_cache
@require_GET
def healthz(request):
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    results, ready = {}, True
    for name, check in READINESS_CHECKS.items():
        started = time.monotonic()
        try:
            check()
        except Exception as error:  # noqa: BLE001 - any failure means not ready; the reason goes to the log
            ready = False
            logger.warning("readyz: %s failed: %r", name, error)
            results[name] = {"ok": False, "error": type(error).__name__}
        else:
            results[name] = {"ok": True, "ms": round((time.monotonic() - started) * 1000, 1)}
    return JsonResponse({"status": "ok" if ready else "unavailable", "checks": results}, status=200 if ready else 503)
