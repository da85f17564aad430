"""mean_score: the one rounded mean every report shows, exact however it is computed."""

from decimal import Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from checklists.scoring import round_half_up
from reports.selectors import from_units, mean_score, tenths_mean


def test_a_mean_on_a_tie_rounds_half_up():
    assert mean_score(Decimal("170.5"), 2) == Decimal("85.3")


def test_a_tie_below_one_rounds_away_from_zero():
    assert mean_score(Decimal("0.5"), 10) == Decimal("0.1")


def test_a_repeating_mean_rounds_to_the_nearest_tenth():
    assert mean_score(Decimal("200.0"), 3) == Decimal("66.7")


def test_no_count_or_no_total_is_no_mean():
    assert mean_score(Decimal("10.0"), 0) is None
    assert mean_score(None, 3) is None


@given(
    tenths=st.integers(min_value=0, max_value=10**9),
    places=st.sampled_from([1, 2]),
    count=st.integers(min_value=1, max_value=10**7),
)
def test_the_mean_equals_the_exact_ratio_rounded_half_up(tenths, places, count):
    total = Decimal(tenths).scaleb(-places)
    assert mean_score(total, count) == round_half_up(Fraction(total) / count, 1)


@given(
    mean_in_twentieths=st.integers(min_value=0, max_value=2000),
    count=st.integers(min_value=1, max_value=10**6),
)
def test_every_exact_tie_rounds_half_up(mean_in_twentieths, count):
    # A total whose mean is k / 20: every x.x5 the mean can land on.
    total = Decimal(mean_in_twentieths * count) / 20
    assert mean_score(total, count) == round_half_up(Fraction(mean_in_twentieths, 20), 1)


@given(
    tenths=st.integers(min_value=-(10**9), max_value=10**9),
    count=st.integers(min_value=1, max_value=10**6),
)
def test_the_mean_of_tenths_is_the_mean_of_their_decimal(tenths, count):
    """tenths_mean, what reports use on integer sums, rounds exactly as mean_score does,
    and prints the same for every score (never negative; below zero only the sign of a
    mean rounding to zero may differ, -0.0 against 0.0, which compare equal)."""
    exact = mean_score(Decimal(tenths).scaleb(-1), count)
    fast = tenths_mean(tenths, count)
    assert fast == exact
    if tenths >= 0:
        assert str(fast) == str(exact)


def test_no_count_or_no_tenths_is_no_mean():
    assert tenths_mean(100, 0) is None
    assert tenths_mean(None, 3) is None


@given(
    units=st.integers(min_value=-(10**12), max_value=10**12),
    places=st.sampled_from([1, 2]),
)
def test_units_read_back_as_the_decimal_they_count(units, places):
    assert from_units(units, places) == Decimal(units) / 10**places
