"""manage.py render_scorecards --period 2026-10 [--region east] [--lang zh-Hans] [--checklist …]

Renders the scorecard of every active branch as Celery tasks (in parallel with
workers, every region's queued at once; in this process when eager), and writes
one zip per region to the private storage as each region finishes.
"""

from __future__ import annotations

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from audits.models import Region
from checklists.languages import SUPPORTED, normalise_language
from checklists.models import Checklist
from reports.periods import PeriodError, parse_period
from reports.services.scorecards import regions_scorecards_render

BAR_WIDTH = 24


def progress_bar(done: int, total: int, label: str, *, width: int = BAR_WIDTH) -> str:
    """`[#####-----] 12/24 sh-jingan`: plain text, so it needs no dependency and survives logs."""
    filled = width * done // total if total else width
    return f"[{'#' * filled}{'-' * (width - filled)}] {done}/{total} {label}"


class Command(BaseCommand):
    help = "Render every active branch's scorecard for a period and write one zip per region."

    def add_arguments(self, parser):
        parser.add_argument("--period", help="A month (2026-10) or a quarter (2026-Q3).")
        parser.add_argument("--from", dest="date_from", help="First day of a range, with --to.")
        parser.add_argument("--to", dest="date_to", help="Last day of a range, with --from.")
        parser.add_argument("--region", help="Region code; all regions when left out.")
        parser.add_argument("--lang", default="zh-Hans", help=f"One of {', '.join(SUPPORTED)}.")
        parser.add_argument(
            "--checklist", help="Checklist code; otherwise each branch's default checklist."
        )

    def handle(self, *args, **options):
        try:
            period = parse_period(
                options["period"], date_from=options["date_from"], date_to=options["date_to"]
            )
        except PeriodError as error:
            raise CommandError(f"--{error.field}: {error.message}") from None
        lang = normalise_language(options["lang"] or "")
        if lang is None:
            raise CommandError(f"--lang: use one of {', '.join(SUPPORTED)}.")
        checklist = None
        if options["checklist"]:
            checklist = Checklist.objects.filter(code=options["checklist"]).first()
            if checklist is None:
                raise CommandError(f"--checklist: unknown checklist {options['checklist']!r}.")
        regions = Region.objects.order_by("code")
        if options["region"]:
            regions = regions.filter(code=options["region"])
            if not regions.exists():
                raise CommandError(f"--region: unknown region {options['region']!r}.")

        zipped = 0
        try:
            for batch in regions_scorecards_render(
                regions=list(regions),
                period=period,
                lang=lang,
                checklist=checklist,
                on_progress=self.show_progress,
            ):
                zipped += 1
                self.stdout.write(
                    f"{batch.region.code}: {batch.done} scorecards → {batch.file_name} "
                    f"(batch {batch.pk})"
                )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if not zipped:
            self.stdout.write("no regions")

    def show_progress(self, done: int, total: int, label: str) -> None:
        # A carriage return redraws the bar in a terminal; in a log each state is one line.
        ending = "\r" if sys.stderr.isatty() and done < total else "\n"
        self.stderr.write(progress_bar(done, total, label), ending=ending)
        self.stderr.flush()
