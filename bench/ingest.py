"""Visit and photo ingest over HTTP: gunicorn + PostgreSQL on loopback.

    .venv/bin/python bench/ingest.py            # the issue's sizes: 10–20 min
    .venv/bin/python bench/ingest.py --quick    # 2–4 min

What it does, in one run:

1. creates a fresh database ``bench_ingest`` on 127.0.0.1 (dropped first if it
   exists), runs ``manage.py migrate`` and ``manage.py load_checklists`` into it,
   and creates, through the ORM, one region and branch, 40 shoppers with API
   tokens and open assignments of the standard branch visit (31 items: 21
   yes/no, 6 five-level, 2 numbers, a text and a required photo);
2. starts gunicorn on 127.0.0.1 (a free port) as production runs it: 2 worker
   processes (one per core here) × 4 threads (gthread), Celery tasks sent to a
   Redis broker on 127.0.0.1 (databases 12 and 13, emptied before and after,
   and refused if someone else's keys are there), CACHE_URL on Redis too;
3. photos: a Celery worker (1 process) runs beside gunicorn; phones upload
   3 MB, 12-megapixel JPEGs (each with its own bytes) declared in visits made
   for them: photos per second acknowledged by the web, with their latency,
   and the time until the worker had made every photo's copies (thumb, print,
   full), first from 1 phone (a PUT's own time), then from 4; each against
   Pillow alone decoding and re-encoding the same photo on this machine (the
   goal: a PUT within 2× that). The worker stops afterwards;
4. visits: at 1, 8 and 32 concurrent phones (each phone a thread with its own
   keep-alive connection, shopper and token), complete visit uploads
   (``POST /api/v1/visits/``, all 31 answers, the photo declared) alternate,
   in slices (visits, ceiling, visits, ceiling), with ``GET /api/v1/config/``
   by the same phones: the trivial authenticated endpoint of the same server,
   the ceiling. Visits per second and p50/p95/p99, against the ceiling's, and
   the CPU each request cost gunicorn and PostgreSQL (from /proc, across the
   slices): the steadier figure on a machine whose other work moves the rates;
5. the retry storm: N visits, each POSTed 5 times at once with the same body
   (5 threads released together by a barrier, 8 such groups at a time), then
   counts what was stored: exactly N visits, N revisions, 31 N answers;
6. where the time of one visit POST goes, in this process through DRF's test
   client on the same database: queries (CaptureQueriesContext), time inside
   the database driver, and cProfile's top functions;
7. prints a table and writes ``bench/out/ingest.json``; drops the database
   and deletes the uploaded files (``bench/out/ingest_var``) unless ``--keep``.

Only 127.0.0.1 is ever contacted. Every loop is bounded in time and count.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import datetime as dt
import hashlib
import http.client
import io
import json
import os
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg
from _common import (
    OUT,
    REDIS_PORT,
    ROOT,
    bench_env,
    drop_database,
    machine,
    manage,
    pg_dsn,
    pg_url,
    recreate_database,
    redis_empty,
    redis_url,
    start_celery_worker,
    stop,
    table,
    write_results,
)

HOST = "127.0.0.1"  # the only address this script talks to
BROKER_DB, CACHE_DB = 12, 13
CHECKLIST = "standard-branch-visit"
SHOPPERS = 40
GUNICORN_WORKERS = 2
GUNICORN_THREADS = 4
PHOTO_SIDE = (4032, 3024)
REQUEST_TIMEOUT = 60
PERCENTILES = ("p50_ms", "p95_ms", "p99_ms")

_STARTED = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", flush=True)


# --------------------------------------------------------------------------- set-up


def ingest_env(database_url: str, var_dir: Path) -> dict[str, str]:
    env = bench_env(database_url, var_dir)
    env.update(
        CELERY_BROKER_URL=redis_url(BROKER_DB),
        CACHE_URL=redis_url(CACHE_DB),
        LOG_LEVEL="WARNING",
        DEBUG="false",
    )
    for name in ("PRODUCTION", "SECURE_SSL_REDIRECT", "LOG_FORMAT"):
        env.pop(name, None)
    return env


def setup_in_process(env: dict[str, str]) -> None:
    os.chdir(ROOT)
    os.environ.update(env)
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def make_people(assignments_per_shopper: int) -> dict:
    """Region, branch, shoppers with tokens and open assignments, through the ORM."""
    from django.utils import timezone
    from rest_framework.authtoken.models import Token

    from accounts.roles import Role
    from audits.models import Assignment, Branch, Region, User
    from checklists.models import ChecklistVersion

    version = (
        ChecklistVersion.objects.filter(checklist__code=CHECKLIST, status="published")
        .order_by("-number")
        .first()
    )
    region = Region.objects.create(code="bench", name_zh="基准区", name_en="Bench")
    branch = Branch.objects.create(
        region=region,
        code="bench-001",
        name_zh="基准支行",
        name_en="Bench branch",
        address_zh="示范路1号",
        address_en="1 Example Road",
        latitude=31.2304,
        longitude=121.4737,
    )
    head_office = User.objects.create(username="bench-hq", role=Role.HEAD_OFFICE)
    today = timezone.localdate()
    shoppers = []
    for n in range(SHOPPERS):
        user = User.objects.create(username=f"bench-shopper-{n:02d}", role=Role.SHOPPER)
        token, _ = Token.objects.get_or_create(user=user)
        shoppers.append({"id": user.pk, "token": token.key})
    rows = [
        Assignment(
            shopper_id=shopper["id"],
            branch=branch,
            checklist_version=version,
            window_from=today - dt.timedelta(days=7),
            window_to=today + dt.timedelta(days=7),
            created_by=head_office,
        )
        for shopper in shoppers
        for _ in range(assignments_per_shopper)
    ]
    Assignment.objects.bulk_create(rows, batch_size=5000)
    by_shopper: dict[int, list[int]] = {}
    for pk, shopper_id in Assignment.objects.order_by("pk").values_list("pk", "shopper_id"):
        by_shopper.setdefault(shopper_id, []).append(pk)
    for shopper in shoppers:
        shopper["assignments"] = by_shopper[shopper["id"]]
    return {"version": version.pk, "shoppers": shoppers, "branch": branch.pk}


def answers_template() -> tuple[list[dict], list[str]]:
    """A complete, passing set of answers for the checklist, and its photo questions."""
    from checklists.models import AnswerType, ChecklistVersion
    from checklists.rules import version_rules

    version = (
        ChecklistVersion.objects.filter(checklist__code=CHECKLIST, status="published")
        .order_by("-number")
        .first()
    )
    _, items = version_rules(version)
    answers, photo_questions = [], []
    for code, item in items.items():
        kind = item.answer_type
        if kind == AnswerType.PHOTO:
            photo_questions.append(code)
            continue
        if kind == AnswerType.YES_NO:
            value = True
        elif kind == AnswerType.SCALE5:
            value = 4
        elif kind == AnswerType.SCALE6:
            value = 5
        elif kind == AnswerType.NUMBER:
            first = item.thresholds[0]
            low = float(first.get("min") or 0)
            high = float(first.get("max") if first.get("max") is not None else low + 10)
            value = round((low + high) / 2)
        elif kind == AnswerType.CHOICE:
            value = max(item.options, key=lambda o: float(o["score"]))["value"]
        else:
            value = "柜员态度友好，业务熟练。Friendly, skilled teller."
        answers.append({"question": code, "value": value})
    return answers, photo_questions


def visit_body(assignment: int, version: int, answers, photos: list[dict]) -> bytes:
    started = dt.datetime.now(dt.UTC) - dt.timedelta(hours=1)
    return json.dumps(
        {
            "id": str(uuid.uuid4()),
            "assignment": assignment,
            "checklist_version": version,
            "started_at": started.isoformat(),
            "ended_at": (started + dt.timedelta(minutes=25)).isoformat(),
            "location": {"lat": 31.2305, "lng": 121.4736, "accuracy_m": 12},
            "answers": answers,
            "comment": "整体服务专业。Professional overall.",
            "photos": photos,
        }
    ).encode()


# --------------------------------------------------------------------------- photos


def base_photo() -> bytes:
    """A 12-megapixel JPEG of about 3 MB, with an EXIF capture time of an hour ago."""
    from PIL import Image, ImageChops

    width, height = PHOTO_SIDE
    gradient = Image.linear_gradient("L").resize((width, height))
    noise = Image.effect_noise((width, height), 20)
    image = Image.merge(
        "RGB",
        (
            ImageChops.add(gradient, noise, 1.0, -128),
            gradient.transpose(Image.Transpose.FLIP_LEFT_RIGHT),
            noise,
        ),
    )
    exif = Image.Exif()
    taken = dt.datetime.now() - dt.timedelta(minutes=50)
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85, exif=exif)
    return buffer.getvalue()


def decode_and_reencode_s(photo: bytes, rounds: int = 5) -> float:
    """Median seconds for Pillow alone to decode `photo` and encode it again as JPEG, here.

    The photo PUT's yardstick (issue: "within 2× one decode + re-encode"): what
    any server must spend on a photo it checks, without HTTP, storage or database.
    """
    from PIL import Image

    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with Image.open(io.BytesIO(photo)) as image:
            image.load()
            image.save(io.BytesIO(), "JPEG", quality=85)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def unique_photo(base: bytes, n: int) -> bytes:
    """The base JPEG with a comment segment right after SOI: other bytes, same picture."""
    comment = f"bench photo {n}".encode()
    return base[:2] + b"\xff\xfe" + (len(comment) + 2).to_bytes(2, "big") + comment + base[2:]


def multipart(data: bytes, question: str) -> tuple[bytes, str]:
    boundary = "bench" + uuid.uuid4().hex
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="p.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    tail = (
        f'\r\n--{boundary}\r\nContent-Disposition: form-data; name="question"\r\n\r\n'
        f"{question}\r\n--{boundary}--\r\n"
    ).encode()
    return head + data + tail, f"multipart/form-data; boundary={boundary}"


# --------------------------------------------------------------------------- HTTP


class Phone:
    """One phone: a keep-alive HTTP/1.1 connection to 127.0.0.1 with a shopper's token."""

    def __init__(self, port: int, token: str) -> None:
        self.port = port
        self.token = token
        self.conn: http.client.HTTPConnection | None = None

    def request(
        self, method: str, path: str, body: bytes | None = None, content_type: str = ""
    ) -> tuple[int, float, bytes]:
        headers = {"Authorization": f"Token {self.token}", "X-Request-ID": uuid.uuid4().hex}
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(HOST, self.port, timeout=REQUEST_TIMEOUT)
            started = time.perf_counter()
            try:
                self.conn.request(method, path, body=body, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
            except (http.client.HTTPException, OSError):
                self.close()
                if attempt == 2:
                    return 0, time.perf_counter() - started, b""
                continue
            elapsed = time.perf_counter() - started
            if response.getheader("Connection", "").lower() == "close":
                self.close()
            return response.status, elapsed, data
        raise AssertionError("unreachable")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def stats(latencies: list[float], wall: float, statuses: Counter, ok: set[int]) -> dict:
    good = sum(count for status, count in statuses.items() if status in ok)
    ordered = sorted(latencies)

    def pct(p: float) -> float | None:
        if not ordered:
            return None
        return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]

    return {
        "requests": len(latencies),
        "ok": good,
        "errors": len(latencies) - good,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "wall_s": round(wall, 3),
        "per_s": round(good / wall, 2) if wall else None,
        "p50_ms": round(pct(50) * 1000, 1) if ordered else None,
        "p95_ms": round(pct(95) * 1000, 1) if ordered else None,
        "p99_ms": round(pct(99) * 1000, 1) if ordered else None,
        "mean_ms": round(statistics.fmean(ordered) * 1000, 1) if ordered else None,
    }


def run_slice(
    phones: list[Phone], work, *, seconds: float, budget: int
) -> tuple[list[float], Counter, float]:
    """Every phone calls work(phone_index, phone) until `seconds` pass or `budget` calls were made."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    lock = threading.Lock()
    issued = [0]
    deadline = time.perf_counter() + seconds

    def loop(index: int, phone: Phone) -> None:
        while time.perf_counter() < deadline:
            with lock:
                if issued[0] >= budget:
                    return
                issued[0] += 1
            result = work(index, phone)
            if result is None:  # this phone has nothing left to send
                return
            status, elapsed = result
            with lock:
                latencies.append(elapsed)
                statuses[status] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i, p)) for i, p in enumerate(phones)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + REQUEST_TIMEOUT * 2)
    return latencies, statuses, time.perf_counter() - started


# --------------------------------------------------------------------------- server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(server_pid: int) -> dict[str, float]:
    """CPU seconds (user + system) spent so far by gunicorn and by PostgreSQL.

    gunicorn is the server's process group (start_new_session made its pid the
    group's id); PostgreSQL is every process named postgres on this machine, its
    WAL writer and checkpointer included. Differences across a slice, per request,
    say what one request costs whatever else the machine was doing, which the
    requests per second do not.
    """
    spent = {"gunicorn": 0.0, "postgres": 0.0}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue  # gone since listdir
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        # After the name: state, ppid, pgrp, …; utime and stime are the 12th and 13th.
        seconds = (int(fields[11]) + int(fields[12])) / _CLOCK_TICKS
        if int(fields[2]) == server_pid:
            spent["gunicorn"] += seconds
        elif name == "postgres" or name.startswith("postgres:"):
            spent["postgres"] += seconds
    return spent


def start_gunicorn(env: dict[str, str], port: int, log_path: Path) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "backend.wsgi:application",
        f"--bind={HOST}:{port}",
        f"--workers={GUNICORN_WORKERS}",
        "--worker-class=gthread",
        f"--threads={GUNICORN_THREADS}",
        "--timeout=120",
        "--log-level=warning",
    ]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=log_path.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.perf_counter() + 60
    while time.perf_counter() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited with {process.returncode}; see {log_path}")
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=5)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    sys.exit(f"gunicorn did not answer /healthz within 60 s; see {log_path}")


# --------------------------------------------------------------------------- phases


class Pool:
    """Each shopper's open assignments, handed out once each."""

    def __init__(self, shoppers: list[dict]) -> None:
        self.left = [list(reversed(s["assignments"])) for s in shoppers]
        self.lock = threading.Lock()

    def take(self, shopper: int) -> int | None:
        with self.lock:
            return self.left[shopper].pop() if self.left[shopper] else None


def photo_phase(
    port: int,
    people: dict,
    answers,
    photo_questions,
    *,
    photos: int,
    concurrency: int,
    env: dict[str, str],
    pool: Pool,
) -> dict:
    from audits.models import Photo

    log(f"photos: making a 3 MB base photo, then {photos} photos in visits for them")
    base = base_photo()
    per_visit = 5
    jobs: list[tuple[str, str, str, int]] = []  # (visit id, photo id, question, n)
    shoppers = people["shoppers"]
    setup_phone = {i: Phone(port, shoppers[i]["token"]) for i in range(concurrency)}
    n = 0
    visits_by_phone: dict[int, list] = {i: [] for i in range(concurrency)}
    while n < photos:
        index = len(jobs) // per_visit % concurrency
        manifest, mine = [], []
        for k in range(per_visit):
            question = photo_questions[0] if (k == 0 and photo_questions) else ""
            photo_id = str(uuid.uuid4())
            digest = hashlib.sha256(unique_photo(base, n)).hexdigest()
            manifest.append({"id": photo_id, "sha256": digest, "question": question})
            mine.append((photo_id, question, n))
            n += 1
        assignment = pool.take(index)
        body = visit_body(assignment, people["version"], answers, manifest)
        status, _, data = setup_phone[index].request(
            "POST", "/api/v1/visits/", body, "application/json"
        )
        if status != 201:
            raise SystemExit(f"could not create a visit for the photos: {status} {data[:300]!r}")
        visit_id = json.loads(data)["id"]
        for photo_id, question, number in mine:
            jobs.append((visit_id, photo_id, question, number))
            visits_by_phone[index].append((visit_id, photo_id, question, number))
    for phone in setup_phone.values():
        phone.close()

    worker = start_celery_worker(
        env, OUT / "ingest_worker.log", name=f"bench-ingest-{os.getpid()}", concurrency=1
    )
    try:
        time.sleep(3)  # the worker connects and drains the visits' own events meanwhile
        queues = {i: list(reversed(v)) for i, v in visits_by_phone.items()}
        lock = threading.Lock()
        received: list[str] = []
        failures: list[str] = []
        phones = [Phone(port, shoppers[i]["token"]) for i in range(concurrency)]

        def upload(index: int, phone: Phone):
            with lock:
                if not queues[index]:
                    return None
                visit_id, photo_id, question, number = queues[index].pop()
            body, content_type = multipart(unique_photo(base, number), question)
            status, elapsed, data = phone.request(
                "PUT", f"/api/v1/visits/{visit_id}/photos/{photo_id}/", body, content_type
            )
            with lock:
                if status == 201:
                    received.append(photo_id)
                elif len(failures) < 5:
                    failures.append(f"{status} {data[:200]!r}")
            return status, elapsed

        log(f"photos: uploading {len(jobs)} × {len(base) / 1e6:.1f} MB at {concurrency} phones")
        started = time.perf_counter()
        # + concurrency: each phone's last call finds its queue empty and spends one unit.
        latencies, statuses, wall = run_slice(
            phones, upload, seconds=600, budget=len(jobs) + concurrency
        )
        for phone in phones:
            phone.close()
        ids = list(received)  # copies are awaited only for the photos the web accepted
        copies_deadline = time.perf_counter() + 600
        done = 0
        while time.perf_counter() < copies_deadline:
            done = Photo.objects.filter(pk__in=ids).exclude(thumb_name="").count()
            if done == len(ids) or worker.poll() is not None:
                break
            time.sleep(0.5)
        copies_wall = time.perf_counter() - started
    finally:
        stop(worker)
    result = stats(latencies, wall, statuses, {201})
    # Measured after the uploads, with the machine as the uploads left it.
    baseline = decode_and_reencode_s(base)
    result.update(
        decode_reencode_ms=round(baseline * 1000, 1),
        p50_per_decode_reencode=(
            round(result["p50_ms"] / (baseline * 1000), 2) if result.get("p50_ms") else None
        ),
        photo_mb=round(len(base) / 1e6, 2),
        pixels=PHOTO_SIDE[0] * PHOTO_SIDE[1],
        concurrency=concurrency,
        mb_per_s=round(result["ok"] * len(base) / 1e6 / wall, 1) if wall else None,
        copies_done=done,
        failures=failures,
        copies_wall_s=round(copies_wall, 2),
        with_copies_per_s=round(done / copies_wall, 2) if copies_wall else None,
    )
    log(
        f"photos: {result['per_s']}/s acknowledged (p50 {result['p50_ms']} ms, p99 "
        f"{result['p99_ms']} ms); copies of {done}/{len(ids)} made after {copies_wall:.1f} s "
        f"→ {result['with_copies_per_s']}/s with copies; one decode + re-encode here "
        f"{result['decode_reencode_ms']} ms (PUT p50 / that: {result['p50_per_decode_reencode']})"
    )
    return result


def load_levels(
    port: int,
    people: dict,
    answers,
    photo_questions,
    *,
    levels: list[int],
    visit_seconds: float,
    config_seconds: float,
    pool: Pool,
    server_pid: int,
) -> dict:
    shoppers = people["shoppers"]
    fake_sha = "0" * 64
    results = {}
    # Warm-up: imports, connection pools, caches in both gunicorn workers.
    warm = [Phone(port, shoppers[i]["token"]) for i in range(4)]
    run_slice(warm, lambda i, p: p.request("GET", "/api/v1/config/")[:2], seconds=3, budget=200)
    for phone in warm:
        phone.close()

    for concurrency in levels:
        phones = [Phone(port, shoppers[i]["token"]) for i in range(concurrency)]

        def submit(index: int, phone: Phone):
            assignment = pool.take(index)
            if assignment is None:
                return None
            photos = [
                {"id": str(uuid.uuid4()), "sha256": fake_sha, "question": q}
                for q in photo_questions
            ]
            body = visit_body(assignment, people["version"], answers, photos)
            status, elapsed, _ = phone.request("POST", "/api/v1/visits/", body, "application/json")
            return status, elapsed

        def ceiling(index: int, phone: Phone):
            status, elapsed, _ = phone.request("GET", "/api/v1/config/")
            return status, elapsed

        collected = {"visit": ([], Counter(), 0.0), "ceiling": ([], Counter(), 0.0)}
        cpu = {kind: Counter() for kind in collected}
        for kind in ("visit", "ceiling", "visit", "ceiling"):
            seconds = visit_seconds if kind == "visit" else config_seconds
            budget = 100_000 if kind == "ceiling" else 20_000
            before = cpu_seconds(server_pid)
            latencies, statuses, wall = run_slice(
                phones, submit if kind == "visit" else ceiling, seconds=seconds, budget=budget
            )
            cpu[kind].update({k: v - before[k] for k, v in cpu_seconds(server_pid).items()})
            lat, st, total = collected[kind]
            collected[kind] = (lat + latencies, st + statuses, total + wall)
        for phone in phones:
            phone.close()
        (v_lat, v_st, v_wall), (c_lat, c_st, c_wall) = collected["visit"], collected["ceiling"]
        visit = stats(v_lat, v_wall, v_st, {201})
        ceil = stats(c_lat, c_wall, c_st, {200})
        for entry, kind in ((visit, "visit"), (ceil, "ceiling")):
            entry["cpu_ms_per_request"] = {
                group: round(1000 * spent / max(1, entry["requests"]), 2)
                for group, spent in cpu[kind].items()
            }
        ratio = round(visit["per_s"] / ceil["per_s"], 3) if ceil["per_s"] else None
        results[str(concurrency)] = {"visit": visit, "ceiling": ceil, "ratio": ratio}
        log(
            f"{concurrency:>2} phones: visits {visit['per_s']}/s p50 {visit['p50_ms']} p95 "
            f"{visit['p95_ms']} p99 {visit['p99_ms']} ms ({visit['errors']} errors) | config "
            f"{ceil['per_s']}/s p99 {ceil['p99_ms']} ms | ratio {ratio} | CPU ms per request: "
            f"visit {_cpu_text(visit)}, config {_cpu_text(ceil)}"
        )
    return results


def _cpu_text(entry: dict) -> str:
    cpu = entry["cpu_ms_per_request"]
    return f"gunicorn {cpu['gunicorn']:.1f} + PostgreSQL {cpu['postgres']:.1f}"


def retry_storm(
    port: int,
    people: dict,
    answers,
    photo_questions,
    *,
    visits: int,
    copies: int,
    groups: int,
    pool: Pool,
) -> dict:
    from audits.models import Answer, Visit, VisitRevision

    shoppers = people["shoppers"]
    fake_sha = "0" * 64
    per_group = [visits // groups + (1 if g < visits % groups else 0) for g in range(groups)]
    # Shoppers not used by the load levels' first phones, so their pools are fresh.
    owners = [SHOPPERS - 1 - g for g in range(groups)]
    plan: list[list[tuple[int, bytes]]] = []
    for g, count in enumerate(per_group):
        bodies = []
        for _ in range(count):
            assignment = pool.take(owners[g])
            if assignment is None:
                raise SystemExit("not enough assignments for the retry storm")
            photos = [
                {"id": str(uuid.uuid4()), "sha256": fake_sha, "question": q}
                for q in photo_questions
            ]
            bodies.append((assignment, visit_body(assignment, people["version"], answers, photos)))
        plan.append(bodies)
    assignments = [a for bodies in plan for a, _ in bodies]

    statuses: Counter = Counter()
    per_visit: dict[int, list[int]] = {}
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + 900

    def group(g: int) -> None:
        phones = [Phone(port, shoppers[owners[g]]["token"]) for _ in range(copies)]
        barrier = threading.Barrier(copies + 1)
        current: list = [None]
        seen: list[tuple[int, float]] = [(0, 0.0)] * copies

        def copy(k: int) -> None:
            while True:
                try:
                    barrier.wait(timeout=120)
                except threading.BrokenBarrierError:
                    return
                if current[0] is None:
                    return
                status, elapsed, _ = phones[k].request(
                    "POST", "/api/v1/visits/", current[0], "application/json"
                )
                seen[k] = (status, elapsed)
                try:
                    barrier.wait(timeout=120)
                except threading.BrokenBarrierError:
                    return

        threads = [threading.Thread(target=copy, args=(k,)) for k in range(copies)]
        for thread in threads:
            thread.start()
        try:
            for assignment, body in plan[g]:
                if time.perf_counter() > deadline:
                    break
                current[0] = body
                barrier.wait(timeout=120)  # release the 5 copies together
                barrier.wait(timeout=REQUEST_TIMEOUT * 2)  # all 5 answered
                with lock:
                    per_visit[assignment] = sorted(s for s, _ in seen)
                    for status, elapsed in seen:
                        statuses[status] += 1
                        latencies.append(elapsed)
        finally:
            current[0] = None
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=5)
            for thread in threads:
                thread.join(timeout=10)
            for phone in phones:
                phone.close()

    log(
        f"retry storm: {visits} visits × {copies} identical POSTs at once, {groups} visits at a time"
    )
    started = time.perf_counter()
    runners = [threading.Thread(target=group, args=(g,)) for g in range(groups)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(timeout=960)
    wall = time.perf_counter() - started
    stored = Visit.objects.filter(assignment_id__in=assignments).count()
    revisions = VisitRevision.objects.filter(visit__assignment_id__in=assignments).count()
    answers_stored = Answer.objects.filter(visit__assignment_id__in=assignments).count()
    patterns = Counter(",".join(map(str, s)) for s in per_visit.values())
    posted = len(per_visit)  # fewer than `visits` only if the 900 s bound cut the storm short
    result = {
        "visits": visits,
        "visits_posted": posted,
        "copies": copies,
        "concurrent_requests": groups * copies,
        "posts": sum(statuses.values()),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "answer_patterns": dict(patterns.most_common(5)),
        "stored_visits": stored,
        "stored_revisions": revisions,
        "stored_answers": answers_stored,
        "answers_per_visit": len(answers),
        "exactly_once": stored == posted
        and revisions == posted
        and answers_stored == posted * len(answers),
        "wall_s": round(wall, 2),
        "visits_per_s": round(stored / wall, 2),
        "posts_per_s": round(sum(statuses.values()) / wall, 2),
        **{
            k: v
            for k, v in stats(latencies, wall, statuses, {200, 201}).items()
            if k in PERCENTILES
        },
    }
    log(
        f"retry storm: {stored} stored of {posted} posted "
        f"({'exactly once' if result['exactly_once'] else 'WRONG'}); "
        f"statuses {result['statuses']}; {result['visits_per_s']} visits/s in {wall:.1f} s"
    )
    return result


def profile_visit_post(people: dict, answers, photo_questions, *, posts: int, pool: Pool) -> dict:
    """Where one visit POST spends its time: queries, database driver time, Python (cProfile)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    shopper = people["shoppers"][SHOPPERS // 2]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {shopper['token']}")
    sql_time = [0.0]

    def timed_sql(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_time[0] += time.perf_counter() - started

    def one() -> tuple[float, int, float, list]:
        assignment = pool.take(SHOPPERS // 2)
        photos = [
            {"id": str(uuid.uuid4()), "sha256": "0" * 64, "question": q} for q in photo_questions
        ]
        body = visit_body(assignment, people["version"], answers, photos)
        sql_time[0] = 0.0
        with CaptureQueriesContext(connection) as queries, connection.execute_wrapper(timed_sql):
            started = time.perf_counter()
            response = client.post("/api/v1/visits/", body, content_type="application/json")
            elapsed = time.perf_counter() - started
        assert response.status_code == 201, response.content[:300]
        return elapsed, len(queries.captured_queries), sql_time[0], queries.captured_queries

    for _ in range(3):
        one()  # warm-up
    timings, counts, sqls = [], [], []
    kinds: Counter = Counter()
    for _ in range(posts):
        elapsed, count, sql, captured = one()
        timings.append(elapsed)
        counts.append(count)
        sqls.append(sql)
        kinds = Counter(q["sql"].split(None, 1)[0].upper() for q in captured)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(min(posts, 20)):
        one()
    profiler.disable()
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(45)
    (OUT / "ingest_profile.txt").write_text(buffer.getvalue())
    top = []
    for (filename, line, name), (_, _, _, cumtime, _) in sorted(
        pstats.Stats(profiler).stats.items(), key=lambda kv: kv[1][3], reverse=True
    ):
        path = str(filename)
        if str(ROOT) in path and ".venv" not in path:
            top.append(
                {
                    "function": f"{Path(path).relative_to(ROOT)}:{line}({name})",
                    "cumulative_ms_per_post": round(cumtime / min(posts, 20) * 1000, 1),
                }
            )
        if len(top) == 15:
            break
    result = {
        "posts": posts,
        "median_ms": round(statistics.median(timings) * 1000, 1),
        "queries": statistics.median(counts),
        "queries_by_kind": dict(kinds),
        "sql_median_ms": round(statistics.median(sqls) * 1000, 1),
        "python_median_ms": round((statistics.median(timings) - statistics.median(sqls)) * 1000, 1),
        "top_project_functions": top,
    }
    log(
        f"profile: one visit POST in-process {result['median_ms']} ms, {result['queries']} queries, "
        f"{result['sql_median_ms']} ms in the database driver; cProfile in bench/out/ingest_profile.txt"
    )
    return result


# --------------------------------------------------------------------------- main


def _print_photos(p: dict) -> None:
    print(
        f"photos ({p['photo_mb']} MB, {p['pixels'] / 1e6:.0f} MP, {p['concurrency']} phones): "
        f"{p['per_s']}/s acknowledged ({p['mb_per_s']} MB/s), p50/p95/p99 "
        f"{p['p50_ms']}/{p['p95_ms']}/{p['p99_ms']} ms; with copies made by 1 worker: "
        f"{p['with_copies_per_s']}/s ({p['copies_done']} of {p['ok']}); Pillow alone decodes "
        f"and re-encodes one in {p.get('decode_reencode_ms')} ms: PUT p50 / that = "
        f"{p.get('p50_per_decode_reencode')} (goal ≤ 2)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--quick", action="store_true", help="short slices, 200-visit storm: 2–4 min"
    )
    parser.add_argument("--levels", default="1,8,32", help="concurrent phones, comma-separated")
    parser.add_argument("--database", default="bench_ingest", help="on 127.0.0.1 only")
    parser.add_argument("--keep", action="store_true", help="leave the database")
    parser.add_argument("--name", default=None, help="results file bench/out/<name>.json")
    args = parser.parse_args()

    quick = args.quick
    levels = [int(x) for x in args.levels.split(",")]
    if max(levels) > SHOPPERS - 8:
        sys.exit(f"at most {SHOPPERS - 8} concurrent phones")
    visit_seconds = 4.0 if quick else 20.0
    config_seconds = 2.0 if quick else 5.0
    storm_visits = 200 if quick else 1000
    photo_count = 20 if quick else 100
    photo_concurrency = 4
    profile_posts = 10 if quick else 30
    name = args.name or ("ingest_quick" if quick else "ingest")

    info = machine()
    log(f"{info['cores']} cores, {info['cpu']}, load {info['loadavg_at_start']}")
    OUT.mkdir(parents=True, exist_ok=True)
    var_dir = OUT / "ingest_var"
    database_url = pg_url(args.database)
    env = ingest_env(database_url, var_dir)
    redis_empty((BROKER_DB, CACHE_DB), flush=False)
    # A stale queue of an interrupted run must not feed this one's worker.
    redis_empty((BROKER_DB, CACHE_DB), flush=True)

    t = time.perf_counter()
    recreate_database(args.database)
    manage("migrate", "--noinput", database_url=database_url, var_dir=var_dir)
    manage("load_checklists", database_url=database_url, var_dir=var_dir)
    setup_in_process(env)
    # Per shopper: every slice of the busiest phone at the fastest rate seen here, with room.
    per_shopper = 600 if quick else 1800
    people = make_people(per_shopper)
    answers, photo_questions = answers_template()
    setup_s = time.perf_counter() - t
    log(
        f"set-up: {setup_s:.1f} s ({SHOPPERS} shoppers × {per_shopper} assignments, {len(answers)} answers per visit)"
    )

    port = free_port()
    server = start_gunicorn(env, port, OUT / "ingest_gunicorn.log")
    pool = Pool(people["shoppers"])
    results: dict = {
        "machine": info,
        "mode": "quick" if quick else "full",
        "server": {
            "gunicorn": f"{GUNICORN_WORKERS} workers × {GUNICORN_THREADS} threads (gthread)",
            "database": f"PostgreSQL on {HOST}:5432, database {args.database}",
            "broker": f"Redis {HOST}:{REDIS_PORT}/{BROKER_DB}",
        },
        "checklist": {
            "code": CHECKLIST,
            "answers": len(answers),
            "photo_questions": photo_questions,
        },
        "setup_s": round(setup_s, 1),
    }
    try:
        with psycopg.connect(pg_dsn(args.database)) as conn:
            results["postgres"] = {
                "version": conn.execute("SHOW server_version").fetchone()[0],
                "shared_buffers": conn.execute("SHOW shared_buffers").fetchone()[0],
                "synchronous_commit": conn.execute("SHOW synchronous_commit").fetchone()[0],
            }
        # One phone first: a PUT's own time, against Pillow's decode + re-encode.
        results["photos_one_phone"] = photo_phase(
            port,
            people,
            answers,
            photo_questions,
            photos=max(5, photo_count // 4),
            concurrency=1,
            env=env,
            pool=pool,
        )
        results["photos"] = photo_phase(
            port,
            people,
            answers,
            photo_questions,
            photos=photo_count,
            concurrency=photo_concurrency,
            env=env,
            pool=pool,
        )
        # The photo phase's kicks; the visits' pile up unread.
        redis_empty((BROKER_DB, CACHE_DB), flush=True)
        results["levels"] = load_levels(
            port,
            people,
            answers,
            photo_questions,
            levels=levels,
            visit_seconds=visit_seconds,
            config_seconds=config_seconds,
            pool=pool,
            server_pid=server.pid,
        )
        results["retry_storm"] = retry_storm(
            port,
            people,
            answers,
            photo_questions,
            visits=storm_visits,
            copies=5,
            groups=8,
            pool=pool,
        )
    finally:
        stop(server)
    results["profile"] = profile_visit_post(
        people, answers, photo_questions, posts=profile_posts, pool=pool
    )
    redis_empty((BROKER_DB, CACHE_DB), flush=True)
    from django.db import connections

    connections.close_all()
    if not args.keep:
        drop_database(args.database)
        shutil.rmtree(var_dir, ignore_errors=True)  # the uploaded photos and their copies
    path = write_results(name, results)

    rows = []
    for level, entry in results["levels"].items():
        v, c = entry["visit"], entry["ceiling"]
        rows.append(
            (
                level,
                f"{v['per_s']:.1f}",
                f"{v['p50_ms']:.0f} / {v['p95_ms']:.0f} / {v['p99_ms']:.0f}",
                str(v["errors"]),
                f"{c['per_s']:.0f}",
                f"{c['p50_ms']:.0f} / {c['p95_ms']:.0f} / {c['p99_ms']:.0f}",
                f"{entry['ratio'] * 100:.1f} %" if entry["ratio"] is not None else "—",
            )
        )
    print()
    print(
        f"== ingest ({results['mode']}) — {info['date']}, {info['cores']} cores, load at start {info['loadavg_at_start']}"
    )
    print(
        f"gunicorn {results['server']['gunicorn']}, PostgreSQL {results['postgres']['version']}, one run\n"
    )
    print(
        table(
            rows,
            (
                "phones",
                "visits/s",
                "visit p50/p95/p99 ms",
                "errors",
                "config/s",
                "config p50/p95/p99 ms",
                "visits/config",
            ),
        )
    )
    print()
    for level, entry in results["levels"].items():
        print(
            f"CPU per request at {level} phones (ms): visit {_cpu_text(entry['visit'])}; "
            f"config {_cpu_text(entry['ceiling'])}"
        )
    for key in ("photos_one_phone", "photos"):
        if key in results:
            _print_photos(results[key])
    s = results["retry_storm"]
    print(
        f"retry storm: {s['visits_posted']} of {s['visits']} visits × {s['copies']} identical POSTs "
        f"→ {s['stored_visits']} stored "
        f"({'exactly once' if s['exactly_once'] else 'NOT exactly once'}); statuses {s['statuses']}; "
        f"{s['visits_per_s']} visits/s, POST p50/p99 {s['p50_ms']}/{s['p99_ms']} ms"
    )
    pr = results["profile"]
    print(
        f"one visit POST in-process: {pr['median_ms']} ms median, {pr['queries']} queries "
        f"({pr['queries_by_kind']}), {pr['sql_median_ms']} ms in the database driver"
    )
    print(f"\nresults: {path.relative_to(ROOT)}")
    if not s["exactly_once"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
