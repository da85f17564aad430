"""Batch throughput: ``manage.py render_scorecards`` for every branch, on the embedded default.

    .venv/bin/python bench/batch.py                   # 1,000 branches (about 10+ minutes)
    .venv/bin/python bench/batch.py --branches 100    # quick mode (make bench)

1. A throwaway SQLite database, DATABASE_URL=sqlite:///bench/out/batch.sqlite3
   (deleted first), ``manage.py migrate`` and ``manage.py load_checklists``;
2. ``--branches`` branches in ``--regions`` regions, each with ``--visits``
   approved, scored visits of the standard branch visit checklist in the
   period and one in each of the 5 months before (for the trend line), and one
   print-size photo per visit of the period (see _sqlite_data.py);
3. times ``manage.py render_scorecards --period <period> --lang <lang>`` as a
   child process, as an operator would run it: no broker, so each branch's
   Celery task runs eagerly, in-process, one after another (the embedded
   default), then one zip per region;
4. prints scorecards per second, seconds per scorecard, and the ratio of
   seconds per scorecard to one bare WeasyPrint render of a scorecard from
   this same database, measured in this run (before and after the batch,
   median of both sets).

The ratio is the figure to compare across machines: 1.0 would mean the batch
costs exactly one bare WeasyPrint render per branch; what is above it is our
own work per scorecard (database reads, ranks, charts, template, storage, zip)
plus process start-up spread over the batch.
"""

from __future__ import annotations

import argparse
import itertools
import shutil
import subprocess
import sys
import time
from pathlib import Path

from _common import (
    OUT,
    ROOT,
    bare_pdf,
    bench_env,
    interleave,
    machine,
    manage,
    median,
    ms,
    setup_django,
    table,
    write_results,
)

DB_PATH = OUT / "batch.sqlite3"
DATABASE_URL = "sqlite:///bench/out/batch.sqlite3"
VAR_DIR = OUT / "var-batch"
COMMAND = ROOT / "reports" / "management" / "commands" / "render_scorecards.py"
CHECKLIST = "standard-branch-visit"


def remove_database() -> None:
    for path in (DB_PATH, Path(f"{DB_PATH}-wal"), Path(f"{DB_PATH}-shm")):
        path.unlink(missing_ok=True)


def per_scorecard_costs(period, lang: str, rounds: int) -> dict[str, list[float]]:
    """Bare WeasyPrint on one branch's scorecard HTML from this database, interleaved with
    the other pieces of a cache miss measured apart: scorecard_data (a different branch
    each time), the cache key, and the template + charts."""
    from audits.models import Branch
    from checklists.models import Checklist
    from reports.scorecard_render import render_scorecard_html

    try:
        from reports.selectors.scorecard import scorecard_data
    except ImportError:
        from reports.scorecard_samples import sample_scorecard

        print("  (reports.selectors.scorecard missing: baseline is the sample scorecard)")
        html = render_scorecard_html(sample_scorecard(lang))
        return interleave({"bare": lambda: bare_pdf(html)}, rounds=rounds, warmup=1)

    checklist = Checklist.objects.get(code=CHECKLIST)
    branches = list(Branch.objects.select_related("region").order_by("code")[: rounds + 1])
    card = scorecard_data(branch=branches[0], checklist=checklist, period=period, lang=lang)
    html = render_scorecard_html(card)
    rotation = itertools.cycle(branches)
    cases = {
        "bare": lambda: bare_pdf(html),
        "scorecard_data": lambda: scorecard_data(
            branch=next(rotation), checklist=checklist, period=period, lang=lang
        ),
        "html": lambda: render_scorecard_html(card),
    }
    try:
        from reports.services.scorecards import scorecard_cache_key
    except ImportError:
        pass
    else:
        cases["cache key"] = lambda: scorecard_cache_key(
            branch=branches[0], checklist=checklist, period=period, lang=lang
        )
    return interleave(cases, rounds=rounds, warmup=1)


def render_scorecards(
    *, period: str, lang: str, with_checklist: bool, env: dict[str, str], log_path: Path
) -> tuple[str, float]:
    """Time ``manage.py render_scorecards`` in a child process with `env`, as an operator runs it.

    Returns the command line and its wall time in seconds; the progress bars go
    to `log_path`. Exits with the log's tail if the command fails.
    """
    command = [
        sys.executable,
        "manage.py",
        "render_scorecards",
        "--period",
        period,
        "--lang",
        lang,
    ]
    if with_checklist:
        command += ["--checklist", CHECKLIST]
    shown = " ".join(command[1:])
    print(f"timing: {shown}  (progress in {log_path.relative_to(ROOT)})", flush=True)
    with log_path.open("w") as log:
        started = time.perf_counter()
        done = subprocess.run(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        elapsed = time.perf_counter() - started
    if done.returncode:
        print(log_path.read_text()[-3000:])
        sys.exit(f"render_scorecards failed (exit {done.returncode})")
    return shown, elapsed


def batch_size(args) -> dict[str, int]:
    """What make_batch_data writes, for the results file."""
    return {
        "branches": args.branches,
        "regions": args.regions,
        "visits_per_branch_in_period": args.visits,
        "history_months": 5,
        "photos_per_visit": args.photos,
    }


def make_batch_data(args, *, database_url: str, var_dir: Path) -> tuple[object, dict, dict]:
    """Migrate, load the library and write the batch's branches and visits into `database_url`.

    Returns the period, the row counts and the seconds of migrate and load_checklists;
    batch_workers.py makes the very same data on PostgreSQL.
    """
    migrate = manage("migrate", "--noinput", database_url=database_url, var_dir=var_dir)
    load = manage("load_checklists", database_url=database_url, var_dir=var_dir)
    setup_django(database_url, var_dir)
    from _sqlite_data import populate

    from reports.periods import parse_period

    period = parse_period(args.period, date_from=None, date_to=None)
    counts = populate(
        checklist_code=CHECKLIST,
        period=period,
        branches=args.branches,
        regions=args.regions,
        visits_per_branch=args.visits,
        photos_per_visit=args.photos,
    )
    timings = {"migrate_s": round(migrate, 1), "load_checklists_s": round(load, 1)}
    return period, counts, timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=1000, help="100 for the quick mode")
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument(
        "--visits", type=int, default=3, help="approved visits per branch in the period"
    )
    parser.add_argument("--photos", type=int, default=1, help="photos per visit in the period")
    parser.add_argument("--period", default="2025-10")
    parser.add_argument("--lang", default="zh-Hans")
    parser.add_argument(
        "--with-checklist",
        action="store_true",
        help=f"pass --checklist {CHECKLIST} instead of each branch's default",
    )
    parser.add_argument("--baseline-rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database and the PDFs")
    parser.add_argument("--name", default=None, help="results file bench/out/<name>.json")
    args = parser.parse_args()
    name = args.name or f"batch_{args.branches}"

    remove_database()
    shutil.rmtree(VAR_DIR, ignore_errors=True)
    results: dict = {
        "benchmark": "batch",
        "machine": machine(),
        "size": batch_size(args),
        "period": args.period,
        "lang": args.lang,
    }
    try:
        started = time.perf_counter()
        period, counts, timings = make_batch_data(args, database_url=DATABASE_URL, var_dir=VAR_DIR)
        results["generation"] = {
            **timings,
            "total_s": round(time.perf_counter() - started, 1),
            "rows": counts,
        }
        print(f"data: {counts} in {results['generation']['total_s']} s")

        print(f"bare WeasyPrint baseline ({args.baseline_rounds} renders) …")
        before = per_scorecard_costs(period, args.lang, args.baseline_rounds)

        if not COMMAND.exists():
            print(
                f"\nrender_scorecards is missing ({COMMAND.relative_to(ROOT)}): "
                "nothing to time. Rerun once it exists."
            )
            results["batch"] = {"skipped": "render_scorecards command missing"}
            results["bare_s"] = {"median_s": round(median(before["bare"]), 4)}
        else:
            command, elapsed = render_scorecards(
                period=args.period,
                lang=args.lang,
                with_checklist=args.with_checklist,
                env=bench_env(DATABASE_URL, VAR_DIR),
                log_path=OUT / f"{name}_command.log",
            )
            print(f"  done in {elapsed:.1f} s; bare WeasyPrint baseline again …")
            after = per_scorecard_costs(period, args.lang, args.baseline_rounds)

            from reports.models import Scorecard, ScorecardBatch

            rendered = Scorecard.objects.count()
            bare = median(before["bare"] + after["bare"])
            per_card = elapsed / rendered if rendered else None
            results["batch"] = {
                "command": command,
                "wall_s": round(elapsed, 2),
                "scorecards": rendered,
                "zips": ScorecardBatch.objects.filter(status="done").count(),
                "pdf_mb": round(
                    sum(Scorecard.objects.values_list("size_bytes", flat=True)) / 1e6, 1
                ),
                "scorecards_per_s": round(rendered / elapsed, 3) if rendered else None,
                "s_per_scorecard": round(per_card, 4) if per_card else None,
                "ratio_to_bare": round(per_card / bare, 3) if per_card else None,
            }
            results["bare_s"] = {
                "median_s": round(bare, 4),
                "before_s": before["bare"],
                "after_s": after["bare"],
            }
            # The pieces of one cache miss, measured apart (before and after the batch).
            results["per_scorecard_s"] = {
                piece: round(median(before[piece] + after[piece]), 4) for piece in before
            }
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            remove_database()
            shutil.rmtree(VAR_DIR, ignore_errors=True)
    path = write_results(name, results)
    report(results)
    print(f"\nresults: {path}")


def report(results: dict) -> None:
    size = results["size"]
    print(
        f"\n== batch: render_scorecards for {size['branches']:,} branches "
        f"({results['period']}, {results['lang']}; SQLite, eager Celery)"
    )
    batch = results["batch"]
    if "skipped" in batch:
        print(
            f"skipped: {batch['skipped']}; bare WeasyPrint single render "
            f"{ms(results['bare_s']['median_s'])}"
        )
        return
    print(
        table(
            [
                (
                    f"{batch['scorecards']:,}",
                    f"{batch['wall_s']:.1f} s",
                    f"{batch['scorecards_per_s']:.2f}",
                    f"{batch['s_per_scorecard']:.3f} s",
                    ms(results["bare_s"]["median_s"]),
                    f"{batch['ratio_to_bare']:.2f}",
                    str(batch["zips"]),
                    f"{batch['pdf_mb']} MB",
                )
            ],
            (
                "scorecards",
                "wall",
                "per second",
                "per scorecard",
                "bare WeasyPrint",
                "ratio",
                "zips",
                "PDFs",
            ),
        )
    )
    pieces = results.get("per_scorecard_s")
    if pieces:
        known = sum(pieces.values())
        print(
            "one miss measured apart (median): "
            + ", ".join(f"{piece} {ms(seconds)}" for piece, seconds in pieces.items())
            + f"; sum {ms(known)}, so {ms(batch['s_per_scorecard'] - known)} per scorecard "
            "goes elsewhere (storage write, task, zip, start-up)"
        )


if __name__ == "__main__":
    main()
