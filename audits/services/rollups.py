"""Keeping the report roll-ups (VisitRollup, ScoreRollup, ItemRollup) equal to approved visits.

Every change to what an approved visit contributes goes through rollups_apply in
the transaction of the change, so a roll-up never shows a visit change that rolled
back: approval adds the visit (audits.services.review.visit_review), withdrawing
an approval subtracts it (visit_approval_withdraw), and a re-score of an approved
visit, by a reviewer or an upheld appeal, subtracts the old numbers and adds the
new ones (audits.services.visits.visit_score_store). Branch deactivation needs
nothing: reports drop inactive branches when they read.

rollups_apply also bumps the report change stamp of the visit's checklist and
month (audits.services.report_stamps), which the scorecard cache key reads.

Increments are done by the database (INSERT … ON CONFLICT DO UPDATE SET n = n +
excluded.n, on PostgreSQL and SQLite alike), so two approvals of the same branch
and day committing together both count. rollups_rebuild recomputes everything
from the visits, for `manage.py rebuild_rollups`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction

from audits.models import ItemRollup, ScoreRollup, VisitRollup
from audits.selectors.rollups import (
    ZERO,
    Contribution,
    RollupRows,
    rollup_checklist_ids,
    rollup_periods,
    rollups_from_visits,
    rollups_stored,
)
from audits.services.report_stamps import report_stamps_bump
from audits.services.upserts import rows_upsert_adding

# Per roll-up table: its model, the key columns of a delta row (in the order
# rollups_apply builds them), the unique constraint's columns, and the numbers
# added up, the first of them the count whose zero means an empty row.
_TABLES = (
    (
        VisitRollup,
        ["branch_id", "checklist_id", "checklist_version_id", "grain", "day"],
        ["branch_id", "checklist_version_id", "grain", "day"],
        ["visits", "scored", "score_total", "score_squares"],
    ),
    (
        ScoreRollup,
        ["branch_id", "checklist_id", "grain", "day", "kind", "key"],
        ["branch_id", "checklist_id", "grain", "day", "kind", "key"],
        ["count", "total"],
    ),
    (
        ItemRollup,
        ["branch_id", "checklist_id", "grain", "day", "item_code"],
        ["branch_id", "checklist_id", "grain", "day", "item_code"],
        ["answers", "failures", "score_total", "gain_total"],
    ),
)


def rollups_apply(*, before: Contribution | None, after: Contribution | None) -> None:
    """Move the roll-ups from `before` (what the visit counted for) to `after` (what it counts for now).

    None on a side means the visit did not count there (not approved). Must run in
    the transaction that changes the visit. Rows that fall to zero visits or
    scores are deleted, so the roll-ups hold exactly what a rebuild would.

    The report stamps of both sides' checklist and month are bumped even when the
    numbers did not move: a re-score that leaves them equal still adds the
    correction the scorecard marks.
    """
    visit_delta: dict[tuple, list] = defaultdict(lambda: [0, 0, ZERO, ZERO])
    score_delta: dict[tuple, list] = defaultdict(lambda: [0, ZERO])
    item_delta: dict[tuple, list] = defaultdict(lambda: [0, 0, ZERO, ZERO])
    for sign, side in ((-1, before), (1, after)):
        if side is None:
            continue
        for grain, day in rollup_periods(side.day):
            _add(visit_delta, score_delta, item_delta, side, sign=sign, grain=grain, day=day)

    # Sorted, so concurrent transactions lock the rows they share in the same order.
    visit_rows = sorted((*k, *v) for k, v in visit_delta.items() if any(v))
    score_rows = sorted((*k, *v) for k, v in score_delta.items() if any(v))
    item_rows = sorted((*k, *v) for k, v in item_delta.items() if any(v))
    for (model, key, conflict, added), rows in zip(
        _TABLES, (visit_rows, score_rows, item_rows), strict=True
    ):
        rows_upsert_adding(model, conflict=conflict, columns=[*key, *added], added=added, rows=rows)
        for row in rows:
            if row[len(key)] < 0:  # its count fell: the row may be empty now
                model.objects.filter(**dict(zip(key, row, strict=False)), **{added[0]: 0}).delete()
    # Last: the stamp row is shared by every approval of the checklist's month
    # company-wide, so its lock is taken as close to the commit as possible.
    report_stamps_bump(
        checklist_days=[(side.checklist_id, side.day) for side in (before, after) if side]
    )


def _add(
    visit_delta: dict,
    score_delta: dict,
    item_delta: dict,
    side: Contribution,
    *,
    sign: int,
    grain: str,
    day,
) -> None:
    """Add `sign` times what `side` counts for to the deltas of one roll-up row per table."""
    row = visit_delta[(side.branch_id, side.checklist_id, side.version_id, grain, day)]
    row[0] += sign
    if side.score is not None:
        row[1] += sign
        row[2] += sign * side.score
        row[3] += sign * side.score * side.score
    for kind, key, score in side.scores:
        detail = score_delta[(side.branch_id, side.checklist_id, grain, day, kind, key)]
        detail[0] += sign
        detail[1] += sign * score
    for code, score, failed, gain in side.items:
        item = item_delta[(side.branch_id, side.checklist_id, grain, day, code)]
        item[0] += sign
        item[1] += sign if failed else 0
        item[2] += sign * score
        item[3] += sign * (gain or ZERO)


@dataclass
class TableDrift:
    """How one roll-up table differs from the visits: keys missing, extra, or with other numbers."""

    missing: list[tuple] = field(default_factory=list)
    extra: list[tuple] = field(default_factory=list)
    different: list[tuple[tuple, tuple, tuple]] = field(default_factory=list)  # key, stored, wanted

    def __len__(self) -> int:
        return len(self.missing) + len(self.extra) + len(self.different)


@dataclass
class RollupDrift:
    visits: TableDrift = field(default_factory=TableDrift)
    scores: TableDrift = field(default_factory=TableDrift)
    items: TableDrift = field(default_factory=TableDrift)

    def __len__(self) -> int:
        return len(self.visits) + len(self.scores) + len(self.items)


def _compare(stored: dict, wanted: dict, into: TableDrift) -> None:
    for key, numbers in wanted.items():
        have = stored.get(key)
        if have is None:
            into.missing.append(key)
        elif have != numbers:  # Decimal("85") == Decimal("85.0"): compared by value
            into.different.append((key, have, numbers))
    into.extra.extend(key for key in stored if key not in wanted)


def _replace(checklist_id: int, wanted: RollupRows) -> None:
    VisitRollup.objects.filter(checklist_id=checklist_id).delete()
    ScoreRollup.objects.filter(checklist_id=checklist_id).delete()
    ItemRollup.objects.filter(checklist_id=checklist_id).delete()
    VisitRollup.objects.bulk_create(
        [
            VisitRollup(
                branch_id=branch,
                checklist_version_id=version,
                grain=grain,
                day=day,
                checklist_id=checklist,
                visits=visits,
                scored=scored,
                score_total=total,
                score_squares=squares,
            )
            for (branch, version, grain, day), (checklist, visits, scored, total, squares) in (
                wanted.visits.items()
            )
        ],
        batch_size=1000,
    )
    ScoreRollup.objects.bulk_create(
        [
            ScoreRollup(
                branch_id=branch,
                checklist_id=checklist,
                grain=grain,
                day=day,
                kind=kind,
                key=key,
                count=count,
                total=total,
            )
            for (branch, checklist, grain, day, kind, key), (count, total) in (
                wanted.scores.items()
            )
        ],
        batch_size=1000,
    )
    ItemRollup.objects.bulk_create(
        [
            ItemRollup(
                branch_id=branch,
                checklist_id=checklist,
                grain=grain,
                day=day,
                item_code=code,
                answers=answers,
                failures=failures,
                score_total=total,
                gain_total=gains,
            )
            for (branch, checklist, grain, day, code), (answers, failures, total, gains) in (
                wanted.items.items()
            )
        ],
        batch_size=1000,
    )


@transaction.atomic
def rollups_rebuild(*, fix: bool) -> RollupDrift:
    """Compare every roll-up with the visits, checklist by checklist; with `fix`, replace the drifted.

    With `fix` on PostgreSQL the roll-up tables are locked against writes first:
    a visit change that commits while the rebuild reads the visits then waits and
    applies its change on top of the rebuilt rows instead of being overwritten.
    Without `fix` nothing is locked, so a change committing meanwhile may show as drift.
    A fixed checklist's report stamps are bumped for every month it has roll-ups in,
    so scorecards drawn from the drifted numbers are drawn again.
    """
    if fix and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for model in (VisitRollup, ScoreRollup, ItemRollup):
                cursor.execute(
                    f"LOCK TABLE {connection.ops.quote_name(model._meta.db_table)} IN EXCLUSIVE MODE"
                )
    drift = RollupDrift()
    for checklist_id in rollup_checklist_ids():
        wanted = rollups_from_visits(checklist_id=checklist_id)
        stored = rollups_stored(checklist_id=checklist_id)
        found = RollupDrift()
        _compare(stored.visits, wanted.visits, found.visits)
        _compare(stored.scores, wanted.scores, found.scores)
        _compare(stored.items, wanted.items, found.items)
        if fix and len(found):
            _replace(checklist_id, wanted)
            # Every month rewritten, not only the drifted rows': a stamp only needs to change.
            report_stamps_bump(
                checklist_days=[
                    (checklist_id, key[3])  # the day, fourth in every roll-up key
                    for rows in (wanted, stored)
                    for table in (rows.visits, rows.scores, rows.items)
                    for key in table
                ]
            )
        for name in ("visits", "scores", "items"):
            into, part = getattr(drift, name), getattr(found, name)
            into.missing += part.missing
            into.extra += part.extra
            into.different += part.different
    return drift
