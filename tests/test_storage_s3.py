"""Photos on a private S3 bucket, against moto's real S3 server on loopback.

Nothing is mocked: django-storages talks HTTP to the server through boto3, and
the signed URLs the API hands out are fetched with urllib, as a browser would.
"""

from __future__ import annotations

import io
import time
import urllib.error
import urllib.request
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from moto.server import ThreadedMotoServer
from PIL import Image
from storages.backends.s3 import S3Storage

from audits.models import Photo
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.s3 import bucket_client, fake_aws_credentials, storages_on_bucket
from tests.visit_bodies import sha256, visit_body

BUCKET = "audit-photos-test"
EXPIRE_SECONDS = 60


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free loopback port, with fake credentials in the environment."""
    with fake_aws_credentials():
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def s3_client(s3_endpoint):
    return bucket_client(s3_endpoint, BUCKET)


@pytest.fixture(autouse=True)
def _photos_on_s3(settings, s3_endpoint, s3_client):
    settings.PHOTO_MAX_BYTES = corpus.CORPUS_MAX_BYTES
    settings.PHOTO_MAX_PIXELS = corpus.CORPUS_MAX_PIXELS
    settings.STORAGES = storages_on_bucket(
        settings, s3_endpoint, BUCKET, querystring_expire=EXPIRE_SECONDS
    )


@pytest.fixture
def uploaded(client_for, alice, east_branch):
    """alice's visit with one photo (GPS, identity, orientation 6) uploaded; (visit id, photo id)."""
    data = corpus.good_jpeg_with_gps()
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": "entrance"}
    client = client_for(alice)
    body = visit_body(AssignmentFactory(shopper=alice, branch=east_branch), photos=[photo])
    response = client.post("/api/v1/visits/", body, format="json")
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    file = SimpleUploadedFile("shopfront.jpg", data, content_type="image/jpeg")
    response = client.put(
        f"/api/v1/visits/{visit_id}/photos/{photo['id']}/", {"file": file}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    return visit_id, photo["id"]


def keys_under(s3_client, prefix: str) -> set[str]:
    listing = s3_client.list_objects_v2(Bucket=BUCKET, Prefix=prefix)
    return {entry["Key"] for entry in listing.get("Contents", [])}


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 — our loopback server
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def signed_url(client, visit_id, photo_id, size: str) -> str:
    response = client.get(f"/api/v1/visits/{visit_id}/photos/{photo_id}/?size={size}")
    assert response.status_code == 302, response.content
    return response["Location"]


def test_the_default_storage_is_the_bucket_in_these_tests():
    assert isinstance(default_storage, S3Storage)
    assert default_storage.bucket_name == BUCKET


def test_an_uploaded_photo_lands_in_the_bucket(s3_client, uploaded):
    visit_id, photo_id = uploaded

    prefix = f"visits/{visit_id}/photos/{photo_id}/"
    assert f"{prefix}original.jpg" in keys_under(s3_client, prefix)
    stored = s3_client.get_object(Bucket=BUCKET, Key=f"{prefix}original.jpg")["Body"].read()
    assert stored == corpus.good_jpeg_with_gps()


def test_the_stored_objects_are_not_readable_without_a_signature(s3_endpoint, uploaded):
    visit_id, photo_id = uploaded
    original = Photo.objects.get(pk=photo_id).original_name

    status, _ = fetch(f"{s3_endpoint}/{BUCKET}/{original}")

    assert status == 403


def test_the_download_redirects_to_a_signed_url_that_serves_the_jpeg(client_for, alice, uploaded):
    url = signed_url(client_for(alice), *uploaded, "print")

    status, data = fetch(url)

    assert status == 200
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_the_signed_url_expires_after_the_configured_seconds(
    client_for, alice, s3_endpoint, uploaded
):
    before = time.time()
    url = signed_url(client_for(alice), *uploaded, "thumb")
    after = time.time()

    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == s3_endpoint
    query = parse_qs(parts.query)
    if "X-Amz-Expires" in query:  # SigV4: seconds from X-Amz-Date
        assert query["X-Amz-Expires"] == [str(EXPIRE_SECONDS)]
    else:  # SigV2, botocore's default for us-east-1: an absolute Unix time
        assert (
            int(before) + EXPIRE_SECONDS <= int(query["Expires"][0]) <= int(after) + EXPIRE_SECONDS
        )


def test_with_sigv4_the_signed_url_says_its_lifetime_and_still_serves_the_jpeg(
    client_for, alice, settings, uploaded
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            **settings.STORAGES["default"],
            "OPTIONS": {**settings.STORAGES["default"]["OPTIONS"], "signature_version": "s3v4"},
        },
    }
    url = signed_url(client_for(alice), *uploaded, "thumb")

    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Expires"] == [str(EXPIRE_SECONDS)]
    status, data = fetch(url)
    assert status == 200
    assert Image.open(io.BytesIO(data)).format == "JPEG"


def test_the_redirect_itself_is_never_cached(client_for, alice, uploaded):
    visit_id, photo_id = uploaded

    response = client_for(alice).get(f"/api/v1/visits/{visit_id}/photos/{photo_id}/?size=thumb")

    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("size", ["thumb", "print", "full"])
def test_the_copy_behind_the_signed_url_has_no_exif_gps(client_for, alice, uploaded, size):
    _, data = fetch(signed_url(client_for(alice), *uploaded, size))

    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {}
    assert image.height > image.width  # upright: orientation applied, not recorded


def test_the_copies_are_made_in_the_bucket_next_to_the_original(
    client_for, alice, s3_client, uploaded
):
    visit_id, photo_id = uploaded
    signed_url(client_for(alice), visit_id, photo_id, "thumb")  # made on request if not yet

    prefix = f"visits/{visit_id}/photos/{photo_id}/"
    assert keys_under(s3_client, prefix) == {
        f"{prefix}{kind}" for kind in ("original.jpg", "thumb.jpg", "print.jpg", "full.jpg")
    }


def test_a_regional_manager_of_another_region_gets_no_signed_url(client_for, wes, uploaded):
    visit_id, photo_id = uploaded

    response = client_for(wes).get(f"/api/v1/visits/{visit_id}/photos/{photo_id}/?size=thumb")

    assert response.status_code == 404


def test_check_storage_lists_the_bucket_and_finds_an_orphan(s3_client, uploaded):
    visit_id, photo_id = uploaded
    orphan = f"visits/{visit_id}/photos/{uuid.uuid4()}/original.jpg"
    s3_client.put_object(Bucket=BUCKET, Key=orphan, Body=b"left behind")
    out = io.StringIO()

    call_command("check_storage", stdout=out)

    assert f"  orphan: {orphan}\n" in out.getvalue()
    assert f"/photos/{photo_id}/original.jpg\n" not in out.getvalue()
