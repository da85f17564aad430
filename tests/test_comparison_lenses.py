"""The comparison's area and key-factor lenses: read from the roll-ups, equal to the visits'.

Areas are the comparison checklist's; key factors are summed over every checklist
that tags them. Numbers are stated per visit (tests.report_data) so the expected
means read off the fixture.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.periods import month
from reports.selectors.comparison import branch_comparison, comparison_from_visits
from tests.report_data import report_checklist, visit

OCTOBER = month(2026, 10)
D = Decimal


@pytest.fixture
def lenses(settings, east_branch, pudong, west_branch):
    settings.SMALL_SAMPLE_VISITS = 1
    return lens_visits(east_branch, pudong, west_branch)


def lens_visits(east_branch, pudong, west_branch):
    """October 2026, two checklists that both tag key factors 3, 5 and 24.

    sh-jingan  branch-visit  people 70, 75.1 → 72.55 → 72.6; procedure 80
                             F24 60, 65; F05 90
               other-visit   F24 100; F03 50      → F24 (60+65+100)/3 = 75.0
    sh-pudong  branch-visit  people 90; no factor-tagged answer
    cd-jinjiang other-visit  F24 40 (West)
    """
    version = report_checklist("branch-visit")
    other = report_checklist("other-visit")
    visit(
        east_branch,
        version,
        "2026-10-05",
        80,
        areas={"people": 70, "procedure": 80},
        factors={24: 60, 5: 90},
    )
    visit(east_branch, version, "2026-10-20", 80, areas={"people": "75.1"}, factors={24: 65})
    visit(east_branch, other, "2026-10-07", 90, factors={24: 100, 3: 50})
    visit(pudong, version, "2026-10-06", 85, areas={"people": 90})
    visit(west_branch, other, "2026-10-08", 40, factors={24: 40})
    # Outside the period: never in October's numbers.
    visit(east_branch, version, "2026-09-30", 10, areas={"people": 10}, factors={24: 10})
    return version.checklist


def rows(comparison) -> dict:
    return {row.branch_code: row for row in comparison.rows}


def test_area_scores_are_the_branch_means_rounded_half_up(hank, lenses):
    jingan = rows(branch_comparison(user=hank, checklist=lenses, period=OCTOBER))["sh-jingan"]

    assert jingan.areas == {"procedure": D("80.0"), "people": D("72.6"), "environment": None}


def test_every_area_is_a_column_named_in_both_languages(hank, lenses):
    comparison = branch_comparison(user=hank, checklist=lenses, period=OCTOBER)

    assert [(a.code, a.title_zh, a.title_en) for a in comparison.areas] == [
        ("procedure", "程序", "Procedure"),
        ("people", "个人", "People"),
        ("environment", "环境", "Environment"),
    ]


def test_factor_scores_are_averaged_over_every_checklist_that_tags_them(hank, lenses):
    jingan = rows(branch_comparison(user=hank, checklist=lenses, period=OCTOBER))["sh-jingan"]

    assert jingan.factors == {"3": D("50.0"), "5": D("90.0"), "24": D("75.0")}


def test_the_factor_columns_are_the_factors_scored_named_as_in_the_library(hank, lenses):
    comparison = branch_comparison(user=hank, checklist=lenses, period=OCTOBER)

    assert [f.code for f in comparison.factors] == ["3", "5", "24"]
    assert (comparison.factors[0].title_zh, comparison.factors[0].title_en) == (
        "F03 清洁的环境",
        "F03 A clean environment",
    )
    assert {"branch-visit", "other-visit"} <= set(comparison.factor_checklists)


def test_a_branch_without_factor_tagged_answers_shows_no_factor_score(hank, lenses):
    pudong = rows(branch_comparison(user=hank, checklist=lenses, period=OCTOBER))["sh-pudong"]

    assert pudong.factors == {"3": None, "5": None, "24": None}


def test_a_branch_scored_only_on_another_checklist_still_has_its_factor_scores(hank, lenses):
    # cd-jinjiang has no branch-visit visit: no score, but its key factor counts.
    jinjiang = rows(branch_comparison(user=hank, checklist=lenses, period=OCTOBER))["cd-jinjiang"]

    assert (jinjiang.score, jinjiang.factors["24"]) == (None, D("40.0"))


def test_the_company_average_counts_each_branch_with_a_score_once(hank, lenses):
    company = branch_comparison(user=hank, checklist=lenses, period=OCTOBER).averages[0]

    assert company.region is None
    assert company.areas == {"procedure": D("80.0"), "people": D("81.3"), "environment": None}
    assert company.factors["24"] == D("57.5")  # (75.0 + 40.0) / 2


def test_region_averages_follow_the_company_average_by_region_code(hank, lenses):
    _, east, west = branch_comparison(user=hank, checklist=lenses, period=OCTOBER).averages

    assert (east.region, east.areas["people"], east.factors["24"]) == ("east", D("81.3"), D("75.0"))
    assert (west.region, west.areas["people"], west.factors["24"]) == ("west", None, D("40.0"))


def test_a_regional_manager_sees_only_their_regions_factors_and_averages(erin, lenses):
    comparison = branch_comparison(user=erin, checklist=lenses, period=OCTOBER)

    assert {row.branch_code for row in comparison.rows} == {"sh-jingan", "sh-pudong"}
    assert [a.region for a in comparison.averages] == [None, "east"]
    # West's 40 would have pulled the average down to 57.5.
    assert comparison.averages[0].factors["24"] == D("75.0")


@pytest.mark.parametrize("user", ["hank", "erin"])
def test_areas_factors_and_averages_from_rollups_equal_those_from_visits(request, user, lenses):
    caller = request.getfixturevalue(user)

    fast = branch_comparison(user=caller, checklist=lenses, period=OCTOBER)
    slow = comparison_from_visits(user=caller, checklist=lenses, period=OCTOBER)

    assert fast == slow
