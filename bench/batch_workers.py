"""Scorecards in parallel: ``render_scorecards`` with Celery workers on a Redis broker.

    .venv/bin/python bench/batch_workers.py --branches 100   # quick: ~5 min on 2 busy cores
    .venv/bin/python bench/batch_workers.py                  # 1,000 branches: 25–50 min

In one run, on one throwaway PostgreSQL database:

1. creates the database ``bench_batch`` on 127.0.0.1 (dropped first), runs
   ``manage.py migrate`` and ``load_checklists``, and writes the same data as
   batch.py (``_sqlite_data.populate``: branches in 8 regions, 3 scored visits
   each in the period, 5 months of history, a print-size photo per visit);
   several processes write at once, which needs PostgreSQL, not SQLite;
2. bare WeasyPrint on one branch's scorecard HTML from this database (the
   baseline, as in batch.py), before and after the two batches;
3. **in-process**: times ``manage.py render_scorecards --period … --lang …``
   as a child process with no broker (every task eager, one after another);
4. **workers**: empties the scorecards, the zips and the cache, starts one
   ``celery -A backend worker --concurrency 2`` (two prefork processes, one per
   core, as docker-compose's WORKER_CONCURRENCY runs it) on Redis db 14 on
   127.0.0.1, waits until it answers a ping, warms it with two scorecards per
   process (WeasyPrint's import and fonts: a worker in production is
   long-running; these are then emptied too) and times the same command with
   CELERY_BROKER_URL set, so the command queues one task per branch and waits;
5. for each batch: wall time, seconds per scorecard and its ratio to the bare
   render, CPU seconds of the command and of the worker (per scorecard, and
   over the bare render: what the batch costs whatever the neighbours on a
   shared machine do), how busy the
   machine's cores were, where the wall time went (start-up, rendering, zip
   writing, per region, from the rows' timestamps), PDF sizes (median, max),
   zip sizes, and checks: one PDF per branch, each zip holding its region's
   branches, the same cache keys (so the same scorecards) in both batches.

Every process gets the same environment: DATABASE_URL, VAR_DIR (a temporary
folder whose media/ is the storage every process shares, as S3 is in
production), and for the workers' batch CELERY_BROKER_URL. The worker is
stopped, Redis db 14 emptied, the database dropped and the folder deleted at
the end, also on failure (unless --keep).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from _common import (
    OUT,
    ROOT,
    bare_pdf,
    bench_env,
    drop_database,
    machine,
    median,
    ms,
    pg_url,
    recreate_database,
    redis_empty,
    redis_url,
    start_celery_worker,
    stop,
    table,
    write_results,
)
from batch import (
    CHECKLIST,
    batch_size,
    make_batch_data,
    per_scorecard_costs,
    render_scorecards,
)
from celery import Celery

DATABASE = "bench_batch"
BROKER_DB = 14  # ingest.py uses 12 and 13
CONCURRENCY = 2  # one prefork process per core of the benchmark machine
WORKER_READY_SECONDS = 120
TARGET_RATIO = 0.55  # the issue's: seconds per scorecard ≤ 0.55 × one bare render


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of all cores since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def children_cpu() -> float:
    """CPU seconds of every child process waited for so far (with their own children)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_cpu(pid: int) -> float:
    """CPU seconds so far of a live process and its live descendants (a worker and its pool)."""
    proc = Path(f"/proc/{pid}")
    try:
        # Fields after the ")" that ends the command name: utime and stime are the 12th and 13th.
        fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        children = (proc / "task" / str(pid) / "children").read_text().split()
    except OSError:
        return 0.0  # it ended meanwhile
    own = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return own + sum(tree_cpu(int(child)) for child in children)


def worker_wait(broker_url: str, name: str, worker) -> float:
    """Seconds until the worker answers a ping on the broker; exits if it dies or never does."""
    started = time.perf_counter()
    # A bare client app: the project's app in this process is the eager one, with no broker.
    with Celery(broker=broker_url, set_as_current=False) as client:
        while time.perf_counter() - started < WORKER_READY_SECONDS:
            if worker.poll() is not None:
                raise SystemExit(f"the Celery worker exited with {worker.returncode}")
            replies = client.control.ping(timeout=1.0)
            if any(host.startswith(f"{name}@") for reply in replies for host in reply):
                return time.perf_counter() - started
    raise SystemExit(f"the Celery worker did not answer a ping within {WORKER_READY_SECONDS} s")


def workers_warm(broker_url: str, period_label: str, lang: str, tasks: int) -> float:
    """Seconds for `tasks` scorecard renders queued straight to the worker, before the timing.

    A worker is a long-running service: only its first scorecards pay for importing
    WeasyPrint and loading fonts in each pool process, which a batch run on a
    warm worker in production does not. Two per process, so each gets one.
    """
    from audits.models import Branch
    from reports.models import Scorecard

    outputs_reset()
    started = time.perf_counter()
    branch_ids = list(Branch.objects.order_by("code").values_list("pk", flat=True)[:tasks])
    with Celery(broker=broker_url, set_as_current=False) as client:
        for branch_id in branch_ids:
            client.send_task(
                "reports.tasks.scorecard_render_task", args=[branch_id, period_label, lang]
            )
    while Scorecard.objects.count() < len(branch_ids):
        if time.perf_counter() - started > WORKER_READY_SECONDS:
            raise SystemExit("the worker did not render the warm-up scorecards in time")
        time.sleep(0.2)
    return time.perf_counter() - started


def bare_cpu(period, lang: str, rounds: int) -> float:
    """Median CPU seconds of one bare WeasyPrint render of a branch's scorecard (after a warm-up).

    Wall time on a busy shared machine includes waiting for a core; CPU time
    does not, so CPU per scorecard over this is comparable whatever the load.
    """
    from audits.models import Branch
    from checklists.models import Checklist
    from reports.scorecard_render import render_scorecard_html
    from reports.selectors.scorecard import scorecard_data

    branch = Branch.objects.select_related("region").order_by("code").first()
    checklist = Checklist.objects.get(code=CHECKLIST)
    card = scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)
    html = render_scorecard_html(card)
    times = []
    for round_number in range(rounds + 1):
        started = time.process_time()
        bare_pdf(html)
        if round_number:  # the first is the warm-up
            times.append(time.process_time() - started)
    return median(times)


def outputs_reset() -> None:
    """Forget every rendered scorecard and zip, and the memoised league table, so the next
    batch renders everything from scratch exactly as the first did."""
    from django.core.cache import cache

    from audits.storage import private_storage
    from reports.models import Scorecard, ScorecardBatch, ScorecardBatchPart

    ScorecardBatchPart.objects.all().delete()
    ScorecardBatch.objects.all().delete()
    Scorecard.objects.all().delete()
    shutil.rmtree(Path(private_storage().path("reports")), ignore_errors=True)
    cache.clear()  # the database cache of this throwaway database only


def timeline(started: dt.datetime) -> dict:
    """Where the batch's wall time went, from the rows' timestamps.

    The command queues every region's tasks at once, then waits for each
    region in turn and writes its zip while the workers render the next ones.
    "render" runs from the first batch row to the last PDF; "zip" is the tail
    after it, the last zips written while the workers have nothing left to do.
    Per region: from its batch row to its last PDF, and from there to its zip.
    """
    from django.db.models import Max

    from reports.models import Scorecard, ScorecardBatch

    regions = {}
    for batch in ScorecardBatch.objects.select_related("region").order_by("created_at"):
        last_pdf = Scorecard.objects.filter(branch__region=batch.region).aggregate(
            last=Max("created_at")
        )["last"]
        regions[batch.region.code] = {
            "render_s": round((last_pdf - batch.created_at).total_seconds(), 2),
            "zip_s": round((batch.finished_at - last_pdf).total_seconds(), 2),
        }
    batches = ScorecardBatch.objects.order_by("created_at")
    first, last_zip = batches.first(), batches.order_by("-finished_at").first()
    last_pdf = Scorecard.objects.aggregate(last=Max("created_at"))["last"]
    return {
        "start_up_s": round((first.created_at - started).total_seconds(), 2),
        "render_s": round((last_pdf - first.created_at).total_seconds(), 2),
        "zip_s": round((last_zip.finished_at - last_pdf).total_seconds(), 2),
        "regions": regions,
    }


def outputs_check() -> dict:
    """PDF and zip sizes, and whether every branch has exactly one PDF, in its region's zip."""
    from audits.models import Branch
    from audits.storage import private_storage
    from reports.models import Scorecard, ScorecardBatch

    storage = private_storage()
    sizes = list(Scorecard.objects.values_list("size_bytes", flat=True))
    branches = Branch.objects.filter(active=True).count()
    with_pdf = Scorecard.objects.values("branch").distinct().count()
    zips = {}
    for batch in ScorecardBatch.objects.select_related("region").order_by("region__code"):
        with storage.open(batch.file_name, "rb") as handle:
            entries = len(zipfile.ZipFile(handle).namelist())
        zips[batch.region.code] = {
            "status": batch.status,
            "mb": round(storage.size(batch.file_name) / 1e6, 1),
            "entries": entries,
            "branches": batch.total,
        }
    return {
        "scorecards": len(sizes),
        "one_pdf_per_branch": len(sizes) == with_pdf == branches,
        "zips_complete": all(
            z["status"] == "done" and z["entries"] == z["branches"] for z in zips.values()
        ),
        "pdf_median_mb": round(statistics.median(sizes) / 1e6, 2) if sizes else None,
        "pdf_max_mb": round(max(sizes) / 1e6, 2) if sizes else None,
        "pdf_total_mb": round(sum(sizes) / 1e6, 1),
        "zip_total_mb": round(sum(z["mb"] for z in zips.values()), 1),
        "zip_max_mb": max((z["mb"] for z in zips.values()), default=None),
        "zips": zips,
        "keys": sorted(Scorecard.objects.values_list("key", flat=True)),
    }


def timed_batch(args, env: dict[str, str], label: str, worker_pid: int | None = None) -> dict:
    """One render_scorecards run from empty outputs: wall time, CPU, timeline and outputs."""
    outputs_reset()
    busy_before, total_before = cpu_ticks()
    cpu_before = children_cpu()
    worker_before = tree_cpu(worker_pid) if worker_pid else 0.0
    started = dt.datetime.now(dt.UTC)
    command, elapsed = render_scorecards(
        period=args.period,
        lang=args.lang,
        with_checklist=False,
        env=env,
        log_path=OUT / f"{args.name}_{label}.log",
    )
    busy_after, total_after = cpu_ticks()
    worker_cpu = tree_cpu(worker_pid) - worker_before if worker_pid else 0.0
    command_cpu = children_cpu() - cpu_before
    result = {
        "command": command,
        "wall_s": round(elapsed, 2),
        "command_cpu_s": round(command_cpu, 1),
        "worker_cpu_s": round(worker_cpu, 1),
        # The whole machine's, other people's work included: 2.0 would be both cores busy.
        "cores_busy": round(
            (busy_after - busy_before) / (total_after - total_before) * os.cpu_count(), 2
        ),
        "loadavg_after": os.getloadavg(),
        "timeline": timeline(started),
        **outputs_check(),
    }
    result["s_per_scorecard"] = round(elapsed / result["scorecards"], 4)
    # Our processes' CPU per scorecard (PostgreSQL's own is not in it): what the batch
    # costs whatever the neighbours on this shared machine are doing.
    result["cpu_s_per_scorecard"] = round((command_cpu + worker_cpu) / result["scorecards"], 4)
    print(
        f"  {label}: {elapsed:.1f} s, {result['s_per_scorecard']:.3f} s per scorecard, "
        f"cores busy {result['cores_busy']}",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--branches", type=int, default=1000, help="100 for the quick mode")
    parser.add_argument("--regions", type=int, default=8)
    parser.add_argument("--visits", type=int, default=3, help="approved visits per branch")
    parser.add_argument("--photos", type=int, default=1, help="photos per visit in the period")
    parser.add_argument("--period", default="2025-10")
    parser.add_argument("--lang", default="zh-Hans")
    parser.add_argument("--concurrency", type=int, default=CONCURRENCY, help="worker processes")
    parser.add_argument(
        "--skip-in-process", action="store_true", help="time only the workers' batch"
    )
    parser.add_argument("--baseline-rounds", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--name", default=None, help="results file bench/out/<name>.json")
    args = parser.parse_args()
    args.name = args.name or f"batch_workers_{args.branches}"

    info = machine()
    print(f"{info['cores']} cores, {info['cpu']}, load {info['loadavg_at_start']}", flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    redis_empty((BROKER_DB,), flush=False)  # refuses to flush anyone else's keys
    redis_empty((BROKER_DB,), flush=True)  # an interrupted run's queue must not feed this one
    var_dir = Path(tempfile.mkdtemp(prefix="bench_batch_var_"))
    database_url = pg_url(DATABASE)
    eager_env = bench_env(database_url, var_dir)
    broker_env = {**eager_env, "CELERY_BROKER_URL": redis_url(BROKER_DB)}
    results: dict = {
        "benchmark": "batch_workers",
        "machine": info,
        "size": batch_size(args),
        "period": args.period,
        "lang": args.lang,
        "database": f"PostgreSQL 127.0.0.1:5432/{DATABASE}",
        "broker": redis_url(BROKER_DB),
        "workers": f"1 × celery worker --concurrency {args.concurrency}",
    }
    worker = None
    try:
        started = time.perf_counter()
        recreate_database(DATABASE)
        period, counts, _ = make_batch_data(args, database_url=database_url, var_dir=var_dir)
        results["generation"] = {"total_s": round(time.perf_counter() - started, 1), **counts}
        print(f"data: {counts} in {results['generation']['total_s']} s", flush=True)

        print(f"bare WeasyPrint baseline ({args.baseline_rounds} renders) …", flush=True)
        before = per_scorecard_costs(period, args.lang, args.baseline_rounds)
        cpu_bare = bare_cpu(period, args.lang, args.baseline_rounds)

        if not args.skip_in_process:
            results["in_process"] = timed_batch(args, eager_env, "in_process")

        name = f"bench-batch-{os.getpid()}"
        worker = start_celery_worker(
            broker_env, OUT / f"{args.name}_worker.log", name=name, concurrency=args.concurrency
        )
        ready = worker_wait(broker_env["CELERY_BROKER_URL"], name, worker)
        warm = workers_warm(
            broker_env["CELERY_BROKER_URL"], period.label, args.lang, 2 * args.concurrency
        )
        print(f"worker ready after {ready:.1f} s, warm after {warm:.1f} s more", flush=True)
        results["workers_batch"] = timed_batch(args, broker_env, "workers", worker.pid)
        stop(worker)
        results["workers_batch"]["worker_ready_s"] = round(ready, 1)
        results["workers_batch"]["worker_warm_up_s"] = round(warm, 1)

        print("bare WeasyPrint baseline again …", flush=True)
        after = per_scorecard_costs(period, args.lang, args.baseline_rounds)
        bare = median(before["bare"] + after["bare"])
        results["bare_s"] = {
            "median_s": round(bare, 4),
            "before_s": before["bare"],
            "after_s": after["bare"],
            "cpu_median_s": round(cpu_bare, 4),
        }
        results["per_scorecard_s"] = {
            piece: round(median(before[piece] + after[piece]), 4) for piece in before
        }
        for label in ("in_process", "workers_batch"):
            if label in results:
                entry = results[label]
                entry["ratio_to_bare"] = round(entry["s_per_scorecard"] / bare, 3)
                entry["cpu_ratio_to_bare_cpu"] = round(entry["cpu_s_per_scorecard"] / cpu_bare, 3)
        # With `concurrency` cores all ours and no serial part, the wall time per scorecard
        # could at best be its CPU time divided by the processes sharing it.
        workers = results["workers_batch"]
        workers["best_ratio_on_free_cores"] = round(
            workers["cpu_ratio_to_bare_cpu"] / args.concurrency, 3
        )
        if "in_process" in results:
            workers, eager = results["workers_batch"], results["in_process"]
            results["workers_to_in_process"] = round(workers["wall_s"] / eager["wall_s"], 3)
            results["same_scorecards"] = workers["keys"] == eager["keys"]
    finally:
        if worker is not None:
            stop(worker)
        redis_empty((BROKER_DB,), flush=True)
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            drop_database(DATABASE)
            shutil.rmtree(var_dir, ignore_errors=True)
    for label in ("in_process", "workers_batch"):
        results.get(label, {}).pop("keys", None)  # compared above; too long to keep
    path = write_results(args.name, results)
    report(results)
    print(f"\nresults: {path.relative_to(ROOT)}")


def report(results: dict) -> None:
    size = results["size"]
    bare = results["bare_s"]["median_s"]
    print(
        f"\n== batch with workers: render_scorecards for {size['branches']:,} branches "
        f"({results['period']}, {results['lang']}; PostgreSQL; load at start "
        f"{results['machine']['loadavg_at_start']})"
    )
    rows = []
    for label, title in (("in_process", "in-process (eager)"), ("workers_batch", "workers")):
        entry = results.get(label)
        if entry is None:
            continue
        line = entry["timeline"]
        rows.append(
            (
                title,
                f"{entry['wall_s']:.1f} s",
                f"{entry['s_per_scorecard']:.3f} s",
                f"{entry['ratio_to_bare']:.2f}",
                f"{line['start_up_s']:.1f} / {line['render_s']:.1f} / {line['zip_s']:.1f} s",
                f"{entry['command_cpu_s']:.0f} / {entry['worker_cpu_s']:.0f} s",
                f"{entry['cpu_s_per_scorecard']:.3f} s ({entry['cpu_ratio_to_bare_cpu']:.2f})",
                f"{entry['cores_busy']:.2f}",
                f"{entry['pdf_median_mb']} / {entry['pdf_max_mb']} MB",
                f"{entry['zip_total_mb']} MB (max {entry['zip_max_mb']})",
                "yes" if entry["one_pdf_per_branch"] and entry["zips_complete"] else "NO",
            )
        )
    print(
        table(
            rows,
            (
                "batch",
                "wall",
                "per scorecard",
                "/ bare",
                "start-up / render / zip",
                "CPU command / worker",
                "CPU per scorecard (/ bare CPU)",
                "cores busy",
                "PDF median / max",
                "zips",
                "1 PDF per branch",
            ),
        )
    )
    print(
        f"bare WeasyPrint, one scorecard: {ms(bare)} wall, "
        f"{ms(results['bare_s']['cpu_median_s'])} CPU; target: workers ≤ {TARGET_RATIO} × bare "
        f"= {TARGET_RATIO * bare:.3f} s per scorecard"
    )
    print(
        "best workers' ratio if the cores were ours (CPU per scorecard / bare CPU / processes): "
        f"{results['workers_batch']['best_ratio_on_free_cores']:.2f}"
    )
    if "workers_to_in_process" in results:
        print(
            f"workers / in-process wall time: {results['workers_to_in_process']:.2f}; "
            f"same scorecards (cache keys) in both: {results['same_scorecards']}"
        )
    pieces = results["per_scorecard_s"]
    print(
        "one miss measured apart (median): "
        + ", ".join(f"{piece} {ms(seconds)}" for piece, seconds in pieces.items())
    )


if __name__ == "__main__":
    main()
