import sys
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError

from exchange.files import ExchangeError, exchange_document_parse
from exchange.services import assessment_import_data
from organizations.management.lookup import command_organization, command_user


class Command(BaseCommand):
    help = (
        "Create an assessment from an exchange-format file, a progress.yaml of the PKI Consortium tool or its "
        "share link. Prints only the new assessment's id; a refused file creates nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import, - for standard input, or a share link of the tool.")
        parser.add_argument("--org", required=True, help="Slug of the organization that receives the assessment.")
        parser.add_argument("--as", dest="as_email", help="E-mail of the member recorded as the importer.")
        parser.add_argument("--model-version", help="Model version of a PKI Consortium tool file (default 1.1.0).")

    def handle(self, *args, file, org, as_email=None, model_version=None, **options):
        organization = command_organization(org)
        by = command_user(as_email) if as_email else None
        try:
            if file == "-":
                content, name = sys.stdin.buffer.read(), ""
            elif file.startswith(("http://", "https://")):
                content, name = file, ""
            else:
                path = Path(file)
                if not path.is_file():
                    raise CommandError(f"There is no file {file!r}.")
                content, name = path.read_bytes(), path.name
            data = exchange_document_parse(content=content, filename=name)
            result = assessment_import_data(organization=organization, data=data, by=by, model_version=model_version)
        except ExchangeError as error:
            raise CommandError(
                "The file was not imported:\n" + "\n".join(f"  - {problem}" for problem in error.problems)
            ) from None
        except PermissionDenied as error:
            raise CommandError(str(error)) from None
        for notice in result.notices:
            self.stderr.write(notice)
        self.stdout.write(str(result.assessment.pk))
