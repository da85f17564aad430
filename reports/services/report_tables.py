"""Keeping the report tables readers open every morning ready before they ask.

The comparison and the drivers are kept in the cache for each reader's scope
(reports.selectors.memo), but the first reader after a change still waits for
the roll-ups: about a second for a company's comparison at 10,000 branches.
Celery beat runs report_tables_warm every few minutes, so that reader is
usually nobody: a table whose stamp has not changed is found kept, and costs
its stamp's few small queries.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from accounts.roles import Role
from accounts.scope import Scope, scope_of
from audits.models import User, VisitRollup
from checklists.models import Checklist
from reports.periods import Period
from reports.selectors.comparison import reader_comparison
from reports.selectors.drivers import reader_drivers
from reports.selectors.memo import COMPANY, reader_key
from reports.selectors.scorecard import last_complete_month

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WarmedTable:
    checklist: str
    reader: str  # memo.reader_key
    seconds: float  # both reports: a found table takes its stamp's queries only


def report_readers() -> dict[str, Scope]:
    """The scopes report pages are read with, by reader_key: the company, and each regional
    manager's regions (managers who share their regions share their tables)."""
    readers = {COMPANY: Scope.company()}
    for manager in User.objects.filter(role=Role.REGIONAL_MANAGER, is_active=True):
        scope = scope_of(manager)
        readers.setdefault(reader_key(scope, None), scope)
    return readers


def report_tables_warm(*, period: Period | None = None) -> list[WarmedTable]:
    """Keep the comparison and the drivers of `period` for every report reader.

    `period`: by default the last complete month, which the report pages open
    with. Every checklist with approved visits in the period, for the company
    and for each regional manager's regions, as the pages read them (no region
    chosen). A checklist nothing has been published of is skipped.
    """
    period = period or last_complete_month()
    checklists = Checklist.objects.filter(
        pk__in=VisitRollup.objects.filter(day__range=(period.start, period.end)).values("checklist")
    ).order_by("code")
    readers = report_readers()
    warmed = []
    for checklist in checklists:
        for key, reader in readers.items():
            started = time.perf_counter()
            try:
                reader_comparison(user=reader, checklist=checklist, period=period)
                reader_drivers(user=reader, checklist=checklist, period=period)
            except ValidationError as error:  # nothing published: no page shows it either
                logger.info("report tables of %s not kept: %s", checklist.code, error)
                break
            warmed.append(
                WarmedTable(
                    checklist=checklist.code,
                    reader=key,
                    seconds=time.perf_counter() - started,
                )
            )
    return warmed
