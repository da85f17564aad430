"""Where visit photos live in the private storage, and how a served copy is reached.

Everything goes through Django's storage API, so the same code runs on local
disk (the embedded default) and on a private S3 bucket (production); which one
is used is decided by settings.STORAGES["default"] alone.
"""

from __future__ import annotations

from typing import Literal

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

PhotoKind = Literal["original", "thumb", "print", "full"]


def private_storage() -> Storage:
    """The storage of uploads: private on every backend, never given a public URL.

    `default_storage` is a lazy object that Django resets when STORAGES
    changes (django.test.signals), so tests that switch backends see the switch.
    """
    return default_storage


def photo_path(visit_id, photo_id, kind: PhotoKind, *, ext: str = "jpg") -> str:
    """The storage name of one version of a photo.

    Deterministic on purpose: writing the same photo again (a retried upload,
    renditions made twice) overwrites the earlier object instead of adding one.
    Renditions are always JPEG; only the original keeps its own extension.
    """
    return f"visits/{visit_id}/photos/{photo_id}/{kind}.{ext}"


def storage_overwrite(name: str, data: bytes) -> str:
    """Write `data` under exactly `name`, replacing what is there; returns the name.

    S3Storage overwrites when file_overwrite is set (as in our settings), but
    FileSystemStorage without allow_overwrite would store a second file under a
    random suffix, so the old one is removed first there. Two writers racing on
    one name can still make local disk pick a suffixed name; callers store the
    name this returns, which is always a real file.
    """
    storage = private_storage()
    if storage.get_available_name(name) != name:
        storage.delete(name)
    return storage.save(name, ContentFile(data))


def signed_url_or_none(name: str) -> str | None:
    """A short-lived signed URL for a private S3 object, or None on local disk.

    None tells the caller to stream the file itself: local files have no URL
    (base_url=None), and an S3 bucket without query-string auth would yield a
    permanent, unsigned URL, which must never be handed out for a private photo.
    """
    from storages.backends.s3 import S3Storage  # imported late: boto3 is slow to import

    storage = private_storage()
    if isinstance(storage, S3Storage) and storage.querystring_auth:
        return storage.url(name)
    return None
