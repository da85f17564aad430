"""Must show 8: photos arrive upright whatever their EXIF orientation, a 24-megapixel photo is
downscaled on the phone under the server's limits, and capture time and position survive."""

from __future__ import annotations

import hashlib
import io

import pytest
from PIL import Image

from tests.phone_app.conftest import (
    PHOTO_LAT,
    PHOTO_LNG,
    PHOTO_TAKEN_AT,
    add_photo,
    camera_jpeg,
    expect_sent,
    fill_small_checklist,
    finalize,
    is_upright,
    open_section,
    sign_in,
    start_visit,
    stored_original,
    the_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

MAX_PIXELS = 8_000_000
MAX_BYTES = 2_500_000


def test_photos_arrive_upright_within_the_limits_with_their_evidence(
    page, app_url, assignment, settings, tmp_path
):
    # Limits the phone reads from /api/v1/config/ at sign-in.
    settings.PHOTO_MAX_PIXELS = MAX_PIXELS
    settings.PHOTO_MAX_BYTES = MAX_BYTES
    files = {}
    for orientation in (1, 3, 6, 8):
        files[orientation] = tmp_path / f"orientation-{orientation}.jpg"
        files[orientation].write_bytes(camera_jpeg(orientation=orientation, seed=orientation))
    big = tmp_path / "24mp.jpg"
    big.write_bytes(camera_jpeg(size=(6000, 4000), noise=True, quality=92))
    assert big.stat().st_size > MAX_BYTES

    sign_in(page, app_url)
    start_visit(page)
    fill_small_checklist(page, str(files[1]))
    open_section(page, "Finish")
    for orientation in (3, 6, 8):
        add_photo(page, "Photos of the visit", str(files[orientation]), camera=False)
    add_photo(page, "Photos of the visit", str(big), camera=False)
    finalize(page)
    expect_sent(page)

    photos = list(the_visit().photos.all())
    assert len(photos) == 5 and all(p.received for p in photos)
    for photo in photos:
        data = stored_original(photo)
        assert hashlib.sha256(data).hexdigest() == photo.sha256
        assert is_upright(data), photo
        assert photo.width * photo.height <= MAX_PIXELS and len(data) <= MAX_BYTES
        # Read back by the server from the EXIF the phone wrote into its re-encoded JPEG.
        assert photo.taken_at == PHOTO_TAKEN_AT
        assert photo.gps_lat == pytest.approx(PHOTO_LAT, abs=1e-5)
        assert photo.gps_lng == pytest.approx(PHOTO_LNG, abs=1e-5)
    sizes = sorted((p.width, p.height) for p in photos)
    assert sizes[:4] == [(640, 480)] * 4  # small photos keep their size, turned upright
    width, height = sizes[4]
    assert width * height > MAX_PIXELS * 0.95 and abs(width / height - 1.5) < 0.01
    assert Image.open(io.BytesIO(stored_original(max(photos, key=lambda p: p.width)))).size == (
        width,
        height,
    )
