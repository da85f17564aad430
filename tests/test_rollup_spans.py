"""A report's range of days is read as whole months from month rows and its edges from day rows."""

from __future__ import annotations

import datetime as dt

from audits.selectors.rollups import one_row_per_key, rollup_spans


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_calendar_month_is_one_month_row():
    assert rollup_spans(d("2026-10-01"), d("2026-10-31")) == [
        ("month", d("2026-10-01"), d("2026-10-01"))
    ]


def test_a_quarter_is_its_three_month_rows():
    assert rollup_spans(d("2026-10-01"), d("2026-12-31")) == [
        ("month", d("2026-10-01"), d("2026-12-01"))
    ]


def test_a_range_without_a_whole_month_is_read_from_day_rows():
    assert rollup_spans(d("2026-10-15"), d("2026-11-10")) == [
        ("day", d("2026-10-15"), d("2026-11-10"))
    ]


def test_a_range_inside_one_month_is_read_from_day_rows():
    assert rollup_spans(d("2026-10-02"), d("2026-10-31")) == [
        ("day", d("2026-10-02"), d("2026-10-31"))
    ]


def test_a_range_with_ragged_edges_reads_days_before_and_after_its_whole_months():
    assert rollup_spans(d("2026-09-20"), d("2026-12-05")) == [
        ("day", d("2026-09-20"), d("2026-09-30")),
        ("month", d("2026-10-01"), d("2026-11-01")),
        ("day", d("2026-12-01"), d("2026-12-05")),
    ]


def test_february_of_a_leap_year_ends_on_the_29th():
    assert rollup_spans(d("2028-02-01"), d("2028-02-28")) == [
        ("day", d("2028-02-01"), d("2028-02-28"))
    ]
    assert rollup_spans(d("2028-02-01"), d("2028-02-29")) == [
        ("month", d("2028-02-01"), d("2028-02-01"))
    ]


def test_a_range_across_new_year_counts_december_whole():
    assert rollup_spans(d("2026-12-01"), d("2027-01-03")) == [
        ("month", d("2026-12-01"), d("2026-12-01")),
        ("day", d("2027-01-01"), d("2027-01-03")),
    ]


def test_a_single_day_is_its_day_row():
    assert rollup_spans(d("2026-10-05"), d("2026-10-05")) == [
        ("day", d("2026-10-05"), d("2026-10-05"))
    ]


def test_a_calendar_month_has_one_roll_up_row_per_key():
    assert one_row_per_key(d("2026-10-01"), d("2026-10-31"))


def test_a_single_day_has_one_roll_up_row_per_key():
    assert one_row_per_key(d("2026-10-05"), d("2026-10-05"))


def test_a_quarter_sums_three_rows_per_key():
    assert not one_row_per_key(d("2026-10-01"), d("2026-12-31"))


def test_a_month_with_a_day_after_it_sums_two_rows_per_key():
    assert not one_row_per_key(d("2026-10-01"), d("2026-11-01"))


def test_two_days_sum_two_rows_per_key():
    assert not one_row_per_key(d("2026-10-05"), d("2026-10-06"))
