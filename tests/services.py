"""Tests that need PostgreSQL, Redis, Chromium or the official PKIMM files call these: skipped locally
without them, failed under CI (env CI=true), where a missing service must never pass as a skip.

The only place in the test suite that may call ``pytest.skip`` (tests/test_no_hidden_skips.py checks).
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")


def under_ci() -> bool:
    return os.environ.get("CI") == "true"


def missing_service(message: str) -> None:
    """Fail under CI, skip elsewhere."""
    if under_ci():
        pytest.fail(f"{message} (required under CI=true)", pytrace=False)
    pytest.skip(message)


def require_postgres() -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        missing_service("needs PostgreSQL: run with DATABASE_URL=postgres://...")


def require_redis(url: str):
    """A connected client for ``url``."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        missing_service(f"needs Redis, not reachable at {url}: {error}")
    return client


def require_chromium() -> Path:
    if not CHROMIUM.exists():
        missing_service(f"needs Chromium at {CHROMIUM}")
    return CHROMIUM


def require_official_files() -> None:
    """For tests marked ``official`` (tests/official.py): the PKI Consortium's files must be there."""
    from tests.official import OFFICIAL_DIR, official_files_missing

    missing = official_files_missing()
    if missing:
        names = ", ".join(str(path.relative_to(OFFICIAL_DIR)) for path in missing)
        missing_service(
            f"needs the PKI Consortium's official PKIMM files: set PKIMM_OFFICIAL_DIR "
            f"(looked in {OFFICIAL_DIR}, missing {names})"
        )
