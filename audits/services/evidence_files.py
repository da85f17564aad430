"""Files a manager attaches as evidence (an action plan's photos, an appeal's photos and PDFs).

Checked the way a visit's photos are: by what the bytes decode to (audits.imaging),
never by the file's name or claimed type, and within the visit photo's byte limit.
Unlike a visit photo, the original is never stored: an evidence photo is kept only
as the re-encoded copies render_copy makes (upright JPEG, no EXIF or GPS), since
nothing needs the original's metadata and a manager's phone position is nobody's
business. A PDF cannot be re-encoded; it is checked by its magic bytes and size,
stored as uploaded and only ever served as a download.

The owners (actions, appeals) write their rows; this module prepares the bytes and
writes and deletes the files. The order that keeps rows and files together:
prepare (every check, no storage) → in the owner's transaction, under its lock,
write the files then the row → on any failure, delete what was written. A file
orphaned anyway (a crash between the two) is listed by check_storage.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.decode_slots import decode_slot
from audits.imaging import PhotoRejected, inspect_photo, render_copy
from audits.selectors.evidence_storage import EvidenceStorageReport, evidence_storage_orphans
from audits.services.photos import RENDITION_SIDES
from audits.storage import private_storage, storage_overwrite

# Per plan or appeal: enough for a before/after or a receipt and a CCTV still.
EVIDENCE_FILES_MAX = 5
FILENAME_MAX = 200
# What a manager may attach: the visit photos' formats without HEIC (a browser's file
# picker sends an iPhone photo as JPEG), and PDF where the owner allows it.
IMAGE_FORMATS = ("JPEG", "PNG", "WEBP")
PDF_TYPE = "application/pdf"
_PDF_MAGIC = b"%PDF-"
# A PDF ends with %%EOF, give or take trailing whitespace or an editor's junk: one cut
# off in the upload does not.
_PDF_TAIL = 1024


class EvidenceRejected(ValidationError):
    """A file that is not acceptable evidence: a 400 naming the field (413 when too large)."""

    def __init__(self, field_name: str, code: str, message: str) -> None:
        super().__init__({field_name: [message]})
        self.api_code = code
        self.message_text = message


@dataclass(frozen=True)
class PreparedEvidence:
    """Checked evidence, ready to write: the copies to store, by kind (thumb, full or pdf)."""

    content_type: str  # of what is served: image/jpeg for every photo, application/pdf
    filename: str
    size_bytes: int
    width: int | None
    height: int | None
    copies: dict[str, bytes] = field(default_factory=dict)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == PDF_TYPE


def evidence_file_prepare(
    *, file: IO[bytes], size: int, filename: str = "", allow_pdf: bool, field_name: str = "file"
) -> PreparedEvidence:
    """Check an uploaded evidence file and make what will be stored; writes nothing.

    `size` is the upload's length, checked before reading so an oversized file is
    never held in memory. Raises EvidenceRejected naming `field_name`.
    """
    limit = settings.PHOTO_MAX_BYTES
    kinds = "a JPEG, PNG or WebP photo" + (" or a PDF" if allow_pdf else "")
    if size > limit:
        raise _too_large(field_name, size, limit)
    data = file.read(limit + 1)
    if len(data) > limit:  # a client that understated the size
        raise _too_large(field_name, len(data), limit)
    name = posixpath.basename((filename or "").replace("\\", "/"))[:FILENAME_MAX]
    if data.startswith(_PDF_MAGIC):
        if not allow_pdf:
            raise EvidenceRejected(
                field_name, "unsupported_format", f"PDF is not accepted here; upload {kinds}."
            )
        if b"%%EOF" not in data[-_PDF_TAIL:]:
            raise EvidenceRejected(
                field_name,
                "truncated",
                "The PDF is incomplete (it has no end); it may have been cut off. Upload it again.",
            )
        return PreparedEvidence(
            content_type=PDF_TYPE,
            filename=name,
            size_bytes=len(data),
            width=None,
            height=None,
            copies={"pdf": data},
        )
    try:
        with decode_slot():
            info = inspect_photo(
                data,
                max_bytes=limit,
                max_pixels=settings.PHOTO_MAX_PIXELS,
                max_decoded_bytes=settings.PHOTO_MAX_DECODED_MB * 1_000_000,
                default_tz=timezone.get_default_timezone(),
            )
        if info.format not in IMAGE_FORMATS:
            raise PhotoRejected("unsupported_format", f"{info.format} is not accepted.")
        copies = {}
        for kind in ("thumb", "full"):
            with decode_slot():
                copies[kind] = render_copy(data, max_side=RENDITION_SIDES[kind])
    except PhotoRejected as problem:
        message = problem.message
        if problem.code in ("unsupported_format", "not_an_image"):
            # imaging's hint names HEIC, which evidence does not take; say what does.
            message = f"The file is not {kinds}."
        raise EvidenceRejected(field_name, problem.code, message) from None
    return PreparedEvidence(
        content_type="image/jpeg",
        filename=name,
        size_bytes=len(data),
        width=info.width,
        height=info.height,
        copies=copies,
    )


def _too_large(field_name: str, size: int, limit: int) -> EvidenceRejected:
    return EvidenceRejected(
        field_name,
        "too_large",
        f"The file is {size / 1_000_000:.1f} MB; the limit is {limit / 1_000_000:.1f} MB.",
    )


def evidence_count_check(*, count: int, field_name: str = "file") -> None:
    """Refuse one more file when `count` are attached already."""
    if count >= EVIDENCE_FILES_MAX:
        raise EvidenceRejected(
            field_name,
            "too_many",
            f"At most {EVIDENCE_FILES_MAX} files may be attached; {count} already are.",
        )


def evidence_path(folder: str, evidence_id: uuid.UUID, kind: str) -> str:
    """The storage name of one copy: `<folder>/<evidence id>/<kind>.<jpg|pdf>`."""
    ext = "pdf" if kind == "pdf" else "jpg"
    return f"{folder}/{evidence_id}/{kind}.{ext}"


def evidence_files_write(
    *, folder: str, evidence_id: uuid.UUID, prepared: PreparedEvidence, written: list[str]
) -> dict[str, str]:
    """Write the prepared copies; returns their storage names by kind.

    Each name is appended to `written` as soon as it exists, so the caller can
    delete them all if a later write, the row or the commit fails.
    """
    names = {}
    for kind, data in prepared.copies.items():
        names[kind] = storage_overwrite(evidence_path(folder, evidence_id, kind), data)
        written.append(names[kind])
    return names


def evidence_files_delete(*, names: Iterable[str]) -> None:
    """Delete files a failed upload wrote (best effort: check_storage finds what is left)."""
    storage = private_storage()
    for name in names:
        # Best effort: the upload's own error is the one to report.
        with suppress(Exception):
            storage.delete(name)


def evidence_storage_repair(*, report: EvidenceStorageReport) -> list[str]:
    """Delete the orphan evidence files check_storage found, each looked at again first."""
    deleted = evidence_storage_orphans(names=report.orphans)
    evidence_files_delete(names=deleted)
    return deleted


@contextmanager
def evidence_files_kept_with_row() -> Iterator[list[str]]:
    """Collect the names of files written for an evidence row; delete them if the row is not kept.

    Wrap the row's transaction in it, so that whatever fails — a write, the row,
    the commit itself — the row is rolled back and its files go too.
    """
    written: list[str] = []
    try:
        yield written
    except BaseException:
        evidence_files_delete(names=written)
        raise
