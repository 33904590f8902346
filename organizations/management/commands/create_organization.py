from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError
from django.utils.text import slugify

from organizations.models import Organization
from organizations.services import OrganizationError, organization_create


class Command(BaseCommand):
    help = "Create an organization (idempotent: an existing slug is left as it is and reported)."

    def add_arguments(self, parser):
        parser.add_argument("--slug", required=True)
        parser.add_argument("--name", required=True)
        parser.add_argument("--owner", help="E-mail of an existing user who becomes the owner")

    def handle(self, *args, slug, name, owner=None, **options):
        if slugify(slug) != slug or len(slug) > 60:
            raise CommandError(f"'{slug}' is not a valid slug: lower-case letters, digits and dashes, at most 60.")
        existing = Organization.objects.filter(slug=slug).first()
        if existing:
            self.stdout.write(f"Organization '{slug}' exists already ({existing.name}); left unchanged.")
            return
        owner_user = None
        if owner:
            owner_user = User.objects.filter(email__iexact=owner).first()
            if owner_user is None:
                raise CommandError(f"No user with e-mail {owner}: create the account first (manage.py createsuperuser)")
        try:
            organization_create(name=name, slug=slug, by=None, owner=owner_user)
        except OrganizationError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Created organization '{slug}' ({name})" + (f" owned by {owner}" if owner else ""))
