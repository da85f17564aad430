"""The CPU of one visit POST, in-process on SQLite (or PostgreSQL): wall and process time, and a profile.

    .venv/bin/python bench/visit_post.py                        # this tree
    .venv/bin/python bench/visit_post.py --against /tmp/before  # and another, alternately
    .venv/bin/python bench/visit_post.py --postgres             # on PostgreSQL at 127.0.0.1

Creates ``bench/out/visit_post.sqlite3`` (migrated, checklist library loaded),
the people of ``ingest.py`` (40 shoppers with open assignments of the standard
branch visit), then POSTs complete visits (31 answers, the photo declared)
through DRF's test client: after warm-up, the median wall time
(``time.perf_counter``) and CPU time of this process (``time.process_time``)
of ``--posts`` uploads, and the queries of one. ``--profile`` adds cProfile's
top functions over the same number of uploads.

``--against DIR`` runs this script from DIR (another checkout, e.g. the commit
before a change) and from this tree in turn, ``--rounds`` times each, so that
a neighbour's load on this shared machine hits both alike; it prints both
medians and their ratio. Ingest over HTTP, with the ceiling, is ``ingest.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import pstats
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

from _common import OUT, ROOT, drop_database, manage, pg_url, recreate_database, setup_django
from ingest import answers_template, make_people, visit_body

VAR_DIR = OUT / "visit_post_var"
PG_DATABASE = "bench_visit_post"


def measure(posts: int, profile: bool) -> dict:
    """Upload `posts` visits after 5 warm-up ones; medians in ms, the queries of the last."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    people = make_people(assignments_per_shopper=(2 * posts + 10) // 40 + 1)
    answers, photo_questions = answers_template()
    # Each upload takes an open assignment, with its shopper's token.
    open_assignments = iter((s["token"], a) for s in people["shoppers"] for a in s["assignments"])
    client = APIClient()

    def one() -> tuple[float, float, int]:
        token, assignment = next(open_assignments)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        photos = [
            {"id": str(uuid.uuid4()), "sha256": "0" * 64, "question": q} for q in photo_questions
        ]
        body = visit_body(assignment, people["version"], answers, photos)
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.post("/api/v1/visits/", body, content_type="application/json")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        assert response.status_code == 201, response.content[:300]
        return wall, cpu, len(queries.captured_queries)

    for _ in range(5):
        one()
    timings = [one() for _ in range(posts)]
    import checklists.scoring

    result = {
        "code": str(Path(checklists.scoring.__file__).parent.parent),  # the tree measured
        "posts": posts,
        "wall_ms": round(statistics.median(t[0] for t in timings) * 1000, 2),
        "cpu_ms": round(statistics.median(t[1] for t in timings) * 1000, 2),
        "queries": timings[-1][2],
    }
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(posts):
            one()
        profiler.disable()
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(200)
        path = OUT / f"visit_post_profile_{int(time.time())}.txt"
        path.write_text(buffer.getvalue())
        result["profile"] = str(path)
    return result


def run_in(tree: Path, args: argparse.Namespace) -> dict:
    """This script, run from `tree` with the same sizes; its JSON result."""
    script = ROOT / "bench" / "visit_post.py"
    if tree != ROOT:
        # The other tree may predate this script: run ours with its bench helpers.
        (tree / "bench" / "visit_post.py").write_text(script.read_text())
        script = tree / "bench" / "visit_post.py"
    command = [sys.executable, str(script), "--posts", str(args.posts), "--json"]
    if args.postgres:
        command.append("--postgres")
    output = subprocess.run(command, cwd=tree, check=True, capture_output=True, text=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=30, help="timed uploads (default 30)")
    parser.add_argument("--profile", action="store_true", help="also cProfile as many uploads")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each tree with --against")
    parser.add_argument("--json", action="store_true", help="print only the result as JSON")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help=f"on PostgreSQL at 127.0.0.1 (database {PG_DATABASE}, dropped after) instead of SQLite",
    )
    args = parser.parse_args()
    if args.against:
        runs: dict[str, list[dict]] = {"against": [], "this": []}
        for _ in range(args.rounds):
            runs["against"].append(run_in(args.against.resolve(), args))
            runs["this"].append(run_in(ROOT, args))
        summary = {
            name: {
                key: statistics.median(r[key] for r in results)
                for key in ("wall_ms", "cpu_ms", "queries")
            }
            for name, results in runs.items()
        }
        for name, figures in summary.items():
            print(f"{name:8} {figures}  runs: {[(r['wall_ms'], r['cpu_ms']) for r in runs[name]]}")
        for key in ("wall_ms", "cpu_ms"):
            print(f"{key}: this/against = {summary['this'][key] / summary['against'][key]:.2f}")
        return
    db_path = OUT / f"visit_post_{uuid.uuid4().hex[:8]}.sqlite3"
    database_url = f"sqlite:///{db_path}"
    if args.postgres:
        recreate_database(PG_DATABASE)
        database_url = pg_url(PG_DATABASE)
    try:
        manage("migrate", "--noinput", database_url=database_url, var_dir=VAR_DIR)
        manage("load_checklists", database_url=database_url, var_dir=VAR_DIR)
        setup_django(database_url, VAR_DIR)
        result = measure(args.posts, args.profile)
    finally:
        db_path.unlink(missing_ok=True)
        if args.postgres:
            from django.db import connection

            connection.close()
            drop_database(PG_DATABASE)
    print(json.dumps(result) if args.json else result)


if __name__ == "__main__":
    main()
