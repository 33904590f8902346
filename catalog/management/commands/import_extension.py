from catalog.management.base import CatalogFileCommand
from catalog.services import extension_import


class Command(CatalogFileCommand):
    help = "Import a PKIMM extension file (e.g. pqc-extension.yaml) for the imported model versions."
    kind = "extension"

    def run_import(self, *, text, source_name, replace):
        return extension_import(text=text, source_name=source_name, replace=replace)
