"""manage.py check_storage — do the photo rows and the files in storage agree?"""

from __future__ import annotations

import io
import uuid

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from audits.models import Photo, Visit
from audits.storage import photo_path, private_storage
from tests import photo_corpus as corpus
from tests.factories import AssignmentFactory
from tests.visit_bodies import sha256, visit_body

pytestmark = pytest.mark.django_db


def check_storage(*args: str) -> str:
    out = io.StringIO()
    call_command("check_storage", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def photo(client_for, alice, east_branch, django_capture_on_commit_callbacks) -> Photo:
    """A received photo with its original and its three copies in storage."""
    data = corpus.good_jpeg_with_gps()
    photo_id = str(uuid.uuid4())
    extra = {"id": str(uuid.uuid4()), "sha256": sha256(b"still on the phone"), "question": ""}
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    body = visit_body(
        assignment,
        photos=[{"id": photo_id, "sha256": sha256(data), "question": "entrance"}, extra],
    )
    client = client_for(alice)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/api/v1/visits/", body, format="json").status_code == 201
        file = SimpleUploadedFile("photo.jpg", data, content_type="image/jpeg")
        response = client.put(
            f"/api/v1/visits/{body['id']}/photos/{photo_id}/", {"file": file}, format="multipart"
        )
        assert response.status_code == 201, response.json()
    return Photo.objects.get(pk=photo_id)


def test_when_storage_and_database_agree_it_says_so(photo):
    output = check_storage()

    assert "1 received photo(s), 4 file(s) under visits/" in output
    assert "storage and database agree" in output


def test_it_finds_a_file_no_photo_refers_to(photo):
    orphan = photo_path(photo.visit_id, uuid.uuid4(), "original")
    private_storage().save(orphan, ContentFile(b"left behind"))

    assert f"  orphan: {orphan}\n" in check_storage()


def test_it_finds_a_missing_copy(photo):
    private_storage().delete(photo.thumb_name)

    output = check_storage()

    assert f"  missing copies: photo {photo.id} of visit {photo.visit_id}: thumb\n" in output


def test_it_finds_a_missing_original(photo):
    private_storage().delete(photo.original_name)

    output = check_storage()

    assert f"  missing original: photo {photo.id} of visit {photo.visit_id} " in output
    assert "its copies cannot be remade" in output


def test_without_fix_it_changes_nothing(photo):
    orphan = photo_path(photo.visit_id, uuid.uuid4(), "original")
    private_storage().save(orphan, ContentFile(b"left behind"))
    private_storage().delete(photo.thumb_name)

    output = check_storage()

    assert "run with --fix" in output
    assert private_storage().exists(orphan)
    assert not private_storage().exists(photo.thumb_name)


def test_fix_remakes_the_missing_copy(photo, django_capture_on_commit_callbacks):
    private_storage().delete(photo.thumb_name)

    with django_capture_on_commit_callbacks(execute=True):
        output = check_storage("--fix")

    assert "asked for the copies of 1 photo(s)" in output
    assert private_storage().exists(photo.thumb_name)


def test_fix_deletes_the_orphan(photo):
    orphan = photo_path(photo.visit_id, uuid.uuid4(), "original")
    private_storage().save(orphan, ContentFile(b"left behind"))

    output = check_storage("--fix")

    assert f"  deleted: {orphan}\n" in output
    assert not private_storage().exists(orphan)
    assert private_storage().exists(photo.original_name)


def test_it_leaves_the_file_of_a_photo_whose_upload_is_under_way(photo):
    # The upload writes the original before its transaction records it on the photo.
    declared = Visit.objects.get(pk=photo.visit_id).photos.get(received_at__isnull=True)
    name = photo_path(photo.visit_id, declared.id, "original")
    private_storage().save(name, ContentFile(b"arriving"))

    output = check_storage("--fix")

    assert "storage and database agree" in output
    assert private_storage().exists(name)
