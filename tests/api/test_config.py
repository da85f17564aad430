"""GET /api/v1/config/ — the limits the phone must respect, and the server's clock."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits import imaging

URL = "/api/v1/config/"


@pytest.mark.parametrize("persona", ["alice", "rita", "erin", "hank"])
def test_any_signed_in_user_reads_the_config(client_for, request, persona):
    assert client_for(request.getfixturevalue(persona)).get(URL).status_code == 200


def test_the_config_needs_a_signed_in_caller(anon):
    assert anon.get(URL).status_code == 401


def test_it_serves_the_photo_limits_from_settings(client_for, alice, settings):
    settings.PHOTO_MAX_BYTES = 8 * 1024 * 1024
    settings.PHOTO_MAX_PIXELS = 24_000_000
    settings.PHOTOS_PER_VISIT_MAX = 12
    data = client_for(alice).get(URL).json()
    assert (data["photo_max_bytes"], data["photo_max_pixels"], data["photos_per_visit_max"]) == (
        8 * 1024 * 1024,
        24_000_000,
        12,
    )
    assert data["api_version"] == settings.SPECTACULAR_SETTINGS["VERSION"]


def test_it_offers_heic_when_the_heif_plugin_is_installed(client_for, alice):
    pytest.importorskip("pillow_heif")
    assert client_for(alice).get(URL).json()["photo_types"] == [
        "image/jpeg",
        "image/png",
        "image/webp",
        "image/heic",
    ]


def test_it_drops_heic_when_the_upload_cannot_read_it(client_for, alice, monkeypatch):
    # Without pillow_heif, audits.imaging leaves HEIF out of the formats it accepts.
    monkeypatch.delitem(imaging.ACCEPTED_FORMATS, "HEIF", raising=False)
    assert client_for(alice).get(URL).json()["photo_types"] == [
        "image/jpeg",
        "image/png",
        "image/webp",
    ]


def test_it_sends_the_server_time_in_a_header(client_for, alice):
    before = timezone.now()
    response = client_for(alice).get(URL)
    server_time = dt.datetime.fromisoformat(response["X-Server-Time"])
    assert server_time.tzinfo is not None
    assert before <= server_time <= timezone.now()


def test_the_body_holds_no_clock_so_its_etag_is_stable(client_for, alice):
    first = client_for(alice).get(URL)
    second = client_for(alice).get(URL)
    assert "server_time" not in first.json()
    assert first["ETag"] == second["ETag"]


def test_it_answers_not_modified_to_the_current_etag(client_for, alice):
    etag = client_for(alice).get(URL)["ETag"]
    response = client_for(alice).get(URL, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
    assert "X-Server-Time" in response


def test_a_changed_limit_changes_the_etag(client_for, alice, settings):
    etag = client_for(alice).get(URL)["ETag"]
    settings.PHOTOS_PER_VISIT_MAX = settings.PHOTOS_PER_VISIT_MAX + 1
    assert client_for(alice).get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 200
