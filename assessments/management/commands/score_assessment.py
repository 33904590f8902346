import json

from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from assessments.selectors_read import AssessmentRead, score_json
from scoring.engine import format_value


class Command(BaseCommand):
    help = "Print an assessment's scores: overall, per module, per category and per extension."

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument(
            "--json",
            dest="as_json",
            action="store_true",
            help="JSON: value, exact fraction, level and level name for overall, modules and categories.",
        )

    def handle(self, *args, assessment_id, as_json=False, **options):
        assessment = Assessment.objects.select_related("model_version").filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        read = AssessmentRead(assessment)
        result = read.score
        if as_json:
            data = {
                "model_version": assessment.model_version.version,
                "method": assessment.method,
                **score_json(read, level_names=assessment.model_version.level_name_map),
            }
            self.stdout.write(json.dumps(data, indent=2))
            return
        names = assessment.model_version.level_name_map
        self.stdout.write(f"{assessment.name} (PKIMM {assessment.model_version.version}, {assessment.method})")
        self.stdout.write(str(result.completeness))
        for key, score in [("overall", result.overall), *result.modules.items(), *result.categories.items()]:
            level = "-" if score.level is None else f"{score.level} {names[score.level]}"
            self.stdout.write(f"{key:<10} {score.display:>6}  level {level}")
        for ext_id, extension in result.extensions.items():
            level = "-" if extension.level is None else extension.level
            self.stdout.write(f"{ext_id:<10} {format_value(extension.score):>6}  level {level} (extension)")
