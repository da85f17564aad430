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
half-up. The correlation is worked out in floats: it is shown to three
decimals, where exactness buys nothing, and floats keep it fast across 10,000
branches. Its inputs, the branches' means, are integer ratios divided once
(Python rounds int / int correctly), so two branches with the same mean give
the same float and "does not vary" is still decided on the values; sums are
math.fsum, exact whatever order the rows come in.

The sums are read from the roll-ups (audits.models.VisitRollup,
ItemRollup), kept with every change to an approved visit, not from the
answers; drivers_from_visits computes the same report from the visits and
answers, the baseline the roll-ups are tested and benchmarked against.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce

from audits.models import Answer, ItemRollup, Region, Visit, VisitRollup
from checklists.models import Checklist, ChecklistVersion, Item
from checklists.scoring import SCORED_TYPES, round_half_up, round_ratio
from reports.periods import Period
from reports.selectors import (
    Heading,
    items_of_versions,
    items_used,
    mean_score,
    published_version,
    report_branches,
    report_rollup_filter,
    report_visit_filter,
    rows_of,
    score_sum,
)

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


def pearson(pairs: Sequence[tuple[float, float]]) -> Decimal | None:
    """Pearson's r of (x, y) pairs, to three decimals; None below three pairs or without variance.

    Zero variance is decided on the values themselves rather than on a computed
    sum of squares, which rounding could leave a hair above zero. Floats, summed
    with math.fsum so the result does not depend on the order of the pairs.
    """
    if len(pairs) < MIN_BRANCHES_FOR_CORRELATION:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    if len(set(xs)) == 1 or len(set(ys)) == 1:
        return None
    n = len(pairs)
    mean_x = math.fsum(xs) / n
    mean_y = math.fsum(ys) / n
    sxy = math.fsum((x - mean_x) * (y - mean_y) for x, y in pairs)
    sxx = math.fsum((x - mean_x) ** 2 for x in xs)
    syy = math.fsum((y - mean_y) ** 2 for y in ys)
    r = sxy / math.sqrt(sxx * syy)
    # Rounding can leave a perfect correlation a hair beyond ±1.
    r = max(-1.0, min(1.0, r))
    return Decimal(repr(r)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _mean(total: Decimal, count: int) -> float:
    # int / int is correctly rounded: equal exact means give equal floats.
    numerator, denominator = total.as_integer_ratio()
    return numerator / (denominator * count)


@dataclass(frozen=True)
class _Sums:
    """What drivers sums, wherever it reads it from.

    visits: branch → (scored visits, total of their scores); answers: (branch,
    item code) → (scored answers, failed ones, total of their scores, total of
    their gains); items: the items of the versions the period's visits used.
    Branches are all those with rows in the caller's scope, active or not.
    """

    visits: dict[int, tuple[int, Decimal | None]]
    answers: dict[tuple[int, str], tuple[int, int, Decimal, Decimal]]
    items: list[Item]


def _sums_from_rollups(
    user, *, checklist: Checklist, period: Period, region, version: ChecklistVersion
) -> _Sums:
    """The sums out of the roll-ups (VisitRollup, ItemRollup): three queries.

    A range of days is the sum of its days; the roll-ups hold the same exact
    decimal sums and counts the visits and answers give.
    """
    in_period = report_rollup_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    visits = {
        branch: (scored, total)
        for branch, scored, total in VisitRollup.objects.filter(in_period)
        .values("branch")
        # Named apart from the columns they sum: Django refuses a name it has as a field.
        .annotate(scored_count=Coalesce(Sum("scored"), 0), total=score_sum("score_total"))
        .values_list("branch", "scored_count", "total")
        .order_by()
    }
    answers = {
        (branch, code): (count, failures, total, gains)
        for branch, code, count, failures, total, gains in rows_of(
            ItemRollup.objects.filter(in_period)
            .values("branch", "item_code")
            .annotate(
                answer_count=Coalesce(Sum("answers"), 0),
                failure_count=Coalesce(Sum("failures"), 0),
                total=score_sum("score_total"),
                gains=score_sum("gain_total", places=2),
            )
            .values_list("branch", "item_code", "answer_count", "failure_count", "total", "gains")
            .order_by()
        )
    }
    versions = VisitRollup.objects.filter(in_period).values("checklist_version")
    return _Sums(
        visits=visits, answers=answers, items=items_of_versions(versions, fallback=version)
    )


def _sums_from_visits(
    user, *, checklist: Checklist, period: Period, region, version: ChecklistVersion
) -> _Sums:
    """The same sums straight from the visits and their answers: the baseline. Three queries."""
    in_period = report_visit_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    visits = {
        branch: (scored, total)
        for branch, scored, total in Visit.objects.filter(in_period)
        .values("branch")
        .annotate(scored=Count("score"), total=score_sum("score"))
        .values_list("branch", "scored", "total")
        .order_by()
    }
    answers = {
        (branch, code): (count, failures, total, gains or ZERO)
        for branch, code, count, failures, total, gains in Answer.objects.filter(
            report_visit_filter(
                user,
                checklist=checklist,
                start=period.start,
                end=period.end,
                region=region,
                via="visit__",
            ),
            score__isnull=False,
        )
        .values("visit__branch", "item_code")
        .annotate(
            count=Count("score"),
            failures=Count("score", filter=Q(failed=True)),
            total=score_sum("score"),
            gain=score_sum("gain", places=2),
        )
        .values_list("visit__branch", "item_code", "count", "failures", "total", "gain")
        .order_by()
    }
    return _Sums(
        visits=visits, answers=answers, items=items_used(visits=in_period, fallback=version)
    )


def score_drivers(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Drivers:
    """Average, failure rate, correlation and points to gain of every scored item.

    See the module docstring for what each number means. Read from the daily
    roll-ups (audits.models.VisitRollup, ItemRollup), so the same five queries
    whatever the number of visits: the version, the branches in scope, the
    branches' visit sums, the sums per branch and item (at most branches × items
    rows), and the items of the versions the period used (six for a period
    without visits). The correlation is worked out in Python. Equal to
    drivers_from_visits whenever the roll-ups match the visits
    (manage.py rebuild_rollups --check).
    """
    return _drivers(
        user=user, checklist=checklist, period=period, region=region, sums=_sums_from_rollups
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


@dataclass
class _ItemSums:
    count: int = 0
    failures: int = 0
    total: Decimal = ZERO
    gain: Decimal = ZERO
    # (the branch's mean visit score, its mean score on the item), for the correlation
    pairs: list[tuple[float, float]] = field(default_factory=list)


def _drivers(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None,
    sums: Callable[..., _Sums],
) -> Drivers:
    version = published_version(checklist)
    active = set(report_branches(user, region).values_list("pk", flat=True))
    found = sums(user, checklist=checklist, period=period, region=region, version=version)

    overall: dict[int, float] = {}
    scored_visits = 0
    for branch, (scored, total) in found.visits.items():
        if branch in active and scored and total is not None:
            overall[branch] = _mean(total, scored)
            scored_visits += scored

    per_item: dict[str, _ItemSums] = {}
    for (branch, code), (count, failures, total, gain) in found.answers.items():
        # A count of 0 is a drifted roll-up only; dividing by it would fail the page.
        if branch not in active or not count:
            continue
        item = per_item.get(code)
        if item is None:  # not setdefault: one object per item, not per row
            item = per_item[code] = _ItemSums()
        item.count += count
        item.failures += failures
        item.total += total
        item.gain += gain
        if branch in overall:
            item.pairs.append((overall[branch], _mean(total, count)))

    drivers = []
    for item in (item for item in found.items if is_driver(item)):
        numbers = per_item.get(item.code)
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
                answers=numbers.count if numbers else 0,
                branches=len(numbers.pairs) if numbers else 0,
                average=mean_score(numbers.total, numbers.count) if numbers else None,
                failure_rate=(round_ratio(numbers.failures, numbers.count, 3) if numbers else None),
                correlation=pearson(numbers.pairs) if numbers else None,
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
        branches=len(overall),
        items=tuple(drivers),
    )
