"""Good and bad photos for tests, generated in memory with Pillow.

Nothing binary is committed: every file is built from code, so what each one
contains (and why it must be accepted or refused) is readable here, and the
same corpus drives both the unit tests of audits.imaging and the HTTP upload
tests.

The names in GOOD_PHOTOS and BAD_PHOTOS are plausible upload file names, with
image extensions even for files that are not images, so that an upload test
using them proves a refusal comes from the content, not the name.

The expected codes in BAD_PHOTOS hold when photos are inspected with
CORPUS_MAX_BYTES and CORPUS_MAX_PIXELS; tests that go through settings should
set the limits to these values.
"""

from __future__ import annotations

import io
import random
import struct
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import cache

from PIL import ExifTags, Image, ImageDraw

CORPUS_MAX_BYTES = 1_000_000
CORPUS_MAX_PIXELS = 4_000_000

# What good_jpeg_with_gps() records; a branch visit in Buenos Aires, chosen
# south and west of Greenwich so both coordinate signs are exercised.
TAKEN_AT = datetime(2025, 3, 14, 15, 9, 26, tzinfo=timezone(timedelta(hours=-3)))
GPS_LAT = -34.603722
GPS_LNG = -58.381592
MAKE = "Acme"
MODEL = "Pocket 9"
ARTIST = "Alice Shopper"
COMMENT = b"shot by Alice Shopper"
XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/">'
    b"<dc:creator>Alice Shopper</dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>"
)

# The stored (sensor) size of the generated photos; orientation 6 shows them
# rotated, i.e. as 480x640.
STORED_SIZE = (640, 480)


# --- building blocks ----------------------------------------------------------


def scene(seed: int = 1, size: tuple[int, int] = STORED_SIZE) -> Image.Image:
    """A picture with large shapes, different for every seed.

    Perceptual hashes look at coarse structure, so distinct seeds must differ
    in big shapes, not in fine noise, for "different photo" to be meaningful.
    """
    rng = random.Random(seed)
    width, height = size
    image = Image.new("RGB", size, _colour(rng))
    draw = ImageDraw.Draw(image)
    for _ in range(8):
        x0, y0 = rng.randrange(width), rng.randrange(height)
        x1 = min(width, x0 + rng.randrange(width // 5, width // 2))
        y1 = min(height, y0 + rng.randrange(height // 5, height // 2))
        if rng.random() < 0.5:
            draw.rectangle((x0, y0, x1, y1), fill=_colour(rng))
        else:
            draw.ellipse((x0, y0, x1, y1), fill=_colour(rng))
    return image


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    """Save an image to bytes in a Pillow format."""
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def jpeg_with_exif(
    *,
    orientation: int = 6,
    offset: str | None = "-03:00",
    gps: bool = True,
    seed: int = 1,
) -> bytes:
    """A phone-like JPEG whose metadata identifies the shopper and their phone."""
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = MAKE
    exif[ExifTags.Base.Model] = MODEL
    exif[ExifTags.Base.Artist] = ARTIST
    exif[ExifTags.Base.Orientation] = orientation
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = TAKEN_AT.strftime("%Y:%m:%d %H:%M:%S")
    if offset is not None:
        exif_ifd[ExifTags.Base.OffsetTimeOriginal] = offset
    if gps:
        gps_ifd = exif.get_ifd(ExifTags.IFD.GPSInfo)
        gps_ifd[ExifTags.GPS.GPSVersionID] = b"\x02\x02\x00\x00"
        gps_ifd[ExifTags.GPS.GPSLatitudeRef] = "S" if GPS_LAT < 0 else "N"
        gps_ifd[ExifTags.GPS.GPSLatitude] = _dms(GPS_LAT)
        gps_ifd[ExifTags.GPS.GPSLongitudeRef] = "W" if GPS_LNG < 0 else "E"
        gps_ifd[ExifTags.GPS.GPSLongitude] = _dms(GPS_LNG)
    return encode(scene(seed), "JPEG", quality=90, exif=exif, comment=COMMENT, xmp=XMP)


def can_write_heic() -> bool:
    """Whether this environment can produce HEIC test files at all."""
    try:
        good_heic()
    except Exception:  # missing plugin, or libheif built without an encoder
        return False
    return True


# --- good photos --------------------------------------------------------------


def good_jpeg_with_gps() -> bytes:
    """640x480 stored, orientation 6 (shown 480x640), with time, GPS and identity."""
    return jpeg_with_exif()


def good_jpeg_without_metadata() -> bytes:
    return encode(scene(1), "JPEG", quality=90)


def good_png_with_alpha() -> bytes:
    """640x480 RGBA whose left half is fully transparent."""
    image = scene(2).convert("RGBA")
    image.paste((0, 0, 0, 0), (0, 0, STORED_SIZE[0] // 2, STORED_SIZE[1]))
    return encode(image, "PNG")


def good_webp() -> bytes:
    return encode(scene(3), "WEBP", quality=80)


def good_multi_picture_jpeg() -> bytes:
    """A JPEG with a second embedded picture, as many phones write; Pillow calls it MPO."""
    return encode(scene(4), "MPO", save_all=True, append_images=[scene(5)])


def good_heic() -> bytes:
    """640x480 HEIC; needs pillow_heif with an encoder, see can_write_heic()."""
    import pillow_heif

    pillow_heif.register_heif_opener()
    return encode(scene(6), "HEIF", quality=80)


# (upload name, maker, content type, size as shown)
GOOD_PHOTOS: list[tuple[str, Callable[[], bytes], str, tuple[int, int]]] = [
    ("shopfront.jpg", good_jpeg_with_gps, "image/jpeg", (480, 640)),
    ("counter.jpg", good_jpeg_without_metadata, "image/jpeg", STORED_SIZE),
    ("shelf.png", good_png_with_alpha, "image/png", STORED_SIZE),
    ("till.webp", good_webp, "image/webp", STORED_SIZE),
    ("queue.jpg", good_multi_picture_jpeg, "image/jpeg", STORED_SIZE),
]


# --- bad photos ---------------------------------------------------------------


def text_file() -> bytes:
    return b"hello"


def svg_document() -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480">'
        b'<rect width="640" height="480" fill="red"/></svg>\n'
    )


def gif_image() -> bytes:
    return encode(scene(7).convert("P"), "GIF")


def bmp_image() -> bytes:
    return encode(scene(8), "BMP")


def tiff_image() -> bytes:
    return encode(scene(9), "TIFF")


def truncated_jpeg() -> bytes:
    """A valid JPEG cut in half, like an upload that lost its connection."""
    data = good_jpeg_without_metadata()
    return data[: len(data) // 2]


def empty_file() -> bytes:
    return b""


@cache
def decompression_bomb() -> bytes:
    """A ~50 KB PNG that declares 20000x20000 pixels (400 MB once decoded).

    Written chunk by chunk instead of with Pillow, because Pillow would have
    to allocate the 400 MB image in order to save it.
    """
    width = height = 20_000
    # One filter byte, then one bit per pixel, per row; all zero (black).
    row = bytes(1 + width // 8)
    compressor = zlib.compressobj(9)
    rows_per_block = 1_000
    idat = b"".join(
        compressor.compress(row * rows_per_block) for _ in range(height // rows_per_block)
    )
    idat += compressor.flush()
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", idat)
        + _png_chunk(b"IEND", b"")
    )


@cache
def oversized_jpeg() -> bytes:
    """A real JPEG over CORPUS_MAX_BYTES; random noise barely compresses."""
    size = (1200, 1000)
    noise = random.Random(11).randbytes(size[0] * size[1] * 3)
    data = encode(Image.frombytes("RGB", size, noise), "JPEG", quality=95)
    assert len(data) > CORPUS_MAX_BYTES
    return data


def too_many_pixels_jpeg() -> bytes:
    """A small file (a flat grey JPEG) whose 4.8 megapixels exceed CORPUS_MAX_PIXELS."""
    return encode(Image.new("L", (2400, 2000), 128), "JPEG")


def random_bytes() -> bytes:
    return random.Random(13).randbytes(4096)


def jpeg_header_then_garbage() -> bytes:
    """A JPEG signature that passes a naive magic-number check, then noise."""
    return b"\xff\xd8\xff\xe0" + random.Random(17).randbytes(4096)


def png_with_bad_crc() -> bytes:
    """A PNG whose image data checksum does not match: corrupted in storage or transit."""
    data = encode(scene(10), "PNG")
    _, crc_start = _idat_span(data)
    corrupt_crc = bytes(byte ^ 0xFF for byte in data[crc_start : crc_start + 4])
    return data[:crc_start] + corrupt_crc + data[crc_start + 4 :]


def png_with_cut_idat() -> bytes:
    """A PNG that ends halfway through its image data."""
    data = encode(scene(10), "PNG")
    start, end = _idat_span(data)
    return data[: (start + end) // 2]


# (upload name, maker, expected PhotoRejected code)
BAD_PHOTOS: list[tuple[str, Callable[[], bytes], str]] = [
    ("hello.jpg", text_file, "not_an_image"),
    ("drawing.svg", svg_document, "unsupported_format"),
    ("animation.gif", gif_image, "unsupported_format"),
    ("bitmap.bmp", bmp_image, "unsupported_format"),
    ("scan.tiff", tiff_image, "unsupported_format"),
    ("cut-off.jpg", truncated_jpeg, "truncated"),
    ("empty.jpg", empty_file, "empty"),
    ("bomb.png", decompression_bomb, "decompression_bomb"),
    ("noise.jpg", oversized_jpeg, "too_large"),
    ("huge.jpg", too_many_pixels_jpeg, "too_many_pixels"),
    ("random.jpg", random_bytes, "not_an_image"),
    ("garbage.jpg", jpeg_header_then_garbage, "not_an_image"),
    ("bad-crc.png", png_with_bad_crc, "truncated"),
    ("cut-off.png", png_with_cut_idat, "truncated"),
]


# --- helpers ------------------------------------------------------------------


def _colour(rng: random.Random) -> tuple[int, int, int]:
    return (rng.randrange(256), rng.randrange(256), rng.randrange(256))


def _dms(decimal_degrees: float) -> tuple[float, float, float]:
    value = abs(decimal_degrees)
    degrees = int(value)
    minutes = int((value - degrees) * 60)
    seconds = (value - degrees - minutes / 60) * 3600
    return (float(degrees), float(minutes), round(seconds, 4))


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def _idat_span(data: bytes) -> tuple[int, int]:
    """Offsets where the first IDAT chunk's data starts and where its CRC starts."""
    kind_at = data.index(b"IDAT")
    (length,) = struct.unpack(">I", data[kind_at - 4 : kind_at])
    return kind_at + 4, kind_at + 4 + length
