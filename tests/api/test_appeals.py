"""GET/POST /api/v1/appeals/, GET /api/v1/appeals/{id}/, POST /api/v1/appeals/{id}/decide/.

Regional managers appeal their regions' approved visits and never learn who
visited or when; head office decides. Scoped by role like every endpoint.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import Visit
from tests.appeal_data import appeal_item, approved_visit, submitted_appeal

LIST = "/api/v1/appeals/"


def detail(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/"


def decide(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/decide/"


@pytest.fixture
def approved(alice, east_branch, rita):
    return approved_visit(shopper=alice, branch=east_branch, reviewer=rita)


@pytest.fixture
def appeal(approved, erin):
    return submitted_appeal(approved, erin, "wait")


def post_appeal(client, visit, *items):
    body = {"visit": str(visit.id), "items": list(items) or [appeal_item("wait")]}
    return client.post(LIST, body, format="json")


def keys_in(data) -> set[str]:
    """Every key anywhere in a JSON document."""
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in keys_in(v)}
    if isinstance(data, list):
        return {k for v in data for k in keys_in(v)}
    return set()


# --- submitting ----------------------------------------------------------------------


def test_a_regional_manager_appeals_an_item_of_their_regions_visit(client_for, erin, approved):
    response = post_appeal(client_for(erin), approved)

    assert response.status_code == 201, response.json()
    data = response.json()
    assert (data["status"], data["submitted_by"], data["branch"]["code"]) == (
        "submitted",
        "erin",
        "sh-jingan",
    )
    assert [(i["item_code"], i["category"], i["outcome"]) for i in data["items"]] == [
        ("wait", "evidence_contradicts", None)
    ]
    assert data["items"][0]["answer"] == {
        "value": 25,
        "na": False,
        "score": "60.0",
        "failed": False,
    }


def test_the_regional_managers_output_names_the_period_and_score_never_the_shopper_or_date(
    client_for, erin, approved
):
    data = post_appeal(client_for(erin), approved).json()

    assert data["visit"] == {
        "id": str(approved.id),
        "period": approved.visited_on.strftime("%Y-%m"),
        "score": "78.9",
        "band": approved.band,
        "status": "approved",
    }
    assert not keys_in(data) & {"shopper", "visited_on", "started_at", "ended_at", "reviewed_at"}
    assert "alice" not in str(data)


def test_head_office_reads_the_shopper_and_the_date(client_for, hank, appeal, approved):
    data = client_for(hank).get(detail(appeal)).json()

    assert (data["visit"]["shopper"], data["visit"]["visited_on"]) == (
        "alice",
        approved.visited_on.isoformat(),
    )


def test_a_bad_item_is_a_400_naming_its_field(client_for, erin, approved):
    response = post_appeal(
        client_for(erin), approved, appeal_item("wait"), appeal_item("clean", category="bad_luck")
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items[1].category"]
    assert response.json()["detail"].startswith("items[1].category:")


def test_an_unknown_item_is_a_400_naming_its_field(client_for, erin, approved):
    response = post_appeal(client_for(erin), approved, appeal_item("no-such-item"))

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["items[0].item_code"]


def test_an_appeal_after_the_window_is_a_400_naming_the_visit(client_for, erin, approved, settings):
    settings.APPEAL_WINDOW_DAYS = 14
    Visit.objects.filter(pk=approved.pk).update(reviewed_at=timezone.now() - dt.timedelta(days=15))

    response = post_appeal(client_for(erin), approved)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["visit"]


def test_a_visit_of_another_region_is_a_400_naming_the_visit(client_for, wes, approved):
    response = post_appeal(client_for(wes), approved)

    assert response.status_code == 400
    assert response.json()["errors"] == {"visit": ["No such visit in your regions."]}


def test_a_visit_not_yet_approved_is_a_409(client_for, erin, approved):
    Visit.objects.filter(pk=approved.pk).update(status=Visit.Status.SUBMITTED)

    response = post_appeal(client_for(erin), approved)

    assert (response.status_code, response.json()["code"]) == (409, "not_approved")


def test_an_item_already_under_appeal_is_a_409(client_for, erin, approved, appeal):
    response = post_appeal(client_for(erin), approved)

    assert (response.status_code, response.json()["code"]) == (409, "appeal_open")


@pytest.mark.parametrize("who", ["hank", "rita", "alice"])
def test_only_regional_managers_submit_appeals(client_for, approved, who, request):
    response = post_appeal(client_for(request.getfixturevalue(who)), approved)

    assert response.status_code == 403


# --- reading -------------------------------------------------------------------------


def test_a_regional_manager_lists_only_their_regions_appeals(
    client_for, erin, wes, appeal, bob, west_branch, rita
):
    western = approved_visit(shopper=bob, branch=west_branch, reviewer=rita)
    submitted_appeal(western, wes, "wait")

    rows = client_for(erin).get(LIST).json()["results"]

    assert [row["id"] for row in rows] == [appeal.pk]


def test_head_office_lists_every_appeal(client_for, hank, appeal):
    assert [row["id"] for row in client_for(hank).get(LIST).json()["results"]] == [appeal.pk]


def test_the_list_filters_by_visit_and_status(client_for, hank, appeal, approved):
    client = client_for(hank)

    assert client.get(LIST, {"visit": str(approved.id)}).json()["count"] == 1
    assert client.get(LIST, {"status": "rejected"}).json()["count"] == 0


def test_an_appeal_of_another_region_is_not_found(client_for, wes, appeal):
    assert client_for(wes).get(detail(appeal)).status_code == 404


@pytest.mark.parametrize("who", ["rita", "alice"])
def test_shoppers_and_reviewers_may_not_read_appeals(client_for, appeal, who, request):
    client = client_for(request.getfixturevalue(who))

    assert client.get(LIST).status_code == 403
    assert client.get(detail(appeal)).status_code == 403


def test_signed_out_callers_get_a_401(anon, appeal):
    assert anon.get(LIST).status_code == 401
    assert anon.post(decide(appeal), {}, format="json").status_code == 401


# --- deciding ------------------------------------------------------------------------


def uphold(client, appeal, value=8):
    body = {
        "outcome": "upheld",
        "reason": "The CCTV shows 8 seconds.",
        "item_outcomes": [{"item_code": "wait", "outcome": "upheld", "value": value}],
    }
    return client.post(decide(appeal), body, format="json")


def test_head_office_upholds_an_appeal_and_the_visit_is_rescored(client_for, hank, appeal):
    response = uphold(client_for(hank), appeal)

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["visit"]["score"]) == ("upheld", "87.8")
    assert data["items"][0]["correction"]["old_visit_score"] == "78.9"
    assert [step["step"] for step in data["trail"]] == ["submitted", "amended", "upheld"]


def test_the_regional_manager_reads_the_decision(client_for, hank, erin, appeal):
    uphold(client_for(hank), appeal)

    data = client_for(erin).get(detail(appeal)).json()

    assert (data["status"], data["decision"]["reason"], data["visit"]["score"]) == (
        "upheld",
        "The CCTV shows 8 seconds.",
        "87.8",
    )


def test_head_office_rejects_an_appeal_and_the_score_stays(client_for, hank, appeal):
    response = client_for(hank).post(
        decide(appeal), {"outcome": "rejected", "reason": "Not shown."}, format="json"
    )

    assert response.status_code == 200, response.json()
    data = response.json()
    assert (data["status"], data["visit"]["score"]) == ("rejected", "78.9")
    assert [step["step"] for step in data["trail"]] == ["submitted", "rejected"]


def test_a_bad_corrected_value_is_a_400_naming_its_row(client_for, hank, appeal):
    response = uphold(client_for(hank), appeal, value="soon")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["item_outcomes[0].value"]


def test_a_bad_outcome_is_a_400_naming_it(client_for, hank, appeal):
    response = client_for(hank).post(
        decide(appeal), {"outcome": "maybe", "reason": "?"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["outcome"]


def test_deciding_an_appeal_twice_is_a_409(client_for, hank, appeal):
    client = client_for(hank)
    uphold(client, appeal)

    response = uphold(client, appeal, value=9)

    assert (response.status_code, response.json()["code"]) == (409, "already_decided")


@pytest.mark.parametrize("who", ["erin", "rita", "alice"])
def test_only_head_office_decides(client_for, appeal, who, request):
    assert uphold(client_for(request.getfixturevalue(who)), appeal).status_code == 403
