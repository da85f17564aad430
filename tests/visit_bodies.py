"""Visit upload bodies for tests: a valid one for tests.factories.small_checklist, to vary."""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

from django.utils import timezone


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def visit_body(assignment, *, photo_bytes: bytes = b"photo", **overrides) -> dict:
    """A complete, valid visit body for `assignment` (built on small_checklist)."""
    started = timezone.now() - dt.timedelta(hours=1)
    body = {
        "id": str(uuid.uuid4()),
        "assignment": assignment.pk,
        "checklist_version": assignment.checklist_version_id,
        "started_at": started.isoformat(),
        "ended_at": (started + dt.timedelta(minutes=20)).isoformat(),
        "location": {"lat": 31.2304, "lng": 121.4737, "accuracy_m": 12},
        "answers": [
            {"question": "greet", "value": True},
            {"question": "attitude", "value": 4},
            {"question": "wait", "value": 25},
            {"question": "clean", "value": 6},
            {"question": "resolved", "value": "follow_up"},
            {"question": "remark", "value": "Friendly but slow."},
        ],
        "comment": "Busy Saturday morning.",
        "photos": [
            {"id": str(uuid.uuid4()), "sha256": sha256(photo_bytes), "question": "entrance"}
        ],
    }
    body.update(overrides)
    return body


def receive_photos(visit, *, taken_at=None, phash=None) -> None:
    """Mark every declared photo of `visit` as arrived, as the photo upload does.

    For tests of what happens after the photos are in (review, checks); the
    photo upload itself is tested in tests/api/test_photo_upload.py.
    """
    from audits.services.visits import visit_status_refresh

    for photo in visit.photos.filter(received_at__isnull=True):
        photo.received_at = timezone.now()
        photo.taken_at = taken_at or visit.started_at + dt.timedelta(minutes=5)
        photo.phash = phash or uuid.uuid4().hex[:16]
        photo.save()
    visit_status_refresh(visit=visit)
