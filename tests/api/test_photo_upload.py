"""PUT /api/v1/visits/{visit_id}/photos/{photo_id}/ — the phone uploads a declared photo."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from audits.models import Photo, Visit
from audits.storage import photo_path, private_storage
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.visit_bodies import sha256, visit_body

VISITS_URL = "/api/v1/visits/"


def photo_url(visit_id, photo_id) -> str:
    return f"/api/v1/visits/{visit_id}/photos/{photo_id}/"


@pytest.fixture(autouse=True)
def _corpus_limits(settings):
    # The corpus's expected refusal codes hold at these limits.
    settings.PHOTO_MAX_BYTES = corpus.CORPUS_MAX_BYTES
    settings.PHOTO_MAX_PIXELS = corpus.CORPUS_MAX_PIXELS


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


def submit_visit(client, assignment, photos: list[dict]) -> str:
    """Upload a visit whose manifest declares `photos`; returns the visit id."""
    response = client.post(VISITS_URL, visit_body(assignment, photos=photos), format="json")
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def declare(data: bytes, question: str = "entrance") -> dict:
    return {"id": str(uuid.uuid4()), "sha256": sha256(data), "question": question}


def upload(client, visit_id, photo_id, data: bytes, *, name: str = "photo.jpg", **fields):
    # The claimed content type is always image/jpeg: only the bytes may decide.
    file = SimpleUploadedFile(name, data, content_type="image/jpeg")
    return client.put(photo_url(visit_id, photo_id), {"file": file, **fields}, format="multipart")


def nothing_stored(visit_id) -> bool:
    return not private_storage().exists(f"visits/{visit_id}")


def test_it_receives_a_declared_photo_and_describes_it(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, name="shopfront.jpg")

    assert response.status_code == 201, response.json()
    body = response.json()["photo"]
    assert body["id"] == photo["id"]
    assert body["question"] == "entrance"
    assert body["received"] is True
    assert body["content_type"] == "image/jpeg"
    # As a person sees it: the EXIF orientation (6) turns the 640x480 sensor image upright.
    assert (body["width"], body["height"]) == (480, 640)
    assert dt.datetime.fromisoformat(body["taken_at"]) == corpus.TAKEN_AT


def test_it_keeps_the_capture_time_and_gps_from_exif_in_the_database(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    upload(client_for(alice), visit_id, photo["id"], data)

    stored = Photo.objects.get(pk=photo["id"])
    assert stored.taken_at == corpus.TAKEN_AT
    assert stored.gps_lat == pytest.approx(corpus.GPS_LAT, abs=1e-5)
    assert stored.gps_lng == pytest.approx(corpus.GPS_LNG, abs=1e-5)
    assert stored.size_bytes == len(data)
    assert len(stored.phash) == 16


def test_it_stores_the_original_bytes_privately_under_a_deterministic_name(
    client_for, alice, assignment
):
    data = corpus.good_png_with_alpha()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    upload(client_for(alice), visit_id, photo["id"], data, name="shelf.png")

    stored = Photo.objects.get(pk=photo["id"])
    assert stored.original_name == photo_path(visit_id, photo["id"], "original", ext="png")
    with private_storage().open(stored.original_name, "rb") as original:
        assert original.read() == data


@pytest.mark.parametrize(
    ("name", "make", "content_type", "size"),
    corpus.GOOD_PHOTOS,
    ids=[p[0] for p in corpus.GOOD_PHOTOS],
)
def test_it_accepts_every_good_format(
    client_for, alice, assignment, name, make, content_type, size
):
    data = make()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, name=name)

    assert response.status_code == 201, response.json()
    body = response.json()["photo"]
    assert body["content_type"] == content_type
    assert (body["width"], body["height"]) == size


@pytest.mark.skipif(not corpus.can_write_heic(), reason="no HEIC encoder in this environment")
def test_it_accepts_an_iphone_heic_photo(client_for, alice, assignment):
    data = corpus.good_heic()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, name="IMG_0001.HEIC")

    assert response.status_code == 201, response.json()
    assert response.json()["photo"]["content_type"] == "image/heic"
    assert Photo.objects.get(pk=photo["id"]).original_name.endswith("/original.heic")


@pytest.mark.parametrize(
    ("name", "make", "code"), corpus.BAD_PHOTOS, ids=[p[0] for p in corpus.BAD_PHOTOS]
)
def test_it_refuses_every_bad_photo_by_its_content_and_stores_nothing(
    client_for, alice, assignment, name, make, code
):
    data = make()
    photo = declare(data)  # declared honestly: the refusal is about the content
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, name=name)

    assert response.status_code == (413 if code == "too_large" else 400), response.json()
    body = response.json()
    assert body["code"] == code
    assert body["errors"]["file"]
    assert not Photo.objects.get(pk=photo["id"]).received
    assert nothing_stored(visit_id)


def test_the_visit_is_submitted_only_once_every_declared_photo_has_arrived(
    client_for, alice, assignment
):
    entrance, counter = corpus.good_jpeg_with_gps(), corpus.good_webp()
    first, second = declare(entrance), declare(counter, question="")
    visit_id = submit_visit(client_for(alice), assignment, [first, second])

    response = upload(client_for(alice), visit_id, first["id"], entrance)
    visit = response.json()["visit"]
    assert visit["status"] == "incomplete"
    assert visit["photos"]["missing"] == [second["id"]]
    assert visit["photos"]["received"] == 1

    response = upload(client_for(alice), visit_id, second["id"], counter)
    visit = response.json()["visit"]
    assert visit["status"] == "submitted"
    assert visit["photos"]["missing"] == []
    assert Visit.objects.get(pk=visit_id).submitted_at is not None


def test_it_refuses_bytes_that_do_not_hash_to_the_declared_sha256(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])
    damaged = data[:-100] + bytes(100)

    response = upload(client_for(alice), visit_id, photo["id"], damaged)

    assert response.status_code == 400
    [problem] = response.json()["errors"]["file"]
    assert problem == f"sha256 mismatch: declared {sha256(data)}, received {sha256(damaged)}."
    assert not Photo.objects.get(pk=photo["id"]).received
    assert Visit.objects.get(pk=visit_id).status == Visit.Status.INCOMPLETE
    assert nothing_stored(visit_id)


def test_damaged_bytes_answer_with_the_sha256_mismatch_code(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data[:-100] + bytes(100))

    assert response.status_code == 400
    assert response.json()["code"] == "sha256_mismatch"


def test_a_retried_upload_with_the_same_bytes_returns_the_stored_photo(
    client_for, alice, assignment
):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])
    first = upload(client_for(alice), visit_id, photo["id"], data)
    received_at = Photo.objects.get(pk=photo["id"]).received_at

    again = upload(client_for(alice), visit_id, photo["id"], data)

    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["photo"] == first.json()["photo"]
    assert Photo.objects.get(pk=photo["id"]).received_at == received_at


def test_different_bytes_for_a_photo_already_received_are_a_conflict(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])
    upload(client_for(alice), visit_id, photo["id"], data)

    response = upload(client_for(alice), visit_id, photo["id"], corpus.good_webp())

    assert response.status_code == 409
    assert response.json()["code"] == "different_photo"
    with private_storage().open(Photo.objects.get(pk=photo["id"]).original_name, "rb") as original:
        assert original.read() == data


def test_it_refuses_a_photo_not_declared_in_the_visit_with_404(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    visit_id = submit_visit(client_for(alice), assignment, [declare(data)])
    undeclared = uuid.uuid4()

    response = upload(client_for(alice), visit_id, undeclared, data)

    assert response.status_code == 404
    body = response.json()
    assert body["code"] == "photo_not_declared"
    assert str(undeclared) in body["detail"]
    assert not Photo.objects.filter(pk=undeclared).exists()
    assert nothing_stored(visit_id)


def test_it_refuses_a_photo_declared_in_another_visit_of_the_same_shopper(
    client_for, alice, east_branch
):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    submit_visit(client_for(alice), AssignmentFactory(shopper=alice, branch=east_branch), [photo])
    other_visit = submit_visit(
        client_for(alice), AssignmentFactory(shopper=alice, branch=east_branch), [declare(b"other")]
    )

    response = upload(client_for(alice), other_visit, photo["id"], data)

    assert response.status_code == 404
    assert response.json()["code"] == "photo_not_declared"


def test_it_refuses_a_question_other_than_the_declared_one(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data, question="entrance")
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, question="clean")

    assert response.status_code == 400
    assert "entrance" in response.json()["errors"]["question"][0]
    assert not Photo.objects.get(pk=photo["id"]).received


def test_a_question_fills_the_manifest_when_none_was_declared(client_for, alice, assignment):
    entrance, extra = corpus.good_jpeg_with_gps(), corpus.good_webp()
    extra_photo = declare(extra, question="")
    visit_id = submit_visit(client_for(alice), assignment, [declare(entrance), extra_photo])

    response = upload(client_for(alice), visit_id, extra_photo["id"], extra, question="clean")

    assert response.status_code == 201, response.json()
    assert response.json()["photo"]["question"] == "clean"
    assert Photo.objects.get(pk=extra_photo["id"]).item_code == "clean"


def test_a_question_not_in_the_visits_checklist_is_refused(client_for, alice, assignment):
    entrance, extra = corpus.good_jpeg_with_gps(), corpus.good_webp()
    extra_photo = declare(extra, question="")
    visit_id = submit_visit(client_for(alice), assignment, [declare(entrance), extra_photo])

    response = upload(
        client_for(alice), visit_id, extra_photo["id"], extra, question="no-such-question"
    )

    assert response.status_code == 400
    assert "no-such-question" in response.json()["errors"]["question"][0]


def test_the_exif_capture_time_wins_over_the_phones_taken_at(client_for, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    upload(client_for(alice), visit_id, photo["id"], data, taken_at="2025-01-01T10:00:00+08:00")

    assert Photo.objects.get(pk=photo["id"]).taken_at == corpus.TAKEN_AT


def test_the_phones_taken_at_is_kept_when_the_file_has_no_capture_time(
    client_for, alice, assignment
):
    data = corpus.good_jpeg_without_metadata()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    upload(client_for(alice), visit_id, photo["id"], data, taken_at="2025-01-01T10:00:00+08:00")

    stored = Photo.objects.get(pk=photo["id"])
    assert stored.taken_at == dt.datetime(2025, 1, 1, 2, 0, tzinfo=dt.UTC)
    assert (stored.gps_lat, stored.gps_lng) == (None, None)


def test_the_served_copies_are_made_once_the_upload_commits(
    client_for, alice, assignment, django_capture_on_commit_callbacks
):
    data = corpus.good_jpeg_with_gps()
    photo, pending = declare(data), declare(b"still on the phone", question="")
    visit_id = submit_visit(client_for(alice), assignment, [photo, pending])

    with django_capture_on_commit_callbacks(execute=True):
        upload(client_for(alice), visit_id, photo["id"], data)

    stored = Photo.objects.get(pk=photo["id"])
    assert stored.thumb_name == photo_path(visit_id, photo["id"], "thumb")
    assert stored.print_name == photo_path(visit_id, photo["id"], "print")
    for kind in ("thumb", "print", "full"):
        assert private_storage().exists(photo_path(visit_id, photo["id"], kind))


@pytest.mark.parametrize("persona", ["erin", "rita"])
def test_people_who_may_see_the_visit_but_did_not_make_it_may_not_upload(
    client_for, alice, assignment, persona, request
):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(request.getfixturevalue(persona)), visit_id, photo["id"], data)

    assert response.status_code == 403
    assert nothing_stored(visit_id)


def test_another_shopper_is_told_the_visit_does_not_exist(client_for, alice, bob, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(bob), visit_id, photo["id"], data)

    assert response.status_code == 404
    assert nothing_stored(visit_id)


def test_an_anonymous_upload_is_refused_with_401(client_for, anon, alice, assignment):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(anon, visit_id, photo["id"], data)

    assert response.status_code == 401
    assert nothing_stored(visit_id)


def test_a_photo_required_item_counts_as_unanswered_until_a_photo_is_declared(
    client_for, alice, assignment
):
    # Enforced by the visit upload (POST /api/v1/visits/); shown here with the photo rules.
    response = client_for(alice).post(VISITS_URL, visit_body(assignment, photos=[]), format="json")

    assert response.status_code == 400
    assert any("'entrance'" in problem for problem in response.json()["errors"]["photos"])
    assert not Visit.objects.exists()


def test_an_original_left_by_a_failed_attempt_is_overwritten_not_duplicated(
    client_for, alice, assignment
):
    data = corpus.good_jpeg_with_gps()
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])
    name = photo_path(visit_id, photo["id"], "original")
    private_storage().save(name, ContentFile(b"written before the transaction failed"))

    upload(client_for(alice), visit_id, photo["id"], data)

    assert Photo.objects.get(pk=photo["id"]).original_name == name
    _, files = private_storage().listdir(f"visits/{visit_id}/photos/{photo['id']}")
    assert files == ["original.jpg"]
    with private_storage().open(name, "rb") as original:
        assert original.read() == data


def test_a_small_png_that_would_decode_past_the_memory_budget_is_refused_on_the_file_field(
    settings, client_for, alice, assignment
):
    settings.PHOTO_MAX_DECODED_MB = 10
    # 2000x2000 RGBA: kilobytes on the wire, 16 MB of pixels.
    data = corpus.encode(Image.new("RGBA", (2000, 2000), (10, 20, 30, 255)), "PNG")
    photo = declare(data)
    visit_id = submit_visit(client_for(alice), assignment, [photo])

    response = upload(client_for(alice), visit_id, photo["id"], data, name="flat.png")

    assert response.status_code == 400
    assert response.json()["code"] == "too_many_pixels"
    assert "16.0 MB" in response.json()["errors"]["file"][0]
    assert nothing_stored(visit_id)
