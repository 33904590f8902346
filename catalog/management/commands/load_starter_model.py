from django.core.management.base import BaseCommand, CommandError

from catalog.errors import CatalogError
from catalog.services import starter_model_load


class Command(BaseCommand):
    help = "Load the built-in summary of PKIMM 1.1.0 so that a fresh installation has a model to assess."

    def handle(self, *args, **options):
        try:
            outcome = starter_model_load()
        except CatalogError as exc:
            for line in exc.lines():
                self.stderr.write(line)
            raise CommandError("the starter model was not loaded") from None
        self.stdout.write(outcome.message)
