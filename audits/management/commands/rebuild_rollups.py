from django.core.management.base import BaseCommand, CommandError

from audits.services.rollups import TableDrift, rollups_rebuild

# Enough examples to see what kind of drift it is; the counts say how much.
SHOWN = 10
VISIT_KEY = ("branch", "version", "grain", "day")
VISIT_NUMBERS = ("checklist", "visits", "scored", "score_total", "score_squares")
SCORE_KEY = ("branch", "checklist", "grain", "day", "kind", "key")
SCORE_NUMBERS = ("count", "total")
ITEM_KEY = ("branch", "checklist", "grain", "day", "item_code")
ITEM_NUMBERS = ("answers", "failures", "score_total", "gain_total")


class Command(BaseCommand):
    help = (
        "Recompute the report roll-ups from the approved visits and report drift "
        "(rows missing, extra or different). --check only compares, and exits 1 on drift."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Compare only; change nothing. Exit status 1 when the roll-ups drifted.",
        )

    def handle(self, *args, check: bool = False, **options):
        drift = rollups_rebuild(fix=not check)
        self._report("visit roll-ups", drift.visits, VISIT_KEY, VISIT_NUMBERS)
        self._report("score roll-ups", drift.scores, SCORE_KEY, SCORE_NUMBERS)
        self._report("item roll-ups", drift.items, ITEM_KEY, ITEM_NUMBERS)
        if not len(drift):
            self.stdout.write("roll-ups match the visits: no drift")
            return
        if check:
            raise CommandError(
                f"{len(drift)} roll-up row(s) drifted; run rebuild_rollups to fix them",
                returncode=1,
            )
        self.stdout.write(f"fixed {len(drift)} roll-up row(s) from the visits")

    def _report(self, name: str, table: TableDrift, keys: tuple, numbers: tuple) -> None:
        self.stdout.write(
            f"{name}: {len(table.missing)} missing, {len(table.extra)} extra, "
            f"{len(table.different)} different"
        )
        for key in table.missing[:SHOWN]:
            self.stdout.write(f"  missing {_named(keys, key)}")
        for key in table.extra[:SHOWN]:
            self.stdout.write(f"  extra {_named(keys, key)}")
        for key, stored, wanted in table.different[:SHOWN]:
            self.stdout.write(
                f"  different {_named(keys, key)}: stored {_named(numbers, stored)}; "
                f"from the visits {_named(numbers, wanted)}"
            )


def _named(names: tuple[str, ...], values: tuple) -> str:
    return " ".join(f"{name}={value}" for name, value in zip(names, values, strict=True))
