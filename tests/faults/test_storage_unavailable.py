"""Issue 11, fault tests: S3 (moto's server) going away while phones upload photos.

A photo PUT while the bucket cannot be reached answers 503 in the API's JSON
shape with Retry-After — the phone retries it as it is — and stores nothing: the
photo is not received and the visit waits for it. Once S3 is back, the same
upload succeeds.
"""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from moto.server import ThreadedMotoServer

from audits.models import Photo, Visit
from outbox.models import Event
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.s3 import bucket_client, fake_aws_credentials, storages_on_bucket
from tests.visit_bodies import sha256, visit_body

BUCKET = "audit-photos-faults"


class S3Server:
    """moto's S3 server on a fixed loopback port, stopped and started again on it.

    moto keeps its buckets in this process, so a server started again on the same
    port serves what the stopped one held, as S3 does after an outage.
    """

    def __init__(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, self.port = self.server.get_host_and_port()
        self.endpoint = f"http://{host}:{self.port}"

    def stop(self) -> None:
        self.server.stop()

    def start_again(self) -> None:
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        self.server.start()


@pytest.fixture
def s3(settings):
    with fake_aws_credentials():
        server = S3Server()
        bucket_client(server.endpoint, BUCKET)
        settings.STORAGES = storages_on_bucket(settings, server.endpoint, BUCKET)
        settings.PHOTO_MAX_BYTES = corpus.CORPUS_MAX_BYTES
        settings.PHOTO_MAX_PIXELS = corpus.CORPUS_MAX_PIXELS
        yield server
        server.stop()


@pytest.fixture
def waiting_photo(client_for, alice, east_branch, s3):
    """alice's visit, uploaded, waiting for its one photo: (client, visit id, photo url, bytes)."""
    data = corpus.good_jpeg_without_metadata()
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": "entrance"}
    client = client_for(alice)
    body = visit_body(AssignmentFactory(shopper=alice, branch=east_branch), photos=[photo])
    response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    return client, visit_id, f"/api/v1/visits/{visit_id}/photos/{photo['id']}/", data


def put_photo(client, url: str, data: bytes):
    file = SimpleUploadedFile("shopfront.jpg", data, content_type="image/jpeg")
    return client.put(url, {"file": file}, format="multipart")


def test_a_photo_upload_while_s3_is_down_is_a_json_503_to_retry_later(s3, waiting_photo):
    client, _, url, data = waiting_photo
    s3.stop()

    response = put_photo(client, url, data)

    assert response.status_code == 503
    assert response.json()["code"] == "storage_unavailable"
    assert int(response["Retry-After"]) > 0


def test_a_photo_upload_while_s3_is_down_stores_nothing(s3, waiting_photo):
    client, visit_id, url, data = waiting_photo
    s3.stop()

    put_photo(client, url, data)

    assert not Photo.objects.filter(visit_id=visit_id, received_at__isnull=False).exists()
    assert Visit.objects.get(pk=visit_id).status == Visit.Status.INCOMPLETE
    assert not Event.objects.filter(kind__in=("photo.renditions", "visit.checks")).exists()


def test_the_same_upload_succeeds_once_s3_is_back(s3, waiting_photo):
    client, visit_id, url, data = waiting_photo
    s3.stop()
    put_photo(client, url, data)
    s3.start_again()

    response = put_photo(client, url, data)

    assert response.status_code == 201, response.json()
    assert Visit.objects.get(pk=visit_id).status == Visit.Status.SUBMITTED
