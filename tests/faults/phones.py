"""Phones uploading visits with a photo each to a server under test, and what must hold afterwards.

Each phone is a thread with its own shopper and keep-alive connection
(bench/ingest.py's Phone), and retries as the app does: the same request again
after no answer or a 5xx, until it gets an answer below 500. What the faults
cost the phones is recorded: every unanswered request (status 0) and every 5xx
with its body, so a test can say what a fault must look like from outside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import threading
import time
import uuid

from tests.faults.processes import in_django, ingest, manage

DEADLINE_S = 240

WORLD = """
import json, ingest
people = ingest.make_people({per_phone})
answers, photo_questions = ingest.answers_template()
print(json.dumps({{"people": people, "answers": answers, "photo_questions": photo_questions}}))
"""

# The drain beat runs, as it would once the leases of drains killed midway ran out.
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
    """A small JPEG taken fifty minutes ago; each n gives other bytes."""
    from PIL import Image

    image = Image.effect_noise((640, 480), 40).convert("RGB")
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = (dt.datetime.now() - dt.timedelta(minutes=50)).strftime(
        "%Y:%m:%d %H:%M:%S"
    )
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=80, exif=exif)
    return ingest.unique_photo(buffer.getvalue(), n)


def world_make(env: dict[str, str], *, visits_per_phone: int) -> dict:
    """Migrate the database, load the library, make the shoppers and their assignments."""
    manage(env, "migrate", "--no-input")
    manage(env, "load_checklists")
    return in_django(env, WORLD.format(per_phone=visits_per_phone))


class Phones:
    """`count` phones each uploading `visits_per_phone` visits to the server on `port`."""

    def __init__(self, world: dict, port_of, *, count: int, visits_per_phone: int) -> None:
        self.world, self.port_of = world, port_of
        self.visits_per_phone = visits_per_phone
        self.whole: list[str] = []  # visits stored with their photo, as the phones were told
        self.statuses: list[int] = []  # the answers that ended each phone's retries
        self.unanswered: list[int] = []  # 0 for no answer at all
        self.server_errors: list[tuple[int, bytes]] = []  # every 5xx, with its body
        self._lock = threading.Lock()
        self.threads = [threading.Thread(target=self._upload, args=(i,)) for i in range(count)]

    def start(self) -> None:
        for thread in self.threads:
            thread.start()

    def wait_for(self, whole: int) -> None:
        while len(self.whole) < whole and any(t.is_alive() for t in self.threads):
            time.sleep(0.05)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(timeout=DEADLINE_S)
        assert not any(t.is_alive() for t in self.threads), "a phone never finished"

    def _send(self, phone, method: str, path: str, body: bytes, content_type: str) -> int:
        deadline = time.monotonic() + DEADLINE_S
        while time.monotonic() < deadline:
            status, _, data = phone.request(method, path, body, content_type)
            if status and status < 500:
                return status
            with self._lock:
                self.unanswered.append(status)
                if status:
                    self.server_errors.append((status, data))
            time.sleep(0.2)
        raise AssertionError(f"{method} {path} never answered below 500")

    def _upload(self, index: int) -> None:
        people, answers = self.world["people"], self.world["answers"]
        question = self.world["photo_questions"][0]
        shopper = people["shoppers"][index]
        phone = ingest.Phone(self.port_of(), shopper["token"])
        for number, assignment in enumerate(shopper["assignments"][: self.visits_per_phone]):
            photo = small_photo(index * 100 + number)
            declared = {
                "id": str(uuid.uuid4()),
                "sha256": hashlib.sha256(photo).hexdigest(),
                "question": question,
            }
            body = ingest.visit_body(assignment, people["version"], answers, [declared])
            visit_id = json.loads(body)["id"]
            posted = self._send(phone, "POST", "/api/v1/visits/", body, "application/json")
            upload, content_type = ingest.multipart(photo, question)
            path = f"/api/v1/visits/{visit_id}/photos/{declared['id']}/"
            put = self._send(phone, "PUT", path, upload, content_type)
            with self._lock:
                self.statuses.extend((posted, put))
                self.whole.append(visit_id)
        phone.close()


def assert_every_visit_whole(env: dict[str, str], phones: Phones) -> None:
    """After the drain: each visit once, whole, checked, with its photo and copies; no orphans."""
    in_django(env, DRAIN_AFTER_THE_LEASES)
    outcome = in_django(env, OUTCOME)
    storage = manage(env, "check_storage")

    assert set(phones.statuses) <= {200, 201}, phones.statuses
    assert sorted(outcome["visits"]) == sorted(phones.whole)
    assert len(outcome["answer_counts"]) == 1  # every visit whole, none half-saved
    assert outcome["answer_counts"][0] >= len(phones.world["answers"])
    assert outcome["revisions"] == len(phones.whole)
    assert outcome["photos_waiting"] == 0
    assert outcome["photos_received"] == len(phones.whole)
    assert outcome["unchecked"] == []
    assert outcome["events_left"] == 0
    assert "storage and database agree" in storage, storage
