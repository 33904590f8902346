from catalog.management.base import CatalogFileCommand
from catalog.services import references_import


class Command(CatalogFileCommand):
    help = (
        "Import or update the PKIMM references catalogue (pkimm-references.yaml). Import it before a model "
        "that cites references by id (2.0.0 and later)."
    )
    kind = "references catalogue"

    def run_import(self, *, text, source_name, replace):
        return references_import(text=text, source_name=source_name)
