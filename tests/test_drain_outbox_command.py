"""manage.py drain_outbox — finishing the work a crash left after a commit.

The crash is simulated by uploading inside django_capture_on_commit_callbacks
(execute=False): the transaction's writes are there, its after-commit kick never runs.
"""

from __future__ import annotations

import io
import uuid

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils.module_loading import import_string

from audits.models import Photo, Visit
from audits.storage import photo_path, private_storage
from outbox.models import Event
from outbox.services import event_enqueue
from outbox.tasks import outbox_drain_task
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.visit_bodies import sha256, visit_body


def broken(*, key: str, payload: dict | None = None) -> None:
    raise OSError("bucket unreachable")


def drain_outbox(*args: str) -> str:
    out = io.StringIO()
    call_command("drain_outbox", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def crashed_upload(client_for, alice, east_branch, django_capture_on_commit_callbacks):
    """A visit whose one photo arrived, the process killed right after the upload committed."""
    data = corpus.good_jpeg_with_gps()
    photo_id = str(uuid.uuid4())
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    body = visit_body(
        assignment, photos=[{"id": photo_id, "sha256": sha256(data), "question": "entrance"}]
    )
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=False):
        assert client.post("/api/v1/visits/", body, format="json").status_code == 201
        file = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
        response = client.put(
            f"/api/v1/visits/{body['id']}/photos/{photo_id}/", {"file": file}, format="multipart"
        )
        assert response.status_code == 201, response.json()
    return Visit.objects.get(pk=body["id"]), Photo.objects.get(pk=photo_id)


@pytest.mark.django_db
def test_a_crash_after_the_commit_leaves_the_work_recorded(crashed_upload):
    visit, photo = crashed_upload

    assert (visit.status, visit.confidence, photo.thumb_name) == ("submitted", None, "")
    assert set(Event.objects.filter(done_at__isnull=True).values_list("kind", "key")) == {
        ("visit.checks", str(visit.id)),
        ("photo.renditions", str(photo.id)),
    }


@pytest.mark.django_db
def test_it_gives_the_visit_its_checks(crashed_upload):
    visit, _ = crashed_upload

    drain_outbox()

    visit.refresh_from_db()
    assert visit.confidence is not None
    assert "location_far" in {check.code for check in visit.checks.all()}


@pytest.mark.django_db
def test_it_gives_the_photo_its_copies(crashed_upload):
    visit, photo = crashed_upload

    drain_outbox()

    photo.refresh_from_db()
    assert photo.thumb_name == photo_path(visit.id, photo.id, "thumb")
    for kind in ("thumb", "print", "full"):
        assert private_storage().exists(photo_path(visit.id, photo.id, kind))


@pytest.mark.django_db
def test_it_says_how_many_events_it_ran(crashed_upload):
    assert drain_outbox() == "drain_outbox: ran 2 event(s); 0 pending, 0 failing\n"


@pytest.mark.django_db
def test_with_nothing_to_do_it_runs_nothing():
    assert drain_outbox() == "drain_outbox: ran 0 event(s); 0 pending, 0 failing\n"


@pytest.mark.django_db
def test_it_lists_the_events_that_keep_failing(settings):
    settings.OUTBOX_HANDLERS = {"test.broken": "tests.test_drain_outbox_command.broken"}
    with transaction.atomic():
        event_enqueue(kind="test.broken", key="p-1")

    output = drain_outbox()

    assert "ran 1 event(s); 1 pending, 1 failing" in output
    assert "failing: test.broken p-1 (attempt 1, next at " in output
    assert output.rstrip().endswith("OSError: bucket unreachable")


@pytest.mark.django_db
def test_with_loop_it_drains_again_after_each_pause(monkeypatch, crashed_upload):
    visit, _ = crashed_upload
    pauses = []

    def sleep(seconds: float) -> None:
        pauses.append(seconds)
        if len(pauses) == 1:
            # Work enqueued while the loop waits is run by its next pass.
            Visit.objects.filter(pk=visit.pk).update(confidence=None)
            with transaction.atomic():
                event_enqueue(kind="visit.checks", key=str(visit.id))
        else:
            raise KeyboardInterrupt

    monkeypatch.setattr("outbox.management.commands.drain_outbox.time.sleep", sleep)

    drain_outbox("--loop", "5")

    visit.refresh_from_db()
    assert pauses == [5.0, 5.0]
    assert visit.confidence is not None


# --- production wiring ---------------------------------------------------------------------


def test_celery_beat_drains_the_outbox_every_minute():
    entry = django_settings.CELERY_BEAT_SCHEDULE["outbox-drain"]

    assert (entry["task"], entry["schedule"]) == (outbox_drain_task.name, 60.0)


@pytest.mark.parametrize("kind", sorted(django_settings.OUTBOX_HANDLERS))
def test_every_registered_handler_can_be_imported(kind):
    assert callable(import_string(django_settings.OUTBOX_HANDLERS[kind]))
