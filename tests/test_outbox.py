"""The outbox: work a write asks for is stored with the write and done until it succeeds.

Handlers here are test doubles registered in OUTBOX_HANDLERS; the real ones
(checks, photo copies) are exercised in tests/test_drain_outbox_command.py.
"""

from __future__ import annotations

import datetime as dt
import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from outbox.models import Event
from outbox.services import event_enqueue, events_drain, events_prune

CALLS: list[tuple[str, dict | None]] = []


def record(*, key: str, payload: dict | None = None) -> None:
    CALLS.append((key, payload))


def fail(*, key: str, payload: dict | None = None) -> None:
    CALLS.append((key, payload))
    raise RuntimeError(f"storage unreachable for {key}")


def drain_again(*, key: str, payload: dict | None = None) -> None:
    """Runs a second drain while the first one holds this event, as another process would."""
    CALLS.append((key, payload))
    events_drain()


def ask_again_once(*, key: str, payload: dict | None = None) -> None:
    """The work is asked for again (a new write) while its first run is under way."""
    CALLS.append((key, payload))
    if len(CALLS) == 1:
        with transaction.atomic():
            event_enqueue(kind="test.ask_again", key=key, payload={"second": True})


def slow(*, key: str, payload: dict | None = None) -> None:
    CALLS.append((key, payload))
    time.sleep(0.05)


@pytest.fixture(autouse=True)
def handlers(settings):
    CALLS.clear()
    settings.OUTBOX_HANDLERS = {
        "test.record": "tests.test_outbox.record",
        "test.fail": "tests.test_outbox.fail",
        "test.drain_again": "tests.test_outbox.drain_again",
        "test.ask_again": "tests.test_outbox.ask_again_once",
        "test.slow": "tests.test_outbox.slow",
    }
    yield
    CALLS.clear()


def enqueue(kind: str = "test.record", key: str = "k1", payload: dict | None = None) -> Event:
    with transaction.atomic():
        event_enqueue(kind=kind, key=key, payload=payload)
    return Event.objects.get(kind=kind, key=key, done_at__isnull=True)


# --- recording the work ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_event_enqueued_in_a_transaction_that_rolls_back_does_not_exist():
    with pytest.raises(RuntimeError, match="the write failed"), transaction.atomic():
        event_enqueue(kind="test.record", key="k1")
        raise RuntimeError("the write failed")

    assert not Event.objects.exists()


@pytest.mark.django_db
def test_a_committed_event_is_done_right_after_the_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(payload={"size": "thumb"})

    assert CALLS == [("k1", {"size": "thumb"})]
    assert Event.objects.get().done_at is not None


@pytest.mark.django_db
def test_a_committed_event_whose_kick_was_lost_is_done_by_the_next_drain(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):  # the process dies after the commit
        enqueue()
    assert CALLS == []

    assert events_drain() == 1

    assert CALLS == [("k1", None)]
    assert Event.objects.get().done_at is not None


@pytest.mark.django_db
def test_a_drain_kicked_by_a_later_event_also_runs_the_older_ones(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False):
        enqueue(key="older")

    with django_capture_on_commit_callbacks(execute=True):
        enqueue(key="newer")

    assert [key for key, _ in CALLS] == ["older", "newer"]


@pytest.mark.django_db
def test_a_second_enqueue_of_pending_work_adds_no_row():
    enqueue(payload={"n": 1})
    enqueue(payload={"n": 2})

    event = Event.objects.get()
    assert (event.payload, event.requests) == ({"n": 2}, 2)


@pytest.mark.django_db
def test_the_same_work_asked_for_after_it_was_done_is_a_new_event():
    enqueue()
    events_drain()

    enqueue()

    assert Event.objects.filter(kind="test.record", key="k1").count() == 2
    assert Event.objects.filter(done_at__isnull=True).count() == 1


@pytest.mark.django_db(transaction=True)
def test_enqueueing_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        event_enqueue(kind="test.record", key="k1")

    assert not Event.objects.exists()


# --- failures ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_failing_handler_has_its_error_recorded_and_is_retried_30_seconds_later():
    enqueue(kind="test.fail")
    now = timezone.now()

    assert events_drain(now=now) == 1

    event = Event.objects.get()
    assert event.done_at is None
    assert event.attempts == 1
    assert event.last_error == "RuntimeError: storage unreachable for k1"
    assert event.due_at == now + dt.timedelta(seconds=30)
    assert event.locked_until is None


@pytest.mark.django_db
def test_a_failed_event_is_not_run_again_before_it_is_due():
    enqueue(kind="test.fail")
    now = timezone.now()
    events_drain(now=now)

    assert events_drain(now=now + dt.timedelta(seconds=29)) == 0
    assert len(CALLS) == 1


@pytest.mark.django_db
def test_each_failure_doubles_the_wait_up_to_an_hour():
    enqueue(kind="test.fail")
    now = timezone.now()
    waits = []
    for _ in range(10):
        events_drain(now=now)
        due_at = Event.objects.get().due_at
        waits.append(int((due_at - now).total_seconds()))
        now = due_at

    assert waits == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600, 3600]


@pytest.mark.django_db
def test_a_failed_event_is_done_once_its_handler_succeeds(settings):
    enqueue(kind="test.fail")
    now = timezone.now()
    events_drain(now=now)
    settings.OUTBOX_HANDLERS = {**settings.OUTBOX_HANDLERS, "test.fail": "tests.test_outbox.record"}

    events_drain(now=now + dt.timedelta(seconds=30))

    event = Event.objects.get()
    assert (event.done_at, event.attempts, event.last_error) == (
        now + dt.timedelta(seconds=30),
        1,
        "",
    )


@pytest.mark.django_db
def test_a_failure_is_logged_with_its_traceback(caplog):
    enqueue(kind="test.fail")

    events_drain()

    [entry] = [r for r in caplog.records if r.name == "outbox.services"]
    assert "test.fail k1 failed (attempt 1)" in entry.getMessage()
    assert entry.exc_info is not None


@pytest.mark.django_db
def test_an_event_without_a_handler_is_kept_and_retried():
    enqueue(kind="test.unknown")

    events_drain()

    event = Event.objects.get()
    assert (event.done_at, event.attempts) == (None, 1)
    assert "No handler for outbox events of kind 'test.unknown'" in event.last_error


@pytest.mark.django_db
def test_a_failing_event_does_not_hold_up_the_others():
    enqueue(kind="test.fail", key="bad")
    enqueue(kind="test.record", key="good")

    assert events_drain() == 2

    assert Event.objects.get(key="good").done_at is not None


# --- one run at a time -------------------------------------------------------------------


@pytest.mark.django_db
def test_a_second_drain_does_not_run_an_event_the_first_is_running():
    enqueue(kind="test.drain_again")

    events_drain()

    assert CALLS == [("k1", None)]
    assert Event.objects.get().done_at is not None


@pytest.mark.django_db
def test_an_event_whose_drain_died_is_run_once_its_lease_has_expired():
    event = enqueue()
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(locked_until=now + dt.timedelta(minutes=5))

    assert events_drain(now=now) == 0
    assert events_drain(now=now + dt.timedelta(minutes=5)) == 1
    assert CALLS == [("k1", None)]


@pytest.mark.django_db
def test_work_asked_for_again_while_it_runs_is_run_once_more():
    enqueue(kind="test.ask_again")

    events_drain()

    assert CALLS == [("k1", None), ("k1", {"second": True})]
    assert Event.objects.get().done_at is not None


@pytest.mark.django_db(transaction=True)
def test_drains_running_at_once_run_every_event_exactly_once(monkeypatch):
    monkeypatch.setattr("outbox.services._kick", lambda: None)  # leave the events to the threads
    for n in range(8):
        with transaction.atomic():
            event_enqueue(kind="test.slow", key=f"k{n}")

    def drain() -> None:
        try:
            events_drain()
        finally:
            connection.close()

    threads = [threading.Thread(target=drain) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(Event.objects.filter(done_at__isnull=False)) == 8
    assert sorted(key for key, _ in CALLS) == [f"k{n}" for n in range(8)]
    assert not Event.objects.filter(done_at__isnull=True).exists()


@pytest.mark.django_db
def test_events_not_due_yet_wait():
    event = enqueue()
    Event.objects.filter(pk=event.pk).update(due_at=timezone.now() + dt.timedelta(minutes=1))

    assert events_drain() == 0


@pytest.mark.django_db
def test_a_drain_runs_at_most_its_limit():
    for n in range(3):
        enqueue(key=f"k{n}")

    assert events_drain(limit=2) == 2
    assert [key for key, _ in CALLS] == ["k0", "k1"]


# --- pruning -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_events_done_more_than_30_days_ago_are_pruned():
    now = timezone.now()
    old, recent = enqueue(key="old"), enqueue(key="recent")
    Event.objects.filter(pk=old.pk).update(done_at=now - dt.timedelta(days=31))
    Event.objects.filter(pk=recent.pk).update(done_at=now - dt.timedelta(days=29))

    assert events_prune(now=now) == 1
    assert list(Event.objects.values_list("key", flat=True)) == ["recent"]
