"""reports.periods — reading `?period=` / `?from=&to=`, and stepping back in time."""

from __future__ import annotations

import datetime as dt

import pytest

from reports.periods import Period, PeriodError, last_n, parse_period, previous


def parse(period=None, date_from=None, date_to=None) -> Period:
    return parse_period(period, date_from=date_from, date_to=date_to)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_a_month_runs_from_its_first_to_its_last_day():
    assert parse("2026-10") == Period(d("2026-10-01"), d("2026-10-31"), "2026-10", "month")


def test_february_ends_on_the_29th_in_a_leap_year():
    assert parse("2028-02").end == d("2028-02-29")


def test_december_ends_on_new_years_eve():
    assert parse("2026-12").end == d("2026-12-31")


def test_a_quarter_runs_over_its_three_months():
    assert parse("2026-Q3") == Period(d("2026-07-01"), d("2026-09-30"), "2026-Q3", "quarter")


def test_a_lower_case_quarter_is_read_and_labelled_in_capitals():
    assert parse("2026-q4").label == "2026-Q4"


def test_from_and_to_make_an_inclusive_range_labelled_with_an_en_dash():
    assert parse(None, "2026-10-01", "2026-10-31") == Period(
        d("2026-10-01"), d("2026-10-31"), "2026-10-01–2026-10-31", "range"
    )


def test_a_range_may_be_a_single_day():
    assert parse(None, "2026-10-05", "2026-10-05").days == 1


@pytest.mark.parametrize(
    "text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "2026-1", "Oct 2026", "2026"]
)
def test_a_malformed_period_is_blamed_on_period(text):
    with pytest.raises(PeriodError) as error:
        parse(text)
    assert error.value.field == "period"
    assert text in str(error.value)


def test_nothing_given_is_blamed_on_period():
    with pytest.raises(PeriodError) as error:
        parse()
    assert error.value.field == "period"


def test_a_period_and_a_range_together_are_refused():
    with pytest.raises(PeriodError) as error:
        parse("2026-10", "2026-10-01", "2026-10-31")
    assert error.value.field == "period"


def test_from_without_to_is_blamed_on_to():
    with pytest.raises(PeriodError) as error:
        parse(None, "2026-10-01", None)
    assert error.value.field == "to"


def test_to_without_from_is_blamed_on_from():
    with pytest.raises(PeriodError) as error:
        parse(None, None, "2026-10-31")
    assert error.value.field == "from"


def test_a_date_that_does_not_exist_is_blamed_on_its_parameter():
    with pytest.raises(PeriodError) as error:
        parse(None, "2026-02-30", "2026-03-31")
    assert error.value.field == "from"


def test_a_range_that_ends_before_it_starts_is_blamed_on_to():
    with pytest.raises(PeriodError) as error:
        parse(None, "2026-10-31", "2026-10-01")
    assert error.value.field == "to"


def test_a_period_error_is_a_value_error():
    with pytest.raises(ValueError, match="period"):
        parse("nonsense")


def test_the_month_before_january_is_last_december():
    assert previous(parse("2026-01")) == parse("2025-12")


def test_the_month_before_march_is_february_whatever_its_length():
    assert previous(parse("2026-03")) == parse("2026-02")


def test_the_quarter_before_q1_is_last_years_q4():
    assert previous(parse("2026-Q1")) == parse("2025-Q4")


def test_the_quarter_before_q3_is_q2():
    assert previous(parse("2026-Q3")) == parse("2026-Q2")


def test_the_range_before_a_range_has_the_same_length_and_ends_the_day_before():
    assert previous(parse(None, "2026-10-01", "2026-10-31")) == parse(
        None, "2026-08-31", "2026-09-30"
    )


def test_last_n_lists_periods_oldest_first_ending_with_the_given_one():
    assert [p.label for p in last_n(parse("2026-02"), 4)] == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]


def test_last_n_of_quarters_crosses_years():
    assert [p.label for p in last_n(parse("2026-Q2"), 3)] == ["2025-Q4", "2026-Q1", "2026-Q2"]


def test_last_n_of_one_is_the_period_itself():
    period = parse(None, "2026-10-01", "2026-10-10")
    assert last_n(period, 1) == [period]


def test_last_n_of_ranges_tiles_the_days_before_without_gaps():
    periods = last_n(parse(None, "2026-10-01", "2026-10-10"), 3)
    assert [(p.start, p.end) for p in periods] == [
        (d("2026-09-11"), d("2026-09-20")),
        (d("2026-09-21"), d("2026-09-30")),
        (d("2026-10-01"), d("2026-10-10")),
    ]


def test_last_n_refuses_fewer_than_one():
    with pytest.raises(ValueError):
        last_n(parse("2026-10"), 0)
