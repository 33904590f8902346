import secrets

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand
from django.db import transaction

from catalog.services import starter_model_load
from demo.seed import demo_assessment_create
from organizations.models import Membership, Organization
from organizations.roles import Role

DEMO_EMAIL = "demo@example.com"


class Command(BaseCommand):
    help = "Load the starter model and a demo organization with a demo user; print the credentials."

    def handle(self, *args, **options):
        outcome = starter_model_load()
        self.stdout.write(f"Starter model: {outcome.message}")
        password = secrets.token_urlsafe(9)
        with transaction.atomic():
            organization, _ = Organization.objects.get_or_create(slug="demo", defaults={"name": "Demo PKI Team"})
            user, created = User.objects.get_or_create(username=DEMO_EMAIL, defaults={"email": DEMO_EMAIL})
            # A fresh password on every run, so the printed one always works.
            user.set_password(password)
            user.save()
            Membership.objects.get_or_create(organization=organization, user=user, defaults={"role": Role.OWNER})
        if demo_assessment_create(organization=organization, model_version=outcome.model_version, by=user):
            self.stdout.write("Created a demo assessment.")
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS("Demo ready. Sign in at http://127.0.0.1:8000/ with"))
        self.stdout.write(f"    e-mail:   {DEMO_EMAIL}")
        self.stdout.write(f"    password: {password}")
        self.stdout.write("")
