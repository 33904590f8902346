from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from exchange.files import ExchangeError
from improvement.services.common import ImprovementError
from organizations.management.lookup import command_organization, command_user
from spreadsheets.services import workbook_import


class Command(BaseCommand):
    help = (
        "Create an assessment from a filled PKI Consortium Excel tool (PKI_Maturity_Assessment_Tool or "
        "PKI_Maturity_Self_Assessment_Tool). Prints only the new assessment's id; a refused workbook creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The .xlsx workbook.")
        parser.add_argument("--org", required=True, help="Slug of the organization that receives the assessment.")
        parser.add_argument("--as", dest="as_email", help="E-mail of the member recorded as the importer.")
        parser.add_argument("--model-version", help="Model version to map the workbook onto (default 1.0.0).")

    def handle(self, *args, file, org, as_email=None, model_version=None, **options):
        organization = command_organization(org)
        by = command_user(as_email) if as_email else None
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"There is no file {file!r}.")
        try:
            result = workbook_import(
                organization=organization, content=path.read_bytes(), by=by, model_version=model_version
            )
        except ExchangeError as error:
            raise CommandError(
                "The workbook was not imported:\n" + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from None
        except (PermissionDenied, ImprovementError) as error:
            raise CommandError(str(error)) from None
        for notice in result.notices:
            self.stderr.write(notice)
        self.stdout.write(str(result.assessment.pk))
