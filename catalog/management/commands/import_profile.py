from catalog.management.base import CatalogFileCommand
from catalog.services import profile_import


class Command(CatalogFileCommand):
    help = (
        "Import an assessment profile (e.g. pkimm-self-assessment-profile-1.0.0.yaml) for an imported model "
        "version: scoring parameters, subject fields, assurance tiers and report settings."
    )
    kind = "assessment profile"

    def run_import(self, *, text, source_name, replace):
        return profile_import(text=text, source_name=source_name, replace=replace)
