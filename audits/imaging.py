"""Pure handling of the photos a shopper's phone uploads for a branch visit.

Nothing here knows about Django, storage or the database: every function takes
bytes and returns plain values, so the rules can be tested without a server and
reused from views, Celery tasks and management commands alike.

Uploads are untrusted. A photo is accepted or refused by what its bytes decode
to, never by its file name or the Content-Type the client claimed, and only
`render_copy` output is ever served or printed, because the original still
carries the shopper's GPS position, device and name in its metadata.
"""

from __future__ import annotations

import io
import math
import re
import statistics
import warnings
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import cache
from typing import Any, Literal

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

try:
    import pillow_heif
except ImportError:  # HEIC is optional: without the plugin it is simply not accepted.
    pillow_heif = None
else:
    pillow_heif.register_heif_opener()

__all__ = [
    "ACCEPTED_FORMATS",
    "PhotoInfo",
    "PhotoRejected",
    "inspect_photo",
    "phash_distance",
    "render_copy",
]

# Pillow format name -> the content type we store and serve the original under.
ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
}
if pillow_heif is not None:
    # iPhones name the format HEIC; Pillow reports the container as HEIF.
    ACCEPTED_FORMATS["HEIF"] = "image/heic"

# Pillow opens many phones' JPEGs (extra depth or preview frames) as "MPO";
# they are ordinary JPEG files and refusing them would refuse real photos.
_FORMAT_ALIASES = {"MPO": "JPEG"}

_FORMAT_LABELS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "HEIF": "HEIC"}

_BOMB_SIGNALS = (Image.DecompressionBombWarning, Image.DecompressionBombError)

# The perceptual hash looks at 32x32 pixels: a JPEG decoded at 1/8 of a phone
# photo's size (about 500 px) gives it all the detail it uses.
_HASH_SOURCE_SIDE = 512
# EXIF orientations 5-8 turn the picture on its side: width and height swap.
_SIDEWAYS = {5, 6, 7, 8}

RejectionCode = Literal[
    "too_large",
    "too_many_pixels",
    "decompression_bomb",
    "not_an_image",
    "unsupported_format",
    "truncated",
    "empty",
]


class PhotoRejected(ValueError):
    """An upload that is not an acceptable photo.

    `code` is stable and meant for API clients and tests; `message` is meant for
    the shopper, so it says what was wrong and, where possible, what to do.
    """

    def __init__(self, code: RejectionCode, message: str) -> None:
        super().__init__(message)
        self.code: str = code
        self.message: str = message

    def __repr__(self) -> str:
        return f"PhotoRejected(code={self.code!r}, message={self.message!r})"


@dataclass(frozen=True)
class PhotoInfo:
    """What an accepted photo is, as the rest of the audit needs to know it.

    `width` and `height` are as a person sees the photo (EXIF orientation
    applied), since that is how reviewers and reports will lay it out.
    """

    content_type: str
    format: str
    width: int
    height: int
    taken_at: datetime | None
    gps_lat: float | None
    gps_lng: float | None
    phash: str


def inspect_photo(
    data: bytes,
    *,
    max_bytes: int,
    max_pixels: int,
    default_tz: tzinfo,
    max_decoded_bytes: int | None = None,
) -> PhotoInfo:
    """Accept or refuse an uploaded photo by its content, and describe it.

    The image is decoded completely, because a file cut off mid-upload often
    has an intact header and only fails once its pixels are read. Its
    dimensions are checked against `max_pixels` before decoding, so a file
    whose header declares an enormous image is refused without allocating it.

    `default_tz` interprets the capture time when the camera recorded no UTC
    offset (older phones and many cameras do not); pass the branch's time zone.

    Memory: a JPEG is decoded at the smallest scale that still gives the hash
    its detail (1/8 for a phone photo: every byte is still read, so a cut-off
    file is still caught); other formats cannot be reduced while decoding and
    are refused when their decoded pixels would take more than
    `max_decoded_bytes`. The hash is taken from a small copy, so no full-size
    rotated or flattened copy is ever made.

    Raises PhotoRejected.
    """
    if not data:
        raise PhotoRejected("empty", "The file is empty.")
    if len(data) > max_bytes:
        raise PhotoRejected(
            "too_large",
            f"The file is {_megabytes(len(data))}; the limit is {_megabytes(max_bytes)}. "
            "Please upload a smaller photo.",
        )
    image, (width, height) = _decode(
        data,
        max_pixels=max_pixels,
        jpeg_draft_side=_HASH_SOURCE_SIDE,
        max_decoded_bytes=max_decoded_bytes,
    )
    exif = _exif(image)
    if _orientation(exif) in _SIDEWAYS:
        width, height = height, width
    fmt = _FORMAT_ALIASES.get(image.format or "", image.format or "")
    gps_lat, gps_lng = _gps(exif)
    # Reduce first: rotating and flattening then touch a few hundred kilobytes.
    image.thumbnail((_HASH_SOURCE_SIDE, _HASH_SOURCE_SIDE), Image.Resampling.BOX)
    return PhotoInfo(
        content_type=ACCEPTED_FORMATS[fmt],
        format=fmt,
        width=width,
        height=height,
        taken_at=_taken_at(exif, default_tz),
        gps_lat=gps_lat,
        gps_lng=gps_lng,
        phash=_phash(_flattened_rgb(_oriented(image))),
    )


def render_copy(data: bytes, *, max_side: int, quality: int = 85) -> bytes:
    """Make the only version of a photo that is ever served or printed.

    Returns a JPEG, upright, no longer than `max_side` on its longest side
    (never enlarged), with transparency flattened onto white and with no
    metadata except an RGB colour profile: EXIF, GPS, XMP and comments identify
    the shopper and their phone, while dropping the profile of a wide-gamut
    (e.g. Display P3) photo would visibly shift its colours.

    Expects bytes that `inspect_photo` accepted; anything else still raises
    PhotoRejected rather than an arbitrary Pillow error.
    """
    if max_side < 1:
        raise ValueError("max_side must be at least 1")
    image, _ = _decode(data, max_pixels=None, jpeg_draft_side=max_side)
    icc_profile = image.info.get("icc_profile")
    image = _flattened_rgb(_oriented(image))
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)

    # Pillow carries some metadata (e.g. the JPEG comment) from `info` into the
    # saved file, so the copy starts from an empty `info` rather than a filtered one.
    image.info = {}
    options: dict[str, Any] = {"quality": quality, "optimize": True}
    if _is_rgb_profile(icc_profile):
        options["icc_profile"] = icc_profile
    out = io.BytesIO()
    image.save(out, "JPEG", **options)
    return out.getvalue()


def phash_distance(a: str, b: str) -> int:
    """Count the bits in which two perceptual hashes differ.

    A small distance means the two photos look alike, which is how a photo
    reused from another visit is spotted even after it was re-encoded or resized.
    """
    if len(a) != len(b):
        raise ValueError(f"Cannot compare hashes of different lengths: {a!r} and {b!r}")
    return (int(a, 16) ^ int(b, 16)).bit_count()


# --- decoding -----------------------------------------------------------------


@contextmanager
def _refusing_decompression_bombs() -> Iterator[None]:
    """Turn Pillow's decompression-bomb check into a refusal.

    Pillow only *warns* between MAX_IMAGE_PIXELS and twice that, and would then
    go on to decode; the warning is escalated so that such a file is never
    decoded. The process-wide Image.MAX_IMAGE_PIXELS is deliberately left
    alone: changing it per call is a race between threads. Our own
    `max_pixels` check is the real limit; this is the backstop for callers
    that have none (render_copy) and for headers Pillow checks before we can.

    catch_warnings() is itself process-wide before Python 3.14. A race between
    threads can at worst drop this filter for one call (our own pixel check
    still refuses) or leave it installed (which is harmless).
    """
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            yield
        except _BOMB_SIGNALS as exc:
            raise PhotoRejected(
                "decompression_bomb",
                "The file declares an image far larger than any photo, so it was not "
                "decoded (it may be a decompression bomb). Please upload the original "
                "photo from your phone.",
            ) from exc


def _decode(
    data: bytes,
    *,
    max_pixels: int | None,
    jpeg_draft_side: int | None = None,
    max_decoded_bytes: int | None = None,
) -> tuple[Image.Image, tuple[int, int]]:
    """Open, check and fully decode an accepted photo, or raise PhotoRejected.

    Returns the image and the size the photo is stored at: a JPEG drafted to a
    smaller scale reports its reduced size, the stored one is read before.
    """
    with _refusing_decompression_bombs():
        image = _open(data)
        fmt = _FORMAT_ALIASES.get(image.format or "", image.format or "")
        if fmt not in ACCEPTED_FORMATS:
            raise PhotoRejected(
                "unsupported_format",
                f"{image.format} images are not accepted. {_accepted_hint()}",
            )
        if max_pixels is not None:
            _check_pixels(image.size, max_pixels)
        _verify(data)
        drafted = jpeg_draft_side is not None and fmt == "JPEG"
        stored_size = image.size
        if drafted:
            # Decoding a phone JPEG at 1/2..1/8 scale is far faster and smaller;
            # draft() keeps both sides >= the request, so quality is unaffected.
            # Other formats' draft() may substitute an embedded thumbnail, which
            # need not show what the photo shows, so it is used for JPEG only.
            image.draft("RGB", (jpeg_draft_side, jpeg_draft_side))
        if max_decoded_bytes is not None:
            _check_decoded_bytes(image, max_decoded_bytes)
        try:
            image.load()
        except _BOMB_SIGNALS:
            raise
        except Exception as exc:
            raise _damaged() from exc
        if not drafted:
            # Some decoders (HEIF) only learn the true size while decoding.
            stored_size = image.size
        if max_pixels is not None:
            _check_pixels(stored_size, max_pixels)
    return image, stored_size


def _open(data: bytes) -> Image.Image:
    """Identify the bytes as an image; reads the header only."""
    try:
        return Image.open(io.BytesIO(data))
    except _BOMB_SIGNALS:
        raise
    except UnidentifiedImageError as exc:
        if _looks_like_svg(data):
            raise PhotoRejected(
                "unsupported_format",
                f"SVG drawings are not accepted. {_accepted_hint()}",
            ) from exc
        raise _not_an_image() from exc
    except Exception as exc:
        # Every installed plugin gets to parse the header of hostile input, and
        # some raise arbitrary exception types; all of them mean "unreadable".
        raise _not_an_image() from exc


def _verify(data: bytes) -> None:
    """Run the integrity checks that decoding skips (e.g. PNG chunk checksums).

    Pillow requires a fresh image after verify(), hence the second open.
    """
    try:
        Image.open(io.BytesIO(data)).verify()
    except _BOMB_SIGNALS:
        raise
    except Exception as exc:
        raise _damaged() from exc


def _check_pixels(size: tuple[int, int], max_pixels: int) -> None:
    width, height = size
    if width * height > max_pixels:
        raise PhotoRejected(
            "too_many_pixels",
            f"The photo is {width}x{height} pixels ({width * height / 1e6:.1f} megapixels); "
            f"the limit is {max_pixels / 1e6:.1f} megapixels. Please upload a smaller photo.",
        )


def _check_decoded_bytes(image: Image.Image, max_decoded_bytes: int) -> None:
    """Refuse an image whose decoded pixels (at the scale it will decode to) exceed the budget.

    A small PNG can declare 50 megapixels of one colour: 142 KB on the wire,
    200 MB once decoded. JPEGs were reduced by draft() before this check.
    """
    width, height = image.size
    channels = len(image.getbands())
    depth = 2 if image.mode.startswith("I;16") else 4 if image.mode in ("I", "F") else 1
    decoded = width * height * channels * depth
    if decoded > max_decoded_bytes:
        raise PhotoRejected(
            "too_many_pixels",
            f"The photo is {width}x{height} pixels; decoding it would take "
            f"{_megabytes(decoded)}, more than the {_megabytes(max_decoded_bytes)} a photo may. "
            "Please upload the photo as JPEG or HEIC, as the phone's camera saves it.",
        )


def _orientation(exif: Image.Exif | None) -> int:
    try:
        return int(exif.get(ExifTags.Base.Orientation, 1)) if exif else 1
    except (TypeError, ValueError):
        return 1


def _looks_like_svg(data: bytes) -> bool:
    return b"<svg" in data[:4096].lower()


def _not_an_image() -> PhotoRejected:
    return PhotoRejected("not_an_image", f"The file is not a readable image. {_accepted_hint()}")


def _damaged() -> PhotoRejected:
    # One code for cut-off and corrupted data: the shopper's remedy is the same.
    return PhotoRejected(
        "truncated",
        "The photo is incomplete or damaged and could not be decoded; it may have been "
        "cut off during upload. Please upload it again.",
    )


def _accepted_hint() -> str:
    labels = [_FORMAT_LABELS[fmt] for fmt in ACCEPTED_FORMATS]
    return f"Please upload a {', '.join(labels[:-1])} or {labels[-1]} photo."


def _megabytes(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB"


# --- pixels -------------------------------------------------------------------


def _oriented(image: Image.Image) -> Image.Image:
    """Apply EXIF orientation; a photo with unreadable EXIF is left as stored."""
    # Malformed EXIF must not cost the shopper an otherwise good photo.
    with suppress(Exception):
        ImageOps.exif_transpose(image, in_place=True)
    return image


def _flattened_rgb(image: Image.Image) -> Image.Image:
    """Convert to 8-bit RGB, placing any transparency on white as a viewer would."""
    if image.mode.startswith("I;16"):
        # A plain convert() clips 16-bit values to 255, turning the photo white.
        image = image.convert("I").point(lambda value: value / 256).convert("L")
    if image.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, "white")
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    if image.mode != "RGB":
        return image.convert("RGB")
    return image


def _is_rgb_profile(profile: object) -> bool:
    # Bytes 16-19 of an ICC header name its colour space. The copy is always
    # RGB, so a grey or CMYK profile would misdescribe it and must be dropped.
    return isinstance(profile, bytes) and profile[16:20] == b"RGB "


@cache
def _dct_basis() -> tuple[tuple[float, ...], ...]:
    """cos(pi * k * (2n + 1) / 64) for the 8 lowest frequencies over 32 samples."""
    return tuple(
        tuple(math.cos(math.pi * k * (2 * n + 1) / 64) for n in range(32)) for k in range(8)
    )


def _phash(image: Image.Image) -> str:
    """64-bit DCT perceptual hash, as 16 hex characters.

    Same construction as imagehash.phash: 32x32 greyscale, 2-D DCT-II, the 8x8
    lowest frequencies, each bit set when its coefficient is above their median,
    row-major with the first bit most significant. Only those 64 coefficients
    are computed, which keeps pure Python fast enough.
    """
    grey = image.convert("L").resize((32, 32), Image.Resampling.LANCZOS)
    pixels = grey.tobytes()
    rows = [pixels[row * 32 : (row + 1) * 32] for row in range(32)]
    basis = _dct_basis()
    # Horizontal transform of every row, then vertical transform of the result.
    row_freqs = [
        [sum(b * p for b, p in zip(basis[v], row, strict=True)) for v in range(8)] for row in rows
    ]
    coefficients = [
        sum(basis[u][y] * row_freqs[y][v] for y in range(32)) for u in range(8) for v in range(8)
    ]
    median = statistics.median(coefficients)
    bits = 0
    for coefficient in coefficients:
        bits = (bits << 1) | (coefficient > median)
    return f"{bits:016x}"


# --- metadata -----------------------------------------------------------------


def _exif(image: Image.Image) -> Image.Exif | None:
    try:
        return image.getexif()
    except Exception:
        # Metadata is best effort; a photo with unreadable EXIF is still a photo.
        return None


def _taken_at(exif: Image.Exif | None, default_tz: tzinfo) -> datetime | None:
    """Capture time from DateTimeOriginal, made aware.

    The IFD0 DateTime tag is deliberately not used as a fallback: it records
    when the file was last edited, which says nothing about the visit.
    """
    if exif is None:
        return None
    try:
        exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:
        exif_ifd = {}
    raw = exif_ifd.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTimeOriginal)
    text = _exif_text(raw)
    if text is None:
        return None
    try:
        naive = datetime.strptime(text, "%Y:%m:%d %H:%M:%S")
    except ValueError:
        # Cameras without a clock write "    :  :     :  :  " or similar.
        return None
    offset = _utc_offset(_exif_text(exif_ifd.get(ExifTags.Base.OffsetTimeOriginal)))
    return naive.replace(tzinfo=offset if offset is not None else default_tz)


def _utc_offset(text: str | None) -> timezone | None:
    match = re.fullmatch(r"([+-])(\d{2}):(\d{2})", text or "")
    if match is None:
        return None
    sign = -1 if match[1] == "-" else 1
    try:
        return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))
    except ValueError:  # 24 hours or more is not a real offset
        return None


def _exif_text(raw: object) -> str | None:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", errors="replace")
    if not isinstance(raw, str):
        return None
    return raw.strip("\x00 ") or None


def _gps(exif: Image.Exif | None) -> tuple[float | None, float | None]:
    """Decimal degrees from the GPS IFD, or (None, None) when absent or invalid.

    A coordinate without its N/S or E/W reference is discarded rather than
    guessed: a wrong sign puts the visit on the other side of the world.
    """
    if exif is None:
        return None, None
    try:
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    except Exception:
        return None, None
    lat = _coordinate(
        gps.get(ExifTags.GPS.GPSLatitude), gps.get(ExifTags.GPS.GPSLatitudeRef), "N", "S", 90
    )
    lng = _coordinate(
        gps.get(ExifTags.GPS.GPSLongitude), gps.get(ExifTags.GPS.GPSLongitudeRef), "E", "W", 180
    )
    if lat is None or lng is None:
        return None, None
    return lat, lng


def _coordinate(
    value: object, ref: object, positive: str, negative: str, limit: float
) -> float | None:
    ref_text = _exif_text(ref)
    if ref_text not in (positive, negative):
        return None
    try:
        # Normally (degrees, minutes, seconds); some writers store one decimal value.
        parts = (
            [float(part) for part in value] if isinstance(value, tuple | list) else [float(value)]
        )
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    if not 1 <= len(parts) <= 3 or not all(math.isfinite(part) for part in parts):
        return None
    degrees = sum(part / 60**index for index, part in enumerate(parts))
    if not 0 <= degrees <= limit:
        return None
    return -degrees if ref_text == negative else degrees
