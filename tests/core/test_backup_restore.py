"""The documented backup and restore (README, "Backup and restore"), exercised: pg_dump of the database and a
tar of the media directory, restored into a fresh database and directory, give the same scores and the same
report hashes (``manage.py restore_check`` before and after)."""

import json
import os
import shutil
import subprocess
import sys
import uuid
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from reports import services
from reports.models import Report
from tests.reports.builders import answered_assessment
from tests.services import missing_service, require_postgres


def _url(name: str) -> str:
    db = connection.settings_dict
    credentials = quote(db["USER"] or "") + (":" + quote(db["PASSWORD"]) if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"


def _run(command: list[str], **env) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env={**os.environ, **env}, timeout=300)
    assert done.returncode == 0, f"{command[:3]}: {done.stderr[-3000:]}"
    return done.stdout


def _restore_check(database_url: str, media_root) -> dict:
    output = _run(
        [sys.executable, "manage.py", "restore_check"],
        DATABASE_URL=database_url,
        MEDIA_ROOT=str(media_root),
        DJANGO_SETTINGS_MODULE="pkimm.test_settings",
    )
    return json.loads(output)


@pytest.mark.django_db(transaction=True)
def test_backup_restored_into_a_fresh_database_has_the_same_scores_and_report_hashes(org, lead, tmp_path):
    require_postgres()
    for tool in ("pg_dump", "pg_restore", "tar"):
        if shutil.which(tool) is None:
            missing_service(f"needs {tool} (Debian package postgresql-client)")
    assessment = answered_assessment(org, user=lead)
    for report_type in ("attestation", "assessment"):
        services.report_request(assessment=assessment, report_type=report_type, by=lead)
    assert list(Report.objects.values_list("status", flat=True)) == [Report.Status.DONE] * 2
    original_url, media = _url(connection.settings_dict["NAME"]), settings.MEDIA_ROOT
    before = _restore_check(original_url, media)
    assert before["assessments"][str(assessment.pk)]["overall"] not in ("", "–")

    # Backup, as documented.
    dump, archive = tmp_path / "pkimm.dump", tmp_path / "media.tar.gz"
    _run(["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={original_url}"])
    _run(["tar", "-C", str(media), "-czf", str(archive), "."])

    # Restore into a fresh database and an empty media directory.
    fresh = f"{connection.settings_dict['NAME']}_restore_{uuid.uuid4().hex[:8]}"
    restored_media = tmp_path / "restored-media"
    restored_media.mkdir()
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{fresh}"')
    try:
        _run(["pg_restore", "--no-owner", "--exit-on-error", f"--dbname={_url(fresh)}", str(dump)])
        _run(["tar", "-C", str(restored_media), "-xzf", str(archive)])
        after = _restore_check(_url(fresh), restored_media)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{fresh}" WITH (FORCE)')
    assert after == before
    assert all(r["file_sha256"] == r["sha256"] and r["sha256"] for r in after["reports"].values())
