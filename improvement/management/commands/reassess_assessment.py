from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment
from catalog.models import ModelVersion
from improvement.mapping import reassessment_mapping
from improvement.services.common import ImprovementError
from improvement.services.reassessment import reassessment_start
from organizations.management.lookup import command_user
from organizations.models import Membership
from organizations.roles import Role


class Command(BaseCommand):
    help = (
        "Start a re-assessment of an assessment, optionally on another (newer) model version: answers are carried "
        "over through the categories' names and the requirements' correspondence between the two versions. "
        "Prints the new assessment's id; what was not carried over goes to standard error."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--model-version", help="Model version of the new assessment (default: the same).")
        parser.add_argument("--name", help="Name of the new assessment (default: the old name and the version).")
        parser.add_argument("--as", dest="as_email", help="E-mail of the member who starts it (default: an owner).")
        parser.add_argument("--dry-run", action="store_true", help="Only show what would be carried over.")

    def handle(self, *args, assessment_id, model_version=None, name=None, as_email=None, dry_run=False, **options):
        previous = Assessment.objects.select_related("model_version", "organization").filter(pk=assessment_id).first()
        if previous is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        onto = previous.model_version
        if model_version:
            onto = ModelVersion.objects.filter(version=model_version).first()
            if onto is None:
                raise CommandError(f"PKIMM {model_version} is not imported.")
        by = self._actor(previous, as_email)
        mapping = reassessment_mapping(previous=previous, model_version=onto)
        self.stderr.write(
            f"{previous.name}: PKIMM {mapping.from_version} -> {mapping.to_version}; "
            f"{mapping.carried_over_count} answers carried over"
        )
        for dropped in mapping.dropped_answers:
            level = "-" if dropped.level is None else dropped.level
            self.stderr.write(f"  not carried over: {dropped.key} {dropped.title} (level {level}): {dropped.reason}")
        for category in mapping.categories:
            for key in category.new_requirements:
                self.stderr.write(f"  new, left unanswered: {key}")
        if dry_run:
            return
        try:
            assessment, _ = reassessment_start(
                previous=previous,
                model_version=onto,
                name=name or f"{previous.name} (PKIMM {onto.version})",
                by=by,
            )
        except (ImprovementError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(str(assessment.pk))

    def _actor(self, previous, as_email):
        if as_email:
            return command_user(as_email)
        membership = (
            Membership.objects.filter(organization=previous.organization, role=Role.OWNER)
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if membership is None:
            raise CommandError("The organization has no owner; name the member with --as.")
        return membership.user
