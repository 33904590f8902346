import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from pkimm.env import env_bool, env_int, env_str, parse_database_url

ROOT = Path(__file__).resolve().parents[1]


def test_env_bool_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="X_FLAG"):
        env_bool("X_FLAG")
    monkeypatch.setenv("X_FLAG", "Yes")
    assert env_bool("X_FLAG") is True


def test_env_int_rejects_nonsense(monkeypatch):
    monkeypatch.setenv("X_NUM", "12MB")
    with pytest.raises(ImproperlyConfigured, match="whole number"):
        env_int("X_NUM", 1)


def test_secret_from_file(monkeypatch, tmp_path):
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t\n")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_str("X_SECRET") == "s3cr3t"


@pytest.mark.parametrize(
    ("url", "engine", "name"),
    [
        ("sqlite:///var/db.sqlite3", "django.db.backends.sqlite3", str(ROOT / "var/db.sqlite3")),
        ("sqlite:////tmp/x.db", "django.db.backends.sqlite3", "/tmp/x.db"),
        ("postgres://u:p%40ss@127.0.0.1:5432/pkimm", "django.db.backends.postgresql", "pkimm"),
    ],
)
def test_parse_database_url(url, engine, name):
    config = parse_database_url(url, base_dir=ROOT)
    assert config["ENGINE"] == engine and config["NAME"] == name


def test_parse_database_url_password_and_scheme():
    assert parse_database_url("postgres://u:p%40ss@h:1/d", base_dir=ROOT)["PASSWORD"] == "p@ss"
    with pytest.raises(ImproperlyConfigured, match="not supported"):
        parse_database_url("mysql://x/y", base_dir=ROOT)


def _manage(*args, **env):
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "PKIMM_TESTING", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update(DJANGO_SETTINGS_MODULE="pkimm.settings", **env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True)


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _manage("check", PKIMM_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_check_deploy_passes_with_production_settings(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        ALLOWED_HOSTS="pkimm.example.com",
        PKIMM_VAR_DIR=str(tmp_path),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_hsts_preload_is_opt_in_and_the_policy_is_strict(tmp_path):
    code = (
        "from django.conf import settings as s; "
        "print(s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_SECONDS > 0, "
        "s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src'], s.ACCOUNT_OPEN_SIGNUP, s.ORGANIZATION_CREATORS)"
    )
    production = dict(
        SECRET_KEY="x" * 20 + "-production-secret-key-with-enough-entropy-9f8e7d6c5b4a",
        ALLOWED_HOSTS="pkimm.example.com",
        PKIMM_VAR_DIR=str(tmp_path),
    )
    result = _manage("shell", "-c", code, **production)
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "True", "[\"'self'\"]", "False", "staff"]
    opted_in = _manage("shell", "-c", code, SECURE_HSTS_PRELOAD="1", **production)
    assert opted_in.stdout.strip().splitlines()[-1].split()[0] == "True"
