import secrets

from allauth.account.models import EmailAddress
from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.services import starter_model_load
from core.demo import demo_data_create
from core.profiles import profile_is_complete, profile_update
from organizations.models import Membership, Organization
from organizations.roles import Role
from reports.models import Report

DEMO_EMAIL = "demo@example.com"
DEFAULT_ADDRESS = "127.0.0.1:8000"
# A server bound to every interface is reached on this machine at the loopback address.
ANY_INTERFACE = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "[::]": "[::1]"}


def sign_in_url(address: str) -> str:
    """``HOST:PORT`` or ``PORT`` (as given to runserver) -> the address to open in a browser."""
    host, _, port = address.rpartition(":")
    host = host or "127.0.0.1"
    return f"http://{ANY_INTERFACE.get(host, host)}:{port}/"


class Command(BaseCommand):
    help = (
        "Load the starter model and a demo organization (a signed-off assessment with its signed report, a "
        "re-assessment with action plans, an assessment waiting for sign-off); print the credentials."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help=f"HOST:PORT the server will listen on, for the sign-in address printed (default {DEFAULT_ADDRESS})",
        )

    def handle(self, *args, address, **options):
        outcome = starter_model_load()
        self.stdout.write(f"Starter model: {outcome.message}")
        password = secrets.token_urlsafe(9)
        with transaction.atomic():
            organization, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "Demo PKI Team"})
            user, created = User.objects.get_or_create(
                username=DEMO_EMAIL, defaults={"email": DEMO_EMAIL, "first_name": "Dana", "last_name": "Demo"}
            )
            # A fresh password on every run, so the printed one always works.
            user.set_password(password)
            user.save()
            # The demo address counts as verified (allauth asks for a confirmation of unverified ones).
            EmailAddress.objects.update_or_create(
                user=user, email=DEMO_EMAIL, defaults={"verified": True, "primary": True}
            )
            Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": Role.OWNER})
            if not profile_is_complete(user=user):  # sign-offs and reports name people by their profile
                profile_update(user=user, full_name="Dana Demo", job_title="Head of PKI")
        demo = demo_data_create(organization=organization, model_version=outcome.model_version, by=user)
        for line in demo.created:
            self.stdout.write(f"Created {line}.")
        if demo.report is not None:
            demo.report.refresh_from_db()
            if demo.report.status == Report.Status.FAILED:
                self.stderr.write(f"The demo's signed report failed: {demo.report.error}")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Demo ready. Sign in at {sign_in_url(address)} with"))
        self.stdout.write(f"    e-mail:   {DEMO_EMAIL}")
        self.stdout.write(f"    password: {password}")
        self.stdout.write("")
