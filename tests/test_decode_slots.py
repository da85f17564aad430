"""Specification of audits.decode_slots: the bound on how many photos a process decodes at once."""

from __future__ import annotations

import threading
import time

from audits.decode_slots import decode_slot


def _most_at_once(threads: int) -> int:
    inside, most = 0, 0
    lock = threading.Lock()

    def decode():
        nonlocal inside, most
        with decode_slot():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.05)
            with lock:
                inside -= 1

    workers = [threading.Thread(target=decode) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return most


def test_eight_concurrent_uploads_decode_at_most_the_configured_number_at_once(settings):
    settings.PHOTO_DECODES_AT_ONCE = 2

    assert _most_at_once(8) == 2


def test_a_changed_setting_takes_effect(settings):
    settings.PHOTO_DECODES_AT_ONCE = 3

    assert _most_at_once(8) == 3
