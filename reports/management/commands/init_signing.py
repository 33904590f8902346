"""Create this installation's report-signing certificate authority and signing certificate."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from reports.signing import SIGNING_CERT_FILE, SigningError, signing_init


class Command(BaseCommand):
    help = (
        "Create a self-signed CA and a report-signing certificate under PKIMM_SIGNING_DIR (default VAR_DIR/signing). "
        "Production may instead set PKIMM_SIGNING_P12 and PKIMM_SIGNING_P12_PASSPHRASE."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=None, help="Directory for the files (default: settings.SIGNING_DIR)")
        parser.add_argument("--name", default=settings.SITE_NAME, help="Common name prefix of the certificates")
        parser.add_argument("--organization", default="", help="Organization name in the certificates")
        parser.add_argument("--force", action="store_true", help="Replace existing files")
        parser.add_argument(
            "--if-missing", action="store_true", help="Do nothing when the files exist (first run of `make run`)"
        )

    def handle(self, *args, dir, name, organization, force, if_missing, **options):
        if settings.SIGNING_P12 and dir is None:
            if if_missing:
                self.stdout.write("Reports are signed with PKIMM_SIGNING_P12.")
                return
            raise CommandError("PKIMM_SIGNING_P12 is set: this installation signs with that file.")
        directory = Path(dir) if dir else Path(settings.SIGNING_DIR)
        if if_missing and not force and (directory / SIGNING_CERT_FILE).exists():
            self.stdout.write(f"Reports are signed with the certificate in {directory}.")
            return
        try:
            paths = signing_init(directory=directory, common_name=name, organization=organization, force=force)
        except SigningError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Signing CA and certificate written to {directory} (files readable by this user only).")
        self.stdout.write(f"Give relying parties the CA certificate: {paths['ca-cert.pem']}")
