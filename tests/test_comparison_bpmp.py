"""The comparison's BPMP lens: per branch, the mean score of the scored answers to the
items of each BPMP class, read from the item roll-ups and equal to the visits'.

Numbers are stated per answer (tests.report_data) so the expected means read off the
fixture; one visit is really scored, to show a reward item answered No never fails.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from audits.services.review import visit_review
from checklists.models import Item
from reports.periods import month
from reports.selectors.comparison import branch_comparison, comparison_from_visits
from tests.factories import ItemFactory
from tests.report_data import report_checklist, submitted_visit, visit

OCTOBER = month(2026, 10)
D = Decimal
NOT_SHOWN = {"score": 0, "failed": False}  # a delighter not shown, as scoring stores it


def bpmp_checklist():
    """small_checklist with every BPMP class: greet basic (as the factory tags it),
    clean performance, a yes/no delighter `delight` (reward), wait punishment;
    attitude and resolved untagged."""
    version = report_checklist("branch-visit")
    Item.objects.filter(version=version, code="clean").update(bpmp="performance")
    Item.objects.filter(version=version, code="wait").update(bpmp="punishment")
    core = version.sections.get(code="core")
    ItemFactory(section=core, code="delight", position=9, bpmp="motivation")
    return version


def bpmp_visits(east_branch, pudong, west_branch):
    """October 2026 (attitude, untagged, is answered to show it counts in no class):

    sh-jingan   greet 100, 0 → basic 50.0, 1 failure; clean 80, 70.1 → performance 75.05
                → 75.1; delight 100, not shown → reward 50.0; wait 0, 60 → punishment
                30.0, 1 failure
    sh-pudong   greet 100; clean 40; delight not shown; wait 100
    cd-jinjiang greet 100; delight 100 (West)
    """
    version = bpmp_checklist()
    visit(
        east_branch,
        version,
        "2026-10-05",
        80,
        answers={"greet": 100, "clean": 80, "delight": 100, "wait": 0, "attitude": 25},
    )
    visit(
        east_branch,
        version,
        "2026-10-20",
        60,
        answers={"greet": 0, "clean": "70.1", "delight": NOT_SHOWN, "wait": 60, "attitude": 100},
    )
    visit(
        pudong,
        version,
        "2026-10-06",
        70,
        answers={"greet": 100, "clean": 40, "delight": NOT_SHOWN, "wait": 100},
    )
    visit(west_branch, version, "2026-10-08", 90, answers={"greet": 100, "delight": 100})
    # Outside the period: never in October's numbers.
    visit(east_branch, version, "2026-09-30", 10, answers={"greet": 0, "delight": NOT_SHOWN})
    return version


@pytest.fixture
def bpmp_data(settings, east_branch, pudong, west_branch):
    settings.SMALL_SAMPLE_VISITS = 1
    return bpmp_visits(east_branch, pudong, west_branch)


def rows(comparison) -> dict:
    return {row.branch_code: row for row in comparison.rows}


def october(user, version):
    return branch_comparison(user=user, checklist=version.checklist, period=OCTOBER)


def test_the_class_scores_are_the_means_of_the_classes_answers_rounded_half_up(hank, bpmp_data):
    jingan = rows(october(hank, bpmp_data))["sh-jingan"]

    assert jingan.bpmp == {
        "basic": D("50.0"),
        "performance": D("75.1"),
        "motivation": D("50.0"),
        "punishment": D("30.0"),
    }


def test_failures_are_counted_for_basic_and_punishment_only(hank, bpmp_data):
    jingan = rows(october(hank, bpmp_data))["sh-jingan"]

    assert jingan.bpmp_failures == {"basic": 1, "punishment": 1}


def test_a_low_performance_item_is_not_counted_as_a_class_failure(hank, bpmp_data):
    pudong = rows(october(hank, bpmp_data))["sh-pudong"]

    assert (pudong.bpmp["performance"], pudong.bpmp_failures) == (
        D("40.0"),
        {"basic": 0, "punishment": 0},
    )


def test_a_branch_without_answers_of_a_class_has_no_score_or_failures_for_it(hank, bpmp_data):
    jinjiang = rows(october(hank, bpmp_data))["cd-jinjiang"]

    assert jinjiang.bpmp == {
        "basic": D("100.0"),
        "performance": None,
        "motivation": D("100.0"),
        "punishment": None,
    }
    assert jinjiang.bpmp_failures == {"basic": 0, "punishment": None}


def test_the_classes_are_headed_in_bpmp_order_the_reward_as_delighters_shown(hank, bpmp_data):
    comparison = october(hank, bpmp_data)

    assert [(c.code, c.title_zh, c.title_en) for c in comparison.bpmp] == [
        ("basic", "基本因素", "Basic"),
        ("performance", "绩效因素", "Performance"),
        ("motivation", "激励因素：惊喜展现率", "Reward: delighters shown"),
        ("punishment", "惩罚因素", "Punishment"),
    ]


def test_only_the_classes_the_checklist_tags_are_columns(hank, east_branch):
    version = report_checklist("branch-visit")  # greet is its only tagged item: basic
    visit(east_branch, version, "2026-10-05", 80, answers={"greet": 100, "clean": 20})

    comparison = october(hank, version)

    assert [c.code for c in comparison.bpmp] == ["basic"]
    assert rows(comparison)["sh-jingan"].bpmp == {"basic": D("100.0")}


def test_a_reward_item_answered_no_never_counts_as_a_failure(hank, rita, east_branch):
    version = bpmp_checklist()
    scored = submitted_visit(
        east_branch,
        version,
        "2026-10-05",
        {"greet": True, "attitude": 5, "wait": 5, "clean": 6, "delight": False},
    )
    visit_review(visit=scored, reviewer=rita, decision="approve")

    jingan = rows(october(hank, version))["sh-jingan"]

    assert scored.answers.get(item_code="delight").failed is False
    assert jingan.bpmp["motivation"] == D("0.0")
    assert "motivation" not in jingan.bpmp_failures
    assert jingan.bpmp_failures == {"basic": 0, "punishment": 0}


def test_the_company_average_counts_each_branch_with_a_class_score_once(hank, bpmp_data):
    company = october(hank, bpmp_data).averages[0]

    assert company.region is None
    assert company.bpmp == {
        "basic": D("83.3"),  # (50 + 100 + 100) / 3
        "performance": D("57.6"),  # (75.1 + 40.0) / 2 = 57.55
        "motivation": D("50.0"),  # (50 + 0 + 100) / 3
        "punishment": D("65.0"),  # (30 + 100) / 2
    }


def test_region_averages_of_the_classes_follow_the_company_average(hank, bpmp_data):
    _, east, west = october(hank, bpmp_data).averages

    assert (east.region, east.bpmp["motivation"]) == ("east", D("25.0"))
    assert (west.region, west.bpmp["motivation"]) == ("west", D("100.0"))


def test_a_regional_manager_sees_only_their_regions_class_scores_and_averages(erin, bpmp_data):
    comparison = october(erin, bpmp_data)

    assert {row.branch_code for row in comparison.rows} == {"sh-jingan", "sh-pudong"}
    assert [a.region for a in comparison.averages] == [None, "east"]
    # West's 100 would have lifted the reward average to 50.0.
    assert comparison.averages[0].bpmp["motivation"] == D("25.0")


@pytest.mark.parametrize("user", ["hank", "erin"])
def test_the_bpmp_lens_from_rollups_equals_the_one_from_visits(request, user, bpmp_data):
    caller = request.getfixturevalue(user)

    fast = october(caller, bpmp_data)
    slow = comparison_from_visits(user=caller, checklist=bpmp_data.checklist, period=OCTOBER)

    assert fast == slow
