"""Evidence photos of an action plan: the regional manager attaches them while the plan is
theirs to edit; they and head office see them; nobody else reaches the files."""

from __future__ import annotations

import datetime as dt
import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from actions.models import ActionPlanEvidence
from actions.services import action_plan_evidence_add, action_plan_submit
from audits.services.evidence_files import EVIDENCE_FILES_MAX, EvidenceRejected
from audits.storage import private_storage, storage_names_under
from backend.errors import Conflict
from tests import photo_corpus as corpus
from tests.actions.plans import critical_plan, today
from tests.report_data import report_checklist


@pytest.fixture
def version(db):
    return report_checklist()


@pytest.fixture
def plan(east_branch, version, rita):
    return critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))


def attach(plan, user, data: bytes | None = None, filename: str = "shelf.jpg"):
    data = corpus.good_jpeg_with_gps() if data is None else data
    return action_plan_evidence_add(
        plan=plan, user=user, file=io.BytesIO(data), size=len(data), filename=filename
    )


def upload(data: bytes | None = None, name: str = "shelf.jpg") -> SimpleUploadedFile:
    data = corpus.good_jpeg_with_gps() if data is None else data
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def stored_files(plan) -> list[str]:
    return storage_names_under(f"action-plans/{plan.pk}/")


def submitted(plan, erin):
    return action_plan_submit(
        plan=plan,
        user=erin,
        root_cause="New teller not trained.",
        actions="Greeting drill.",
        owner="Wang Li",
        due_date=today() + dt.timedelta(days=7),
    )


# --- the service -----------------------------------------------------------------------------


def test_a_regional_manager_attaches_a_photo_stored_as_an_upright_copy_without_metadata(plan, erin):
    evidence = attach(plan, erin)

    assert (evidence.plan, evidence.uploaded_by, evidence.filename) == (plan, erin, "shelf.jpg")
    assert (evidence.width, evidence.height) == (480, 640)  # as a person sees it
    with private_storage().open(evidence.file_name, "rb") as file:
        copy = Image.open(io.BytesIO(file.read()))
    assert (copy.format, copy.size) == ("JPEG", (480, 640))
    assert not copy.getexif()  # no GPS, no phone, no name
    assert sorted(stored_files(plan)) == sorted([evidence.file_name, evidence.thumb_name])


def test_png_and_webp_photos_are_accepted(plan, erin):
    attach(plan, erin, corpus.good_png_with_alpha(), "a.png")
    attach(plan, erin, corpus.good_webp(), "b.webp")
    assert plan.evidence.count() == 2


def test_a_file_that_is_not_a_photo_is_refused_naming_the_field(plan, erin):
    with pytest.raises(ValidationError) as error:
        attach(plan, erin, corpus.text_file(), "notes.txt")
    assert list(error.value.message_dict) == ["file"]
    assert not ActionPlanEvidence.objects.exists()
    assert stored_files(plan) == []


def test_a_pdf_is_refused_on_a_plan(plan, erin):
    with pytest.raises(EvidenceRejected) as error:
        attach(plan, erin, b"%PDF-1.7\n1 0 obj\n%%EOF\n", "receipt.pdf")
    assert error.value.api_code == "unsupported_format"


def test_a_photo_over_the_visit_photo_limit_is_refused_before_it_is_read(plan, erin, settings):
    settings.PHOTO_MAX_BYTES = 1024
    file = mock.Mock()
    with pytest.raises(EvidenceRejected) as error:
        action_plan_evidence_add(plan=plan, user=erin, file=file, size=2048)
    assert (error.value.api_code, list(error.value.message_dict)) == ("too_large", ["file"])
    file.read.assert_not_called()


def test_a_plan_takes_at_most_five_photos(plan, erin):
    for _ in range(EVIDENCE_FILES_MAX):
        attach(plan, erin)
    with pytest.raises(EvidenceRejected) as error:
        attach(plan, erin)
    assert error.value.api_code == "too_many"
    assert plan.evidence.count() == EVIDENCE_FILES_MAX
    assert len(stored_files(plan)) == 2 * EVIDENCE_FILES_MAX


def test_a_submitted_plan_takes_no_more_photos(plan, erin):
    submitted(plan, erin)
    plan.refresh_from_db()
    with pytest.raises(Conflict) as conflict:
        attach(plan, erin)
    assert conflict.value.code == "wrong_status"
    assert stored_files(plan) == []


def test_a_regional_manager_of_another_region_may_not_attach_a_photo(plan, wes):
    with pytest.raises(PermissionDenied):
        attach(plan, wes)
    assert stored_files(plan) == []


def test_head_office_may_not_attach_a_photo(plan, hank):
    with pytest.raises(PermissionDenied):
        attach(plan, hank)


def test_a_row_that_fails_to_save_leaves_no_file_behind(plan, erin):
    with (
        mock.patch.object(ActionPlanEvidence.objects, "create", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        attach(plan, erin)
    assert stored_files(plan) == []


# --- the API ---------------------------------------------------------------------------------


def test_the_api_uploads_a_photo_and_the_plan_lists_it(plan, erin, client_for):
    client = client_for(erin)
    response = client.post(
        f"/api/v1/action-plans/{plan.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["content_type"] == "image/jpeg"
    detail = client.get(f"/api/v1/action-plans/{plan.pk}/").json()
    assert [e["id"] for e in detail["evidence"]] == [body["id"]]
    listed = client.get(f"/api/v1/action-plans/{plan.pk}/evidence/").json()
    assert [e["id"] for e in listed] == [body["id"]]


def test_the_api_refuses_a_file_that_is_not_a_photo_with_a_400_naming_file(plan, erin, client_for):
    response = client_for(erin).post(
        f"/api/v1/action-plans/{plan.pk}/evidence/",
        {"file": upload(corpus.text_file(), "notes.txt")},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]
    assert response.json()["code"] == "not_an_image"


def test_the_api_refuses_a_request_without_a_file_naming_file(plan, erin, client_for):
    response = client_for(erin).post(
        f"/api/v1/action-plans/{plan.pk}/evidence/", {}, format="multipart"
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_the_api_answers_413_for_a_photo_over_the_limit(plan, erin, client_for, settings):
    settings.PHOTO_MAX_BYTES = 1024
    response = client_for(erin).post(
        f"/api/v1/action-plans/{plan.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_the_api_answers_409_for_a_submitted_plan(plan, erin, client_for):
    submitted(plan, erin)
    response = client_for(erin).post(
        f"/api/v1/action-plans/{plan.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 409


def test_the_api_hides_another_regions_plan_from_its_manager(plan, wes, client_for):
    response = client_for(wes).post(
        f"/api/v1/action-plans/{plan.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 404


def test_head_office_downloads_the_photo_and_its_thumbnail(plan, erin, hank, client_for):
    evidence = attach(plan, erin)
    client = client_for(hank)
    url = f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/"

    full = client.get(url)
    thumb = client.get(f"{url}?size=thumb")

    assert (full.status_code, full["Content-Type"]) == (200, "image/jpeg")
    assert Image.open(io.BytesIO(b"".join(thumb.streaming_content))).size == (240, 320)


def test_a_manager_of_another_region_never_gets_the_file(plan, erin, wes, client_for):
    evidence = attach(plan, erin)
    response = client_for(wes).get(f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 404


def test_a_reviewer_never_gets_the_file(plan, erin, rita, client_for):
    evidence = attach(plan, erin)
    response = client_for(rita).get(f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 403


# --- the page --------------------------------------------------------------------------------


def test_the_regional_manager_attaches_a_photo_from_the_plan_page(client, erin, plan):
    client.force_login(erin)
    response = client.post(
        f"/action-plans/{plan.pk}/", {"action": "evidence", "file": upload()}, follow=True
    )
    evidence = plan.evidence.get()
    html = response.content.decode()
    assert f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/?size=thumb" in html
    assert "Photo attached." in html or "照片已添加。" in html


def test_the_plan_page_shows_a_refused_file_with_a_400_naming_it(client, erin, plan):
    client.force_login(erin)
    response = client.post(
        f"/action-plans/{plan.pk}/?lang=en",
        {"action": "evidence", "file": upload(corpus.text_file(), "notes.txt")},
    )
    assert response.status_code == 400
    assert "<strong>file</strong>" in response.content.decode()
    assert not plan.evidence.exists()


def test_head_office_sees_the_thumbnails_on_the_plan_page_without_the_upload_form(
    client, erin, hank, plan
):
    evidence = attach(plan, erin)
    client.force_login(hank)
    html = client.get(f"/action-plans/{plan.pk}/?lang=en").content.decode()
    assert f"/api/v1/action-plans/{plan.pk}/evidence/{evidence.pk}/?size=thumb" in html
    assert 'id="evidence-form"' not in html


def test_head_office_may_not_post_a_photo_through_the_page(client, hank, plan):
    client.force_login(hank)
    response = client.post(f"/action-plans/{plan.pk}/", {"action": "evidence", "file": upload()})
    assert response.status_code == 403
