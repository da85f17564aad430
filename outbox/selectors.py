"""Reads of the outbox: what is still to do, for the drain_outbox command and admins."""

from __future__ import annotations

from django.db.models import QuerySet

from outbox.models import Event


def events_pending() -> QuerySet[Event]:
    """Events not done yet, due or waiting for a retry, oldest due first."""
    return Event.objects.filter(done_at__isnull=True).order_by("due_at", "id")


def events_failing() -> QuerySet[Event]:
    """Pending events whose last run failed, oldest due first."""
    return events_pending().filter(attempts__gt=0)
