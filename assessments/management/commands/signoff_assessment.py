"""Sign off an assessment from a script, through the same services (and checks) as the pages."""

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from assessments.models import Assessment, CategoryReview
from assessments.selectors_manage import categories_in_scope
from assessments.services.common import AssessmentError
from assessments.services.workflow import (
    assessment_request_review,
    assessment_sign_off,
    category_review_accept,
)
from core.signing_setup import signing_setup_problem
from organizations.management.lookup import command_user


class Command(BaseCommand):
    help = (
        "Sign off assessment ID as the member with e-mail --as: requests the review if needed, accepts every "
        "category in scope not yet accepted, then signs off with --statement. The member's role must allow each "
        "step, and the same checks as on the pages apply (nothing open, nothing sent back)."
    )

    def add_arguments(self, parser):
        parser.add_argument("assessment_id", type=int)
        parser.add_argument("--as", dest="as_email", required=True, help="E-mail of the member who signs off.")
        parser.add_argument("--statement", required=True, help="The sign-off statement.")
        parser.add_argument(
            "--countersigner",
            action="append",
            default=[],
            metavar="NAME[|TITLE]",
            help="A person to counter-sign the final reports (repeatable), e.g. 'Ann Lee|CISO'.",
        )

    def handle(self, *args, assessment_id, as_email, statement, countersigner, **options):
        by = command_user(as_email)
        assessment = Assessment.objects.select_related("organization").filter(pk=assessment_id).first()
        if assessment is None:
            raise CommandError(f"There is no assessment {assessment_id}.")
        people = [dict(zip(("name", "title"), entry.split("|", 1), strict=False)) for entry in countersigner]
        try:
            if assessment.status in (Assessment.Status.DRAFT, Assessment.Status.IN_PROGRESS):
                assessment = assessment_request_review(assessment=assessment, by=by)
                self.stderr.write("Review requested.")
            accepted = set(
                CategoryReview.objects.for_org(assessment.organization)
                .filter(assessment=assessment, status=CategoryReview.Status.ACCEPTED)
                .values_list("category__key", flat=True)
            )
            for category in categories_in_scope(assessment=assessment):
                if category.key not in accepted:
                    category_review_accept(assessment=assessment, category_key=category.key, by=by)
                    self.stderr.write(f"Accepted {category.key}.")
            signoff = assessment_sign_off(assessment=assessment, statement=statement, countersigners=people, by=by)
        except (AssessmentError, PermissionDenied) as error:
            raise CommandError(str(error)) from None
        problem = signing_setup_problem()
        if problem:
            self.stderr.write(f"Warning: {problem}")
        self.stdout.write(str(signoff.pk))
