import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from audits.services.assignments import assignments_expire


class Command(BaseCommand):
    help = "Mark open assignments whose window has ended as expired. Run daily; safe to run again."

    def add_arguments(self, parser):
        parser.add_argument(
            "--today",
            help="The local date to expire against (YYYY-MM-DD); defaults to today.",
        )

    def handle(self, *args, **options):
        try:
            today = (
                dt.date.fromisoformat(options["today"])
                if options["today"]
                else timezone.localdate()
            )
        except ValueError as error:
            raise CommandError(f"--today: {error}") from error
        expired = assignments_expire(today=today)
        self.stdout.write(f"expired {expired} assignment(s) whose window ended before {today}")
