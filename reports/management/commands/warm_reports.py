"""manage.py warm_reports [--period 2026-10]

Keeps the comparison and the drivers of a period (the last complete month by
default) in the cache for head office and every regional manager, as Celery
beat does every few minutes; prints each table and how long it took (a table
already kept takes milliseconds).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from reports.periods import PeriodError, parse_period
from reports.services.report_tables import report_tables_warm


class Command(BaseCommand):
    help = "Keep the comparison and drivers of a period ready for every report reader."

    def add_arguments(self, parser):
        parser.add_argument(
            "--period", help="A month (2026-10) or a quarter (2026-Q3); the last complete month."
        )

    def handle(self, *args, **options):
        period = None
        if options["period"]:
            try:
                period = parse_period(options["period"], date_from=None, date_to=None)
            except PeriodError as error:
                raise CommandError(f"--{error.field}: {error.message}") from None
        warmed = report_tables_warm(period=period)
        for table in warmed:
            self.stdout.write(f"{table.checklist} {table.reader}: {table.seconds * 1000:.0f} ms")
        self.stdout.write(f"{len(warmed)} report table(s) kept.")
