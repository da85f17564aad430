"""GET /api/v1/branches/ and GET /api/v1/regions/ — the organisation, scoped by role."""

from __future__ import annotations

import pytest

from tests.factories import BranchFactory, RegionFactory

BRANCHES = "/api/v1/branches/"
REGIONS = "/api/v1/regions/"


def codes(response) -> list[str]:
    assert response.status_code == 200, response.json()
    data = response.json()
    rows = data["results"] if isinstance(data, dict) else data
    return [row["code"] for row in rows]


def test_head_office_lists_every_branch(client_for, hank, east_branch, west_branch):
    assert codes(client_for(hank).get(BRANCHES)) == ["cd-jinjiang", "sh-jingan"]


def test_a_reviewer_lists_every_branch(client_for, rita, east_branch, west_branch):
    assert codes(client_for(rita).get(BRANCHES)) == ["cd-jinjiang", "sh-jingan"]


def test_a_regional_manager_lists_only_their_regions_branches(
    client_for, erin, east_branch, west_branch
):
    assert codes(client_for(erin).get(BRANCHES)) == ["sh-jingan"]


def test_a_branch_comes_with_its_address_location_and_region(client_for, hank, east_branch):
    (row,) = client_for(hank).get(BRANCHES).json()["results"]
    assert row == {
        "id": east_branch.pk,
        "code": "sh-jingan",
        "name_zh": "上海静安支行",
        "name_en": "Shanghai Jing'an",
        "address_zh": east_branch.address_zh,
        "address_en": east_branch.address_en,
        "location": {"lat": 31.2304, "lng": 121.4737},
        "region": {
            "id": east_branch.region_id,
            "code": "east",
            "name_zh": "华东区",
            "name_en": "East",
        },
        "active": True,
    }


def test_it_filters_branches_by_region(client_for, hank, east_branch, west_branch):
    assert codes(client_for(hank).get(BRANCHES, {"region": "west"})) == ["cd-jinjiang"]


def test_it_filters_branches_by_activity(client_for, hank, east_branch, east):
    BranchFactory(region=east, code="sh-closed", active=False)
    assert codes(client_for(hank).get(BRANCHES, {"active": "false"})) == ["sh-closed"]


def test_it_finds_branches_by_part_of_a_name(client_for, hank, east_branch, west_branch):
    assert codes(client_for(hank).get(BRANCHES, {"q": "静安"})) == ["sh-jingan"]


@pytest.mark.parametrize("url", [BRANCHES, REGIONS])
def test_shoppers_may_not_list_the_organisation(client_for, alice, url):
    assert client_for(alice).get(url).status_code == 403


@pytest.mark.parametrize("url", [BRANCHES, REGIONS])
def test_the_organisation_needs_a_signed_in_caller(anon, url):
    assert anon.get(url).status_code == 401


def test_head_office_lists_every_region_with_its_branch_count(
    client_for, hank, east_branch, west_branch, east
):
    BranchFactory(region=east)
    response = client_for(hank).get(REGIONS)
    assert response.status_code == 200
    assert [(r["code"], r["name_zh"], r["branch_count"]) for r in response.json()] == [
        ("east", "华东区", 2),
        ("west", "华西区", 1),
    ]


def test_a_regional_manager_lists_only_their_regions(client_for, erin, east_branch, west_branch):
    assert codes(client_for(erin).get(REGIONS)) == ["east"]


def test_regions_and_branches_agree_for_a_region_without_branches(client_for, hank, east_branch):
    RegionFactory(code="north")
    assert codes(client_for(hank).get(REGIONS)) == ["east"]
