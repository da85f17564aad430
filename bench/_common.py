"""Helpers shared by the benchmark scripts: paths, Django set-up, timing and results.

The scripts are run as ``python bench/<name>.py`` (not imported as a package),
so this module is found because ``bench/`` is the script's own directory.
Project modules are imported inside functions, after ``setup_django`` has
pointed the settings at the benchmark's own throwaway database.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PG_HOST = "127.0.0.1"  # benchmarks never touch any other host
PG_PORT = 5432
PG_USER = "postgres"
REDIS_HOST = "127.0.0.1"  # likewise: the only Redis a benchmark uses
REDIS_PORT = 6379


def pg_url(dbname: str) -> str:
    return f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{dbname}"


def pg_dsn(dbname: str) -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={dbname}"


def recreate_database(name: str) -> None:
    """An empty PostgreSQL database `name` on 127.0.0.1, dropped first if it exists."""
    import psycopg

    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(name: str) -> None:
    import psycopg

    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url(db: int) -> str:
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/{db}"


def redis_empty(dbs: tuple[int, ...], *, flush: bool) -> None:
    """Empty the benchmark's own Redis databases (flush=True), or first check they are its own.

    With flush=False, exits if a database holds keys other than what Celery and
    Django's cache leave behind: those are someone else's, and are never flushed.
    """
    import redis

    for db in dbs:
        client = redis.Redis(host=REDIS_HOST, port=REDIS_PORT, db=db, socket_timeout=5)
        if flush:
            client.flushdb()
            continue
        # What an earlier run leaves behind (Celery's queue and bindings) may be flushed;
        # anything else is someone else's.
        foreign = [
            key
            for key in client.scan_iter(count=1000)
            if not key.startswith((b"_kombu.", b"celery", b"unacked", b":1:"))
        ]
        if foreign:
            sys.exit(
                f"Redis db {db} on {REDIS_HOST}:{REDIS_PORT} holds keys this benchmark did not "
                f"write (e.g. {foreign[0]!r}); it will not flush them. Empty it or use another db."
            )


def start_celery_worker(
    env: dict[str, str], log_path: Path, *, name: str, concurrency: int
) -> subprocess.Popen:
    """`celery -A backend worker` with `concurrency` prefork processes, in its own process group."""
    command = [
        str(Path(sys.executable).parent / "celery"),
        "-A",
        "backend",
        "worker",
        f"--concurrency={concurrency}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "-l",
        "warning",
        "-n",
        f"{name}@%h",
    ]
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def stop(process: subprocess.Popen) -> None:
    """SIGTERM the process group started by start_new_session (a worker and its pool), then SIGKILL."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def bench_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """The environment a benchmark's Django (and its manage.py children) runs with."""
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="backend.settings",
        DATABASE_URL=database_url,
        VAR_DIR=str(var_dir),
        LOG_LEVEL="WARNING",
        # No broker: Celery tasks run eagerly, in-process (the embedded default).
        CELERY_BROKER_URL="",
    )
    env.pop("CACHE_URL", None)
    return env


def setup_django(database_url: str, var_dir: Path) -> None:
    """Point this process at `database_url` and start Django."""
    os.chdir(ROOT)
    var_dir.mkdir(parents=True, exist_ok=True)
    os.environ.update(bench_env(database_url, var_dir))
    os.environ.pop("CACHE_URL", None)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def manage(*args: str, database_url: str, var_dir: Path, quiet: bool = True) -> float:
    """Run ``manage.py <args>`` in a child process; return its wall time in seconds."""
    var_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=bench_env(database_url, var_dir),
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.perf_counter() - started


def timed(fn: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def interleave(
    cases: dict[str, Callable[[], object]], *, rounds: int, warmup: int = 1
) -> dict[str, list[float]]:
    """Run the cases round-robin (A, B, A, B, …) and return each one's timings in seconds.

    Round-robin rather than all-of-A-then-all-of-B so that a burst of load from
    a neighbour on this shared machine hits every case alike; the warm-up
    rounds (imports, font and template caches, database buffers) are dropped.
    The garbage collector runs between calls, not during them.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for round_number in range(warmup + rounds):
        for name, fn in cases.items():
            gc.collect()
            elapsed, _ = timed(fn)
            if round_number >= warmup:
                times[name].append(elapsed)
    return times


def median(values: list[float]) -> float:
    return statistics.median(values)


def spread(values: list[float]) -> str:
    """min–max, to show how noisy a median is."""
    return f"{min(values) * 1000:.0f}–{max(values) * 1000:.0f} ms"


def ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f} ms"


def machine() -> dict[str, object]:
    """What the figures were measured on: they mean little without it."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {
        "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "python": platform.python_version(),
        "loadavg_at_start": load,
    }


def write_results(name: str, results: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(json.dumps(results, indent=2, default=str, ensure_ascii=False) + "\n")
    return path


def table(rows: list[tuple[str, ...]], headers: tuple[str, ...]) -> str:
    widths = [max(len(str(row[i])) for row in [headers, *rows]) for i in range(len(headers))]
    lines = [
        "  ".join(str(h).ljust(w) for h, w in zip(headers, widths, strict=True)),
        "  ".join("-" * w for w in widths),
    ]
    for row in rows:
        lines.append("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
    return "\n".join(lines)


_BARE_FONTS: list = []


def bare_pdf(html: str) -> bytes:
    """WeasyPrint alone on `html`: the baseline every scorecard figure is a ratio to.

    The same document as ours, so the same fonts: the scorecard's @font-face rules
    (reports.scorecard_fonts) and one font configuration per process, as
    reports.pdf keeps one per thread; without them the engine would fall back to
    the system CJK font and draw (and subset) other glyphs. None of our code else:
    no URL fetcher, no tagged-PDF variant.
    """
    # The baseline may import WeasyPrint directly: only reports/pdf.py does in
    # the application, and this is the engine with none of our code around it.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration

    from reports.scorecard_fonts import font_face_css

    if not _BARE_FONTS:
        fonts = FontConfiguration()
        _BARE_FONTS.extend([fonts, weasyprint.CSS(string=font_face_css(), font_config=fonts)])
    fonts, faces = _BARE_FONTS
    return weasyprint.HTML(string=html).write_pdf(stylesheets=[faces], font_config=fonts)
