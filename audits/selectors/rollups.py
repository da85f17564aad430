"""Reads behind the report roll-ups: what one visit adds to them, and what they should hold.

The roll-ups (audits.models.VisitRollup, ScoreRollup, ItemRollup) are written by
audits.services.rollups; these reads give it the numbers, from the visits.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Sum

from audits.models import (
    Answer,
    ItemRollup,
    RollupGrain,
    ScoreRollup,
    Visit,
    VisitRollup,
    VisitScore,
)

ZERO = Decimal(0)

# (branch id, checklist version id, grain, day) → (checklist id, visits, scored, total, squares)
VisitKey = tuple[int, int, str, dt.date]
VisitTotals = tuple[int, int, int, Decimal, Decimal]
# (branch id, checklist id, grain, day, kind, key) → (count, total)
ScoreKey = tuple[int, int, str, dt.date, str, str]
ScoreTotals = tuple[int, Decimal]
# (branch id, checklist id, grain, day, item code) → (answers, failures, score total, gain total)
ItemKey = tuple[int, int, str, dt.date, str]
ItemTotals = tuple[int, int, Decimal, Decimal]


def rollup_periods(day: dt.date) -> tuple[tuple[str, dt.date], tuple[str, dt.date]]:
    """The (grain, day) of the two roll-up rows a visit made on `day` counts in."""
    return (RollupGrain.DAY, day), (RollupGrain.MONTH, day.replace(day=1))


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def rollup_spans(start: dt.date, end: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    """(grain, first, last) spans of roll-up rows that sum the days `start` to `end`, each day once.

    Month rows for the whole months inside the range (first and last are month
    starts), day rows for the days before the first and after the last of them;
    day rows only when the range holds no whole month.
    """
    first = start if start.day == 1 else _month_after(start)  # first whole month's first day
    next_month = _month_after(end)
    # The day after the last whole month: end's month counts whole only if end is its last day.
    after = next_month if next_month - dt.timedelta(days=1) == end else end.replace(day=1)
    if first >= after:
        return [(RollupGrain.DAY, start, end)]
    spans = []
    if start < first:
        spans.append((RollupGrain.DAY, start, first - dt.timedelta(days=1)))
    spans.append((RollupGrain.MONTH, first, (after - dt.timedelta(days=1)).replace(day=1)))
    if after <= end:
        spans.append((RollupGrain.DAY, after, end))
    return spans


def one_row_per_key(start: dt.date, end: dt.date) -> bool:
    """Whether the roll-up rows of the days `start` to `end` hold each key once.

    True for one whole month or one day: the range is then read from a single
    (grain, day), so a ScoreRollup or ItemRollup row (one per branch, checklist
    and key) needs no summing with others. VisitRollup rows are per version and
    are summed whatever the range.
    """
    spans = rollup_spans(start, end)
    return len(spans) == 1 and spans[0][1] == spans[0][2]


def rollup_days(start: dt.date, end: dt.date) -> Q:
    """The roll-up rows that sum the days from `start` to `end` (rollup_spans), as a filter.

    A month's report thus reads one row per branch (and key) instead of one per
    day with a visit.
    """
    condition = Q()
    for grain, first, last in rollup_spans(start, end):
        condition |= Q(grain=grain, day__range=(first, last))
    return condition


@dataclass(frozen=True)
class Contribution:
    """What one approved visit adds to the roll-ups: its place, its score and its detail scores."""

    branch_id: int
    checklist_id: int
    version_id: int
    day: dt.date
    score: Decimal | None
    scores: tuple[tuple[str, str, Decimal], ...]  # (kind, key, score)
    # Scored answers only: (item code, score, failed, gain or None)
    items: tuple[tuple[str, Decimal, bool, Decimal | None], ...]


@dataclass(frozen=True)
class RollupRows:
    visits: dict[VisitKey, VisitTotals]
    scores: dict[ScoreKey, ScoreTotals]
    items: dict[ItemKey, ItemTotals]


def visit_contribution(visit: Visit) -> Contribution:
    """The visit's numbers as they stand now: its score in memory, its detail and answer
    scores as stored.

    Taken before and after a change, the two give the change to the roll-ups. Two queries.
    """
    return Contribution(
        branch_id=visit.branch_id,
        checklist_id=visit.checklist_id,
        version_id=visit.checklist_version_id,
        day=visit.visited_on,
        score=visit.score,
        scores=tuple(
            VisitScore.objects.filter(visit=visit)
            .order_by("kind", "key")
            .values_list("kind", "key", "score")
        ),
        items=tuple(
            Answer.objects.filter(visit=visit, score__isnull=False)
            .order_by("item_code")
            .values_list("item_code", "score", "failed", "gain")
        ),
    )


def _sum(field, places: int = 1) -> Sum:
    # Wide and exact, as reports.selectors.score_sum, which audits cannot import.
    return Sum(field, output_field=DecimalField(max_digits=24, decimal_places=places))


def rollups_from_visits(*, checklist_id: int) -> RollupRows:
    """What the roll-ups of `checklist_id` should hold, summed from its approved visits. Three queries."""
    approved = Visit.objects.filter(checklist_id=checklist_id, status=Visit.Status.APPROVED)
    visits = {
        (row["branch"], row["checklist_version"], RollupGrain.DAY, row["visited_on"]): (
            checklist_id,
            row["visits"],
            row["scored"],
            row["total"] or ZERO,
            row["squares"] or ZERO,
        )
        for row in approved.values("branch", "checklist_version", "visited_on")
        .annotate(
            visits=Count("pk"),
            scored=Count("score"),
            total=_sum("score"),
            squares=_sum(F("score") * F("score"), places=2),
        )
        .order_by()
    }
    scores = {
        (
            row["visit__branch"],
            checklist_id,
            RollupGrain.DAY,
            row["visit__visited_on"],
            row["kind"],
            row["key"],
        ): (
            row["count"],
            row["total"] or ZERO,
        )
        for row in VisitScore.objects.filter(
            visit__checklist_id=checklist_id, visit__status=Visit.Status.APPROVED
        )
        .values("visit__branch", "visit__visited_on", "kind", "key")
        .annotate(count=Count("pk"), total=_sum("score"))
        .order_by()
    }
    items = {
        (
            row["visit__branch"],
            checklist_id,
            RollupGrain.DAY,
            row["visit__visited_on"],
            row["item_code"],
        ): (
            row["count"],
            row["failed_count"],
            row["total"] or ZERO,
            row["gains"] or ZERO,  # a scored answer may lack a gain: it adds none
        )
        for row in Answer.objects.filter(
            visit__checklist_id=checklist_id,
            visit__status=Visit.Status.APPROVED,
            score__isnull=False,
        )
        .values("visit__branch", "visit__visited_on", "item_code")
        .annotate(
            count=Count("pk"),
            failed_count=Count("pk", filter=Q(failed=True)),
            total=_sum("score"),
            gains=_sum("gain", places=2),
        )
        .order_by()
    }
    return RollupRows(
        visits=_with_months(visits, keep=1), scores=_with_months(scores), items=_with_months(items)
    )


def _with_months(days: dict[tuple, tuple], *, keep: int = 0) -> dict[tuple, tuple]:
    """Day rows (grain third, day fourth in the key) and the month rows they add up to.

    The first `keep` numbers of a row are not summed but carried (the checklist id
    of a visit roll-up).
    """
    months: dict[tuple, list] = {}
    for key, numbers in days.items():
        month_key = (*key[:2], RollupGrain.MONTH, key[3].replace(day=1), *key[4:])
        into = months.get(month_key)
        if into is None:
            months[month_key] = list(numbers)
        else:
            for index in range(keep, len(numbers)):
                into[index] += numbers[index]
    return {**days, **{key: tuple(numbers) for key, numbers in months.items()}}


def rollups_stored(*, checklist_id: int) -> RollupRows:
    """What the roll-ups of `checklist_id` hold. Three queries."""
    visits = {
        (branch, version, grain, day): (checklist, visits, scored, total, squares)
        for branch, version, grain, day, checklist, visits, scored, total, squares in (
            VisitRollup.objects.filter(checklist_id=checklist_id).values_list(
                "branch",
                "checklist_version",
                "grain",
                "day",
                "checklist",
                "visits",
                "scored",
                "score_total",
                "score_squares",
            )
        )
    }
    scores = {
        (branch, checklist, grain, day, kind, key): (count, total)
        for branch, checklist, grain, day, kind, key, count, total in (
            ScoreRollup.objects.filter(checklist_id=checklist_id).values_list(
                "branch", "checklist", "grain", "day", "kind", "key", "count", "total"
            )
        )
    }
    items = {
        (branch, checklist, grain, day, code): (answers, failures, total, gains)
        for branch, checklist, grain, day, code, answers, failures, total, gains in (
            ItemRollup.objects.filter(checklist_id=checklist_id).values_list(
                "branch",
                "checklist",
                "grain",
                "day",
                "item_code",
                "answers",
                "failures",
                "score_total",
                "gain_total",
            )
        )
    }
    return RollupRows(visits=visits, scores=scores, items=items)


def rollup_checklist_ids() -> list[int]:
    """Every checklist with approved visits or roll-ups: the units a rebuild works in."""
    ids = set(
        Visit.objects.filter(status=Visit.Status.APPROVED)
        .order_by()
        .values_list("checklist", flat=True)
        .distinct()
    )
    ids |= set(VisitRollup.objects.order_by().values_list("checklist", flat=True).distinct())
    ids |= set(ScoreRollup.objects.order_by().values_list("checklist", flat=True).distinct())
    ids |= set(ItemRollup.objects.order_by().values_list("checklist", flat=True).distinct())
    return sorted(ids)
