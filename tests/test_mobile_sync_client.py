"""mobile/sync_client.py — the reference upload protocol over a connection that drops."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import uuid

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from audits.models import Photo, Visit
from mobile.sync_client import NetworkError, OutboxPhoto, Reply, SyncClient, new_visit
from tests.factories import AssignmentFactory
from tests.photo_corpus import good_jpeg_with_gps


class DjangoTransport:
    """Sends requests through Django's test client, as the phone sends them over HTTP."""

    def __init__(self, client: APIClient):
        self.client = client

    def send_json(self, method: str, path: str, body: dict | None) -> Reply:
        response = getattr(self.client, method.lower())(path, body, format="json")
        return Reply(response.status_code, response.json() if response.content else {})

    def send_file(self, path: str, filename: str, data: bytes, fields: dict) -> Reply:
        upload = io.BytesIO(data)
        upload.name = filename
        response = self.client.put(path, {"file": upload, **fields}, format="multipart")
        return Reply(response.status_code, response.json())


class FlakyTransport:
    """Loses the response of every other request, after the server has handled it."""

    def __init__(self, inner: DjangoTransport):
        self.inner = inner
        self.calls = 0

    def _maybe_drop(self, reply: Reply) -> Reply:
        self.calls += 1
        if self.calls % 2 == 1:
            raise NetworkError("connection reset while reading the response")
        return reply

    def send_json(self, method, path, body):
        return self._maybe_drop(self.inner.send_json(method, path, body))

    def send_file(self, path, filename, data, fields):
        return self._maybe_drop(self.inner.send_file(path, filename, data, fields))


@pytest.fixture
def transport(client_for, alice):
    token_client = client_for(alice)
    return DjangoTransport(token_client)


@pytest.fixture
def outbox_visit(alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    started = timezone.now() - dt.timedelta(hours=2)
    photo = OutboxPhoto(id=str(uuid.uuid4()), data=good_jpeg_with_gps(), question="entrance")
    return new_visit(
        assignment=assignment.pk, checklist_version=assignment.checklist_version_id,
        started_at=started.isoformat(), ended_at=(started + dt.timedelta(minutes=15)).isoformat(),
        answers=[
            {"question": "greet", "value": True}, {"question": "attitude", "value": 5},
            {"question": "wait", "value": 8}, {"question": "clean", "value": 5},
            {"question": "resolved", "value": "on_the_spot"},
        ],
        photos=[photo], location={"lat": 31.2304, "lng": 121.4737, "accuracy_m": 10},
    )


def test_a_visit_is_pushed_until_submitted(transport, outbox_visit, settings):
    settings.PHOTO_MAX_BYTES = 5_000_000
    pushed = SyncClient(transport, sleep=lambda s: None).push(outbox_visit)
    assert pushed.status == "submitted"


def test_lost_responses_never_duplicate_anything(transport, outbox_visit):
    flaky = FlakyTransport(transport)
    pushed = SyncClient(flaky, sleep=lambda s: None).push(outbox_visit)
    assert pushed.status == "submitted"
    assert Visit.objects.count() == 1
    assert Photo.objects.filter(received_at__isnull=False).count() == 1
    assert flaky.calls > 3  # the drops really happened and were retried


def test_the_declared_hash_is_the_uploaded_files_hash(outbox_visit):
    declared = outbox_visit.body["photos"][0]["sha256"]
    assert declared == hashlib.sha256(outbox_visit.photos[0].data).hexdigest()


def test_a_refused_visit_keeps_the_servers_reasons(transport, outbox_visit):
    outbox_visit.body["answers"][1]["value"] = 9
    pushed = SyncClient(transport, sleep=lambda s: None).push(outbox_visit)
    assert pushed.status == "refused"
    assert "answers[1].value" in pushed.errors["errors"]


def test_it_gives_up_after_repeated_network_failures(outbox_visit):
    class Down:
        def send_json(self, *args):
            raise NetworkError("no signal")

    with pytest.raises(NetworkError):
        SyncClient(Down(), attempts=3, sleep=lambda s: None).push(outbox_visit)
