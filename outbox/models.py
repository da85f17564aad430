from django.db import models
from django.db.models import Q
from django.utils import timezone


class Event(models.Model):
    """Work a write asked for (review checks, photo copies…), done after the write commits.

    The row is written in the same transaction as the write, so a crash after the
    commit leaves the work recorded instead of lost; outbox.services.events_drain
    runs it until it succeeds. `done_at` is set once the handler has succeeded.
    """

    kind = models.CharField(max_length=60, help_text="Names the handler, e.g. visit.checks.")
    key = models.CharField(max_length=200, help_text="What the work is about, e.g. the visit id.")
    payload = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField(default=timezone.now, help_text="Not run before this time.")
    attempts = models.PositiveIntegerField(default=0, help_text="Failed runs so far.")
    requests = models.PositiveIntegerField(
        default=1,
        help_text="How often this pending work was asked for; a run that started "
        "before the last request leaves it pending, to run again.",
    )
    last_error = models.TextField(blank=True)
    locked_until = models.DateTimeField(
        null=True, blank=True, help_text="Lease of the drain running it; expired means free."
    )
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # The same pending work is stored once: a second enqueue asks the row again.
            models.UniqueConstraint(
                fields=["kind", "key"],
                condition=Q(done_at__isnull=True),
                name="outbox_event_one_pending",
            ),
        ]
        indexes = [
            # The drain's query: undone events by due time. Done rows stay out of it.
            models.Index(
                fields=["due_at", "id"], condition=Q(done_at__isnull=True), name="outbox_event_due"
            ),
            # Pruning old done rows.
            models.Index(
                fields=["done_at"], condition=Q(done_at__isnull=False), name="outbox_event_done"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
