"""Reads for check_storage: do the photos in the database and the files in storage agree?"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from audits.models import Photo
from audits.storage import photo_path, storage_names_under

# photo_path() puts every file of a photo under visits/<visit>/photos/<photo>/.
PHOTOS_PREFIX = "visits/"
COPY_KINDS = ("thumb", "print", "full")


@dataclass
class PhotoStorageReport:
    files: int = 0
    photos_received: int = 0
    # Received photos whose original is not in storage: their copies cannot be remade.
    missing_originals: list[Photo] = field(default_factory=list)
    # Received photos with their original but without every copy, with the kinds missing.
    missing_copies: list[tuple[Photo, list[str]]] = field(default_factory=list)
    # Files under PHOTOS_PREFIX that no photo refers to.
    orphans: list[str] = field(default_factory=list)


def photo_storage_report() -> PhotoStorageReport:
    """Compare every photo row with the files under PHOTOS_PREFIX (one listing of storage)."""
    # Storage first, rows second: a file being uploaded now belongs to a photo
    # declared before the listing, so the rows read afterwards include it.
    stored = set(storage_names_under(PHOTOS_PREFIX))
    photos = Photo.objects.only(
        "id", "visit_id", "received_at", "original_name", "thumb_name", "print_name"
    ).order_by("created_at", "id")
    report = _compare(stored, photos.iterator(chunk_size=2000))
    report.files = len(stored)
    return report


def photo_storage_orphans(*, names: Iterable[str]) -> list[str]:
    """Which of these files no photo refers to now (a second look just before deleting them)."""
    names = set(names)
    ids = {photo_id for photo_id in map(_photo_id_of, names) if photo_id}
    photos: list[Photo] = []
    chunk = sorted(ids)
    for start in range(0, len(chunk), 500):
        photos += Photo.objects.filter(pk__in=chunk[start : start + 500])
    return _compare(names, photos).orphans


def _compare(stored: set[str], photos: Iterable[Photo]) -> PhotoStorageReport:
    report = PhotoStorageReport()
    referenced: set[str] = set()
    in_flight: set[str] = set()
    for photo in photos:
        folder = posixpath.dirname(photo_path(photo.visit_id, photo.id, "original")) + "/"
        if photo.received_at is None:
            # Declared, bytes not in yet: an upload writes the original before its row
            # commits, so whatever is in the folder may be that upload's.
            in_flight.add(folder)
            continue
        report.photos_received += 1
        copies = {
            "thumb": photo.thumb_name or photo_path(photo.visit_id, photo.id, "thumb"),
            "print": photo.print_name or photo_path(photo.visit_id, photo.id, "print"),
            "full": photo_path(photo.visit_id, photo.id, "full"),
        }
        referenced.update(copies.values())
        if photo.original_name:
            referenced.add(photo.original_name)
        if not photo.original_name or photo.original_name not in stored:
            report.missing_originals.append(photo)
            continue
        missing = [kind for kind in COPY_KINDS if copies[kind] not in stored]
        if missing:
            report.missing_copies.append((photo, missing))
    report.orphans = sorted(
        name
        for name in stored
        if name not in referenced and posixpath.dirname(name) + "/" not in in_flight
    )
    return report


def _photo_id_of(name: str) -> str | None:
    """The photo id in visits/<visit>/photos/<photo>/<file>, or None for another name."""
    parts = name.split("/")
    if len(parts) != 5 or parts[0] != PHOTOS_PREFIX.rstrip("/") or parts[2] != "photos":
        return None
    try:
        return str(uuid.UUID(parts[3]))
    except ValueError:
        return None
