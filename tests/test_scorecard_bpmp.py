"""The scorecard's BPMP classes and key-factor profile: the company comparison's numbers
for the branch, next to the averages it is read against."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.periods import month
from reports.scorecard_render import render_scorecard_html
from reports.selectors.scorecard import scorecard_data
from tests.report_data import report_checklist, visit
from tests.test_comparison_bpmp import bpmp_visits

OCTOBER = month(2026, 10)
D = Decimal


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    settings.SMALL_SAMPLE_VISITS = 1


def card(branch, version, lang="en"):
    return scorecard_data(branch=branch, checklist=version.checklist, period=OCTOBER, lang=lang)


def test_the_bpmp_rows_stand_against_the_average_branch_of_the_region_and_company(
    east_branch, pudong, west_branch
):
    version = bpmp_visits(east_branch, pudong, west_branch)

    rows = {row.label: row for row in card(east_branch, version).bpmp}

    assert list(rows) == ["Basic", "Performance", "Reward: delighters shown", "Punishment"]
    # Basic: jing'an 50, pudong 100 (East); jinjiang 100 (West).
    assert (rows["Basic"].score, rows["Basic"].region_avg, rows["Basic"].company_avg) == (
        D("50.0"),
        D("75.0"),
        D("83.3"),
    )
    reward = rows["Reward: delighters shown"]
    assert (reward.score, reward.region_avg, reward.company_avg) == (
        D("50.0"),
        D("25.0"),
        D("50.0"),
    )


def test_the_bpmp_rows_are_worded_in_the_cards_language(east_branch, pudong, west_branch):
    version = bpmp_visits(east_branch, pudong, west_branch)

    labels = [row.label for row in card(east_branch, version, lang="zh-Hans").bpmp]

    assert labels == ["基本因素", "绩效因素", "激励因素：惊喜展现率", "惩罚因素"]


def test_the_key_factor_profile_covers_every_checklist_that_tags_factors(east_branch, west_branch):
    version = report_checklist("branch-visit")
    other = report_checklist("other-visit")
    visit(east_branch, version, "2026-10-05", 80, factors={24: 60, 5: 90})
    visit(east_branch, other, "2026-10-07", 90, factors={24: 100})
    visit(west_branch, other, "2026-10-08", 40, factors={24: 40, 3: 70})

    factors = card(east_branch, version).factors

    # Only the branch's own factors; F24 (60 + 100) / 2 = 80, the company's (80 + 40) / 2.
    assert [(row.label, row.score, row.company_avg) for row in factors] == [
        ("F05 A warm, welcoming feeling", D("90.0"), D("90.0")),
        ("F24 No long wait", D("80.0"), D("60.0")),
    ]
    assert all(row.region_avg is None for row in factors)


def test_a_branch_without_tagged_answers_gets_neither_section(east_branch):
    version = report_checklist("branch-visit")
    visit(east_branch, version, "2026-10-05", 80, sections={"core": 80})

    data = card(east_branch, version)

    assert (data.bpmp, data.factors) == ((), ())
    html = render_scorecard_html(data)
    assert "BPMP classes" not in html and "Key-factor profile" not in html


def test_the_card_shows_the_bpmp_chart_and_the_factor_table(east_branch, pudong, west_branch):
    version = bpmp_visits(east_branch, pudong, west_branch)
    visit(east_branch, version, "2026-10-21", 80, factors={24: 65})

    html = render_scorecard_html(card(east_branch, version))

    assert 'class="chart chart-bpmp"' in html
    assert "Key-factor profile" in html and "F24 No long wait" in html
