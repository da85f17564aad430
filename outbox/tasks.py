"""Celery tasks of the outbox. In the embedded default they run in-process."""

from celery import shared_task

from outbox.services import events_drain, events_prune


@shared_task
def outbox_drain_task() -> int:
    """Run the due outbox events: kicked after each commit that enqueued one, and by beat."""
    return events_drain()


@shared_task
def outbox_prune_task() -> int:
    """Delete events done long ago (beat, daily)."""
    return events_prune()
