"""Specification of audits.imaging: which uploads are photos, and what is served."""

from __future__ import annotations

import io
import struct
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from PIL import ExifTags, Image, ImageCms

from audits.imaging import (
    ACCEPTED_FORMATS,
    PhotoInfo,
    PhotoRejected,
    inspect_photo,
    phash_distance,
    render_copy,
)
from tests import photo_corpus as corpus

BRANCH_TZ = ZoneInfo("America/Argentina/Buenos_Aires")


def inspect(data: bytes, **limits: int) -> PhotoInfo:
    options = {"max_bytes": corpus.CORPUS_MAX_BYTES, "max_pixels": corpus.CORPUS_MAX_PIXELS}
    options.update(limits)
    return inspect_photo(data, default_tz=BRANCH_TZ, **options)


def jpeg_segments(data: bytes) -> list[int]:
    """The marker bytes of a JPEG's header segments, up to the image data."""
    assert data[:2] == b"\xff\xd8"
    markers, position = [], 2
    while True:
        marker = data[position + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: pixel data follows, no more metadata
            return markers
        (length,) = struct.unpack(">H", data[position + 2 : position + 4])
        position += 2 + length


# --- refusals -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("maker", "code"),
    [pytest.param(maker, code, id=name) for name, maker, code in corpus.BAD_PHOTOS],
)
def test_it_refuses_each_bad_photo_with_its_code(maker, code):
    with pytest.raises(PhotoRejected) as refused:
        inspect(maker())

    assert refused.value.code == code


def test_a_refusal_explains_itself_to_the_shopper():
    with pytest.raises(PhotoRejected) as refused:
        inspect(corpus.gif_image())

    assert refused.value.message == str(refused.value)
    assert "GIF" in refused.value.message
    assert "JPEG" in refused.value.message


def test_a_refusal_is_a_value_error():
    with pytest.raises(ValueError):
        inspect(corpus.text_file())


def test_it_accepts_a_file_of_exactly_max_bytes():
    data = corpus.good_jpeg_without_metadata()

    assert inspect(data, max_bytes=len(data)).format == "JPEG"


def test_it_rejects_a_file_one_byte_over_max_bytes():
    data = corpus.good_jpeg_without_metadata()

    with pytest.raises(PhotoRejected) as refused:
        inspect(data, max_bytes=len(data) - 1)

    assert refused.value.code == "too_large"


def test_it_accepts_a_photo_of_exactly_max_pixels():
    width, height = corpus.STORED_SIZE

    assert inspect(corpus.good_webp(), max_pixels=width * height).width == width


def test_it_rejects_a_photo_one_pixel_over_max_pixels():
    width, height = corpus.STORED_SIZE

    with pytest.raises(PhotoRejected) as refused:
        inspect(corpus.good_webp(), max_pixels=width * height - 1)

    assert refused.value.code == "too_many_pixels"


def test_it_leaves_pillows_global_pixel_limit_alone():
    before = Image.MAX_IMAGE_PIXELS

    with pytest.raises(PhotoRejected):
        inspect(corpus.decompression_bomb())

    assert before == Image.MAX_IMAGE_PIXELS


# --- accepted photos ----------------------------------------------------------


@pytest.mark.parametrize(
    ("maker", "content_type", "size"),
    [pytest.param(maker, ct, size, id=name) for name, maker, ct, size in corpus.GOOD_PHOTOS],
)
def test_it_accepts_each_good_photo_with_its_content_type_and_size(maker, content_type, size):
    info = inspect(maker())

    assert info.content_type == content_type
    assert (info.width, info.height) == size


def test_it_reports_the_format_by_pillow_name():
    assert inspect(corpus.good_png_with_alpha()).format == "PNG"


def test_it_reports_a_multi_picture_jpeg_as_jpeg():
    assert inspect(corpus.good_multi_picture_jpeg()).format == "JPEG"


def test_it_accepts_heic_when_pillow_heif_can_write_it():
    pytest.importorskip("pillow_heif")
    if not corpus.can_write_heic():
        pytest.skip("pillow_heif cannot encode HEIC here")

    info = inspect(corpus.good_heic())

    assert (info.content_type, info.format) == ("image/heic", "HEIF")
    assert (info.width, info.height) == corpus.STORED_SIZE


def test_heic_is_accepted_exactly_when_pillow_heif_is_importable():
    try:
        import pillow_heif  # noqa: F401
    except ImportError:
        assert "HEIF" not in ACCEPTED_FORMATS
    else:
        assert ACCEPTED_FORMATS["HEIF"] == "image/heic"


def test_orientation_6_swaps_width_and_height():
    info = inspect(corpus.jpeg_with_exif(orientation=6))

    assert (info.width, info.height) == (corpus.STORED_SIZE[1], corpus.STORED_SIZE[0])


def test_orientation_1_keeps_width_and_height():
    info = inspect(corpus.jpeg_with_exif(orientation=1))

    assert (info.width, info.height) == corpus.STORED_SIZE


# --- metadata -----------------------------------------------------------------


def test_it_reads_the_capture_time_with_its_recorded_offset():
    info = inspect(corpus.good_jpeg_with_gps())

    assert info.taken_at == corpus.TAKEN_AT
    assert info.taken_at.utcoffset() == corpus.TAKEN_AT.utcoffset()


def test_it_reads_a_capture_time_without_offset_in_the_default_time_zone():
    data = corpus.jpeg_with_exif(offset=None)
    tokyo = ZoneInfo("Asia/Tokyo")

    info = inspect_photo(data, max_bytes=10**7, max_pixels=10**7, default_tz=tokyo)

    assert info.taken_at == datetime(2025, 3, 14, 15, 9, 26, tzinfo=tokyo)


def test_it_reports_no_capture_time_when_the_photo_has_none():
    assert inspect(corpus.good_jpeg_without_metadata()).taken_at is None


def test_it_reads_gps_as_signed_decimal_degrees():
    info = inspect(corpus.good_jpeg_with_gps())

    assert info.gps_lat == pytest.approx(corpus.GPS_LAT, abs=1e-6)
    assert info.gps_lng == pytest.approx(corpus.GPS_LNG, abs=1e-6)


def test_it_reports_no_position_when_the_photo_has_none():
    info = inspect(corpus.jpeg_with_exif(gps=False))

    assert (info.gps_lat, info.gps_lng) == (None, None)


# --- render_copy --------------------------------------------------------------


def test_render_copy_is_a_jpeg():
    out = render_copy(corpus.good_png_with_alpha(), max_side=320)

    assert Image.open(io.BytesIO(out)).format == "JPEG"


def test_render_copy_has_no_exif_at_all():
    out = render_copy(corpus.good_jpeg_with_gps(), max_side=320)

    exif = Image.open(io.BytesIO(out)).getexif()
    assert dict(exif) == {}
    assert exif.get_ifd(ExifTags.IFD.GPSInfo) == {}


def test_render_copy_leaks_no_identity_in_any_form():
    out = render_copy(corpus.good_jpeg_with_gps(), max_side=320)

    for secret in (corpus.ARTIST, corpus.MAKE, corpus.MODEL):
        assert secret.encode() not in out
    assert corpus.COMMENT not in out
    assert b"Exif\x00\x00" not in out


def test_render_copy_writes_no_metadata_segment_but_jfif():
    out = render_copy(corpus.good_jpeg_with_gps(), max_side=320)

    metadata_segments = {0xE1, 0xE2, 0xE3, 0xEC, 0xED, 0xEE, 0xFE}  # APPn and COM
    assert metadata_segments.isdisjoint(jpeg_segments(out))


def test_render_copy_keeps_an_rgb_colour_profile():
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = corpus.encode(corpus.scene(1), "JPEG", icc_profile=profile)

    out = render_copy(data, max_side=320)

    assert Image.open(io.BytesIO(out)).info.get("icc_profile") == profile


def test_render_copy_drops_a_colour_profile_that_is_not_rgb():
    grey_profile = bytes(16) + b"GRAY" + bytes(108)
    data = corpus.encode(corpus.scene(1).convert("L"), "JPEG", icc_profile=grey_profile)

    out = render_copy(data, max_side=320)

    assert "icc_profile" not in Image.open(io.BytesIO(out)).info


def test_render_copy_is_upright():
    out = render_copy(corpus.jpeg_with_exif(orientation=6), max_side=2000)

    assert Image.open(io.BytesIO(out)).size == (corpus.STORED_SIZE[1], corpus.STORED_SIZE[0])


def test_render_copy_fits_the_longest_side_within_max_side():
    out = render_copy(corpus.good_jpeg_with_gps(), max_side=200)

    assert max(Image.open(io.BytesIO(out)).size) == 200


def test_render_copy_keeps_the_aspect_ratio_when_shrinking():
    out = render_copy(corpus.good_webp(), max_side=320)

    assert Image.open(io.BytesIO(out)).size == (320, 240)


def test_render_copy_never_enlarges():
    out = render_copy(corpus.good_webp(), max_side=5000)

    assert Image.open(io.BytesIO(out)).size == corpus.STORED_SIZE


def test_render_copy_puts_transparency_on_white():
    out = render_copy(corpus.good_png_with_alpha(), max_side=640)

    red, green, blue = Image.open(io.BytesIO(out)).getpixel((10, 10))
    assert min(red, green, blue) >= 250


def test_render_copy_refuses_what_is_not_a_photo():
    with pytest.raises(PhotoRejected) as refused:
        render_copy(corpus.truncated_jpeg(), max_side=320)

    assert refused.value.code == "truncated"


# --- perceptual hash ----------------------------------------------------------


def test_the_phash_is_16_hex_characters():
    phash = inspect(corpus.good_webp()).phash

    assert len(phash) == 16
    int(phash, 16)


def test_the_same_picture_reencoded_smaller_has_a_close_phash():
    original = corpus.encode(corpus.scene(1), "JPEG", quality=95)
    reencoded = corpus.encode(corpus.scene(1).resize((320, 240)), "JPEG", quality=40)

    assert phash_distance(inspect(original).phash, inspect(reencoded).phash) <= 6


def test_the_same_picture_as_png_and_webp_has_a_close_phash():
    png = corpus.encode(corpus.scene(1), "PNG")
    webp = corpus.encode(corpus.scene(1), "WEBP", quality=60)

    assert phash_distance(inspect(png).phash, inspect(webp).phash) <= 6


def test_different_pictures_have_distant_phashes():
    first = inspect(corpus.encode(corpus.scene(1), "JPEG")).phash
    second = inspect(corpus.encode(corpus.scene(2), "JPEG")).phash

    assert phash_distance(first, second) > 10


def test_the_phash_is_taken_from_the_upright_picture():
    tagged = corpus.jpeg_with_exif(orientation=6)
    rotated_pixels = corpus.encode(corpus.scene(1).transpose(Image.Transpose.ROTATE_270), "JPEG")

    assert phash_distance(inspect(tagged).phash, inspect(rotated_pixels).phash) <= 6


def test_phash_distance_of_identical_hashes_is_zero():
    assert phash_distance("ce71738e0c08e7f1", "ce71738e0c08e7f1") == 0


def test_phash_distance_counts_differing_bits():
    assert phash_distance("0000000000000000", "ffffffffffffffff") == 64
    assert phash_distance("0000000000000000", "0000000000000003") == 2


def test_phash_distance_refuses_hashes_of_different_lengths():
    with pytest.raises(ValueError):
        phash_distance("00", "0000")


def test_it_still_refuses_a_truncated_jpeg_after_weasyprint_was_imported():
    """WeasyPrint turns on Pillow's LOAD_TRUNCATED_IMAGES when imported; reports.pdf undoes it."""
    import reports.pdf  # noqa: F401 — imported for its side effect on Pillow

    with pytest.raises(PhotoRejected) as refused:
        inspect_photo(
            corpus.truncated_jpeg(),
            max_bytes=corpus.CORPUS_MAX_BYTES,
            max_pixels=corpus.CORPUS_MAX_PIXELS,
            default_tz=ZoneInfo("Asia/Shanghai"),
        )
    assert refused.value.code == "truncated"


# --- decoding memory ------------------------------------------------------------


def test_a_small_png_whose_pixels_would_take_more_memory_than_allowed_is_refused():
    # 2000x2000 RGBA: a few kilobytes on the wire, 16 MB once decoded.
    data = corpus.encode(Image.new("RGBA", (2000, 2000), (10, 20, 30, 255)), "PNG")
    assert len(data) < 100_000

    with pytest.raises(PhotoRejected) as refused:
        inspect(data, max_decoded_bytes=10_000_000)

    assert refused.value.code == "too_many_pixels"
    assert "16.0 MB" in refused.value.message


def test_a_png_within_the_decoding_budget_is_accepted():
    data = corpus.encode(Image.new("RGB", (2000, 2000), (10, 20, 30)), "PNG")

    assert inspect(data, max_decoded_bytes=12_000_000).width == 2000


def test_a_jpeg_is_reduced_while_decoding_so_a_budget_below_its_full_size_still_accepts_it():
    # 2000x1500 RGB decodes to 9 MB at full size, to 2.2 MB at half a side for the hash.
    data = corpus.encode(corpus.scene(1, (2000, 1500)), "JPEG", quality=90)

    info = inspect(data, max_decoded_bytes=3_000_000)

    assert (info.width, info.height) == (2000, 1500)


def test_the_reduced_decode_gives_the_same_hash_as_a_small_copy_of_the_photo():
    picture = corpus.scene(3, (2000, 1500))
    large = corpus.encode(picture, "JPEG", quality=92)
    small = corpus.encode(picture.resize((600, 450), Image.Resampling.LANCZOS), "JPEG", quality=92)

    assert phash_distance(inspect(large).phash, inspect(small).phash) <= 6
