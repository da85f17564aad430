"""The fault tests' real processes: a database of their own, manage.py children, bench helpers.

The servers and workers under test run as separate processes on a throwaway
database — a file on SQLite, a fresh database on PostgreSQL, following the
suite's DATABASE_URL — so they can be killed without touching the test's own.
bench/ingest.py already starts gunicorn and plays phones; it is reused here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

import ingest  # noqa: E402, F401  (bench/ingest.py: gunicorn, phones, bodies)
from _common import bench_env, pg_dsn, pg_url, start_celery_worker  # noqa: E402, F401


def own_database(tmp_path: Path) -> Iterator[str]:
    """The URL of a database of the caller's own, of the kind the suite runs on."""
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        yield f"sqlite:///{tmp_path / 'faults.sqlite3'}"
        return
    name = f"faults_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield pg_url(name)
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def process_env(database_url: str, var_dir: Path) -> dict[str, str]:
    """The environment of every child: that database, files in var_dir, no broker, quiet."""
    environment = bench_env(database_url, var_dir)
    environment["DEBUG"] = "false"
    for name in ("PRODUCTION", "SECURE_SSL_REDIRECT", "LOG_FORMAT"):
        environment.pop(name, None)
    return environment


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def in_django(env: dict[str, str], code: str) -> dict:
    """Run `code` in a Django shell on that database; its last line printed is JSON."""
    preamble = f"import sys; sys.path.insert(0, {str(ROOT / 'bench')!r})\n"
    return json.loads(manage(env, "shell", "-c", preamble + code).strip().splitlines()[-1])
