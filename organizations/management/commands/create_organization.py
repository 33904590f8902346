from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from audit.services import audit_log
from organizations.models import Membership, Organization
from organizations.roles import Role


class Command(BaseCommand):
    help = "Create an organization (idempotent: an existing slug is left as it is and reported)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner", help="E-mail of an existing user who becomes the owner")

    def handle(self, *args, slug, name, owner=None, **options):
        existing = Organization.objects.filter(slug=slug).first()
        if existing:
            self.stdout.write(f"Organization '{slug}' exists already ({existing.name}); left unchanged.")
            return
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No user with e-mail {owner}: create the account first (manage.py createsuperuser)")
        with transaction.atomic():
            organization = Organization.objects.create(slug=slug, name=name)
            audit_log(
                organization=organization,
                actor=None,
                action="organization.created",
                obj=organization,
                after={"name": name, "slug": slug},
            )
            if owner_user:
                membership = Membership.objects.create(organization=organization, user=owner_user, role=Role.OWNER)
                audit_log(
                    organization=organization,
                    actor=None,
                    action="membership.added",
                    obj=membership,
                    after={"user": owner_user.get_username(), "role": Role.OWNER},
                )
        self.stdout.write(f"Created organization '{slug}' ({name})" + (f" owned by {owner}" if owner else ""))
