"""Run the benchmark set and print one summary table (``make bench``).

    .venv/bin/python bench/run_all.py          # quick set: a few minutes
    .venv/bin/python bench/run_all.py --full   # the issue's sizes: the better part of an hour

Quick set: scorecard.py (8 rounds), batch.py --branches 100,
reports_pg.py --branches 1000 --visits 100000 and ingest.py --quick (the last
two skipped when PostgreSQL is not reachable on 127.0.0.1:5432). --full:
15 rounds, 1,000 branches, 10,000 branches × 1,000,000 visits, and ingest.py
with its full slices and the 1,000-visit retry storm.

Each script runs in its own process (each points Django at its own throwaway
database) and writes bench/out/<name>.json, which this script reads back.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

from _common import OUT, ROOT, machine, ms, pg_dsn, table


def run(script: str, *args: str) -> tuple[bool, float]:
    print(f"\n$ python bench/{script} {' '.join(args)}", flush=True)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, str(ROOT / "bench" / script), *args], cwd=ROOT)
    return done.returncode == 0, time.perf_counter() - started


def postgres_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(pg_dsn("postgres"), connect_timeout=3):
            return True
    except Exception as error:  # any failure means: skip, and say why
        print(f"PostgreSQL on 127.0.0.1:5432 not reachable ({error}): reports_pg skipped.")
        return False


def load(name: str) -> dict | None:
    path = OUT / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def summary(names: dict[str, str], status: dict[str, str]) -> list[tuple[str, str, str]]:
    rows: list[tuple[str, str, str]] = []
    card = load(names["scorecard"]) if status["scorecard"] == "ok" else None
    if card:
        for lang, entry in card["sample"].items():
            rows.append(
                (
                    f"scorecard PDF, sample card, {lang}: ours vs bare WeasyPrint",
                    f"{ms(entry['ours']['median_s'])} vs {ms(entry['bare']['median_s'])}",
                    f"{entry['ratio_ours_to_bare']:.2f}×",
                )
            )
        database = card.get("database", {})
        if "skipped" in database:
            rows.append(("scorecard from the database", "skipped", database["skipped"][:40]))
        else:
            for lang in ("zh-Hans", "en"):
                entry = database[lang]
                rows.append(
                    (
                        f"scorecard from DB, {lang}: miss vs bare WeasyPrint",
                        f"{ms(entry['miss']['median_s'])} vs {ms(entry['bare']['median_s'])}",
                        f"{entry['ratio_miss_to_bare']:.2f}×",
                    )
                )
                rows.append(
                    (
                        f"scorecard from DB, {lang}: cache hit (vs miss)",
                        ms(entry["hit"]["median_s"]),
                        f"{entry['ratio_hit_to_miss']:.3f}×",
                    )
                )
    else:
        rows.append(("scorecard", status["scorecard"], ""))

    batch = load(names["batch"]) if status["batch"] == "ok" else None
    if batch and "skipped" not in batch["batch"]:
        b = batch["batch"]
        rows.append(
            (
                f"batch render_scorecards, {b['scorecards']:,} branches",
                f"{b['scorecards_per_s']:.2f}/s, {b['s_per_scorecard']:.3f} s each",
                f"{b['ratio_to_bare']:.2f}× bare",
            )
        )
    else:
        rows.append(("batch", batch["batch"]["skipped"] if batch else status["batch"], ""))

    pg = load(names["reports_pg"]) if status["reports_pg"] == "ok" else None
    if pg:
        size = f"{pg['size']['branches']:,}×{pg['size']['visits']:,}"
        if "generation" in pg:
            rows.append(
                (
                    f"PG data generation, {size}",
                    f"{pg['generation']['total_s']:.0f} s",
                    f"{pg['sizes']['database_gb']} GB",
                )
            )
        for label, t in pg["timings"].items():
            counted = next(
                (
                    f"{t[key]:,} {word}"
                    for key, word in (
                        ("rows", "rows"),
                        ("items", "items"),
                        ("bytes", "bytes"),
                        ("queries", "queries"),
                    )
                    if key in t
                ),
                "",
            )
            sql = f" (SQL {ms(t['sql_median_s'])})" if "sql_median_s" in t else ""
            rows.append((f"PG {size}: {label}", ms(t["median_s"]) + sql, counted))
        for label, error in pg.get("failures", {}).items():
            rows.append((f"PG {size}: {label}", "FAILED", error[:60]))
    else:
        rows.append(("reports_pg", status["reports_pg"], ""))

    ingest = load(names["ingest"]) if status["ingest"] == "ok" else None
    if ingest:
        for level, entry in ingest["levels"].items():
            v, c = entry["visit"], entry["ceiling"]
            rows.append(
                (
                    f"visit uploads over HTTP, {level} phones (p50/p99)",
                    f"{v['per_s']:.1f}/s ({v['p50_ms']:.0f}/{v['p99_ms']:.0f} ms)",
                    f"{entry['ratio'] * 100:.0f} % of GET config ({c['per_s']:.0f}/s)",
                )
            )
        p = ingest["photos"]
        rows.append(
            (
                f"{p['photo_mb']} MB photo uploads, {p['concurrency']} phones",
                f"{p['per_s']}/s (p99 {p['p99_ms']:.0f} ms)",
                f"{p['with_copies_per_s']}/s with copies",
            )
        )
        s = ingest["retry_storm"]
        rows.append(
            (
                f"retry storm, {s['visits']:,} visits × {s['copies']} identical POSTs",
                f"{s['stored_visits']:,} stored",
                "exactly once" if s["exactly_once"] else "NOT exactly once",
            )
        )
    else:
        rows.append(("ingest", status["ingest"], ""))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", action="store_true", help="the issue's sizes (slow)")
    args = parser.parse_args()

    if args.full:
        plan = {
            "scorecard": ("scorecard.py", ["--rounds", "15"], "scorecard"),
            "batch": ("batch.py", ["--branches", "1000"], "batch_1000"),
            "reports_pg": ("reports_pg.py", [], "reports_pg"),
            "ingest": ("ingest.py", [], "ingest"),
        }
    else:
        plan = {
            "scorecard": (
                "scorecard.py",
                ["--rounds", "8", "--name", "scorecard_quick"],
                "scorecard_quick",
            ),
            "batch": ("batch.py", ["--branches", "100"], "batch_100"),
            "reports_pg": (
                "reports_pg.py",
                ["--branches", "1000", "--visits", "100000", "--name", "reports_pg_quick"],
                "reports_pg_quick",
            ),
            "ingest": ("ingest.py", ["--quick"], "ingest_quick"),
        }
    status: dict[str, str] = {}
    names: dict[str, str] = {}
    elapsed: dict[str, float] = {}
    for key, (script, script_args, name) in plan.items():
        names[key] = name
        if key in ("reports_pg", "ingest") and not postgres_reachable():
            status[key] = "skipped: no PostgreSQL"
            continue
        ok, seconds = run(script, *script_args)
        status[key] = "ok" if ok else "failed"
        elapsed[key] = seconds

    info = machine()
    print(
        f"\n== summary ({'full' if args.full else 'quick'} set) — {info['date']}, "
        f"{info['cores']} cores, {info['cpu']}"
    )
    print("One run on a shared, noisy machine: read the ratios, not the absolute times.\n")
    print(table(summary(names, status), ("figure", "measured", "ratio / size")))
    print(
        "\nwall time per script: "
        + ", ".join(f"{key} {seconds:.0f} s" for key, seconds in elapsed.items())
    )
    if any(value == "failed" for value in status.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
