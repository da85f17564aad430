"""branch_comparison(lenses=…): a page asks for the lens it shows, a league table for none.

Whatever is asked, the lens computed is the one the full comparison carries, and
the league (ranks, scores, intervals, changes) is the same; the lenses not asked
come back empty and their sums are never read.
"""

from __future__ import annotations

import dataclasses

import pytest

from reports.periods import month
from reports.selectors.comparison import VIEWS, branch_comparison, comparison_from_visits

OCTOBER = month(2026, 10)
LEAGUE = ("rank", "branch_code", "visits", "score", "band", "previous_score", "change")
LEAGUE += ("small_sample", "interval", "previous_interval", "change_significant")


def league(comparison) -> list[tuple]:
    return [tuple(getattr(row, name) for name in LEAGUE) for row in comparison.rows]


def lens_of(comparison, view: str) -> tuple:
    attribute = VIEWS[view]
    return (
        getattr(comparison, attribute),
        [getattr(row, attribute) for row in comparison.rows],
        [getattr(average, attribute) for average in comparison.averages],
    )


@pytest.mark.parametrize("view", ["sections", "rater", "areas", "factors"])
def test_one_lens_is_the_full_comparisons_lens(hank, lens_history, view):
    full = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    one = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=(view,))

    assert lens_of(one, view) == lens_of(full, view)


def test_the_bpmp_lens_alone_is_the_full_comparisons_with_its_failures(hank, bpmp_history):
    full = branch_comparison(user=hank, checklist=bpmp_history, period=OCTOBER)

    one = branch_comparison(user=hank, checklist=bpmp_history, period=OCTOBER, lenses=("bpmp",))

    assert lens_of(one, "bpmp") == lens_of(full, "bpmp")
    assert [r.bpmp_failures for r in one.rows] == [r.bpmp_failures for r in full.rows]


@pytest.mark.parametrize("view", list(VIEWS))
def test_the_lenses_not_asked_come_back_empty(hank, lens_history, view):
    one = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=(view,))

    for other in set(VIEWS) - {view}:
        headings, columns, averages = lens_of(one, other)
        assert headings == ()
        assert all(each == {} for each in columns + averages)


@pytest.mark.parametrize("lenses", [(), ("areas",)])
def test_the_league_is_the_same_whatever_lenses_are_asked(hank, lens_history, lenses):
    full = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    fewer = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=lenses)

    assert league(fewer) == league(full)


def test_a_league_without_lenses_reads_the_version_branches_and_visit_sums_only(
    hank, lens_history, django_assert_num_queries
):
    with django_assert_num_queries(3):
        branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=())


def test_factor_checklists_are_named_only_when_the_factor_lens_is_asked(hank, lens_history):
    comparison = branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=())

    assert comparison.factor_checklists == ()


@pytest.mark.parametrize("view", list(VIEWS))
def test_one_lens_from_rollups_equals_the_same_lens_from_visits(erin, lens_history, view):
    from_rollups = branch_comparison(
        user=erin, checklist=lens_history, period=OCTOBER, lenses=(view,)
    )
    from_visits = comparison_from_visits(
        user=erin, checklist=lens_history, period=OCTOBER, lenses=(view,)
    )

    assert dataclasses.asdict(from_rollups) == dataclasses.asdict(from_visits)


def test_an_unknown_lens_is_refused(hank, lens_history):
    with pytest.raises(ValueError, match="unknown comparison lenses"):
        branch_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=("colours",))
