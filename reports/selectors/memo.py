"""Report tables kept in the shared cache, under keys that name everything they read.

A company's comparison or drivers take the roll-ups a second or a few hundred
milliseconds at 10,000 branches, and head office and the regional managers open
the same ones every morning. A key carries a stamp of what the table reads
(reports.selectors.company_stamp: report change stamps and branch edits) and of
the reader's scope, so a kept table is never stale, and is simply not found
again after anything it shows has changed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple, TypeVar

from django.core.cache import cache

from accounts.scope import scope_of
from audits.models import Region
from reports.selectors import cycle_collection_paused

T = TypeVar("T")

# How long an unused table is kept: its key changes with everything it shows, so
# this only bounds what the cache holds.
MEMO_SECONDS = 3600
# The reader_key of a company-wide reader's whole company.
COMPANY = "company"


def reader_key(user, region: Region | None) -> str | None:
    """What a report for `user`, narrowed to `region`, depends on of its reader; None: not kept.

    Report rows depend on the reader's scope only (accounts.scope): company-wide
    or the regions of a regional manager, and the region asked for. A shopper's
    scope is never kept (nor shown a report).
    """
    scope = scope_of(user)
    if scope.shopper_id is not None:
        return None
    seen = COMPANY if scope.company_wide else "regions-" + "-".join(map(str, sorted(scope.regions)))
    return seen if region is None else f"{seen}:region-{region.pk}"


class MemoKey(NamedTuple):
    """A kept table's name (what it is, for whom) and the stamp of what it read."""

    name: str
    stamp: str

    @property
    def key(self) -> str:
        return f"{self.name}:{self.stamp}"


@cycle_collection_paused()
def memoised(memo: MemoKey, build: Callable[[], T]) -> T:
    """The value kept under `memo`, or build() kept there now, in place of the earlier one.

    A name holds one stamp's value at a time: the value kept under an earlier
    stamp, which nothing reads again, is deleted rather than left to expire. The
    database cache (the embedded default) only drops expired rows once it holds
    MAX_ENTRIES, and a company's table is megabytes.

    The cycle collector is held while a kept table is unpickled: 10,000 rows make
    a few hundred thousand objects, none in a cycle (cycle_collection_paused).
    """
    value = cache.get(memo.key)
    if value is None:
        value = build()
        current = f"{memo.name}:current"
        earlier = cache.get(current)
        cache.set_many({memo.key: value, current: memo.key}, MEMO_SECONDS)
        if earlier is not None and earlier != memo.key:
            cache.delete(earlier)
    return value
