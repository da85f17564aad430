"""Evidence files of an appeal: photos (CCTV stills) and PDFs (receipts, letters) that a
regional manager attaches while head office has not decided; the text references stay."""

from __future__ import annotations

import io
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from appeals.models import AppealEvidence
from appeals.services import appeal_decide, appeal_evidence_add
from audits.services.evidence_files import EVIDENCE_FILES_MAX, EvidenceRejected
from audits.storage import private_storage, storage_names_under
from backend.errors import Conflict
from tests import photo_corpus as corpus
from tests.appeal_data import approved_visit, submitted_appeal

RECEIPT = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def appeal(alice, east_branch, rita, erin):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    return submitted_appeal(visit, erin, "wait")


def attach(appeal, user, data: bytes | None = None, filename: str = "cctv.jpg"):
    data = corpus.good_jpeg_with_gps() if data is None else data
    return appeal_evidence_add(
        appeal=appeal, by=user, file=io.BytesIO(data), size=len(data), filename=filename
    )


def upload(data: bytes | None = None, name: str = "cctv.jpg") -> SimpleUploadedFile:
    data = corpus.good_jpeg_with_gps() if data is None else data
    return SimpleUploadedFile(name, data)


def stored_files(appeal) -> list[str]:
    return storage_names_under(f"appeals/{appeal.pk}/")


def decided(appeal, hank):
    return appeal_decide(appeal=appeal, by=hank, outcome="rejected", reason="The CCTV is unclear.")


# --- the service -----------------------------------------------------------------------------


def test_a_regional_manager_attaches_a_cctv_still_stored_without_metadata(appeal, erin):
    evidence = attach(appeal, erin)

    assert (evidence.content_type, evidence.uploaded_by) == ("image/jpeg", erin)
    with private_storage().open(evidence.file_name, "rb") as file:
        assert not Image.open(io.BytesIO(file.read())).getexif()
    assert sorted(stored_files(appeal)) == sorted([evidence.file_name, evidence.thumb_name])


def test_a_receipt_pdf_is_stored_as_uploaded(appeal, erin):
    evidence = attach(appeal, erin, RECEIPT, "receipt.pdf")

    assert (evidence.content_type, evidence.filename, evidence.thumb_name) == (
        "application/pdf",
        "receipt.pdf",
        "",
    )
    with private_storage().open(evidence.file_name, "rb") as file:
        assert file.read() == RECEIPT


def test_the_items_text_reference_stays_beside_the_files(appeal, erin):
    attach(appeal, erin, RECEIPT, "receipt.pdf")
    assert appeal.items.get().evidence == "CCTV camera 2, 10:42"


def test_a_file_that_is_neither_a_photo_nor_a_pdf_is_refused_naming_the_field(appeal, erin):
    with pytest.raises(ValidationError) as error:
        attach(appeal, erin, b"PK\x03\x04 a zip, not a receipt", "receipt.zip")
    assert list(error.value.message_dict) == ["file"]
    assert stored_files(appeal) == []


def test_a_pdf_cut_off_in_the_upload_is_refused(appeal, erin):
    with pytest.raises(EvidenceRejected) as error:
        attach(appeal, erin, RECEIPT[:40], "receipt.pdf")
    assert error.value.api_code == "truncated"


def test_a_file_over_the_limit_is_refused(appeal, erin, settings):
    settings.PHOTO_MAX_BYTES = 64
    with pytest.raises(EvidenceRejected) as error:
        attach(appeal, erin, RECEIPT, "receipt.pdf")
    assert error.value.api_code == "too_large"


def test_an_appeal_takes_at_most_five_files(appeal, erin):
    for _ in range(EVIDENCE_FILES_MAX):
        attach(appeal, erin, RECEIPT, "receipt.pdf")
    with pytest.raises(EvidenceRejected) as error:
        attach(appeal, erin, RECEIPT, "receipt.pdf")
    assert error.value.api_code == "too_many"
    assert len(stored_files(appeal)) == EVIDENCE_FILES_MAX


def test_a_decided_appeal_takes_no_more_files(appeal, erin, hank):
    decided(appeal, hank)
    appeal.refresh_from_db()
    with pytest.raises(Conflict) as conflict:
        attach(appeal, erin)
    assert conflict.value.code == "already_decided"
    assert stored_files(appeal) == []


def test_a_regional_manager_of_another_region_may_not_attach_a_file(appeal, wes):
    with pytest.raises(PermissionDenied):
        attach(appeal, wes)


def test_a_row_that_fails_to_save_leaves_no_file_behind(appeal, erin):
    with (
        mock.patch.object(AppealEvidence.objects, "create", side_effect=RuntimeError),
        pytest.raises(RuntimeError),
    ):
        attach(appeal, erin)
    assert stored_files(appeal) == []


# --- the API ---------------------------------------------------------------------------------


def test_the_api_uploads_a_pdf_and_the_appeal_lists_it(appeal, erin, client_for):
    client = client_for(erin)
    response = client.post(
        f"/api/v1/appeals/{appeal.pk}/evidence/",
        {"file": upload(RECEIPT, "receipt.pdf")},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["thumb_url"] is None
    detail = client.get(f"/api/v1/appeals/{appeal.pk}/").json()
    assert [e["filename"] for e in detail["evidence_files"]] == ["receipt.pdf"]


def test_the_api_refuses_a_wrong_type_with_a_400_naming_file(appeal, erin, client_for):
    response = client_for(erin).post(
        f"/api/v1/appeals/{appeal.pk}/evidence/",
        {"file": upload(corpus.gif_image(), "anim.gif")},
        format="multipart",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["file"]


def test_the_api_answers_409_once_head_office_has_decided(appeal, erin, hank, client_for):
    decided(appeal, hank)
    response = client_for(erin).post(
        f"/api/v1/appeals/{appeal.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 409


def test_head_office_may_not_attach_a_file(appeal, hank, client_for):
    response = client_for(hank).post(
        f"/api/v1/appeals/{appeal.pk}/evidence/", {"file": upload()}, format="multipart"
    )
    assert response.status_code == 403


def test_head_office_downloads_a_pdf_as_an_attachment(appeal, erin, hank, client_for):
    evidence = attach(appeal, erin, RECEIPT, "receipt.pdf")
    response = client_for(hank).get(f"/api/v1/appeals/{appeal.pk}/evidence/{evidence.pk}/")
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == RECEIPT


def test_a_manager_of_another_region_never_gets_the_file(appeal, erin, wes, client_for):
    evidence = attach(appeal, erin)
    response = client_for(wes).get(f"/api/v1/appeals/{appeal.pk}/evidence/{evidence.pk}/")
    assert response.status_code == 404


# --- the page --------------------------------------------------------------------------------


def test_the_regional_manager_attaches_a_file_from_the_appeal_page(client, erin, appeal):
    client.force_login(erin)
    response = client.post(
        f"/appeals/{appeal.pk}/?lang=en", {"action": "evidence", "file": upload()}
    )
    assert response.status_code == 302
    evidence = appeal.evidence_files.get()
    html = client.get(f"/appeals/{appeal.pk}/?lang=en").content.decode()
    assert f"/api/v1/appeals/{appeal.pk}/evidence/{evidence.pk}/?size=thumb" in html


def test_the_appeal_page_shows_a_refused_file_with_a_400(client, erin, appeal):
    client.force_login(erin)
    response = client.post(
        f"/appeals/{appeal.pk}/?lang=en",
        {"action": "evidence", "file": upload(b"hello", "notes.txt")},
    )
    assert response.status_code == 400
    assert "<strong>file</strong>" in response.content.decode()


def test_head_office_sees_the_files_on_the_appeal_page_without_the_upload_form(
    client, erin, hank, appeal
):
    evidence = attach(appeal, erin, RECEIPT, "receipt.pdf")
    client.force_login(hank)
    html = client.get(f"/appeals/{appeal.pk}/?lang=en").content.decode()
    assert f"/api/v1/appeals/{appeal.pk}/evidence/{evidence.pk}/" in html
    assert "receipt.pdf" in html
    assert 'id="evidence-form"' not in html


def test_a_regional_manager_still_may_not_decide_through_the_page(client, erin, appeal):
    client.force_login(erin)
    response = client.post(f"/appeals/{appeal.pk}/", {"outcome": "upheld", "reason": "x"})
    assert response.status_code == 403
