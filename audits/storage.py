"""Where visit photos live in the private storage, and how a served copy is reached.

Everything goes through Django's storage API, so the same code runs on local
disk (the embedded default) and on a private S3 bucket (production); which one
is used is decided by settings.STORAGES["default"] alone.
"""

from __future__ import annotations

import posixpath
from typing import IO, Literal

from django.core.files.base import ContentFile, File
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


def storage_names_under(prefix: str) -> list[str]:
    """The name of every file under the folder `prefix`, at any depth, sorted.

    On S3 one flat listing (1,000 names a request) instead of a request per
    folder, which is what walking it with listdir() would cost.
    """
    from storages.backends.s3 import S3Storage  # imported late: boto3 is slow to import
    from storages.utils import clean_name, safe_join

    storage = private_storage()
    prefix = prefix.strip("/") + "/"
    if isinstance(storage, S3Storage):
        root = storage.location.strip("/")
        paginator = storage.connection.meta.client.get_paginator("list_objects_v2")
        pages = paginator.paginate(
            Bucket=storage.bucket_name, Prefix=safe_join(storage.location, clean_name(prefix))
        )
        keys = (entry["Key"] for page in pages for entry in page.get("Contents", ()))
        return sorted(
            posixpath.relpath(key, root) if root else key for key in keys if not key.endswith("/")
        )
    names = []
    folders = [prefix]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = storage.listdir(folder)
        except FileNotFoundError:
            continue
        names += [folder + name for name in files]
        folders += [folder + sub + "/" for sub in subfolders]
    return sorted(names)


def storage_overwrite(name: str, data: bytes | IO[bytes]) -> str:
    """Write `data` (bytes, or a file read from its start) under exactly `name`, replacing what is there; returns the name.

    A file is streamed: S3 uploads it in parts, local disk copies it in chunks,
    so a large zip never has to be held in memory.

    S3Storage overwrites when file_overwrite is set (as in our settings), but
    FileSystemStorage without allow_overwrite would store a second file under a
    random suffix, so the old one is removed first there. Two writers racing on
    one name can still make local disk pick a suffixed name; callers store the
    name this returns, which is always a real file.
    """
    storage = private_storage()
    if storage.get_available_name(name) != name:
        storage.delete(name)
    content = ContentFile(data) if isinstance(data, bytes) else File(data, name=name)
    return storage.save(name, content)


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
