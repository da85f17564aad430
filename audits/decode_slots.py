"""How many photos one process decodes at a time: with PHOTO_MAX_DECODED_MB, the bound on its memory.

Eight uploads of a small PNG that declares 50 megapixels once took a worker
from 381 MB to 1.8 GB. Requests and tasks beyond the limit wait for a slot
instead; the wait is short (a decode takes well under a second) and bounded by
the server's request timeout.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings

_slots: threading.BoundedSemaphore | None = None
_slots_size = 0
_creating = threading.Lock()


@contextmanager
def decode_slot() -> Iterator[None]:
    """Hold one of the process's PHOTO_DECODES_AT_ONCE decoding slots."""
    with _slots_for(settings.PHOTO_DECODES_AT_ONCE):
        yield


def _slots_for(size: int) -> threading.BoundedSemaphore:
    # Made on first use, and again if the setting changed (tests override it).
    global _slots, _slots_size
    with _creating:
        if _slots is None or _slots_size != size:
            _slots, _slots_size = threading.BoundedSemaphore(size), size
        return _slots
