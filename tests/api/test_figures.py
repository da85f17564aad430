"""GET /api/v1/reports/figures/ — what shoppers measured on the number items, per branch."""

from __future__ import annotations

import pytest

from tests.report_data import complainant_type_item, report_checklist, visit

URL = "/api/v1/reports/figures/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}


@pytest.fixture
def version(db):
    version = report_checklist("branch-visit")
    version.items.filter(code="wait").update(unit_zh="秒", unit_en="seconds")
    return version


@pytest.fixture
def waits(version, east_branch, pudong, west_branch):
    """Seconds until greeted in October 2026: sh-jingan 4, 12, 45; sh-pudong 20; cd-jinjiang 100."""
    for branch, day, seconds in (
        (east_branch, "02", 4),
        (east_branch, "09", 12),
        (east_branch, "20", 45),
        (pudong, "05", 20),
        (west_branch, "07", 100),
    ):
        visit(branch, version, f"2026-10-{day}", 80.0, answers={"wait": {"value": seconds}})


@pytest.fixture
def complainant_types(version, east_branch, pudong, west_branch):
    """The complainant type played in October 2026: sh-jingan venting 60 and 70; sh-pudong
    venting 80; cd-jinjiang dependent 50."""
    complainant_type_item(version)
    for branch, day, played, score in (
        (east_branch, "02", "venting", 60.0),
        (east_branch, "09", "venting", 70.0),
        (pudong, "05", "venting", 80.0),
        (west_branch, "07", "dependent", 50.0),
    ):
        visit(branch, version, f"2026-10-{day}", score, answers={"type": {"value": played}})


def get(client, **params):
    return client.get(URL, {**OCTOBER, **params})


def test_a_branchs_figures_stand_against_its_region_and_the_company(client_for, hank, waits):
    response = get(client_for(hank), branch="sh-jingan", lang="en")

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["branch"]["code"], data["region"], data["visits"]) == ("sh-jingan", "east", 3)
    [wait] = data["items"]
    assert (wait["code"], wait["label"], wait["unit"], wait["scored"]) == (
        "wait",
        "Seconds until greeted",
        "seconds",
        True,
    )
    assert wait["stats"] == {
        "count": 3,
        "mean": "20.3",
        "median": "12.0",
        "p90": "45.0",
        "min": "4.0",
        "max": "45.0",
        "distribution": [1, 1, 1],
        "outside": 0,
    }
    assert (wait["region"]["mean"], wait["company"]["mean"]) == ("20.3", "36.2")


def test_the_bands_are_the_thresholds_that_score_the_item(client_for, hank, waits):
    [wait] = get(client_for(hank), branch="sh-jingan").json()["items"]
    assert [(b["label"], b["max"], b["score"]) for b in wait["bands"]] == [
        ("≤ 10", "10", "100.0"),
        ("> 10, ≤ 30", "30", "60.0"),
        ("> 30", None, "0.0"),
    ]


def test_labels_and_units_come_in_the_language_asked_for(client_for, hank, waits):
    [wait] = get(client_for(hank), branch="sh-jingan", lang="zh-Hans").json()["items"]
    assert (wait["label"], wait["unit"]) == ("等候问候的秒数", "秒")


def test_without_a_branch_head_office_gets_the_whole_company(client_for, hank, waits):
    data = get(client_for(hank)).json()
    assert (data["branch"], data["region"], data["visits"]) == (None, None, 5)
    assert data["items"][0]["stats"]["count"] == 5


def test_a_regional_manager_without_a_branch_gets_their_regions(client_for, erin, waits):
    data = get(client_for(erin)).json()
    assert (data["visits"], data["items"][0]["stats"]["mean"]) == (4, "20.3")


def test_a_regional_manager_asking_for_a_branch_outside_their_regions_is_forbidden(
    client_for, wes, waits
):
    assert get(client_for(wes), branch="sh-jingan").status_code == 403


def test_a_regional_manager_asking_for_a_date_range_is_refused_naming_period(
    client_for, erin, waits
):
    response = client_for(erin).get(
        URL,
        {
            "checklist": "branch-visit",
            "from": "2026-10-01",
            "to": "2026-10-01",
            "branch": "sh-jingan",
        },
    )
    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_an_unknown_branch_is_a_bad_request_naming_branch(client_for, hank, waits):
    response = get(client_for(hank), branch="nowhere")
    assert response.status_code == 400
    assert "branch" in response.json()["errors"]


def test_a_branch_outside_the_region_asked_for_is_a_bad_request_naming_branch(
    client_for, hank, waits
):
    response = get(client_for(hank), branch="sh-jingan", region="west")
    assert response.status_code == 400
    assert "branch" in response.json()["errors"]


def test_a_missing_checklist_is_a_bad_request_naming_checklist(client_for, hank, waits):
    response = client_for(hank).get(URL, {"period": "2026-10"})
    assert response.status_code == 400
    assert "checklist" in response.json()["errors"]


def test_shoppers_are_forbidden(client_for, alice, waits):
    assert get(client_for(alice)).status_code == 403


def test_a_branchs_complainant_types_come_with_their_mean_visit_score_against_region_and_company(
    client_for, hank, complainant_types
):
    response = get(client_for(hank), branch="sh-jingan", lang="en")

    assert response.status_code == 200, response.json()
    [played] = response.json()["choices"]
    assert (played["code"], played["label"]) == ("type", "The complainant type you played")
    assert [option["value"] for option in played["options"]] == [
        "problem_driven",
        "venting",
        "wants_to_feel_important",
        "dependent",
    ]
    none = {"visits": 0, "mean_score": None}
    assert played["stats"] == {
        "count": 2,
        "options": [none, {"visits": 2, "mean_score": "65.0"}, none, none],
    }
    assert played["region"]["options"][1] == {"visits": 3, "mean_score": "70.0"}
    assert played["company"]["options"][3] == {"visits": 1, "mean_score": "50.0"}


def test_option_labels_come_in_the_language_asked_for(client_for, hank, complainant_types):
    [played] = get(client_for(hank), branch="sh-jingan", lang="zh-Hans").json()["choices"]
    assert [option["label"] for option in played["options"]] == [
        "问题解决型",
        "表现不满型",
        "自我表现型",
        "撒娇倚赖型",
    ]


def test_a_regional_manager_gets_their_regions_choices_with_no_region_to_compare(
    client_for, erin, complainant_types
):
    [played] = get(client_for(erin)).json()["choices"]
    assert (played["stats"]["options"][1], played["region"]) == (
        {"visits": 3, "mean_score": "70.0"},
        None,
    )


def test_a_checklist_without_descriptive_choices_has_none(client_for, hank, waits):
    assert get(client_for(hank), branch="sh-jingan").json()["choices"] == []
