"""The login throttle's counters are shared by every worker process and lose no failure.

Without CACHE_URL the cache is a database table, made by migrate; these tests
record failures from several threads, each with its own database connection as
each worker process has, and expect every one of them counted.
"""

from __future__ import annotations

import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections

from accounts.login import LoginThrottled, login_failure_record, login_throttle_check

pytestmark = pytest.mark.django_db(transaction=True)


def test_migrate_makes_the_cache_table():
    assert "django_cache" in connection.introspection.table_names()


def test_the_cache_is_the_database_so_every_process_reads_the_same_counts():
    cache.set("shared", 1)
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM django_cache")
        assert cursor.fetchone()[0] == 1


def test_failures_racing_from_several_workers_are_all_counted(settings):
    settings.LOGIN_FAILURES_ALLOWED = 6
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def fail_once():
        try:
            barrier.wait(timeout=10)
            login_failure_record(username="alice", address="10.0.0.1")
        except BaseException as problem:  # noqa: BLE001 — reported below
            errors.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=fail_once) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    with pytest.raises(LoginThrottled):
        login_throttle_check(username="alice", address="10.0.0.1")
