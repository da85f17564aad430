"""Writes of visit photos: receiving an upload, and making the copies that are served.

A photo is declared (id, sha256, optional question) in the visit's manifest
when the visit is uploaded; its bytes arrive later, one request per photo, over
whatever connection the shopper has. An upload is accepted only if its bytes
hash to the declared sha256 and decode to an acceptable photo. The same photo
id with the same bytes again is a retry and returns the stored photo; other
bytes for a photo already received are a conflict.

The original is kept privately and never served: it carries the shopper's GPS
position, phone and name. Served and printed copies come from
`photo_renditions_make`, which re-encodes without metadata.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from audits.decode_slots import decode_slot
from audits.imaging import PhotoRejected, inspect_photo, render_copy
from audits.models import Photo, Visit
from audits.selectors.photo_storage import PhotoStorageReport, photo_storage_orphans
from audits.services.report_stamps import report_stamps_bump
from audits.services.visits import visit_status_refresh
from audits.storage import photo_path, private_storage, storage_overwrite
from backend.errors import Conflict
from checklists.models import Item
from outbox.services import event_enqueue

# Longest side, in pixels, of each copy that may leave the server. `full` is
# for a reviewer zooming in; it is still a re-encode, never the original.
# `print` is what scorecards embed, in a 58 mm box: 800 px is 350 dpi there, sharp
# in print, and a phone photo's copy is ~120 KB where 1,600 px made it ~330 KB (a
# scorecard with three photos: ~0.75 MB instead of ~1.4 MB). Photos stored before
# keep their 1,600 px copy until their copies are made again.
RENDITION_SIDES: dict[str, int] = {"thumb": 320, "print": 800, "full": 4000}

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/heic": "heic"}


class PhotoDamaged(ValidationError):
    """The bytes do not hash to the declared sha256: cut or damaged on the way, so retry."""

    api_code = "sha256_mismatch"


class PhotoNotDeclared(Exception):
    """The photo id is not in this visit's manifest (or belongs to another visit)."""

    def __init__(self, visit_id, photo_id) -> None:
        self.message = (
            f"Photo {photo_id} is not declared in visit {visit_id}. Declare it in the visit's "
            "`photos` (with its sha256) before uploading its bytes."
        )
        super().__init__(self.message)


@dataclass(frozen=True)
class PhotoUploadResult:
    photo: Photo
    created: bool


def photo_upload(
    *,
    visit: Visit,
    photo_id: uuid.UUID,
    file: IO[bytes],
    size: int,
    question: str = "",
    taken_at: dt.datetime | None = None,
) -> PhotoUploadResult:
    """Receive the bytes of a declared photo; `size` is the upload's length in bytes.

    The caller has checked that the user is the visit's shopper.

    Raises PhotoNotDeclared, PhotoRejected (bad content; too_large before
    reading), ValidationError (sha256 or question does not match the manifest)
    and Conflict (other bytes for a photo already received).
    """
    photo = _declared(visit, photo_id)
    if size > settings.PHOTO_MAX_BYTES:
        # Refused before reading, so an oversized upload is never held in memory.
        raise PhotoRejected(
            "too_large",
            f"The file is {size / 1_000_000:.1f} MB; the limit is "
            f"{settings.PHOTO_MAX_BYTES / 1_000_000:.1f} MB. Please upload a smaller photo.",
        )
    data = file.read()
    digest = hashlib.sha256(data).hexdigest()
    if photo.received:
        return _replay(photo, digest)
    _check_declaration(photo, visit=visit, digest=digest, question=question)
    # The hash is checked before decoding so that only bytes the shopper
    # committed to in the manifest are ever handed to the image decoders.
    with decode_slot():
        info = inspect_photo(
            data,
            max_bytes=settings.PHOTO_MAX_BYTES,
            max_pixels=settings.PHOTO_MAX_PIXELS,
            max_decoded_bytes=settings.PHOTO_MAX_DECODED_MB * 1_000_000,
            # Branches have no time zone of their own yet; all are in the site's.
            default_tz=timezone.get_default_timezone(),
        )

    # Written before the transaction, so a slow storage write holds no locks.
    # The name is deterministic: a retry after a failed transaction overwrites
    # the same object instead of leaving another, and nothing refers to the
    # object until the row below commits. Racing uploads of one photo carry
    # the same bytes (both matched the declared sha256), so either write is fine.
    name = storage_overwrite(
        photo_path(visit.id, photo.id, "original", ext=_EXTENSIONS[info.content_type]), data
    )

    with transaction.atomic():
        # Lock the visit as visit_correct does, so a correction cannot re-declare
        # or drop this photo between our checks and our write.
        visit = Visit.objects.select_for_update().get(pk=visit.pk)
        photo = _declared(visit, photo_id)
        if photo.received:
            return _replay(photo, digest)  # a racing retry got here first
        _check_declaration(photo, visit=visit, digest=digest, question=question)
        if question and not photo.item_code:
            photo.item_code = question
        photo.received_at = timezone.now()
        photo.original_name = name
        photo.content_type = info.content_type
        photo.size_bytes = len(data)
        photo.width = info.width
        photo.height = info.height
        # The camera's clock is evidence; the phone's claim is used only when the file has none.
        photo.taken_at = info.taken_at or taken_at
        photo.gps_lat = info.gps_lat
        photo.gps_lng = info.gps_lng
        photo.phash = info.phash
        photo.save()
        visit_status_refresh(visit=visit)
        # The copies are made after the commit, by the outbox: recorded here, so a
        # crash after the commit cannot leave the photo without them, and a failure
        # to make them is retried instead of turning the upload into an error the
        # phone retries forever. The download view makes missing copies on demand.
        event_enqueue(kind="photo.renditions", key=str(photo.id))
    return PhotoUploadResult(photo=photo, created=True)


def photo_renditions_make(*, photo: Photo) -> Photo:
    """Make the thumb, print and full copies of a received photo and record them.

    Every copy comes from render_copy: upright, JPEG, no EXIF/GPS/XMP. Safe to
    run twice: the names are deterministic and a second run overwrites. The copies
    of an approved visit's photo bump its report stamp: scorecards print them.
    """
    storage = private_storage()
    with storage.open(photo.original_name, "rb") as original:
        data = original.read()
    names = {}
    for kind, side in RENDITION_SIDES.items():
        with decode_slot():
            copy = render_copy(data, max_side=side)
        names[kind] = storage_overwrite(photo_path(photo.visit_id, photo.id, kind), copy)
    # `full` has no column: it is found by photo_path(). thumb_name and
    # print_name are written last, after every copy exists, so a set
    # thumb_name means all three copies can be served.
    photo.thumb_name = names["thumb"]
    photo.print_name = names["print"]
    with transaction.atomic():
        # Locked as an approval locks it: a copy recorded while the visit is being
        # approved waits for the approval and then sees it, so the print copy a
        # scorecard embeds never arrives without moving the card's cache key.
        visit = (
            Visit.objects.select_for_update()
            .only("status", "checklist_id", "visited_on")
            .get(pk=photo.visit_id)
        )
        Photo.objects.filter(pk=photo.pk).update(
            thumb_name=photo.thumb_name, print_name=photo.print_name
        )
        if visit.status == Visit.Status.APPROVED:
            report_stamps_bump(checklist_days=[(visit.checklist_id, visit.visited_on)])
    return photo


@dataclass(frozen=True)
class PhotoStorageRepair:
    copies_enqueued: list[Photo]
    orphans_deleted: list[str]


def photo_storage_repair(*, report: PhotoStorageReport) -> PhotoStorageRepair:
    """Ask for the missing copies (outbox) and delete the orphans check_storage found.

    A missing original cannot be remade and is left to a human. Each orphan is
    looked at again just before it goes, in case a photo claimed it meanwhile.
    """
    photos = [photo for photo, _ in report.missing_copies]
    with transaction.atomic():
        for photo in photos:
            event_enqueue(kind="photo.renditions", key=str(photo.id))
    storage = private_storage()
    deleted = photo_storage_orphans(names=report.orphans)
    for name in deleted:
        storage.delete(name)
    return PhotoStorageRepair(copies_enqueued=photos, orphans_deleted=deleted)


def photo_renditions_ready(photo: Photo) -> bool:
    return bool(photo.thumb_name and photo.print_name)


def photo_renditions_handle(*, key: str, payload: dict | None = None) -> None:
    """Outbox handler of "photo.renditions" (key: the photo id): make its copies.

    Makes them again even when the photo has them, since check_storage asks for
    copies that went missing from storage. A photo dropped since needs none.
    """
    photo = Photo.objects.filter(pk=key, received_at__isnull=False).first()
    if photo is not None:
        photo_renditions_make(photo=photo)


def _declared(visit: Visit, photo_id) -> Photo:
    photo = Photo.objects.filter(pk=photo_id, visit=visit).first()
    if photo is None:
        raise PhotoNotDeclared(visit.id, photo_id)
    return photo


def _replay(photo: Photo, digest: str) -> PhotoUploadResult:
    if digest != photo.sha256:
        raise Conflict(
            f"Photo {photo.id} was already received with different bytes "
            f"(sha256 {photo.sha256}, this upload {digest}).",
            code="different_photo",
        )
    return PhotoUploadResult(photo=photo, created=False)


def _check_declaration(photo: Photo, *, visit: Visit, digest: str, question: str) -> None:
    """Raise ValidationError naming every way the upload differs from the manifest."""
    errors: dict[str, list[str]] = {}
    if question:
        if photo.item_code and question != photo.item_code:
            errors["question"] = [
                f"Photo {photo.id} was declared for question {photo.item_code!r}, not {question!r}."
            ]
        elif (
            not photo.item_code
            and not Item.objects.filter(
                version_id=visit.checklist_version_id, code=question
            ).exists()
        ):
            errors["question"] = [f"Unknown question {question!r} in this visit's checklist."]
    if digest != photo.sha256:
        # Almost always bytes damaged or cut off in transit: the phone should retry.
        errors["file"] = [f"sha256 mismatch: declared {photo.sha256}, received {digest}."]
        raise PhotoDamaged(errors)
    if errors:
        raise ValidationError(errors)
