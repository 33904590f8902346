"""What the catalogue commands share: read the file, call the service, print one line or every problem."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from catalog.errors import CatalogError


class CatalogFileCommand(BaseCommand):
    kind = ""  # "model" or "extension", for the help text

    def add_arguments(self, parser):
        parser.add_argument("path", help=f"the {self.kind} file (YAML)")
        parser.add_argument(
            "--replace",
            action="store_true",
            help="overwrite a version imported from a different file (refused once an assessment uses it)",
        )

    def run_import(self, *, text: bytes, source_name: str, replace: bool):
        raise NotImplementedError

    def handle(self, *args, path, replace, **options):
        try:
            text = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(f"{path}: cannot read the file: {exc.strerror}") from None
        try:
            outcome = self.run_import(text=text, source_name=path, replace=replace)
        except CatalogError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            count = len(exc.problems)
            raise CommandError(
                f"{path}: refused, nothing was changed ({count} problem{'' if count == 1 else 's'})"
            ) from None
        self.stdout.write(outcome.message)
