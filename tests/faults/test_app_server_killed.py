"""Issue 11, fault tests: the app server SIGKILLed while phones upload visits and photos.

gunicorn runs as production runs it (2 worker processes × 4 threads) on its own
throwaway database — a file on SQLite, a fresh database on PostgreSQL, following
the suite's DATABASE_URL — and the embedded default for everything else (files on
disk, tasks in-process). Eight phones upload complete visits with a photo each and
retry exactly as the phone app does: the same body again after a dropped
connection or a 5xx, until a 2xx. While they upload, the whole server (master and
workers) is killed with SIGKILL, twice, and started again.

Afterwards, once the outbox has been drained after the killed processes' leases
ran out (what beat does every minute, or an operator with `drain_outbox`): every visit is stored exactly once and whole, every photo arrived with
its copies, every visit has its review checks, no outbox work is left, and
`check_storage` finds no orphan file and no missing copy.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import threading
import time
import uuid
from pathlib import Path

import pytest

from tests.faults.processes import in_django, ingest, manage

PHONES = 8
VISITS_PER_PHONE = 4
KILLS_AFTER = (6, 18)  # the server is killed once this many visits are whole
DEADLINE_S = 240

pytestmark = pytest.mark.slow


WORLD = """
import json, ingest
people = ingest.make_people({per_phone})
answers, photo_questions = ingest.answers_template()
print(json.dumps({{"people": people, "answers": answers, "photo_questions": photo_questions}}))
"""

# The drain beat runs, as it would once the leases of the killed drains ran out.
DRAIN_AFTER_THE_LEASES = """
import json
from django.utils import timezone
from outbox.services import LEASE, events_drain
later = timezone.now() + LEASE
ran = 0
while batch := events_drain(now=later):
    ran += batch
print(json.dumps({"ran": ran}))
"""

OUTCOME = """
import collections, json
from audits.models import Answer, Photo, Visit, VisitRevision
from outbox.models import Event
visits = list(Visit.objects.values("id", "status", "confidence"))
answers = collections.Counter(Answer.objects.values_list("visit_id", flat=True))
print(json.dumps({
    "visits": [str(v["id"]) for v in visits],
    "answer_counts": sorted({answers[v["id"]] for v in visits}),
    "revisions": VisitRevision.objects.count(),
    "photos_waiting": Photo.objects.filter(received_at__isnull=True).count(),
    "photos_received": Photo.objects.filter(received_at__isnull=False).count(),
    "unchecked": [str(v["id"]) for v in visits if v["confidence"] is None],
    "events_left": Event.objects.filter(done_at__isnull=True).count(),
}))
"""


def small_photo(n: int) -> bytes:
    """A small JPEG taken ten minutes ago; each n gives other bytes."""
    import datetime as dt

    from PIL import Image

    image = Image.effect_noise((640, 480), 40).convert("RGB")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = (dt.datetime.now() - dt.timedelta(minutes=50)).strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return ingest.unique_photo(buffer.getvalue(), n)


class Server:
    """gunicorn on a fixed port, killed and started again on it."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env, self.log_dir = env, log_dir
        self.port = ingest.free_port()
        self.starts = 0
        self.process = self.start()

    def start(self) -> subprocess.Popen:
        self.starts += 1
        return ingest.start_gunicorn(
            self.env, self.port, self.log_dir / f"gunicorn-{self.starts}.log"
        )

    def kill_and_restart(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = self.start()

    def stop(self) -> None:
        ingest.stop(self.process)


def send_until_answered(
    phone, method: str, path: str, body: bytes, content_type: str, *, unanswered: list
) -> int:
    """The phone's retry rule: the same request again after no answer or a 5xx."""
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        status, _, _ = phone.request(method, path, body, content_type)
        if status and status < 500:
            return status
        unanswered.append(status)
        time.sleep(0.2)
    raise AssertionError(f"{method} {path} never answered below 500")


def test_killing_the_app_server_during_uploads_loses_and_duplicates_nothing(env, tmp_path):
    manage(env, "migrate", "--no-input")
    manage(env, "load_checklists")
    world = in_django(env, WORLD.format(per_phone=VISITS_PER_PHONE))
    people, answers = world["people"], world["answers"]
    photo_question = world["photo_questions"][0]
    server = Server(env, tmp_path)
    whole: list[str] = []
    statuses: list[int] = []
    unanswered: list[int] = []  # what the kills cost the phones: no answer (0) or a 5xx
    lock = threading.Lock()

    def phone_uploads(index: int) -> None:
        shopper = people["shoppers"][index]
        phone = ingest.Phone(server.port, shopper["token"])
        for number, assignment in enumerate(shopper["assignments"][:VISITS_PER_PHONE]):
            photo = small_photo(index * 100 + number)
            manifest = [
                {
                    "id": str(uuid.uuid4()),
                    "sha256": hashlib.sha256(photo).hexdigest(),
                    "question": photo_question,
                }
            ]
            body = ingest.visit_body(assignment, people["version"], answers, manifest)
            visit_id = json.loads(body)["id"]
            posted = send_until_answered(
                phone, "POST", "/api/v1/visits/", body, "application/json", unanswered=unanswered
            )
            upload, content_type = ingest.multipart(photo, photo_question)
            put = send_until_answered(
                phone,
                "PUT",
                f"/api/v1/visits/{visit_id}/photos/{manifest[0]['id']}/",
                upload,
                content_type,
                unanswered=unanswered,
            )
            with lock:
                statuses.extend((posted, put))
                whole.append(visit_id)
        phone.close()

    phones = [threading.Thread(target=phone_uploads, args=(i,)) for i in range(PHONES)]
    try:
        for thread in phones:
            thread.start()
        for kill_at in KILLS_AFTER:
            while len(whole) < kill_at and any(t.is_alive() for t in phones):
                time.sleep(0.05)
            server.kill_and_restart()
        for thread in phones:
            thread.join(timeout=DEADLINE_S)
        assert not any(t.is_alive() for t in phones), "a phone never finished"
    finally:
        server.stop()

    in_django(env, DRAIN_AFTER_THE_LEASES)
    outcome = in_django(env, OUTCOME)
    storage = manage(env, "check_storage")

    assert server.starts == 1 + len(KILLS_AFTER)
    assert unanswered, "the kills hit no request: the test proved nothing"
    assert set(statuses) <= {200, 201}, statuses
    assert sorted(outcome["visits"]) == sorted(whole)
    assert len(outcome["answer_counts"]) == 1  # every visit whole, none half-saved
    assert outcome["answer_counts"][0] >= len(answers)
    assert outcome["revisions"] == len(whole)
    assert outcome["photos_waiting"] == 0
    assert outcome["photos_received"] == len(whole)
    assert outcome["unchecked"] == []
    assert outcome["events_left"] == 0
    assert "storage and database agree" in storage, storage
