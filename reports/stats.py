"""How far a branch's score can be trusted: its 90 % interval and the small-sample rule.

Pure arithmetic on what the database sums (count, sum and sum of squares of the
period's visit scores): no Django, no database, no scipy. The README's "Fair
league tables" section states the method and its caveats.

- interval: mean ± t · s / √n, the 90 % confidence interval of the branch's mean
  visit score under Student's t with n − 1 degrees of freedom, where s is the
  sample standard deviation of the visit scores. None for fewer than two visits:
  one visit says nothing about how much visits vary.
- small sample: scored in the period, but from fewer visits than the threshold
  (settings.SMALL_SAMPLE_VISITS); such a branch is shown, never ranked.
- significant change: both periods have a score from enough visits and the two
  intervals do not overlap. Conservative on purpose: it can be checked by eye
  against the two printed intervals, at the price of missing some real changes.

Every number a person reads is rounded half-up to one decimal, as scores are.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

# Two-sided: 5 % of the mass left out above the interval and 5 % below.
CONFIDENCE = 0.90
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Interval:
    """A 90 % confidence interval, each end rounded half-up to one decimal."""

    low: Decimal
    high: Decimal


@dataclass(frozen=True)
class Sample:
    """One branch's visit scores in one period, summarised the way the database sums them."""

    count: int
    total: Decimal | None = None
    squares: Decimal | None = None

    @classmethod
    def of(cls, scores: Iterable[Decimal | int | str]) -> Sample:
        """The summary of `scores`, for callers that hold the scores themselves (and tests)."""
        values = [Decimal(str(score)) for score in scores]
        if not values:
            return cls(count=0)
        return cls(count=len(values), total=sum(values), squares=sum(v * v for v in values))


def _two_sided_mass(t: float, df: int) -> float:
    """P(−t ≤ T ≤ t) for Student's t with `df` degrees of freedom, t ≥ 0.

    The closed forms for whole degrees of freedom (Abramowitz & Stegun 26.7.3
    and 26.7.4): a finite series in cos²θ, θ = atan(t / √df).
    """
    theta = math.atan(t / math.sqrt(df))
    c2 = math.cos(theta) ** 2
    if df % 2:
        if df == 1:
            return 2 * theta / math.pi
        term = series = 1.0
        for k in range(1, (df - 3) // 2 + 1):
            term *= c2 * (2 * k) / (2 * k + 1)
            series += term
        return 2 / math.pi * (theta + math.sin(theta) * math.cos(theta) * series)
    term = series = 1.0
    for k in range(1, (df - 2) // 2 + 1):
        term *= c2 * (2 * k - 1) / (2 * k)
        series += term
    return math.sin(theta) * series


@cache
def t_quantile(df: int) -> float:
    """t such that P(−t ≤ T ≤ t) = 90 % with `df` degrees of freedom (t at 0.95 one-sided).

    Found by bisection on the exact distribution function: the mass grows with
    t, and 200 halvings of [0, 10] pin t down to the last bit of a float.
    df = 1 gives 6.314, df = 2 gives 2.920, and t falls towards 1.645 as df grows.
    """
    if df < 1:
        raise ValueError(f"degrees of freedom must be at least 1, got {df}")
    low, high = 0.0, 10.0  # the mass at t = 10 exceeds 0.90 for every df ≥ 1
    for _ in range(200):
        middle = (low + high) / 2
        if _two_sided_mass(middle, df) < CONFIDENCE:
            low = middle
        else:
            high = middle
    return high


def interval_90(sample: Sample) -> Interval | None:
    """The 90 % confidence interval of the sample's mean, cut to the 0–100 score scale.

    None for fewer than two scores. Every visit scoring the same gives an
    interval of zero width: the visits agree, which is not the same as certain.
    """
    if sample.count < 2 or sample.total is None or sample.squares is None:
        return None
    return _interval(sample.count, float(sample.total), float(sample.squares))


def _interval(n: int, total: float, squares: float) -> Interval:
    # In floats: the t quantile is a float, so the interval was never exact, and a
    # league table works out 20,000 of them (Decimal square roots cost 12 µs each).
    # Only the rounding of the ends to what a person reads is Decimal half-up; an
    # end lands within a float's error of a tie (x.x5) only when the width is 0,
    # and then the end is the visits' common score, which has one decimal.
    mean = total / n
    # Σx² − (Σx)²/n; its last-bit rounding could take an all-equal sample below 0.
    variance = max(0.0, (squares - total * total / n) / (n - 1))
    half_width = t_quantile(n - 1) * math.sqrt(variance / n)
    # No score lies outside 0–100, so neither can the mean.
    low = mean - half_width
    high = mean + half_width
    return Interval(
        low=_one_decimal(low if low > 0.0 else 0.0),
        high=_one_decimal(high if high < 100.0 else 100.0),
    )


def is_small_sample(sample: Sample, *, minimum: int) -> bool:
    """Scored in the period, but from fewer than `minimum` visits: shown, never ranked."""
    return _few(sample.count, minimum)


def _few(count: int, minimum: int) -> bool:
    return 0 < count < minimum


@dataclass(frozen=True)
class Reading:
    """What one period's visits say about a branch's score, beyond the score itself."""

    interval: Interval | None
    small_sample: bool


def reading(sample: Sample, *, minimum: int) -> Reading:
    return Reading(
        interval=interval_90(sample), small_sample=is_small_sample(sample, minimum=minimum)
    )


def reading_of_units(
    count: int, tenths: int | None, hundredths: int | None, *, minimum: int
) -> Reading:
    """reading() of a Sample whose total is `tenths` tenths of a point and whose sum of
    squares is `hundredths` hundredths, as the database sums them (reports.selectors.units_sum).

    The same Reading, bit for bit: the interval is worked out in floats either way,
    and a whole number of tenths divided by 10 is the float nearest the decimal
    total, as float(Decimal) is. Without the Decimals and the Sample, which a league
    table of 10,000 branches × two periods would make only to turn back into floats.
    """
    interval = (
        _interval(count, tenths / 10, hundredths / 100)
        if count >= 2 and tenths is not None and hundredths is not None
        else None
    )
    return Reading(interval=interval, small_sample=_few(count, minimum))


def significant_change(now: Reading, before: Reading) -> bool:
    """Whether the score moved by more than the two periods' intervals allow for.

    Neither period may be a small sample (two visits that happen to agree make
    a zero-width interval that looks certain), both need an interval, and the
    two rounded intervals, as printed, must not overlap: touching ends overlap.
    """
    if now.small_sample or before.small_sample or now.interval is None or before.interval is None:
        return False
    return now.interval.low > before.interval.high or now.interval.high < before.interval.low


# Every score a report prints lies on 0.0–100.0: one shared Decimal for each tenth
# (TENTHS[853] is Decimal("85.3")), for interval ends here and means in reports.selectors.
TENTHS = [Decimal(tenths).scaleb(-1) for tenths in range(1001)]


def _one_decimal(value: float) -> Decimal:
    """Half-up to one decimal, as every score is shown (checklists.scoring.round_score),
    for 0 ≤ value ≤ 100.

    In floats, as the value already is (a league table rounds 40,000 ends): the
    float error of value × 10 can only decide a value within about 1e-14 of a
    tie, which an end reaches only at zero width, where it is the visits'
    common score of one decimal (see interval_90).
    """
    return TENTHS[math.floor(value * 10 + 0.5)]
