"""Score drivers: which checklist items move the overall score most across branches.

Method
------
For one checklist and one period, over the approved visits in the caller's
scope (active branches only; a regional manager's regions, or one region), every
scored item of the checklist gets four numbers. Only the numbers stored when
each visit was scored are read; nothing is re-scored.

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
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from django.db.models import Count, Q

from audits.models import Answer, Region, Visit
from checklists.models import Checklist
from checklists.scoring import SCORED_TYPES
from reports.periods import Period
from reports.selectors import (
    Heading,
    exact_mean,
    items_used,
    mean_score,
    published_version,
    report_branches,
    report_visit_filter,
    score_sum,
)

MIN_BRANCHES_FOR_CORRELATION = 3


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


def round_half_up(value: Fraction | Decimal, places: int) -> Decimal:
    """Round exactly, half away from zero, to `places` decimals."""
    exact = Fraction(value)
    scaled = abs(exact) * 10**places
    whole = int(scaled + Fraction(1, 2))
    result = Decimal(whole).scaleb(-places)
    return -result if exact < 0 else result


def pearson(pairs: Sequence[tuple[Decimal, Decimal]]) -> Decimal | None:
    """Pearson's r of (x, y) pairs, to three decimals; None below three pairs or without variance.

    Zero variance is decided on the values themselves rather than on a computed
    sum of squares, which rounding could leave a hair above zero.
    """
    if len(pairs) < MIN_BRANCHES_FOR_CORRELATION:
        return None
    xs = [x for x, _ in pairs]
    ys = [y for _, y in pairs]
    if len(set(xs)) == 1 or len(set(ys)) == 1:
        return None
    with localcontext() as context:
        context.prec = 28
        n = Decimal(len(pairs))
        mean_x = sum(xs, Decimal(0)) / n
        mean_y = sum(ys, Decimal(0)) / n
        sxy = sum(((x - mean_x) * (y - mean_y) for x, y in pairs), Decimal(0))
        sxx = sum(((x - mean_x) ** 2 for x in xs), Decimal(0))
        syy = sum(((y - mean_y) ** 2 for y in ys), Decimal(0))
        r = sxy / (sxx * syy).sqrt()
    # Rounding inside the sums can leave a perfect correlation a hair beyond ±1.
    return max(Decimal(-1), min(Decimal(1), r)).quantize(Decimal("0.001"), rounding=ROUND_HALF_UP)


def _as_decimal(mean: Fraction) -> Decimal:
    with localcontext() as context:
        context.prec = 28
        return Decimal(mean.numerator) / Decimal(mean.denominator)


def score_drivers(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Drivers:
    """Average, failure rate, correlation and points to gain of every scored item.

    See the module docstring for what each number means. Two grouped queries:
    the branches' overall scores, and the answers grouped by branch and item
    (at most branches × items rows); the correlation is worked out in Python.
    """
    version = published_version(checklist)
    active = set(report_branches(user, region).values_list("pk", flat=True))

    overall: dict[int, Fraction] = {}
    scored_visits = 0
    for row in (
        Visit.objects.filter(
            report_visit_filter(
                user, checklist=checklist, start=period.start, end=period.end, region=region
            )
        )
        .values("branch")
        .annotate(total=score_sum("score"), scored=Count("score"))
        .order_by()
    ):
        mean = exact_mean(row["total"], row["scored"])
        if row["branch"] in active and mean is not None:
            overall[row["branch"]] = mean
            scored_visits += row["scored"]

    per_item: dict[str, dict] = {}
    for row in (
        Answer.objects.filter(
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
            total=score_sum("score"),
            count=Count("score"),
            failures=Count("score", filter=Q(failed=True)),
            gain=score_sum("gain", places=2),
        )
        .order_by()
    ):
        if row["visit__branch"] not in active:
            continue
        item = per_item.setdefault(
            row["item_code"],
            {"total": Decimal(0), "count": 0, "failures": 0, "gain": Decimal(0), "pairs": []},
        )
        item["total"] += row["total"]
        item["count"] += row["count"]
        item["failures"] += row["failures"]
        item["gain"] += row["gain"] or 0
        if row["visit__branch"] in overall:
            item["pairs"].append(
                (
                    _as_decimal(overall[row["visit__branch"]]),
                    _as_decimal(Fraction(row["total"]) / row["count"]),
                )
            )

    # The items the period's visits were asked, not the latest published version's:
    # publishing a version with a new item never adds a row to a past period.
    items = items_used(
        visits=report_visit_filter(
            user, checklist=checklist, start=period.start, end=period.end, region=region
        ),
        fallback=version,
    )
    drivers = []
    for item in (item for item in items if item.answer_type in SCORED_TYPES):
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
                answers=numbers["count"] if numbers else 0,
                branches=len(numbers["pairs"]) if numbers else 0,
                average=mean_score(numbers["total"], numbers["count"]) if numbers else None,
                failure_rate=(
                    round_half_up(Fraction(numbers["failures"], numbers["count"]), 3)
                    if numbers
                    else None
                ),
                correlation=pearson(numbers["pairs"]) if numbers else None,
                points_to_gain=(
                    round_half_up(Fraction(numbers["gain"]) / scored_visits, 2)
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
