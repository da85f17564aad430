"""Reading the report change stamps (audits.models.ReportStamp) for cache keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection

from audits.models import ReportStamp


def report_stamps(
    *, checklist_ids: Collection[int], start: dt.date, end: dt.date
) -> list[tuple[int, str, int]]:
    """(checklist id, month, changes) of the checklists' months from `start`'s to `end`'s, in order.

    One query over a handful of rows (one per checklist and month), read by the
    unique constraint's index. Equal lists mean nothing those months show changed.
    """
    return [
        (checklist_id, month.isoformat(), changes)
        for checklist_id, month, changes in ReportStamp.objects.filter(
            checklist_id__in=checklist_ids, month__range=(start.replace(day=1), end)
        )
        .order_by("checklist_id", "month")
        .values_list("checklist_id", "month", "changes")
    ]
