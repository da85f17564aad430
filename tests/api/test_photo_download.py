"""GET /api/v1/visits/{visit_id}/photos/{photo_id}/?size= — a metadata-free copy of a photo."""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audits.models import Photo
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.visit_bodies import sha256, visit_body

MAX_SIDES = {"thumb": 320, "print": 800, "full": 4000}


@pytest.fixture(autouse=True)
def _corpus_limits(settings):
    settings.PHOTO_MAX_BYTES = corpus.CORPUS_MAX_BYTES
    settings.PHOTO_MAX_PIXELS = corpus.CORPUS_MAX_PIXELS


def photo_url(visit_id, photo_id, size: str | None = None) -> str:
    url = f"/api/v1/visits/{visit_id}/photos/{photo_id}/"
    return f"{url}?size={size}" if size else url


def received_photo(
    client, assignment, data: bytes, *, name: str = "shopfront.jpg"
) -> tuple[str, str]:
    """A visit whose one declared photo has been uploaded; returns (visit id, photo id)."""
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": "entrance"}
    response = client.post("/api/v1/visits/", visit_body(assignment, photos=[photo]), format="json")
    assert response.status_code == 201, response.json()
    visit_id = response.json()["id"]
    file = SimpleUploadedFile(name, data, content_type="application/octet-stream")
    response = client.put(photo_url(visit_id, photo["id"]), {"file": file}, format="multipart")
    assert response.status_code == 201, response.json()
    return visit_id, photo["id"]


def served(response) -> bytes:
    # Reading the stream to its end also closes the file (the test client wraps it).
    return b"".join(response.streaming_content)


@pytest.fixture
def alices_photo(client_for, alice, east_branch):
    """alice's photo of an East branch, taken with GPS, an identity and orientation 6."""
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    return received_photo(client_for(alice), assignment, corpus.good_jpeg_with_gps())


@pytest.mark.parametrize("size", ["thumb", "print", "full"])
def test_the_shopper_gets_a_jpeg_that_only_their_browser_may_cache(
    client_for, alice, alices_photo, size
):
    response = client_for(alice).get(photo_url(*alices_photo, size))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "private, max-age=300"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert Image.open(io.BytesIO(served(response))).format == "JPEG"


@pytest.mark.parametrize("size", ["thumb", "print", "full"])
def test_no_served_copy_carries_exif_gps_or_identity(client_for, alice, alices_photo, size):
    image = Image.open(io.BytesIO(served(client_for(alice).get(photo_url(*alices_photo, size)))))

    assert dict(image.getexif()) == {}  # no Make, Model, Artist, GPS IFD or orientation
    assert "exif" not in image.info
    assert "xmp" not in image.info
    assert "comment" not in image.info


@pytest.mark.parametrize("size", ["thumb", "print", "full"])
def test_every_served_copy_is_upright_and_within_its_size(client_for, alice, alices_photo, size):
    image = Image.open(io.BytesIO(served(client_for(alice).get(photo_url(*alices_photo, size)))))

    # Stored 640x480 with orientation 6: shown portrait, and never enlarged.
    assert image.height > image.width
    assert max(image.size) == min(640, MAX_SIDES[size])


def test_the_database_keeps_the_capture_time_and_gps_the_copies_drop(alices_photo):
    photo = Photo.objects.get(pk=alices_photo[1])

    assert photo.taken_at == corpus.TAKEN_AT
    assert photo.gps_lat == pytest.approx(corpus.GPS_LAT, abs=1e-5)
    assert photo.gps_lng == pytest.approx(corpus.GPS_LNG, abs=1e-5)


def test_without_a_size_it_serves_the_full_copy_never_the_original(client_for, alice, alices_photo):
    data = served(client_for(alice).get(photo_url(*alices_photo)))

    assert data != corpus.good_jpeg_with_gps()
    assert Image.open(io.BytesIO(data)).size == (480, 640)


def test_a_png_is_served_as_a_jpeg(client_for, alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    visit_id, photo_id = received_photo(
        client_for(alice), assignment, corpus.good_png_with_alpha(), name="shelf.png"
    )

    response = client_for(alice).get(photo_url(visit_id, photo_id, "thumb"))

    assert response["Content-Type"] == "image/jpeg"
    assert Image.open(io.BytesIO(served(response))).format == "JPEG"


def test_copies_not_made_yet_are_made_on_request(client_for, alice, alices_photo):
    # The test's transaction never commits, so the upload's on-commit task has not run.
    assert Photo.objects.get(pk=alices_photo[1]).thumb_name == ""

    response = client_for(alice).get(photo_url(*alices_photo, "thumb"))

    assert response.status_code == 200
    assert max(Image.open(io.BytesIO(served(response))).size) == 320
    assert Photo.objects.get(pk=alices_photo[1]).thumb_name != ""


def test_an_unknown_size_is_refused(client_for, alice, alices_photo):
    response = client_for(alice).get(photo_url(*alices_photo, "original"))

    assert response.status_code == 400
    assert "size" in response.json()["errors"]


def test_a_photo_not_uploaded_yet_is_not_found(client_for, alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    photo = {"id": str(uuid.uuid4()), "sha256": sha256(b"later"), "question": "entrance"}
    visit_id = (
        client_for(alice)
        .post("/api/v1/visits/", visit_body(assignment, photos=[photo]), format="json")
        .json()["id"]
    )

    response = client_for(alice).get(photo_url(visit_id, photo["id"], "thumb"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_received"


def test_an_image_only_accept_header_still_gets_the_photo(client_for, alice, alices_photo):
    response = client_for(alice).get(
        photo_url(*alices_photo, "thumb"), HTTP_ACCEPT="image/avif,image/webp"
    )

    assert response.status_code == 200
    served(response)


@pytest.mark.parametrize("persona", ["erin", "rita", "hank"])
def test_the_branchs_regional_manager_reviewers_and_head_office_may_see_it(
    client_for, alices_photo, persona, request
):
    response = client_for(request.getfixturevalue(persona)).get(photo_url(*alices_photo, "thumb"))

    assert response.status_code == 200
    served(response)


@pytest.mark.parametrize("persona", ["bob", "wes"])
def test_another_shopper_and_another_regions_manager_are_told_it_does_not_exist(
    client_for, alices_photo, persona, request
):
    response = client_for(request.getfixturevalue(persona)).get(photo_url(*alices_photo, "thumb"))

    assert response.status_code == 404


def test_anonymous_requests_are_refused_with_401(anon, alices_photo):
    assert anon.get(photo_url(*alices_photo, "thumb")).status_code == 401
