"""reports.selectors.cycle_collection_paused: the collector is held while a report builds its
rows, and left as it was found."""

from __future__ import annotations

import gc

import pytest

from reports.selectors import cycle_collection_paused


@pytest.fixture(autouse=True)
def collector_enabled():
    gc.enable()
    yield
    gc.enable()


def test_the_collector_is_held_inside_and_enabled_again_after():
    with cycle_collection_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_is_enabled_again_after_an_error():
    with pytest.raises(RuntimeError), cycle_collection_paused():
        raise RuntimeError("report failed")
    assert gc.isenabled()


def test_a_collector_held_by_someone_else_stays_held():
    gc.disable()
    with cycle_collection_paused():
        pass
    assert not gc.isenabled()
