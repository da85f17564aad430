"""Issue 11, fault tests: a Celery worker killed in the middle of a region's scorecards.

`render_scorecards` fans a region's five branches out to a real Celery worker
(Redis broker, a redis-server of this test's own). While it renders, the worker's
pool process is SIGKILLed mid-render (the worker gives the task back: acks late, reject on
worker lost), then the whole worker is SIGKILLed and another one started (Redis
gives the unacknowledged task to it after the visibility timeout). The batch
finishes with every branch's scorecard, each rendered into exactly one PDF.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.faults.processes import ROOT, in_django, ingest, manage, start_celery_worker

BRANCHES = 5
DEADLINE_S = 240

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server (bootstrap)"),
]

WORLD = """
import json
from tests.factories import BranchFactory, RegionFactory
from tests.report_data import report_checklist, visit
version = report_checklist("branch-visit")
region = RegionFactory(code="east")
for n in range({branches}):
    branch = BranchFactory(region=region, code=f"east-{{n}}")
    visit(branch, version, "2026-10-05", 70 + n)
print(json.dumps({{"ok": True}}))
"""

OUTCOME = """
import json
from django.core.files.storage import default_storage
from reports.models import Scorecard, ScorecardBatch
batch = ScorecardBatch.objects.get()
pdfs = [
    f"{folder}/{name}"
    for folder in default_storage.listdir("reports")[0]
    for name in default_storage.listdir(f"reports/{folder}")[1]
    if name.endswith(".pdf")
]
print(json.dumps({
    "status": batch.status, "done": batch.done, "total": batch.total,
    "parts": batch.parts.count(), "scorecards": Scorecard.objects.count(), "pdfs": pdfs,
}))
"""


class Redis:
    """A redis-server of this test's own on a free port, keeping nothing on disk."""

    def __init__(self, directory: Path) -> None:
        self.port = ingest.free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
            + ["--appendonly", "no", "--dir", str(directory)],
            stdout=subprocess.DEVNULL,
        )
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class Progress:
    """Follows render_scorecards' progress lines (`[###---] 2/6 east`) on its stderr."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.done = 0
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, args=(process,), daemon=True)
        self.thread.start()

    def _read(self, process: subprocess.Popen) -> None:
        for line in process.stderr:
            self.lines.append(line)
            counted = line.split("] ", 1)[-1].split("/", 1)[0]
            if counted.isdigit():
                self.done = int(counted)

    def wait_for(self, done: int, process: subprocess.Popen) -> None:
        deadline = time.monotonic() + DEADLINE_S
        while self.done < done:
            assert process.poll() is None, "".join(self.lines[-20:])
            assert time.monotonic() < deadline, "the batch stopped moving"
            time.sleep(0.05)


def start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen:
    """One worker process, so killing its pool process kills the render under way."""
    return start_celery_worker(env, log_path, name=f"fault-{os.getpid()}", concurrency=1)


def pool_processes(worker: subprocess.Popen) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(worker.pid)], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def cpu_ticks(pid: int) -> int:
    """User plus system CPU time of a process so far, in clock ticks (0 once it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return 0
    fields = stat.rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])  # utime and stime, the stat's 14th and 15th


def kill_pool_mid_render(
    worker: subprocess.Popen, log_path: Path, progress: Progress, command: subprocess.Popen
) -> None:
    """SIGKILL the pool process while it renders, until its worker reports the task lost.

    An idle pool process (between two tasks, or after the last) takes no CPU, and
    killing it loses no task; one whose CPU time moves is rendering a scorecard.
    """
    deadline = time.monotonic() + DEADLINE_S
    while "WorkerLostError" not in log_path.read_text():
        assert progress.done < BRANCHES, "every scorecard was rendered before one could be cut"
        assert command.poll() is None and time.monotonic() < deadline
        for pid in pool_processes(worker):
            before = cpu_ticks(pid)
            time.sleep(0.05)
            if cpu_ticks(pid) > before:
                os.kill(pid, signal.SIGKILL)
                time.sleep(1)  # for the worker to notice and log it


def test_a_worker_killed_mid_batch_leaves_every_scorecard_rendered_once(env, tmp_path):
    manage(env, "migrate", "--no-input")
    in_django(env, WORLD.format(branches=BRANCHES))
    redis = Redis(tmp_path)
    env = {**env, "CELERY_BROKER_URL": redis.url, "CELERY_VISIBILITY_TIMEOUT": "5"}
    workers = [start_worker(env, tmp_path / "worker-1.log")]
    command = subprocess.Popen(
        [sys.executable, str(ROOT / "manage.py"), "render_scorecards", "--period", "2026-10"]
        + ["--region", "east", "--lang", "en"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    progress = Progress(command)
    try:
        kill_pool_mid_render(workers[0], tmp_path / "worker-1.log", progress, command)
        progress.wait_for(3, command)
        os.killpg(workers[0].pid, signal.SIGKILL)  # the whole worker, as a machine dies
        workers[0].wait(timeout=30)
        workers.append(start_worker(env, tmp_path / "worker-2.log"))
        out, _ = command.communicate(timeout=DEADLINE_S)
    finally:
        command.kill()
        for worker in workers:
            ingest.stop(worker)
        redis.stop()
    outcome = in_django(env, OUTCOME)

    assert command.returncode == 0, "".join(progress.lines[-20:])
    assert f"east: {BRANCHES} scorecards" in out
    assert outcome["status"] == "done"
    assert outcome["done"] == outcome["total"] == outcome["parts"] == BRANCHES
    assert outcome["scorecards"] == BRANCHES
    assert len(outcome["pdfs"]) == BRANCHES
