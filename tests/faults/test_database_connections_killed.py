"""Issue 11, fault tests: PostgreSQL drops the app server's connections in the middle of uploads.

The same phones and server as test_app_server_killed.py, but what fails is the
database: every connection of the server is terminated (pg_terminate_backend),
again and again for a few seconds, while the phones upload. A request that loses
its connection answers 503 in the API's JSON shape (code database_unavailable,
Retry-After), never a 500 or an HTML page; the phones' retries then complete,
and every visit is whole, once. SQLite has no connections to drop: PostgreSQL only.
"""

from __future__ import annotations

import json
import time

import psycopg
import pytest

from tests.faults.phones import Phones, assert_every_visit_whole, world_make
from tests.faults.processes import ingest, pg_dsn

PHONES = 8
VISITS_PER_PHONE = 4
CUTS = 15  # terminations, one every CUT_EVERY_S once a few visits are in
CUT_EVERY_S = 0.25

pytestmark = pytest.mark.slow


@pytest.fixture
def postgres_url(database_url):
    if not database_url.startswith("postgres"):
        pytest.skip("SQLite has no connections to drop; the suite's PostgreSQL run covers this")
    return database_url


def terminate_connections(database: str) -> int:
    with psycopg.connect(pg_dsn("postgres"), autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return len(rows)


def test_dropped_database_connections_are_json_503s_and_the_retries_complete(
    postgres_url, env, tmp_path
):
    database = postgres_url.rsplit("/", 1)[1]
    world = world_make(env, visits_per_phone=VISITS_PER_PHONE)
    port = ingest.free_port()
    server = ingest.start_gunicorn(env, port, tmp_path / "gunicorn.log")
    phones = Phones(world, lambda: port, count=PHONES, visits_per_phone=VISITS_PER_PHONE)
    terminated = 0
    try:
        phones.start()
        phones.wait_for(4)
        for _ in range(CUTS):
            terminated += terminate_connections(database)
            time.sleep(CUT_EVERY_S)
        phones.join()
    finally:
        ingest.stop(server)

    assert terminated, "no connection was dropped: the test proved nothing"
    assert phones.server_errors, "no request lost its connection: the test proved nothing"
    for status, body in phones.server_errors:
        assert status == 503, (status, body[:300])
        assert json.loads(body)["code"] == "database_unavailable"
    assert_every_visit_whole(env, phones)
