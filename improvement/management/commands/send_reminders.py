import datetime

from django.core.management.base import BaseCommand, CommandError

from improvement.services.reminders import reminders_send


class Command(BaseCommand):
    help = "E-mail due re-assessment and overdue action plan reminders (each one once)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"--date {date!r} is not a YYYY-MM-DD date.") from None
        sent = reminders_send(today=today)
        self.stdout.write(f"{sent} reminder(s) sent.")
