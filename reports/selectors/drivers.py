"""Score drivers: which checklist items move the overall score most across branches.

Method
------
For one checklist and one period, over the approved visits in the caller's
scope (active branches only; a regional manager's regions, or one region), every
scored item of the checklist with a weight gets four numbers (a weight-0 item
never moves a visit's score: a figure, not a driver). Only the numbers stored
when each visit was scored are read; nothing is re-scored.

- **Average** — the mean item score (0–100) over every scored answer to the item.
  N/A and unanswered items are not scored answers and are left out.
- **Failure rate** — failed answers / scored answers, from 0 to 1. An answer
  fails when it scores below the pass mark (50).
- **Correlation** — Pearson's r, across branches, between the branch's average
  score on the item and the branch's average overall visit score (the number
  in the league table). It says whether branches that do this item well are
  the branches that score well overall. It is taken across branches rather
  than across visits because branches are what head office manages and
  compares, and because a branch's averages smooth out what one visit's
  numbers are full of (one shopper's day, an item that is simply yes or no).
  Empty (null) when fewer than three branches have both numbers, or when
  either side does not vary (every branch scores the item alike, so nothing
  can be read from it).
- **Points to gain** — how many points the average visit score of the scope
  would rise if the item had been done right (scored 100) on every visit. Each
  answer stores at scoring time how much its own visit's score would rise
  (`gain`: the item's shortfall × its share of the visit's weight); this is the
  sum of those gains divided by the number of scored visits, so a visit where
  the item was N/A or not answered contributes nothing. Items are listed by
  points to gain, largest first: it combines how often and how badly an item
  fails with how much weight the checklist gives it.

Caveats
-------
- Correlation is not causation: an item can go with high scores because good
  branches do everything well, not because the item itself lifts the score.
  Read it next to points to gain, which is arithmetic rather than inference.
- The overall score contains the item itself, so every item leans a little
  towards a positive correlation, heavily weighted items more than light ones.
- Small samples: with a handful of branches, or a handful of visits per branch,
  one visit can swing r from strongly positive to negative. The item's
  `answers` and `branches` counts say how much the numbers rest on; read
  correlations on fewer than about 20 branches as anecdotes.
- Critical knock-outs are not reflected in points to gain: the gain is worked
  out on section scores before a failed critical item zeroes its section, so
  fixing a failed critical item can raise a visit's score by far more than its
  gain says. Look at the failure rate of critical items on its own.
- Gains are relative to how each visit was actually scored (its checklist
  version's weights). The items listed are those of the versions the
  period's visits used (reports.selectors.items_used), so publishing a new
  version never changes a past period's list; items renamed or moved between
  versions keep their code, and are reported under the wording of the newest
  version the period's visits used.

Arithmetic
----------
Every number a person reads as a score (average, failure rate, points to gain)
is exact: sums of the stored decimals, divided as fractions and rounded
half-up. The correlation is shown to three decimals, where exactness buys
nothing: its inputs, the branches' means, are taken to 1/10,000 of a point
(GRID), as integers, and the database adds up their sums, squares and
products per item, so Python reads 26 rows instead of 10,000 branches × 26
items. Integer sums are exact in any order, so "does not vary" is decided
exactly (two means closer than 1/20,000 of a point count as the same) and
both ways of reading the report give the same r; one float square root then
gives it.

The sums are read from the roll-ups (audits.models.VisitRollup,
ItemRollup), kept with every change to an approved visit, not from the
answers; drivers_from_visits computes the same report from the visits and
answers, the baseline the roll-ups are tested and benchmarked against.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db import connection
from django.db.models import Count, Q, QuerySet

from audits.models import Answer, ItemRollup, Region, Visit, VisitRollup
from audits.selectors.rollups import one_row_per_key
from checklists.models import Checklist, ChecklistVersion, Item
from checklists.scoring import SCORED_TYPES, round_half_up, round_ratio
from reports.periods import Period
from reports.selectors import (
    Heading,
    company_stamp,
    from_units,
    items_of_versions,
    items_used,
    mean_score,
    published_version,
    report_rollup_filter,
    report_visit_filter,
    rollup_sums,
    units_sum,
)
from reports.selectors.memo import MemoKey, memoised, reader_key

MIN_BRANCHES_FOR_CORRELATION = 3
ZERO = Decimal(0)


@dataclass(frozen=True)
class Driver:
    code: str
    text_zh: str
    text_en: str
    section: Heading
    rater: str | None
    area: str | None
    factor: int | None
    critical: bool
    answers: int  # scored answers
    branches: int  # branches the correlation is taken over
    average: Decimal | None
    failure_rate: Decimal | None
    correlation: Decimal | None
    points_to_gain: Decimal | None


@dataclass(frozen=True)
class Drivers:
    period: Period
    checklist: str
    version: int
    region: str | None
    visits: int  # scored visits, the denominator of points to gain
    branches: int  # branches with a scored visit
    items: tuple[Driver, ...]


def is_driver(item: Item) -> bool:
    """Whether an item can move the score: scored, with a weight.

    A weight-0 number item (a call's length) is scored by its thresholds but never
    counts, and a descriptive choice (the complainant type) is never scored: both
    are figures (reports.selectors.figures), not drivers.
    """
    return item.answer_type in SCORED_TYPES and item.weight > 0 and not item.is_descriptive_choice


# The correlation's inputs, the branches' mean scores, as integers on a grid of this
# many steps per point: the sums of their squares and products are then exact,
# whatever order the database adds them in, so a report gives the same r however
# it is read (the roll-ups or the visits) and "does not vary" is decided exactly.
GRID = 10_000


def pearson(pairs: int, sums: tuple[int, int, int, int, int]) -> Decimal | None:
    """Pearson's r of `pairs` (x, y) pairs out of their exact sums Σx, Σy, Σx², Σy², Σxy.

    To three decimals; None below three pairs or when either side does not vary.
    The sums are integers (means × GRID, rounded), so the variances and the
    covariance are exact and zero only when every x (or every y) is the same;
    one float square root then gives r.
    """
    if pairs < MIN_BRANCHES_FOR_CORRELATION:
        return None
    sx, sy, sxx, syy, sxy = sums
    variance_x = pairs * sxx - sx * sx
    variance_y = pairs * syy - sy * sy
    if variance_x <= 0 or variance_y <= 0:
        return None
    r = (pairs * sxy - sx * sy) / (math.sqrt(variance_x) * math.sqrt(variance_y))
    # Rounding can leave a perfect correlation a hair beyond ±1.
    r = max(-1.0, min(1.0, r))
    return Decimal(repr(r)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class _ItemNumbers:
    """One item's numbers over the branches in scope.

    answers, failures, total, gain: its scored answers, the failed ones, the sums of
    their scores and of their gains; pairs: the branches with both a mean visit
    score (x) and a mean score on the item (y); sums: Σx, Σy, Σx², Σy², Σxy of
    those means × GRID, rounded (pearson).
    """

    answers: int
    failures: int
    total: Decimal
    gain: Decimal
    pairs: int
    sums: tuple[int, int, int, int, int]


@dataclass(frozen=True)
class _Sums:
    """What drivers sums, wherever it reads it from.

    visits: scored visits of the branches with a score; branches: those
    branches; items: by item code; listed: the items of the versions the
    period's visits used. Only active branches in the caller's scope count.
    """

    visits: int
    branches: int
    items: dict[str, _ItemNumbers]
    listed: list[Item]


def _on_grid(tenths: str, count: str) -> str:
    # SQL: the mean of `count` scores summing to `tenths` tenths, × GRID, rounded half-up;
    # integer division truncates, which is floor for scores (never negative).
    return f"((2 * {tenths} * {GRID // 10} + {count}) / (2 * {count}))"


def _sums(branch_visits: QuerySet, branch_items: QuerySet, listed: list[Item]) -> _Sums:
    """Per item, the sums and the correlation's moments, added up by the database.

    `branch_visits` gives (branch, scored visits, total of their scores) and
    `branch_items` (branch, item code, scored answers, failures, score total,
    gain total), one row per branch (and item), for active branches in scope;
    they are joined and summed per item in one statement, so at 10,000 branches
    × 26 items Python reads 26 rows, not 260,000. Two queries.
    """
    visits_sql, visits_params = branch_visits.query.sql_with_params()
    items_sql, items_params = branch_items.query.sql_with_params()
    # Column lists on the CTEs, not on the subqueries: SQLite allows only those.
    scored = f"WITH v (b, n, t) AS ({visits_sql}) "
    with connection.cursor() as cursor:
        cursor.execute(
            f"{scored}SELECT COUNT(*), COALESCE(SUM(n), 0) FROM v WHERE n > 0 AND t IS NOT NULL",
            visits_params,
        )
        branches, visits = cursor.fetchone()
        cursor.execute(
            f"{scored}, i (b, code, n, f, t, g) AS ({items_sql}), "
            f"o AS (SELECT b, {_on_grid('t', 'n')} AS x FROM v WHERE n > 0 AND t IS NOT NULL), "
            f"q AS (SELECT i.code, i.n, i.f, i.t, i.g, o.x, {_on_grid('i.t', 'i.n')} AS y "
            "FROM i LEFT JOIN o ON o.b = i.b WHERE i.n > 0) "
            "SELECT code, SUM(n), SUM(f), SUM(t), COALESCE(SUM(g), 0), COUNT(x), SUM(x), "
            "SUM(CASE WHEN x IS NULL THEN NULL ELSE y END), SUM(x * x), "
            "SUM(CASE WHEN x IS NULL THEN NULL ELSE y * y END), SUM(x * y) "
            "FROM q GROUP BY code",
            (*visits_params, *items_params),
        )
        rows = cursor.fetchall()
    items = {
        code: _ItemNumbers(
            answers=int(answers),
            failures=int(failures),
            total=from_units(int(total or 0)),
            gain=from_units(int(gain), places=2),
            pairs=pairs,
            sums=tuple(int(each or 0) for each in moments),
        )
        for code, answers, failures, total, gain, pairs, *moments in rows
    }
    return _Sums(visits=int(visits), branches=branches, items=items, listed=listed)


def _sums_from_rollups(
    user, *, checklist: Checklist, period: Period, region, version: ChecklistVersion
) -> _Sums:
    """The sums out of the roll-ups (VisitRollup, ItemRollup): three queries.

    A range of days is the sum of its days; the roll-ups hold the same exact
    decimal sums and counts the visits and answers give.
    """
    in_period = report_rollup_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    ) & Q(branch__active=True)
    # Visit rows are per version: summed whatever the range.
    branch_visits = rollup_sums(
        VisitRollup.objects.filter(in_period),
        keys=("branch",),
        counts=("scored",),
        units={"score_total": 1},
    )
    branch_items = rollup_sums(
        ItemRollup.objects.filter(in_period),
        keys=("branch", "item_code"),
        counts=("answers", "failures"),
        units={"score_total": 1, "gain_total": 2},
        one_row=one_row_per_key(period.start, period.end),
    )
    versions = VisitRollup.objects.filter(in_period).values("checklist_version")
    return _sums(branch_visits, branch_items, items_of_versions(versions, fallback=version))


def _sums_from_visits(
    user, *, checklist: Checklist, period: Period, region, version: ChecklistVersion
) -> _Sums:
    """The same sums straight from the visits and their answers: the baseline. Three queries."""
    in_period = report_visit_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    branch_visits = (
        Visit.objects.filter(in_period, branch__active=True)
        .values("branch")
        .annotate(scored=Count("score"), tenths=units_sum("score"))
        .values_list("branch", "scored", "tenths")
        .order_by()
    )
    branch_items = (
        Answer.objects.filter(
            report_visit_filter(
                user,
                checklist=checklist,
                start=period.start,
                end=period.end,
                region=region,
                via="visit__",
            ),
            visit__branch__active=True,
            score__isnull=False,
        )
        .values("visit__branch", "item_code")
        .annotate(
            count=Count("score"),
            failures=Count("score", filter=Q(failed=True)),
            tenths=units_sum("score"),
            gains=units_sum("gain", places=2),
        )
        .values_list("visit__branch", "item_code", "count", "failures", "tenths", "gains")
        .order_by()
    )
    return _sums(branch_visits, branch_items, items_used(visits=in_period, fallback=version))


def score_drivers(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Drivers:
    """Average, failure rate, correlation and points to gain of every scored item.

    See the module docstring for what each number means. Read from the
    roll-ups (audits.models.VisitRollup, ItemRollup), so the same four queries
    whatever the number of visits: the version, the scored visits and branches,
    the sums and correlation moments per item (summed by the database over
    the branches × items rows, which a month reads without grouping: one row
    each), and the items of the versions the period used (five for a period
    without visits). Equal to
    drivers_from_visits whenever the roll-ups match the visits
    (manage.py rebuild_rollups --check).
    """
    return _drivers(
        user=user, checklist=checklist, period=period, region=region, sums=_sums_from_rollups
    )


def reader_drivers(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Drivers:
    """score_drivers as the drivers page and the API read them for `user`: the same numbers.

    Kept in the cache (memo) under the reader's scope and a stamp of what they
    read: the report change stamps of the checklist's months in the period and
    the active branches (company_stamp), and the published version.
    """
    reader = reader_key(user, region)
    if reader is None:
        return score_drivers(user=user, checklist=checklist, period=period, region=region)
    stamp = company_stamp(checklist_ids={checklist.pk}, start=period.start, end=period.end)
    version = published_version(checklist)
    return memoised(
        MemoKey(name=f"drivers:{reader}:{version.pk}:{period.start}:{period.end}", stamp=stamp),
        lambda: score_drivers(user=user, checklist=checklist, period=period, region=region),
    )


def drivers_from_visits(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Drivers:
    """score_drivers computed from the visits and their answers instead of the roll-ups.

    Not for pages: the baseline that tests (tests/test_rollups_property.py) and
    bench/ hold the roll-ups against.
    """
    return _drivers(
        user=user, checklist=checklist, period=period, region=region, sums=_sums_from_visits
    )


def _drivers(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None,
    sums: Callable[..., _Sums],
) -> Drivers:
    version = published_version(checklist)
    found = sums(user, checklist=checklist, period=period, region=region, version=version)
    scored_visits = found.visits

    drivers = []
    for item in (item for item in found.listed if is_driver(item)):
        numbers = found.items.get(item.code)
        drivers.append(
            Driver(
                code=item.code,
                text_zh=item.text_zh,
                text_en=item.text_en,
                section=Heading(item.section.code, item.section.title_zh, item.section.title_en),
                rater=item.rater or None,
                area=item.area or None,
                factor=item.factor,
                critical=item.critical,
                answers=numbers.answers if numbers else 0,
                branches=numbers.pairs if numbers else 0,
                average=mean_score(numbers.total, numbers.answers) if numbers else None,
                failure_rate=(
                    round_ratio(numbers.failures, numbers.answers, 3) if numbers else None
                ),
                correlation=pearson(numbers.pairs, numbers.sums) if numbers else None,
                points_to_gain=(
                    round_half_up(Fraction(numbers.gain) / scored_visits, 2)
                    if numbers and scored_visits
                    else None
                ),
            )
        )
    # Stable sort: equal gains stay in checklist order; items nobody answered come last.
    drivers.sort(key=lambda d: (d.points_to_gain is None, -(d.points_to_gain or 0)))

    return Drivers(
        period=period,
        checklist=checklist.code,
        version=version.number,
        region=region.code if region else None,
        visits=scored_visits,
        branches=found.branches,
        items=tuple(drivers),
    )
