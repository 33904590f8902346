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


def test_missing_official_files_skip_with_the_variable_named_and_fail_under_ci(monkeypatch, tmp_path):
    from tests import official

    monkeypatch.setattr(official, "OFFICIAL_DIR", tmp_path)
    monkeypatch.setattr(official, "OFFICIAL_FILES", (tmp_path / "pkimm-model-1.1.0.yaml",))
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="set PKIMM_OFFICIAL_DIR .*missing pkimm-model-1.1.0.yaml"):
        services.require_official_files()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="PKIMM_OFFICIAL_DIR.*required under CI=true"):
        services.require_official_files()
    (tmp_path / "pkimm-model-1.1.0.yaml").write_text("present", encoding="utf-8")
    services.require_official_files()  # passes


def test_official_dir_comes_from_the_variable(monkeypatch, tmp_path):
    from tests import official

    monkeypatch.setenv("PKIMM_OFFICIAL_DIR", str(tmp_path))
    assert official.official_dir() == tmp_path.resolve()
    monkeypatch.delenv("PKIMM_OFFICIAL_DIR")
    assert official.official_dir() == official.REPO.parent / "shared" / "pkimm"
