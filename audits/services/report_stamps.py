"""Bumping the report change stamps (audits.models.ReportStamp).

The scorecard cache key (reports.services.scorecards) reads the stamps of the
trend window's months instead of aggregating the visits, so every change a
scorecard can show must bump the stamp of its visit's checklist and month in
its own transaction:

- approving a visit, withdrawing an approval, re-scoring an approved visit
  (an upheld appeal or a reviewer's amendment, with its AnswerCorrection):
  all go through audits.services.rollups.rollups_apply, which bumps;
- `manage.py rebuild_rollups` fixing drift: rollups_rebuild bumps every month
  of the checklists it rewrote;
- a photo's print copy recorded after approval (photo_renditions_make): the
  card prints those copies.

Nothing else changes an approved visit: comments and answers are only written
while it is incomplete or returned, and it is approved afterwards. Branches
and checklist versions are not visits' changes and are written above or
outside audits.services (the admin; checklists, below audits, publishes
versions), so the key still reads those tables itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from audits.models import ReportStamp
from audits.services.upserts import rows_upsert_adding


def _month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def report_stamps_bump(*, checklist_days: Iterable[tuple[int, dt.date]]) -> None:
    """Add one to the stamp of each (checklist id, any day of the month), creating it as needed.

    Must run in the transaction of the change it stamps. Done by the database
    (one upsert), so two changes committing together both count; the rows are
    sorted, so transactions bumping several lock them in the same order.
    """
    rows = sorted({(checklist_id, _month_of(day), 1) for checklist_id, day in checklist_days})
    rows_upsert_adding(
        ReportStamp,
        conflict=["checklist_id", "month"],
        columns=["checklist_id", "month", "changes"],
        added=["changes"],
        rows=rows,
    )
