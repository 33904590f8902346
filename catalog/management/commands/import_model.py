from catalog.management.base import CatalogFileCommand
from catalog.services import model_version_import


class Command(CatalogFileCommand):
    help = "Import an official PKIMM model file (e.g. pkimm-model-1.1.0.yaml) into the catalogue."
    kind = "model"

    def run_import(self, *, text, source_name, replace):
        return model_version_import(text=text, source_name=source_name, replace=replace)
