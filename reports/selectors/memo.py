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
from typing import TypeVar

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


@cycle_collection_paused()
def memoised(key: str, build: Callable[[], T]) -> T:
    """The value kept under `key`, or build() kept there now.

    The cycle collector is held while a kept table is unpickled: 10,000 rows make
    a few hundred thousand objects, none in a cycle (cycle_collection_paused).
    """
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, MEMO_SECONDS)
    return value
