import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from outbox.selectors import events_failing, events_pending
from outbox.services import events_drain, events_prune


class Command(BaseCommand):
    help = (
        "Run every due outbox event (review checks, photo copies…), e.g. work left by a crash; "
        "safe to run at any time and alongside workers. --loop keeps draining, for a worker without beat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            type=float,
            metavar="SECONDS",
            default=None,
            help="Drain again every SECONDS until interrupted.",
        )

    def handle(self, *args, **options):
        every = options["loop"]
        if every is None:
            self._drain_and_report()
            return
        try:
            while True:
                self._drain_and_report(quiet=True)
                time.sleep(every)
        except KeyboardInterrupt:
            pass

    def _drain_and_report(self, *, quiet: bool = False) -> None:
        ran = 0
        # A failed event is not due again in the same pass (it backs off), so this ends.
        while batch := events_drain():
            ran += batch
        pruned = events_prune()
        pending, failing = events_pending().count(), events_failing().count()
        if quiet and not ran:
            return
        self.stdout.write(
            f"drain_outbox: ran {ran} event(s); {pending} pending, {failing} failing"
            + (f"; pruned {pruned} done long ago" if pruned else "")
        )
        for event in events_failing()[:20]:
            self.stdout.write(
                f"  failing: {event.kind} {event.key} (attempt {event.attempts}, "
                f"next at {timezone.localtime(event.due_at):%Y-%m-%d %H:%M:%S}): {event.last_error}"
            )
