"""reports.stats — a branch score's 90 % interval, small samples and significant changes.

Hand-made samples whose numbers can be checked with a pocket calculator and a
printed t table: for 80, 85 and 90 the mean is 85, s = 5, s/√3 = 2.887 and
t(0.95, 2) = 2.920, so the interval is 85 ± 8.43.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.stats import (
    Interval,
    Reading,
    Sample,
    interval_90,
    is_small_sample,
    reading,
    reading_of_units,
    significant_change,
    t_quantile,
)

D = Decimal


def interval(low: str, high: str) -> Interval:
    return Interval(low=D(low), high=D(high))


# --- Student's t ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("df", "printed"),
    [
        (1, 6.314),
        (2, 2.920),
        (3, 2.353),
        (4, 2.132),
        (5, 2.015),
        (10, 1.812),
        (30, 1.697),
        (120, 1.658),
    ],
)
def test_t_matches_the_printed_table_at_95_percent_one_sided(df, printed):
    assert round(t_quantile(df), 3) == printed


def test_t_falls_towards_the_normal_quantile_with_many_visits():
    assert t_quantile(2000) == pytest.approx(1.6449, abs=0.001)


def test_t_needs_at_least_one_degree_of_freedom():
    with pytest.raises(ValueError):
        t_quantile(0)


# --- the interval -----------------------------------------------------------------


def test_the_interval_is_the_mean_plus_or_minus_t_times_the_standard_error():
    assert interval_90(Sample.of([80, 85, 90])) == interval("76.6", "93.4")


def test_the_interval_narrows_as_visits_agree_more():
    # s = 1: 85 ± 1.69.
    assert interval_90(Sample.of([84, 85, 86])) == interval("83.3", "86.7")


def test_the_interval_narrows_with_more_visits_of_the_same_spread():
    # Mean 85, s = 4.47, s/√6 = 1.83, t(0.95, 5) = 2.015: 85 ± 3.68 (three visits: ± 8.43).
    assert interval_90(Sample.of([80, 85, 90, 80, 85, 90])) == interval("81.3", "88.7")


def test_one_visit_has_no_interval():
    assert interval_90(Sample.of([85])) is None


def test_no_visit_has_no_interval():
    assert interval_90(Sample.of([])) is None


def test_visits_that_all_score_the_same_give_an_interval_of_zero_width():
    assert interval_90(Sample.of(["70.1", "70.1", "70.1"])) == interval("70.1", "70.1")


def test_the_interval_is_cut_at_100():
    # Mean 80, s/√2 = 10, t(0.95, 1) = 6.314: 80 ± 63.1.
    assert interval_90(Sample.of([70, 90])) == interval("16.9", "100.0")


def test_the_interval_is_cut_at_0():
    assert interval_90(Sample.of([0, 10])) == interval("0.0", "36.6")


def test_the_database_sums_give_the_same_interval_as_the_scores():
    summed = Sample(count=3, total=D("255.0"), squares=D("21725.00"))

    assert interval_90(summed) == interval_90(Sample.of([80, 85, 90]))


@given(
    tenths=st.lists(st.integers(min_value=0, max_value=1000), max_size=40),
    minimum=st.integers(min_value=1, max_value=5),
)
def test_the_reading_of_summed_units_is_the_reading_of_the_scores(tenths, minimum):
    # What the league table reads (tenths and hundredths, as the database sums them)
    # and what a caller holding the scores reads: the same interval, bit for bit.
    scores = [Decimal(each).scaleb(-1) for each in tenths]
    summed = reading_of_units(
        len(tenths), sum(tenths), sum(each * each for each in tenths), minimum=minimum
    )

    assert summed == reading(Sample.of(scores), minimum=minimum)


def test_a_period_without_sums_reads_as_no_interval():
    assert reading_of_units(0, None, None, minimum=3) == Reading(interval=None, small_sample=False)


# --- small samples ----------------------------------------------------------------


def test_a_score_from_fewer_visits_than_the_threshold_is_a_small_sample():
    assert is_small_sample(Sample.of([90, 92]), minimum=3)


def test_a_score_from_as_many_visits_as_the_threshold_is_not_a_small_sample():
    assert not is_small_sample(Sample.of([90, 92, 94]), minimum=3)


def test_a_branch_without_visits_is_not_a_small_sample_it_has_no_score():
    assert not is_small_sample(Sample.of([]), minimum=3)


def test_a_threshold_of_one_switches_the_rule_off():
    assert not is_small_sample(Sample.of([90]), minimum=1)


# --- significant change -------------------------------------------------------------


def test_a_change_is_significant_when_the_two_intervals_do_not_overlap():
    # 88.6–95.4 against 68.6–75.4
    now = reading(Sample.of([90, 92, 94]), minimum=3)
    then = reading(Sample.of([70, 72, 74]), minimum=3)

    assert significant_change(now, then)
    assert significant_change(then, now)  # a fall as much as a rise


def test_a_change_within_overlapping_intervals_is_not_significant():
    # 76.6–93.4 against 76.6–83.4: five points up, well inside the noise
    now = reading(Sample.of([80, 85, 90]), minimum=3)
    then = reading(Sample.of([78, 80, 82]), minimum=3)

    assert not significant_change(now, then)


def test_intervals_that_touch_overlap():
    now = Reading(interval=interval("85.0", "90.0"), small_sample=False)
    then = Reading(interval=interval("80.0", "85.0"), small_sample=False)

    assert not significant_change(now, then)


def test_intervals_a_tenth_apart_do_not_overlap():
    now = Reading(interval=interval("85.1", "90.0"), small_sample=False)
    then = Reading(interval=interval("80.0", "85.0"), small_sample=False)

    assert significant_change(now, then)


def test_a_small_sample_is_never_a_significant_change():
    # Two visits that happen to agree make zero-width intervals far apart.
    now = reading(Sample.of([95, 95]), minimum=3)
    then = reading(Sample.of([60, 60]), minimum=3)

    assert (now.interval, then.interval) == (interval("95.0", "95.0"), interval("60.0", "60.0"))
    assert not significant_change(now, then)


def test_a_period_without_an_interval_is_never_a_significant_change():
    now = reading(Sample.of([95]), minimum=1)
    then = reading(Sample.of([60, 61, 62]), minimum=1)

    assert not significant_change(now, then)
