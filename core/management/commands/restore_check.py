"""Print what a restore must reproduce, as JSON: every assessment's score computed afresh from its answers (and
its stored summary), and every report's recorded SHA-256 beside the SHA-256 of its stored file.

Run it before a backup and after a restore (README, "Backup and restore"): the two outputs must be equal, and
every report's ``file_sha256`` must equal its ``sha256``.
"""

import hashlib
import json

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand

from assessments.models import Assessment
from reports.models import Report
from scoring.selectors import assessment_score


def _file_sha256(name: str) -> str | None:
    if not name or not default_storage.exists(name):
        return None
    digest = hashlib.sha256()
    with default_storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class Command(BaseCommand):
    help = "Print scores and report hashes (JSON) to compare a restore with the original."

    def handle(self, *args, **options):
        assessments = {}
        for assessment in Assessment.objects.select_related("model_version", "organization").order_by("pk"):
            result = assessment_score(assessment=assessment)
            assessments[str(assessment.pk)] = {
                "organization": assessment.organization.slug,
                "name": assessment.name,
                "overall": result.overall.display,
                "level": result.overall.level,
                "summary": [assessment.summary_assessed, assessment.summary_applicable],
            }
        reports = {
            str(report.pk): {
                "status": report.status,
                "sha256": report.sha256,
                "file_sha256": _file_sha256(report.file.name),
            }
            for report in Report.objects.order_by("pk")
        }
        self.stdout.write(json.dumps({"assessments": assessments, "reports": reports}, indent=2, sort_keys=True))
