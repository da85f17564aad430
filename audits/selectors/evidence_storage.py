"""Reads for check_storage: do the evidence rows (action plans, appeals) and their files agree?

audits sits below the apps that own evidence rows, so it does not import them:
settings.EVIDENCE_STORAGE_OWNERS maps each storage prefix to the dotted path of
its owner's selector, which returns every storage name its rows refer to.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from audits.storage import private_storage, storage_names_under

# An upload writes its files a moment before its row commits: a file this young
# without a row may be that upload's, so it is not called an orphan yet.
ORPHAN_GRACE = dt.timedelta(minutes=15)


@dataclass
class EvidenceStorageReport:
    files: int = 0
    rows_files: int = 0
    prefixes: list[str] = field(default_factory=list)
    # Names evidence rows refer to that are not in storage.
    missing: list[str] = field(default_factory=list)
    # Files under the evidence prefixes no row refers to (older than ORPHAN_GRACE).
    orphans: list[str] = field(default_factory=list)


def _owners() -> dict[str, str]:
    return dict(getattr(settings, "EVIDENCE_STORAGE_OWNERS", {}))


def evidence_names_referenced() -> set[str]:
    """Every storage name an evidence row refers to, from every owner."""
    names: set[str] = set()
    for path in _owners().values():
        names.update(import_string(path)())
    return names


def evidence_storage_report(*, now: dt.datetime | None = None) -> EvidenceStorageReport:
    """Compare the evidence rows with the files under the owners' prefixes (storage first)."""
    prefixes = sorted(_owners())
    stored: set[str] = set()
    for prefix in prefixes:
        stored.update(storage_names_under(prefix))
    referenced = evidence_names_referenced()
    return EvidenceStorageReport(
        files=len(stored),
        rows_files=len(referenced),
        prefixes=prefixes,
        missing=sorted(referenced - stored),
        orphans=_old_enough(sorted(stored - referenced), now=now),
    )


def evidence_storage_orphans(*, names: Iterable[str]) -> list[str]:
    """Which of these files no evidence row refers to now (a second look before deleting)."""
    referenced = evidence_names_referenced()
    return sorted(set(names) - referenced)


def _old_enough(names: list[str], *, now: dt.datetime | None) -> list[str]:
    storage = private_storage()
    limit = (now or timezone.now()) - ORPHAN_GRACE
    old = []
    for name in names:
        try:
            modified = storage.get_modified_time(name)
        except FileNotFoundError:
            continue  # gone since the listing: nothing to report
        except NotImplementedError:
            old.append(name)
            continue
        if timezone.is_naive(modified):
            modified = timezone.make_aware(modified)
        if modified <= limit:
            old.append(name)
    return old
