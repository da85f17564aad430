"""GET /api/v1/reports/drivers/ — which checklist items move the overall score most."""

from __future__ import annotations

from decimal import Decimal

import pytest

from audits.models import Visit
from tests.factories import BranchFactory, ItemFactory, SectionFactory, VersionFactory
from tests.report_data import complainant_type_item, report_checklist, visit

URL = "/api/v1/reports/drivers/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def wuhou(west):
    return BranchFactory(region=west, code="cd-wuhou")


@pytest.fixture
def answers(version, east_branch, pudong, west_branch, wuhou):
    """Four branches whose overall scores are 60, 70, 80, 90 in October 2026.

    Branch averages per item (x = overall):
                  overall  greet  attitude  clean  resolved  wait
    sh-jingan       60      100      25      100      60      0 (one visit of two)
    sh-pudong       70        0      50       80      60      0
    cd-jinjiang     80      100      75       60      60      —
    cd-wuhou        90        0     100       40      60      —
    """
    visit(
        east_branch,
        version,
        "2026-10-02",
        50.0,
        answers={
            "greet": 100,
            "attitude": {"score": 0, "gain": "12.50"},
            "clean": 100,
            "resolved": {"score": 60, "gain": "4.00"},
            "wait": {"score": 0, "gain": "5.00"},
        },
    )
    visit(
        east_branch,
        version,
        "2026-10-20",
        70.0,
        answers={
            "greet": 100,
            "attitude": {"score": 50, "gain": "6.25"},
            "clean": 100,
            "resolved": {"score": 60, "gain": "4.00"},
        },
    )
    visit(
        pudong,
        version,
        "2026-10-05",
        70.0,
        answers={
            "greet": {"score": 0, "gain": "20.00"},
            "attitude": {"score": 50, "gain": "6.25"},
            "clean": {"score": 80, "gain": "2.00"},
            "resolved": {"score": 60, "gain": "4.00"},
            "wait": {"score": 0, "gain": "5.00"},
        },
    )
    visit(
        west_branch,
        version,
        "2026-10-09",
        80.0,
        answers={
            "greet": 100,
            "attitude": {"score": 75, "gain": "3.13"},
            "clean": {"score": 60, "gain": "4.00"},
            "resolved": {"score": 60, "gain": "4.00"},
            "remark": {"score": None},
        },
    )
    visit(
        wuhou,
        version,
        "2026-10-30",
        90.0,
        answers={
            "greet": {"score": 0, "gain": "20.00"},
            "attitude": 100,
            "clean": {"score": 40, "gain": "6.00"},
            "resolved": {"score": 60, "gain": "4.00"},
        },
    )


def get(client, **params):
    return client.get(URL, {**OCTOBER, **params})


def items_by_code(data: dict) -> dict[str, dict]:
    return {item["code"]: item for item in data["items"]}


def test_items_are_listed_by_points_to_gain_largest_first(client_for, hank, answers):
    response = get(client_for(hank))
    assert response.status_code == 200, response.json()
    assert [(i["code"], i["points_to_gain"]) for i in response.json()["items"]] == [
        ("greet", "8.00"),
        ("attitude", "5.63"),
        ("resolved", "4.00"),
        ("clean", "2.40"),
        ("wait", "2.00"),
    ]


def test_points_to_gain_is_the_sum_of_the_answers_gains_over_all_scored_visits(
    client_for, hank, answers
):
    items = items_by_code(get(client_for(hank)).json())
    # attitude: (12.50 + 6.25 + 6.25 + 3.13 + 0) / 5 visits = 5.626
    assert items["attitude"]["points_to_gain"] == "5.63"
    # wait was scored on 2 visits of 5; the others cannot gain from it: (5 + 5) / 5
    assert items["wait"]["points_to_gain"] == "2.00"


def test_the_average_is_over_every_scored_answer(client_for, hank, answers):
    items = items_by_code(get(client_for(hank)).json())
    assert {code: i["average"] for code, i in items.items()} == {
        "greet": "60.0",
        "attitude": "55.0",
        "clean": "76.0",
        "resolved": "60.0",
        "wait": "0.0",
    }
    assert {code: i["answers"] for code, i in items.items()} == {
        "greet": 5,
        "attitude": 5,
        "clean": 5,
        "resolved": 5,
        "wait": 2,
    }


def test_the_failure_rate_is_failed_answers_over_scored_answers(client_for, hank, answers):
    items = items_by_code(get(client_for(hank)).json())
    assert {code: i["failure_rate"] for code, i in items.items()} == {
        "greet": "0.400",
        "attitude": "0.200",
        "clean": "0.200",
        "resolved": "0.000",
        "wait": "1.000",
    }


def test_an_item_rising_with_the_overall_score_across_branches_correlates_perfectly(
    client_for, hank, answers
):
    # attitude 25, 50, 75, 100 against overall 60, 70, 80, 90: a straight rising line.
    assert items_by_code(get(client_for(hank)).json())["attitude"]["correlation"] == "1.000"


def test_an_item_falling_as_the_overall_score_rises_correlates_perfectly_negatively(
    client_for, hank, answers
):
    # clean 100, 80, 60, 40 against overall 60, 70, 80, 90.
    assert items_by_code(get(client_for(hank)).json())["clean"]["correlation"] == "-1.000"


def test_the_correlation_is_pearsons_r_across_branch_averages(client_for, hank, answers):
    # greet 100, 0, 100, 0 against overall 60, 70, 80, 90; means 50 and 75:
    # dx = -15, -5, 5, 15; dy = 50, -50, 50, -50
    # Σdx·dy = -750 + 250 + 250 - 750 = -1000; Σdx² = 500; Σdy² = 10000
    # r = -1000 / √(500 × 10000) = -1 / √5 = -0.4472…
    item = items_by_code(get(client_for(hank)).json())["greet"]
    assert (item["correlation"], item["branches"]) == ("-0.447", 4)


def test_an_item_every_branch_scores_alike_has_no_correlation(client_for, hank, answers):
    assert items_by_code(get(client_for(hank)).json())["resolved"]["correlation"] is None


def test_an_item_seen_at_fewer_than_three_branches_has_no_correlation(client_for, hank, answers):
    item = items_by_code(get(client_for(hank)).json())["wait"]
    assert (item["branches"], item["correlation"]) == (2, None)


def test_each_item_carries_its_text_section_and_tags(client_for, hank, answers):
    item = items_by_code(get(client_for(hank)).json())["attitude"]
    assert item["text_zh"] == "热情的服务"
    assert item["text_en"] == "Warm, willing service"
    assert item["section"] == {"code": "core", "title_zh": "核心服务", "title_en": "Core service"}
    assert (item["rater"], item["area"], item["factor"], item["critical"]) == (
        "empathy",
        "people",
        5,
        False,
    )


def test_unscored_items_are_not_listed(client_for, hank, answers):
    codes = {i["code"] for i in get(client_for(hank)).json()["items"]}
    assert codes == {"greet", "attitude", "wait", "clean", "resolved"}


def test_a_weight_0_item_is_a_figure_not_a_driver(client_for, hank, version, answers):
    # Like a call's length: scored by a catch-all band, but it never moves a visit's score.
    version.items.filter(code="wait").update(weight=0)
    codes = {i["code"] for i in get(client_for(hank)).json()["items"]}
    assert codes == {"greet", "attitude", "clean", "resolved"}


def test_a_descriptive_choice_is_a_figure_not_a_driver(client_for, hank, version, answers):
    # The complainant type played: recorded, never scored.
    complainant_type_item(version)
    codes = {i["code"] for i in get(client_for(hank)).json()["items"]}
    assert "type" not in codes


def test_the_header_counts_scored_visits_and_branches(client_for, hank, answers):
    data = get(client_for(hank)).json()
    assert (data["period"]["label"], data["checklist"], data["region"]) == (
        "2026-10",
        "branch-visit",
        None,
    )
    assert (data["visits"], data["branches"]) == (5, 4)


def test_only_approved_visits_count(client_for, hank, version, answers, west_branch):
    for status in [Visit.Status.SUBMITTED, Visit.Status.RETURNED, Visit.Status.REJECTED]:
        visit(
            west_branch,
            version,
            "2026-10-10",
            0.0,
            status=status,
            answers={"resolved": {"score": 0, "gain": "40.00"}},
        )
    item = items_by_code(get(client_for(hank)).json())["resolved"]
    assert (item["answers"], item["failure_rate"], item["points_to_gain"]) == (5, "0.000", "4.00")


def test_na_answers_are_left_out_of_the_average_and_failure_rate(
    client_for, hank, version, answers, wuhou
):
    visit(wuhou, version, "2026-10-31", 90.0, answers={"attitude": {"na": True, "score": None}})
    item = items_by_code(get(client_for(hank)).json())["attitude"]
    assert (item["answers"], item["average"], item["failure_rate"]) == (5, "55.0", "0.200")


def test_a_period_without_visits_lists_every_item_with_empty_numbers(client_for, hank, answers):
    data = get(client_for(hank), period="2026-11").json()
    assert (data["visits"], data["branches"]) == (0, 0)
    assert {i["code"] for i in data["items"]} == {"greet", "attitude", "wait", "clean", "resolved"}
    assert all(
        (i["answers"], i["average"], i["failure_rate"], i["correlation"], i["points_to_gain"])
        == (0, None, None, None, None)
        for i in data["items"]
    )


def test_an_item_only_an_older_version_had_is_listed_under_its_old_wording(
    client_for, hank, version, answers, east_branch
):
    older = VersionFactory(checklist=version.checklist, number=0, expected_score=Decimal("80.0"))
    section = SectionFactory(version=older, code="core")
    ItemFactory(section=section, code="legacy", text_en="Offered a newspaper", text_zh="提供报纸")
    visit(east_branch, older, "2026-10-03", 55.0, answers={"legacy": {"score": 0, "gain": "30.00"}})
    item = items_by_code(get(client_for(hank)).json())["legacy"]
    assert (item["text_en"], item["answers"], item["failure_rate"]) == (
        "Offered a newspaper",
        1,
        "1.000",
    )


# Scope


def test_a_regional_manager_sees_only_their_regions(client_for, erin, answers):
    data = get(client_for(erin)).json()
    assert (data["visits"], data["branches"]) == (3, 2)
    # 2 branches are too few for a correlation.
    assert all(i["correlation"] is None for i in data["items"])
    assert items_by_code(data)["greet"]["average"] == "66.7"  # (100 + 100 + 0) / 3


def test_head_office_can_narrow_to_one_region(client_for, hank, answers):
    data = get(client_for(hank), region="west").json()
    assert (data["region"], data["visits"], data["branches"]) == ("west", 2, 2)


def test_a_regional_manager_asking_for_another_region_is_forbidden(client_for, wes, answers):
    assert get(client_for(wes), region="east").status_code == 403


def test_inactive_branches_are_left_out(client_for, hank, version, answers, east):
    closed = BranchFactory(region=east, code="sh-closed", active=False)
    visit(closed, version, "2026-10-02", 10.0, answers={"greet": {"score": 0, "gain": "50.00"}})
    data = get(client_for(hank)).json()
    assert (data["visits"], items_by_code(data)["greet"]["points_to_gain"]) == (5, "8.00")


def test_shoppers_are_forbidden(client_for, alice, answers):
    assert get(client_for(alice)).status_code == 403


def test_anonymous_callers_must_sign_in(anon, answers):
    assert get(anon).status_code == 401


# Bad requests


def test_a_missing_checklist_is_a_bad_request_naming_checklist(client_for, hank, answers):
    response = client_for(hank).get(URL, {"period": "2026-10"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["checklist"]


def test_a_bad_period_is_a_bad_request_naming_period(client_for, hank, answers):
    response = get(client_for(hank), period="2026-Q7")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period"]


def test_from_without_to_is_a_bad_request_naming_to(client_for, hank, answers):
    response = client_for(hank).get(URL, {"checklist": "branch-visit", "from": "2026-10-01"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["to"]
