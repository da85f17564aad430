"""Issue 11, fault tests: the app server SIGKILLed while phones upload visits and photos.

gunicorn runs as production runs it (2 worker processes × 4 threads) on its own
throwaway database — a file on SQLite, a fresh database on PostgreSQL, following
the suite's DATABASE_URL — and the embedded default for everything else (files on
disk, tasks in-process). Six phones upload complete visits with a photo each and
retry exactly as the phone app does (tests/faults/phones.py). While they upload,
the whole server (master and workers) is killed with SIGKILL, twice, and started
again.

Afterwards, once the outbox has been drained after the killed processes' leases
ran out (what beat does every minute, or an operator with `drain_outbox`): every
visit is stored exactly once and whole, every photo arrived with its copies,
every visit has its review checks, no outbox work is left, and `check_storage`
finds no orphan file and no missing copy.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest

from tests.faults.phones import Phones, assert_every_visit_whole, world_make
from tests.faults.processes import ingest

PHONES = 6
VISITS_PER_PHONE = 3
KILLS_AFTER = (4, 11)  # the server is killed once this many visits are whole

pytestmark = pytest.mark.slow


class Server:
    """gunicorn on a fixed port, killed and started again on it."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.port = ingest.free_port()
        self.starts = 0
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        self.starts += 1
        return ingest.start_gunicorn(
            self.env, self.port, self.log_dir / f"gunicorn-{self.starts}.log"
        )

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = self.start()

    def stop(self) -> None:
        ingest.stop(self.process)


def test_killing_the_app_server_during_uploads_loses_and_duplicates_nothing(env, tmp_path):
    world = world_make(env, visits_per_phone=VISITS_PER_PHONE)
    server = Server(env, tmp_path)
    phones = Phones(world, lambda: server.port, count=PHONES, visits_per_phone=VISITS_PER_PHONE)
    try:
        phones.start()
        for kill_at in KILLS_AFTER:
            phones.wait_for(kill_at)
            server.kill_and_restart()
        phones.join()
    finally:
        server.stop()

    assert server.starts == 1 + len(KILLS_AFTER)
    assert phones.unanswered, "the kills hit no request: the test proved nothing"
    assert_every_visit_whole(env, phones)
