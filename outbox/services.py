"""Writes of the outbox: recording work in the caller's transaction, and doing it.

A service that needs work done after its write commits (review checks, photo
copies…) calls `event_enqueue` inside its transaction: the event commits or
rolls back with the write. After the commit a drain is kicked (a Celery task,
in-process in the embedded default), but the kick may be lost to a crash or a
broker outage; the row is not. `events_drain` runs every due event, whoever
enqueued it, and is also run every minute by Celery beat and at start by
`manage.py drain_outbox`.

Handlers are found by kind in settings.OUTBOX_HANDLERS (dotted paths), so the
layer that asks for the work never imports the layer that does it. A handler
is called as `handler(key=…, payload=…)`, must be idempotent (it may run again
after a crash or an expired lease) and signals failure by raising.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import traceback
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.module_loading import import_string

from outbox.models import Event

logger = logging.getLogger(__name__)

# A drain holds an event this long; a drain that dies frees it when the lease
# expires. Longer than any handler takes (photo copies of a 50 MP photo: seconds).
LEASE = dt.timedelta(minutes=5)
# A failed event waits 30 s, 1 min, 2 min… between tries, never more than an hour:
# it is retried until it succeeds, since the work it stands for must not be lost.
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_MAX = dt.timedelta(hours=1)
# Done events are kept this long for inspection, then pruned.
KEEP_DONE = dt.timedelta(days=30)


def event_enqueue(*, kind: str, key: str, payload: dict | None = None) -> None:
    """Record work to do once the caller's transaction commits; call it inside that transaction.

    Asking again for work that is still pending (same kind and key) adds no row:
    it updates the payload, makes the event due now and counts the request, so
    a drain already running it runs it once more with what this write changed.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(
            "event_enqueue must be called inside the transaction of the write that asks for "
            "the work; outside one, a crash between the write and the event would lose it."
        )
    key = str(key)
    for _ in range(3):
        if _ask_again(kind=kind, key=key, payload=payload):
            break
        try:
            # A savepoint, so losing the race below leaves the caller's transaction usable.
            with transaction.atomic():
                Event.objects.create(kind=kind, key=key, payload=payload)
            break
        except IntegrityError:
            # Another transaction stored the same pending event since our update; ask it again.
            continue
    else:
        raise RuntimeError(f"could not enqueue outbox event {kind} {key}")
    # robust: the write has committed; a broker that is down must not turn it into an
    # error. The beat (or the next kick, or drain_outbox) finds the event anyway.
    transaction.on_commit(_kick, robust=True)


def _ask_again(*, kind: str, key: str, payload: dict | None) -> bool:
    asked = Event.objects.filter(kind=kind, key=key, done_at__isnull=True).update(
        payload=payload,
        requests=F("requests") + 1,
        due_at=Least(F("due_at"), timezone.now()),
    )
    return asked > 0


def _kick() -> None:
    from outbox.tasks import outbox_drain_task  # the task module imports this one

    outbox_drain_task.delay()


def events_drain(*, limit: int = 100, now: dt.datetime | None = None) -> int:
    """Run up to `limit` due events, oldest due first; returns how many were run.

    Each event is claimed in a short transaction (row lock with skip_locked on
    PostgreSQL, plus a lease that also holds on SQLite), then its handler runs
    outside it. Success marks it done; a failure records the error and retries
    it later with backoff. Never raises: the caller is a task or a command.
    `now` fixes the clock (tests); by default each claim reads the time.
    """
    ran = 0
    while ran < limit:
        try:
            event = _claim(now or timezone.now())
            if event is None:
                break
            ran += 1
            _run(event, now=now)
        except Exception:
            # The database itself failed (a handler's failure is recorded in _run):
            # stop; the leases expire and the next drain carries on.
            logger.exception("outbox: the drain stopped")
            break
    return ran


def events_prune(*, now: dt.datetime | None = None) -> int:
    """Delete events done more than KEEP_DONE ago; returns how many."""
    before = (now or timezone.now()) - KEEP_DONE
    deleted, _ = Event.objects.filter(done_at__lt=before).delete()
    return deleted


def _claimable(at: dt.datetime) -> Q:
    return Q(done_at__isnull=True, due_at__lte=at) & (
        Q(locked_until__isnull=True) | Q(locked_until__lte=at)
    )


def _claim(at: dt.datetime) -> Event | None:
    """Take the lease of the next due, free event, or return None when there is none."""
    while True:
        with transaction.atomic():
            # skip_locked: on PostgreSQL concurrent drains take different rows instead
            # of queueing behind each other. SQLite ignores it (it has no row locks).
            event = (
                Event.objects.select_for_update(skip_locked=True)
                .filter(_claimable(at))
                .order_by("due_at", "id")
                .first()
            )
            if event is None:
                return None
            # Conditional, so the lease is taken only if nobody took it since the
            # read: this is what keeps two drains apart whatever the database.
            event.locked_until = at + LEASE
            taken = Event.objects.filter(_claimable(at), pk=event.pk).update(
                locked_until=event.locked_until
            )
        if taken:
            return event


def _run(event: Event, *, now: dt.datetime | None) -> None:
    try:
        handler = _handler(event.kind)
        with _savepoint_if_nested():
            handler(key=event.key, payload=event.payload)
    except Exception as error:
        _record_failure(event, error, at=now or timezone.now())
    else:
        _record_success(event, at=now or timezone.now())


def _handler(kind: str) -> Callable[..., object]:
    path = getattr(settings, "OUTBOX_HANDLERS", {}).get(kind)
    if path is None:
        # Kept and retried: a deploy that registers the handler picks the event up.
        raise ImproperlyConfigured(
            f"No handler for outbox events of kind {kind!r} in OUTBOX_HANDLERS."
        )
    return import_string(path)


def _savepoint_if_nested():
    """A savepoint around the handler when the drain itself runs inside a transaction.

    Normally the drain runs in autocommit and each handler manages its own
    transactions. Inside an outer transaction (a test, a caller's atomic block)
    a database error in a handler would otherwise break that transaction, and
    recording the failure with it.
    """
    if transaction.get_connection().in_atomic_block:
        return transaction.atomic()
    return contextlib.nullcontext()


def _record_success(event: Event, *, at: dt.datetime) -> None:
    done = Event.objects.filter(pk=event.pk, done_at__isnull=True, requests=event.requests).update(
        done_at=at, locked_until=None, last_error=""
    )
    if not done:
        # Asked for again while it ran, maybe about data this run did not see: run it again.
        Event.objects.filter(pk=event.pk, done_at__isnull=True).update(locked_until=None, due_at=at)


def _record_failure(event: Event, error: Exception, *, at: dt.datetime) -> None:
    attempts = event.attempts + 1
    delay = min(BACKOFF_MAX, BACKOFF_FIRST * 2 ** min(attempts - 1, 16))
    due_at = at + delay
    message = "".join(traceback.format_exception_only(error)).strip()[:2000]
    Event.objects.filter(pk=event.pk, done_at__isnull=True).update(
        attempts=F("attempts") + 1, last_error=message, due_at=due_at, locked_until=None
    )
    logger.error(
        "outbox: %s %s failed (attempt %d), retrying at %s: %s",
        event.kind,
        event.key,
        attempts,
        due_at.isoformat(),
        message,
        exc_info=error,
    )
