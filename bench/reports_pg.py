"""Comparison and drivers report queries on PostgreSQL at 10,000 branches × 1,000,000 visits.

    .venv/bin/python bench/reports_pg.py                                    # the issue's size
    .venv/bin/python bench/reports_pg.py --branches 1000 --visits 100000    # quick (make bench)

What it does, in one run:

1. creates a fresh database ``bench_reports`` on 127.0.0.1 (dropped first if it
   exists), runs ``manage.py migrate`` and ``manage.py load_checklists`` into it;
2. generates the data server-side with ``INSERT … SELECT`` from
   ``generate_series`` (no ORM, no rows through Python): ``--regions`` regions,
   ``--branches`` branches (1 % inactive), ``--visits`` approved visits of the
   ``key-factors-26`` checklist spread evenly over the 12 months of ``--year``,
   each with its Assignment, 26 Answer rows (item_code, item_id, value, score,
   failed, gain) and VisitScore rows for its 3 sections, 5 RATER dimensions and
   3 areas. Item scores come from a deterministic hash of (visit, item) around
   a branch-specific quality that drifts over the year, plus a per-item and a
   per-visit effect; the visit, section, dimension and area scores are the
   exact means of the item scores, rounded half-up as scoring would store them.
   Indexes and constraints of the four big tables are dropped for the load and
   rebuilt after it (as a bulk load would), then ``VACUUM (ANALYZE)``;
3. times, round-robin, one warm-up round then ``--repeat`` rounds (median):
   ``branch_comparison`` for one month company-wide as head office, for one
   region as a regional manager (and the manager's own scope without a region
   parameter), what the comparison page reads (one lens, company-wide and for
   the region), the same tables as the pages and the API read them
   (``reader_comparison``, ``reader_drivers``: kept in the cache for the
   reader's scope, the stamp unchanged between rounds), the comparison
   endpoint's JSON through the DRF test client, and
   ``score_drivers`` company-wide and for one region, with the comparison and
   the drivers computed from the visits (``comparison_from_visits``,
   ``drivers_from_visits``) as the baseline the roll-ups replace;
4. writes ``EXPLAIN (ANALYZE, BUFFERS)`` of every report query to
   ``bench/out/reports_pg_explain.txt`` and a summary (top node, time, indexes
   used, heap fetches) to ``bench/out/reports_pg.json``;
5. drops the database unless ``--keep`` (or ``--reuse``, which never drops it).

The server's own settings are left alone (the figures are for whatever
postgresql.conf says; they are printed). Only the loading session raises its
maintenance_work_mem, for the index builds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import re
import shutil
import sys
import time
from pathlib import Path

import psycopg
from _common import (
    OUT,
    interleave,
    machine,
    manage,
    median,
    ms,
    pg_dsn,
    pg_url,
    setup_django,
    spread,
    table,
    write_results,
)

CHECKLIST = "key-factors-26"
BIG_TABLES = ("audits_assignment", "audits_visit", "audits_answer", "audits_visitscore")
REPORT_INDEXES = (
    "visit_report_period",
    "visitscore_report",
    "answer_report",
    "visit_rollup_report",
    "score_rollup_report",
    "item_rollup_report",
)
ROLLUP_TABLES = ("audits_visitrollup", "audits_scorerollup", "audits_itemrollup")
# Measured on this schema before migration 0012 dropped 3 of the answers' 7 indexes
# (heap + indexes + visit, assignment and
# visit-score rows): about 9.8 kB per visit; with WAL and the index rebuilds
# the load needs about twice that while it runs.
BYTES_PER_VISIT_ESTIMATE = 10_000
CHUNK_VISITS = 50_000


_STARTED = time.perf_counter()


def log(message: str) -> None:
    # Elapsed time rather than the clock: Django switches the process to its TIME_ZONE.
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", flush=True)


def admin_connect() -> psycopg.Connection:
    return psycopg.connect(pg_dsn("postgres"), autocommit=True)


def drop_database(name: str) -> None:
    with admin_connect() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    with admin_connect() as conn:
        return (
            conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
            is not None
        )


def check_disk(visits: int, force: bool) -> dict:
    with admin_connect() as conn:
        data_dir = conn.execute("SHOW data_directory").fetchone()[0]
    try:
        free = shutil.disk_usage(data_dir).free
    except OSError:  # not readable from here: fall back to the project's disk
        free = shutil.disk_usage(OUT.parent).free
    needed = 2 * visits * BYTES_PER_VISIT_ESTIMATE
    log(
        f"disk: {free / 1e9:.1f} GB free where PostgreSQL keeps its data; "
        f"this run needs about {needed / 1e9:.1f} GB while loading"
    )
    if free < needed and not force:
        sys.exit(f"Not enough disk for {visits:,} visits; use --visits to scale down (or --force).")
    return {"free_gb": round(free / 1e9, 1), "estimated_need_gb": round(needed / 1e9, 1)}


# --------------------------------------------------------------------------- data


def capture_ddl(cur: psycopg.Cursor) -> tuple[list[str], list[str], list[str]]:
    """The constraints and indexes of the big tables, as (drop, create, add-foreign-key) DDL."""
    tables = list(BIG_TABLES)
    drops: list[str] = []
    creates: list[str] = []
    foreign: list[str] = []
    # Foreign keys from or to the big tables (audits_photo → visit, …) go first:
    # the primary keys they lean on are about to be dropped.
    for table_name, name, definition in cur.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype = 'f'
              AND (conrelid::regclass::text = ANY(%s) OR confrelid::regclass::text = ANY(%s))""",
        [tables, tables],
    ).fetchall():
        drops.append(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
        foreign.append(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
    for table_name, name, definition in cur.execute(
        """SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
             FROM pg_constraint
            WHERE contype IN ('p', 'u') AND conrelid::regclass::text = ANY(%s)
            ORDER BY contype""",
        [tables],
    ).fetchall():
        drops.append(f'ALTER TABLE {table_name} DROP CONSTRAINT "{name}"')
        creates.append(f'ALTER TABLE {table_name} ADD CONSTRAINT "{name}" {definition}')
    for name, definition in cur.execute(
        """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
             FROM pg_index i
            WHERE i.indrelid::regclass::text = ANY(%s)
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
        [tables],
    ).fetchall():
        drops.append(f'DROP INDEX "{name}"')
        creates.append(definition)
    return drops, creates, foreign


def generate(
    dbname: str, *, regions: int, branches: int, visits: int, year: int, factor_scores: bool
) -> dict[str, float]:
    """Fill the migrated database; return the seconds each phase took."""
    phases: dict[str, float] = {}
    start = dt.date(year, 1, 1)
    days = (dt.date(year + 1, 1, 1) - start).days

    def phase(name: str, started: float) -> None:
        phases[name] = round(time.perf_counter() - started, 1)
        log(f"  {name}: {phases[name]:.1f} s")

    with psycopg.connect(pg_dsn(dbname), autocommit=True) as conn, conn.cursor() as cur:
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("SET synchronous_commit = off")
        version_id, checklist_id, expected, tolerance = cur.execute(
            """SELECT v.id, c.id, v.expected_score, v.tolerance
                 FROM checklists_checklistversion v
                 JOIN checklists_checklist c ON c.id = v.checklist_id
                WHERE c.code = %s AND v.status = 'published'
                ORDER BY v.number DESC LIMIT 1""",
            [CHECKLIST],
        ).fetchone()

        # A uniform number in [0, 1) from a key: deterministic, so every pass
        # over (visit, item) sees the same answer without storing it first.
        cur.execute(
            """CREATE FUNCTION bench_u(k bigint) RETURNS double precision
               LANGUAGE sql IMMUTABLE PARALLEL SAFE
               AS $$ SELECT (hashint8(k)::bigint + 2147483648)::double precision / 4294967296.0 $$"""
        )
        # A scale5 level (1–5) of one item on one visit.
        cur.execute(
            """CREATE FUNCTION bench_level(n bigint, pos bigint, base double precision,
                                           bias double precision) RETURNS integer
               LANGUAGE sql IMMUTABLE PARALLEL SAFE
               AS $$ SELECT least(5, greatest(1, 1 + floor(5 * (base + bias
                            + 0.6 * (bench_u(n * 64 + pos) - 0.5)))))::integer $$"""
        )

        t = time.perf_counter()
        cur.execute(
            """INSERT INTO audits_region (id, code, name_zh, name_en)
               SELECT r, 'r' || lpad(r::text, 2, '0'), '第' || r || '区域', 'Region ' || r
                 FROM generate_series(1, %s) r""",
            [regions],
        )
        cur.execute(
            """INSERT INTO audits_branch (id, region_id, code, name_zh, name_en, address_zh,
                                          address_en, latitude, longitude, active)
               SELECT b, 1 + (b - 1) %% %(regions)s, 'br-' || lpad(b::text, 5, '0'),
                      '第' || b || '支行', 'Branch ' || b,
                      '示范路' || b || '号', b || ' Example Road',
                      round((22 + 18 * bench_u(-16 * b - 5))::numeric, 6),
                      round((102 + 20 * bench_u(-16 * b - 6))::numeric, 6),
                      bench_u(-16 * b - 3) >= 0.01
                 FROM generate_series(1, %(branches)s) b""",
            {"regions": regions, "branches": branches},
        )
        cur.execute(
            """INSERT INTO audits_user (password, is_superuser, username, first_name, last_name,
                                        email, is_staff, is_active, date_joined, role)
               SELECT '!', false, name, '', '', '', false, true, now(), role
                 FROM (VALUES ('bench-head-office', 'head_office'),
                              ('bench-reviewer', 'reviewer'),
                              ('bench-regional', 'regional_manager')) AS u(name, role)
               UNION ALL
               SELECT '!', false, 'bench-shopper-' || lpad(s::text, 3, '0'), '', '', '', false,
                      true, now(), 'shopper'
                 FROM generate_series(1, 50) s"""
        )
        cur.execute(
            """INSERT INTO audits_user_regions (user_id, region_id)
               SELECT id, 1 FROM audits_user WHERE username = 'bench-regional'"""
        )
        for table_name in ("audits_region", "audits_branch"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), "
                f"(SELECT max(id) FROM {table_name}))"
            )
        reviewer = cur.execute(
            "SELECT id FROM audits_user WHERE username = 'bench-reviewer'"
        ).fetchone()[0]
        first_shopper = cur.execute(
            "SELECT min(id) FROM audits_user WHERE username LIKE 'bench-shopper-%'"
        ).fetchone()[0]

        # Branch quality (0.50–0.90 of the scale) and its drift over the year (±0.10).
        cur.execute(
            """CREATE UNLOGGED TABLE bench_branch AS
               SELECT b AS id, 0.50 + 0.40 * bench_u(-16 * b - 1) AS q,
                      0.20 * (bench_u(-16 * b - 2) - 0.5) AS drift
                 FROM generate_series(1, %s) b""",
            [branches],
        )
        # The checklist's scored items, with a small per-item effect; waiting
        # time (F24) and responsiveness to requests (F08) are the weak spots.
        cur.execute(
            """CREATE UNLOGGED TABLE bench_item AS
               SELECT row_number() OVER (ORDER BY s.position, i.position, i.id) AS pos,
                      i.id, i.code, s.code AS section, i.rater, i.area,
                      0.16 * (bench_u(i.id * 7919 + 11) - 0.5)
                        - CASE WHEN i.code IN ('F24', 'F08') THEN 0.15 ELSE 0 END AS bias
                 FROM checklists_item i
                 JOIN checklists_section s ON s.id = i.section_id
                WHERE i.version_id = %s AND i.answer_type = 'scale5'""",
            [version_id],
        )
        items = cur.execute("SELECT count(*) FROM bench_item").fetchone()[0]
        # Visits in date order (as they arrive), each at a hashed branch; `base`
        # is the branch's quality that month plus this visit's own luck.
        cur.execute(
            """CREATE UNLOGGED TABLE bench_visit AS
               SELECT g.n, gen_random_uuid() AS id, g.branch_id, g.visited_on,
                      b.q + b.drift * ((extract(month FROM g.visited_on) - 1) - 5.5) / 11
                        + 0.16 * (bench_u(g.n * 64 + 40) - 0.5) AS base,
                      bench_u(g.n * 64 + 42) AS tod
                 FROM (SELECT n, 1 + floor(bench_u(n * 64 + 41) * %(branches)s)::integer AS branch_id,
                              %(start)s::date + floor((n - 1)::double precision * %(days)s / %(visits)s)::integer
                                AS visited_on
                         FROM generate_series(1, %(visits)s) n) g
                 JOIN bench_branch b ON b.id = g.branch_id
                ORDER BY g.n""",
            {"branches": branches, "start": start, "days": days, "visits": visits},
        )
        cur.execute("ALTER TABLE bench_visit ADD PRIMARY KEY (n)")
        cur.execute("ANALYZE bench_visit; ANALYZE bench_item; ANALYZE bench_branch")
        phase("organisation and staging tables", t)

        t = time.perf_counter()
        drops, creates, foreign = capture_ddl(cur)
        for statement in drops:
            cur.execute(statement)
        phase(f"drop {len(drops)} indexes and constraints", t)

        timings = {"assignments": 0.0, "visits": 0.0, "answers": 0.0, "visit scores": 0.0}
        score_sets = "(i.section), (i.rater), (i.area)" + (", (i.factor)" if factor_scores else "")
        score_key = "coalesce(i.section, i.rater, i.area" + (
            ", i.factor::text)" if factor_scores else ")"
        )
        for low in range(1, visits + 1, CHUNK_VISITS):
            high = min(visits, low + CHUNK_VISITS - 1)
            window = {"low": low, "high": high}
            t = time.perf_counter()
            cur.execute(
                """INSERT INTO audits_assignment (id, scenario, window_from, window_to, status,
                                                  created_at, updated_at, checklist_version_id,
                                                  created_by_id, shopper_id, branch_id)
                   SELECT n, '', visited_on - 7, visited_on, 'closed',
                          (visited_on - 10)::timestamp AT TIME ZONE 'Asia/Shanghai',
                          (visited_on + 1)::timestamp AT TIME ZONE 'Asia/Shanghai',
                          %(version)s, NULL, %(shopper)s + n %% 50, branch_id
                     FROM bench_visit WHERE n BETWEEN %(low)s AND %(high)s""",
                {**window, "version": version_id, "shopper": first_shopper},
            )
            timings["assignments"] += time.perf_counter() - t
            t = time.perf_counter()
            cur.execute(
                """INSERT INTO audits_visit (id, started_at, ended_at, visited_on, comment, status,
                                             revision, body_hash, score, band, critical_failure,
                                             confidence, flagged, submitted_at, reviewed_at,
                                             review_note, created_at, updated_at, assignment_id,
                                             branch_id, checklist_id, checklist_version_id,
                                             reviewed_by_id, shopper_id)
                   SELECT v.id, t.st, t.st + interval '25 minutes', v.visited_on,
                          CASE WHEN bench_u(v.n * 64 + 43) < 0.3
                               THEN '柜员态度友好，但等候时间较长。' ELSE '' END,
                          'approved', 1, md5(v.n::text) || md5((v.n + 1)::text), s.score,
                          CASE WHEN s.score < %(expected)s - %(tolerance)s THEN 'below'
                               WHEN s.score > %(expected)s + %(tolerance)s THEN 'exceeds'
                               ELSE 'meets' END,
                          false, 70 + floor(30 * bench_u(v.n * 64 + 44))::integer, false,
                          t.st + interval '2 hours', t.st + interval '1 day', '',
                          t.st + interval '2 hours', t.st + interval '1 day', v.n,
                          v.branch_id, %(checklist)s, %(version)s, %(reviewer)s,
                          %(shopper)s + v.n %% 50
                     FROM bench_visit v
                     CROSS JOIN LATERAL (
                           SELECT round(avg((bench_level(v.n, i.pos, v.base, i.bias) - 1) * 25), 1)
                                    AS score
                             FROM bench_item i) s
                     CROSS JOIN LATERAL (
                           SELECT (v.visited_on + time '09:00' + v.tod * interval '8 hours')
                                    AT TIME ZONE 'Asia/Shanghai' AS st) t
                    WHERE v.n BETWEEN %(low)s AND %(high)s""",
                {
                    **window,
                    "expected": expected,
                    "tolerance": tolerance,
                    "checklist": checklist_id,
                    "version": version_id,
                    "reviewer": reviewer,
                    "shopper": first_shopper,
                },
            )
            timings["visits"] += time.perf_counter() - t
            t = time.perf_counter()
            # Every item carries weight 1 and every section weighs its item
            # count, so an item's gain is its shortfall / the number of items.
            cur.execute(
                """INSERT INTO audits_answer (item_code, value, na, comment, score, failed,
                                              critical_failure, gain, item_id, visit_id)
                   SELECT i.code, to_jsonb(x.level), false, '', (x.level - 1) * 25,
                          (x.level - 1) * 25 < 50, false,
                          round((100 - (x.level - 1) * 25)::numeric / %(items)s, 2), i.id, v.id
                     FROM bench_visit v
                     CROSS JOIN bench_item i
                     CROSS JOIN LATERAL (SELECT bench_level(v.n, i.pos, v.base, i.bias) AS level) x
                    WHERE v.n BETWEEN %(low)s AND %(high)s""",
                {**window, "items": items},
            )
            timings["answers"] += time.perf_counter() - t
            t = time.perf_counter()
            cur.execute(
                f"""INSERT INTO audits_visitscore (kind, key, score, visit_id)
                    SELECT g.kind, g.key, g.score, v.id
                      FROM bench_visit v
                      CROSS JOIN LATERAL (
                            SELECT CASE WHEN grouping(i.section) = 0 THEN 'section'
                                        WHEN grouping(i.rater) = 0 THEN 'dimension'
                                        WHEN grouping(i.area) = 0 THEN 'area'
                                        ELSE 'factor' END AS kind,
                                   {score_key} AS key,
                                   round(avg((bench_level(v.n, i.pos, v.base, i.bias) - 1) * 25), 1)
                                     AS score
                              FROM (SELECT bi.*, ci.factor FROM bench_item bi
                                      JOIN checklists_item ci ON ci.id = bi.id) i
                             GROUP BY GROUPING SETS ({score_sets})
                            HAVING {score_key} IS NOT NULL) g
                     WHERE v.n BETWEEN %(low)s AND %(high)s""",
                window,
            )
            timings["visit scores"] += time.perf_counter() - t
            log(f"  loaded visits {low:,}–{high:,}")
        for name, seconds in timings.items():
            phases[f"insert {name}"] = round(seconds, 1)
            log(f"  insert {name}: {seconds:.1f} s")
        cur.execute(
            "SELECT setval(pg_get_serial_sequence('audits_assignment', 'id'), %s)", [visits]
        )

        t = time.perf_counter()
        for statement in creates:
            cur.execute(statement)
        phase(f"rebuild {len(creates)} indexes and unique constraints", t)
        t = time.perf_counter()
        for statement in foreign:
            cur.execute(statement)
        phase(f"re-add and check {len(foreign)} foreign keys", t)

        t = time.perf_counter()
        # The report roll-ups, summed as the audits migration's backfill and
        # `manage.py rebuild_rollups` sum them; approvals keep them from then on.
        cur.execute(
            """INSERT INTO audits_visitrollup (branch_id, checklist_id, checklist_version_id,
                       grain, day, visits, scored, score_total, score_squares)
               SELECT branch_id, checklist_id, checklist_version_id, 'day', visited_on, count(*),
                      count(score), coalesce(sum(score), 0), coalesce(sum(score * score), 0)
                 FROM audits_visit WHERE status = 'approved' GROUP BY 1, 2, 3, 5"""
        )
        cur.execute(
            """INSERT INTO audits_scorerollup (branch_id, checklist_id, grain, day, kind, key,
                       count, total)
               SELECT v.branch_id, v.checklist_id, 'day', v.visited_on, s.kind, s.key,
                      count(*), sum(s.score)
                 FROM audits_visitscore s JOIN audits_visit v ON v.id = s.visit_id
                WHERE v.status = 'approved' GROUP BY 1, 2, 4, 5, 6"""
        )
        cur.execute(
            """INSERT INTO audits_itemrollup (branch_id, checklist_id, grain, day, item_code,
                       answers, failures, score_total, gain_total)
               SELECT v.branch_id, v.checklist_id, 'day', v.visited_on, a.item_code, count(*),
                      count(*) FILTER (WHERE a.failed), sum(a.score), coalesce(sum(a.gain), 0)
                 FROM audits_answer a JOIN audits_visit v ON v.id = a.visit_id
                WHERE v.status = 'approved' AND a.score IS NOT NULL GROUP BY 1, 2, 4, 5"""
        )
        # The month rows, summed from the day rows as audits migration 0010 sums them.
        cur.execute(
            """INSERT INTO audits_visitrollup (branch_id, checklist_id, checklist_version_id,
                       grain, day, visits, scored, score_total, score_squares)
               SELECT branch_id, checklist_id, checklist_version_id, 'month',
                      date_trunc('month', day)::date, sum(visits), sum(scored),
                      sum(score_total), sum(score_squares)
                 FROM audits_visitrollup WHERE grain = 'day' GROUP BY 1, 2, 3, 5"""
        )
        cur.execute(
            """INSERT INTO audits_scorerollup (branch_id, checklist_id, grain, day, kind, key,
                       count, total)
               SELECT branch_id, checklist_id, 'month', date_trunc('month', day)::date, kind,
                      key, sum(count), sum(total)
                 FROM audits_scorerollup WHERE grain = 'day' GROUP BY 1, 2, 4, 5, 6"""
        )
        cur.execute(
            """INSERT INTO audits_itemrollup (branch_id, checklist_id, grain, day, item_code,
                       answers, failures, score_total, gain_total)
               SELECT branch_id, checklist_id, 'month', date_trunc('month', day)::date,
                      item_code, sum(answers), sum(failures), sum(score_total), sum(gain_total)
                 FROM audits_itemrollup WHERE grain = 'day' GROUP BY 1, 2, 4, 5"""
        )
        # One report stamp per checklist and month with approved visits, as the audits
        # migration's backfill creates them; the scorecard cache key reads these.
        cur.execute(
            """INSERT INTO audits_reportstamp (checklist_id, month, changes)
               SELECT checklist_id, date_trunc('month', visited_on)::date, 0
                 FROM audits_visit WHERE status = 'approved' GROUP BY 1, 2"""
        )
        phase("sum the report roll-ups and stamps", t)

        cur.execute("DROP TABLE bench_visit, bench_item, bench_branch")
        cur.execute("DROP FUNCTION bench_level(bigint, bigint, double precision, double precision)")
        cur.execute("DROP FUNCTION bench_u(bigint)")
        t = time.perf_counter()
        # VACUUM as well as ANALYZE: it sets the visibility map, without which no
        # index-only scan is possible on freshly loaded rows (autovacuum would
        # get there on its own on a live database).
        for table_name in (*BIG_TABLES, *ROLLUP_TABLES):
            cur.execute(f"VACUUM (ANALYZE) {table_name}")
        cur.execute("ANALYZE")
        phase("VACUUM (ANALYZE)", t)
    return phases


def sizes(dbname: str) -> dict:
    with psycopg.connect(pg_dsn(dbname), autocommit=True) as conn:
        result = {
            "database_gb": round(
                conn.execute("SELECT pg_database_size(current_database())").fetchone()[0] / 1e9, 2
            ),
            "rows": {},
            "tables_mb": {},
            "indexes_mb": {},
        }
        for table_name in ("audits_branch", *BIG_TABLES, *ROLLUP_TABLES):
            result["rows"][table_name] = conn.execute(
                f"SELECT count(*) FROM {table_name}"
            ).fetchone()[0]
            heap, total = conn.execute(
                "SELECT pg_table_size(%s), pg_total_relation_size(%s)", [table_name, table_name]
            ).fetchone()
            result["tables_mb"][table_name] = {
                "heap": round(heap / 1e6),
                "with_indexes": round(total / 1e6),
            }
        for name in REPORT_INDEXES:
            result["indexes_mb"][name] = round(
                conn.execute("SELECT pg_relation_size(%s)", [name]).fetchone()[0] / 1e6
            )
        return result


def server_settings(dbname: str) -> dict:
    with psycopg.connect(pg_dsn(dbname), autocommit=True) as conn:
        return {
            name: conn.execute(f"SHOW {name}").fetchone()[0]
            for name in (
                "server_version",
                "shared_buffers",
                "work_mem",
                "effective_cache_size",
                "max_parallel_workers_per_gather",
                "jit",
                "random_page_cost",
            )
        }


# ----------------------------------------------------------------------- queries

_INDEX_USE = re.compile(
    r"(Index Only Scan|Index Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\w+)"
)


def explain_summary(label: str, sql: str, text: str) -> dict:
    lines = text.splitlines()
    top = lines[0].strip() if lines else ""
    execution = re.search(r"Execution Time: ([\d.]+) ms", text)
    planning = re.search(r"Planning Time: ([\d.]+) ms", text)
    uses = sorted({f"{kind} {name}" for kind, name in _INDEX_USE.findall(text)})
    used_names = {name for _, name in _INDEX_USE.findall(text)}
    return {
        "query": label,
        "sql": sql[:160] + ("…" if len(sql) > 160 else ""),
        "top_node": re.sub(r"\s+\(cost=.*", "", top),
        "execution_ms": float(execution[1]) if execution else None,
        "planning_ms": float(planning[1]) if planning else None,
        "index_scans": uses,
        "report_indexes_used": {name: name in used_names for name in REPORT_INDEXES},
        "heap_fetches": sum(int(n) for n in re.findall(r"Heap Fetches: (\d+)", text)),
        "seq_scans": sorted(set(re.findall(r"Seq Scan on (\w+)", text))),
        "jit": "JIT:" in text,
    }


def explain_all(captured: dict[str, list[str]], path: Path) -> list[dict]:
    """EXPLAIN (ANALYZE, BUFFERS) every report query that reads visits, scores, answers or their
    roll-ups."""
    from django.db import connection

    summaries = []
    with path.open("w", encoding="utf-8") as out, connection.cursor() as cursor:
        for label, statements in captured.items():
            if "API" in label:  # the same SQL as the selector it calls
                continue
            for sql in statements:
                if not re.search(
                    r"audits_(visit|visitscore|answer|visitrollup|scorerollup|itemrollup)\b", sql
                ):
                    continue
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                text = "\n".join(row[0] for row in cursor.fetchall())
                out.write(f"=== {label}\n{sql}\n\n{text}\n\n")
                summaries.append(explain_summary(label, sql, text))
    return summaries


def time_approvals(*, year: int, repeat: int) -> dict:
    """The time to approve one visit, roll-up and stamp updates and commit included.

    Each round needs a submitted visit: approved visits of January (outside the
    timed December and its previous month) are taken out of the roll-ups by the
    service that withdraws an approval's numbers, and set back to submitted,
    before the clock starts. Then each is approved with the review service, in
    its own transaction, as a reviewer's request does.
    """
    import datetime as dt

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from audits.models import User, Visit
    from audits.selectors.rollups import visit_contribution
    from audits.services.review import visit_review
    from audits.services.rollups import rollups_apply

    reviewer = User.objects.get(username="bench-head-office")
    visits = list(
        Visit.objects.filter(
            status=Visit.Status.APPROVED,
            visited_on__range=(dt.date(year, 1, 1), dt.date(year, 1, 31)),
        ).order_by("pk")[: repeat + 1]
    )
    for visit in visits:
        with transaction.atomic():
            rollups_apply(before=visit_contribution(visit), after=None)
            Visit.objects.filter(pk=visit.pk).update(status=Visit.Status.SUBMITTED)
            visit.status = Visit.Status.SUBMITTED
    times, queries = [], []
    for visit in visits:
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            visit_review(visit=visit, reviewer=reviewer, decision="approve")
            times.append(time.perf_counter() - started)
        queries.append(len(captured))
    return {
        "median_s": round(median(times[1:]), 4),
        "all_s": [round(t, 4) for t in times[1:]],
        "queries": queries[-1],
    }


def run_queries(*, year: int, repeat: int, explain_path: Path) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from audits.models import Branch, Region, User
    from checklists.models import Checklist
    from reports.periods import month
    from reports.selectors.comparison import (
        Comparison,
        branch_comparison,
        comparison_from_visits,
        reader_comparison,
    )
    from reports.selectors.drivers import (
        Drivers,
        drivers_from_visits,
        reader_drivers,
        score_drivers,
    )

    checklist = Checklist.objects.get(code=CHECKLIST)
    period = month(year, 12)
    head_office = User.objects.get(username="bench-head-office")
    manager = User.objects.get(username="bench-regional")
    region = Region.objects.get(pk=1)
    client = APIClient()
    client.force_authenticate(head_office)
    api_size: dict[str, int] = {}

    def api_json(**view):
        response = client.get(
            "/api/v1/reports/comparison/",
            {"checklist": CHECKLIST, "period": period.label, **view},
        )
        assert response.status_code == 200, response.content[:500]
        api_size[view.get("view", "")] = len(response.content)
        return response

    cases = {
        "comparison, head office, company-wide": lambda: branch_comparison(
            user=head_office, checklist=checklist, period=period
        ),
        # What the comparison page reads: the one lens it shows (sections by default).
        "comparison page, head office, company-wide, one lens": lambda: branch_comparison(
            user=head_office, checklist=checklist, period=period, lenses=("sections",)
        ),
        # What the page and the API read for head office: the memoised company-wide
        # comparison (nothing changes between rounds, so the cache answers each).
        "comparison, head office, company-wide, memoised": lambda: reader_comparison(
            user=head_office, checklist=checklist, period=period
        ),
        "comparison page, head office, company-wide, one lens, memoised": lambda: reader_comparison(
            user=head_office, checklist=checklist, period=period, lenses=("sections",)
        ),
        "comparison, regional manager, region=r01": lambda: branch_comparison(
            user=manager, checklist=checklist, period=period, region=region
        ),
        "comparison page, regional manager, region=r01, one lens": lambda: branch_comparison(
            user=manager, checklist=checklist, period=period, region=region, lenses=("sections",)
        ),
        "comparison, regional manager, region=r01, memoised": lambda: reader_comparison(
            user=manager, checklist=checklist, period=period, region=region
        ),
        "comparison, regional manager, own scope": lambda: branch_comparison(
            user=manager, checklist=checklist, period=period
        ),
        # The baseline: the same tables computed from the visits, as before the roll-ups.
        "comparison from visits, head office, company-wide": lambda: comparison_from_visits(
            user=head_office, checklist=checklist, period=period
        ),
        "comparison from visits, regional manager, region=r01": lambda: comparison_from_visits(
            user=manager, checklist=checklist, period=period, region=region
        ),
        "comparison API JSON (DRF test client), head office": api_json,
        "comparison API JSON, head office, one lens (view=sections)": lambda: api_json(
            view="sections"
        ),
        "drivers, head office, company-wide": lambda: score_drivers(
            user=head_office, checklist=checklist, period=period
        ),
        "drivers, regional manager, region=r01": lambda: score_drivers(
            user=manager, checklist=checklist, period=period, region=region
        ),
        # What the drivers page and the API read: the drivers kept for the reader's scope.
        "drivers, head office, company-wide, memoised": lambda: reader_drivers(
            user=head_office, checklist=checklist, period=period
        ),
        "drivers from visits, head office, company-wide": lambda: drivers_from_visits(
            user=head_office, checklist=checklist, period=period
        ),
        "drivers from visits, regional manager, region=r01": lambda: drivers_from_visits(
            user=manager, checklist=checklist, period=period, region=region
        ),
    }

    try:
        from reports.selectors.scorecard import scorecard_data
        from reports.services.scorecards import scorecard_cache_key
    except ImportError as error:
        log(f"scorecard selector/service not importable ({error}): scorecard cases skipped")
    else:
        # What one scorecard costs the database at this size, before any PDF:
        # the cache key (asked on every request, hit or miss) and the data.
        branch = (
            Branch.objects.select_related("region")
            .filter(region=region, active=True)
            .order_by("pk")
            .first()
        )
        cases["scorecard cache key (scorecard_cache_key), one branch"] = lambda: (
            scorecard_cache_key(branch=branch, checklist=checklist, period=period, lang="zh-Hans")
        )
        cases["scorecard data (scorecard_data), one branch"] = lambda: scorecard_data(
            branch=branch, checklist=checklist, period=period, lang="zh-Hans"
        )
        # A month-end batch reads each branch once: the same data, a different
        # branch each round (cold in PostgreSQL's buffers, as in a batch).
        others = itertools.cycle(
            Branch.objects.select_related("region")
            .filter(region=region, active=True)
            .exclude(pk=branch.pk)
            .order_by("pk")
        )
        cases["scorecard data, a different branch each round"] = lambda: scorecard_data(
            branch=next(others), checklist=checklist, period=period, lang="zh-Hans"
        )
        from reports.scorecard_render import render_scorecard_html

        # Everything a scorecard costs but WeasyPrint: the data, the template and the charts.
        cases["scorecard assembly (data + HTML + charts), one branch"] = lambda: (
            render_scorecard_html(
                scorecard_data(branch=branch, checklist=checklist, period=period, lang="zh-Hans")
            )
        )

    # One pass to count rows and queries and capture the SQL for EXPLAIN; it
    # also warms the buffers, so the timed rounds start from a warm cache.
    details: dict[str, dict] = {}
    captured: dict[str, list[str]] = {}
    failures: dict[str, str] = {}
    for label, fn in list(cases.items()):
        with CaptureQueriesContext(connection) as queries:
            try:
                result = fn()
            except Exception as error:  # report it, time the rest
                failures[label] = f"{type(error).__name__}: {error}"
                log(f"FAILED {label}: {failures[label]}")
                del cases[label]
                continue
        captured[label] = [q["sql"] for q in queries.captured_queries]
        if isinstance(result, Comparison):
            details[label] = {
                "rows": len(result.rows),
                "ranked": sum(1 for r in result.rows if r.rank is not None),
                "visits": sum(r.visits for r in result.rows),
                "queries": len(queries),
            }
        elif isinstance(result, Drivers):
            details[label] = {
                "items": len(result.items),
                "visits": result.visits,
                "branches": result.branches,
                "queries": len(queries),
                "top_item": result.items[0].code if result.items else None,
            }
        elif type(result).__name__ == "ScorecardData":
            details[label] = {
                "visits": result.visit_count,
                "rank_company": result.rank_company,
                "company_size": result.company_size,
                "queries": len(queries),
            }
        else:
            details[label] = {"queries": len(queries)}
    # Time spent inside cursor.execute (the SQL, and with psycopg's client-side
    # cursors the rows' transfer) per call, so the rest can be put down to Python.
    sql_times: dict[str, list[float]] = {label: [] for label in cases}

    def with_sql_time(label, fn):
        def run():
            spent = [0.0]

            def wrapper(execute, sql, params, many, context):
                started = time.perf_counter()
                try:
                    return execute(sql, params, many, context)
                finally:
                    spent[0] += time.perf_counter() - started

            with connection.execute_wrapper(wrapper):
                result = fn()
            sql_times[label].append(spent[0])
            return result

        return run

    log(f"timing {len(cases)} cases: 1 warm-up round + {repeat} rounds, round-robin")
    times = interleave(
        {label: with_sql_time(label, fn) for label, fn in cases.items()}, rounds=repeat, warmup=1
    )
    details["comparison API JSON (DRF test client), head office"]["bytes"] = api_size[""]
    details["comparison API JSON, head office, one lens (view=sections)"]["bytes"] = api_size[
        "sections"
    ]
    log(f"EXPLAIN (ANALYZE, BUFFERS) → {explain_path}")
    plans = explain_all(captured, explain_path)
    return {
        "failures": failures,
        "period": period.label,
        "timings": {
            label: {
                "median_s": round(median(values), 4),
                "all_s": [round(v, 4) for v in values],
                "sql_median_s": round(median(sql_times[label][-repeat:]), 4),
                **details[label],
            }
            for label, values in times.items()
        },
        "explain": plans,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=10_000)
    parser.add_argument("--visits", type=int, default=1_000_000)
    parser.add_argument("--regions", type=int, default=20)
    parser.add_argument("--year", type=int, default=2025, help="the 12 months of visits")
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds after 1 warm-up")
    parser.add_argument("--database", default="bench_reports", help="on 127.0.0.1 only")
    parser.add_argument("--keep", action="store_true", help="leave the database for a rerun")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time an existing database kept by --keep instead of generating (and keep it)",
    )
    parser.add_argument(
        "--factor-scores",
        action="store_true",
        help="also store the 26 per-factor VisitScore rows scoring writes",
    )
    parser.add_argument("--force", action="store_true", help="skip the free-disk check")
    parser.add_argument("--name", default="reports_pg", help="results file bench/out/<name>.json")
    args = parser.parse_args()
    if not re.fullmatch(r"bench_\w+", args.database):
        sys.exit("--database must start with bench_ (it is dropped at the end).")

    results: dict = {
        "benchmark": "reports_pg",
        "machine": machine(),
        "size": {
            "regions": args.regions,
            "branches": args.branches,
            "visits": args.visits,
            "answers": args.visits * 26,
            "factor_scores": args.factor_scores,
        },
    }
    dbname = args.database
    try:
        if args.reuse:
            if not database_exists(dbname):
                sys.exit(f"--reuse: database {dbname} does not exist (run once with --keep).")
            log(f"reusing {dbname}")
        else:
            results["disk"] = check_disk(args.visits, args.force)
            drop_database(dbname)
            with admin_connect() as conn:
                conn.execute(f'CREATE DATABASE "{dbname}"')
            started = time.perf_counter()
            log(f"migrate + load_checklists into {dbname}")
            var_dir = OUT / "var-reports-pg"
            migrate = manage("migrate", "--noinput", database_url=pg_url(dbname), var_dir=var_dir)
            load = manage("load_checklists", database_url=pg_url(dbname), var_dir=var_dir)
            log(f"generating {args.branches:,} branches × {args.visits:,} visits")
            phases = generate(
                dbname,
                regions=args.regions,
                branches=args.branches,
                visits=args.visits,
                year=args.year,
                factor_scores=args.factor_scores,
            )
            results["generation"] = {
                "migrate_s": round(migrate, 1),
                "load_checklists_s": round(load, 1),
                "phases_s": phases,
                "total_s": round(time.perf_counter() - started, 1),
            }
            log(f"generated in {results['generation']['total_s']:.0f} s")
        results["sizes"] = sizes(dbname)
        results["server"] = server_settings(dbname)
        (OUT / "var-reports-pg" / "static").mkdir(parents=True, exist_ok=True)
        setup_django(pg_url(dbname), OUT / "var-reports-pg")
        results.update(
            run_queries(
                year=args.year, repeat=args.repeat, explain_path=OUT / f"{args.name}_explain.txt"
            )
        )
        log("timing approvals (a write: after the reports)")
        results["approval"] = time_approvals(year=args.year, repeat=args.repeat)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        # A reused database is kept: it took ~20 minutes to generate.
        if not args.keep and not args.reuse:
            log(f"dropping {dbname}")
            drop_database(dbname)
        shutil.rmtree(OUT / "var-reports-pg", ignore_errors=True)

    path = write_results(args.name, results)
    report(results)
    print(f"\nresults: {path}")


def report(results: dict) -> None:
    size = results["size"]
    print(
        f"\n== reports on PostgreSQL: {size['branches']:,} branches × {size['visits']:,} visits "
        f"({size['answers']:,} answers), period {results['period']}"
    )
    if "generation" in results:
        gen = results["generation"]
        print(
            f"generation: {gen['total_s']:.0f} s in all "
            f"(migrate {gen['migrate_s']} s, load_checklists {gen['load_checklists_s']} s)"
        )
        for name, seconds in gen["phases_s"].items():
            print(f"  {name}: {seconds} s")
    print(
        f"database: {results['sizes']['database_gb']} GB; "
        f"report indexes (MB): {results['sizes']['indexes_mb']}"
    )
    rows = []
    for label, t in results["timings"].items():
        what = ", ".join(
            f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}"
            for k, v in t.items()
            if k not in {"median_s", "all_s", "sql_median_s"}
        )
        rows.append((label, ms(t["median_s"]), spread(t["all_s"]), ms(t.get("sql_median_s")), what))
    print(table(rows, ("case", "median", "range", "of which SQL", "rows / queries")))
    if "approval" in results:
        approval = results["approval"]
        print(
            f"approving one visit (review, roll-ups, stamp, commit): {ms(approval['median_s'])} "
            f"median ({spread(approval['all_s'])}), {approval['queries']} queries"
        )
    for label, error in results.get("failures", {}).items():
        print(f"FAILED: {label}: {error}")
    print("\nEXPLAIN (ANALYZE, BUFFERS) summaries:")
    rows = []
    for plan in results["explain"]:
        used = [name for name, hit in plan["report_indexes_used"].items() if hit]
        rows.append(
            (
                plan["query"][:45],
                plan["top_node"][:40],
                f"{plan['execution_ms']:,.1f} ms",
                ", ".join(used) or "none",
                str(plan["heap_fetches"]),
                ", ".join(plan["seq_scans"]) or "-",
            )
        )
    print(table(rows, ("case", "top node", "exec", "report indexes", "heap fetches", "seq scans")))


if __name__ == "__main__":
    main()
