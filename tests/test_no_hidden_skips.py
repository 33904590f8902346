"""No test may skip itself for a missing service except through tests/services.py (which fails under CI)."""

import re
from pathlib import Path

import pytest

from tests import services

TESTS = Path(__file__).parent
SKIPPING = re.compile(r"pytest\.skip\(|pytest\.mark\.skip|skipif|importorskip|pytest\.xfail|mark\.xfail")


def test_only_the_service_helpers_skip():
    offenders = [
        f"{path.relative_to(TESTS)}:{number}"
        for path in sorted(TESTS.rglob("*.py"))
        if path.name not in {"services.py", Path(__file__).name}
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if SKIPPING.search(line)
    ]
    assert offenders == []


def test_a_missing_service_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required under CI=true"):
        services.missing_service("needs X")


def test_a_missing_service_skips_elsewhere(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="needs X"):
        services.missing_service("needs X")


def test_an_unreachable_redis_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needs Redis"):
        services.require_redis("redis://127.0.0.1:1/0")


def test_missing_chromium_fails_under_ci(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    monkeypatch.setattr(services, "CHROMIUM", tmp_path / "no-chromium")
    with pytest.raises(pytest.fail.Exception, match="needs Chromium"):
        services.require_chromium()


@pytest.mark.django_db
def test_postgres_requirement_matches_the_database(monkeypatch):
    from django.db import connection

    monkeypatch.setenv("CI", "true")
    if connection.vendor == "postgresql":
        services.require_postgres()  # passes
    else:
        with pytest.raises(pytest.fail.Exception, match="needs PostgreSQL"):
            services.require_postgres()
