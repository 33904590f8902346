from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from exchange.export import exchange_json_text
from exchange.pkic import pkic_progress_data, pkic_progress_yaml, pkic_share_link
from exchange.services import assessment_export


class Command(BaseCommand):
    help = "Write an assessment in the exchange format (JSON): everything but the contents of evidence files."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("-o", "--output", help="File to write (default: standard output).")
        parser.add_argument(
            "--pkic",
            choices=["progress-yaml", "share-link"],
            help="Instead, the PKI Consortium browser tool's progress.yaml or share link (a level per category).",
        )

    def handle(self, *args, assessment_id, output=None, pkic=None, **options):
        assessment = Assessment.objects.select_related("model_version", "organization").filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        if pkic:
            data = pkic_progress_data(assessment=assessment)
            text = pkic_progress_yaml(data) if pkic == "progress-yaml" else pkic_share_link(data) + "\n"
        else:
            text = exchange_json_text(assessment_export(assessment=assessment))
        if output:
            Path(output).write_text(text, encoding="utf-8")
        else:
            self.stdout.write(text, ending="")
