"""/api/v1/action-plans/ — regional managers fill plans in, head office decides; scoped by role."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.services import action_plan_accept, action_plan_submit
from tests.actions.plans import critical_plan, today
from tests.report_data import report_checklist

LIST = "/api/v1/action-plans/"


def url(plan, action: str = "") -> str:
    return f"{LIST}{plan.pk}/" + (f"{action}/" if action else "")


def body(**changes) -> dict:
    return {
        "root_cause": "New teller not trained on greeting.",
        "actions": "Greeting drill at every morning meeting.",
        "owner": "Wang Li",
        "due_date": (today() + dt.timedelta(days=14)).isoformat(),
        **changes,
    }


@pytest.fixture
def version(db):
    return report_checklist()


@pytest.fixture
def plan(east_branch, version, rita):
    return critical_plan(east_branch, version, rita)


@pytest.fixture
def west_plan(west_branch, version, rita):
    return critical_plan(west_branch, version, rita)


@pytest.fixture
def submitted(plan, erin):
    action_plan_submit(plan=plan, user=erin, **{**body(), "due_date": today()})
    return plan


# --- list and detail -----------------------------------------------------------------------


def test_a_regional_manager_lists_only_the_plans_of_their_regions(
    client_for, erin, plan, west_plan
):
    response = client_for(erin).get(LIST)
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [plan.pk]


def test_head_office_lists_every_plan(client_for, hank, plan, west_plan):
    response = client_for(hank).get(LIST)
    assert {row["id"] for row in response.json()["results"]} == {plan.pk, west_plan.pk}


@pytest.mark.parametrize("persona", ["rita", "alice"])
def test_reviewers_and_shoppers_may_not_list_plans(client_for, persona, request):
    response = client_for(request.getfixturevalue(persona)).get(LIST)
    assert response.status_code == 403


def test_listing_plans_needs_a_sign_in(anon, db):
    assert anon.get(LIST).status_code == 401


def test_plans_are_filtered_by_status(client_for, hank, submitted, west_plan):
    response = client_for(hank).get(LIST, {"status": "submitted"})
    assert [row["id"] for row in response.json()["results"]] == [submitted.pk]


def test_plans_are_filtered_by_branch(client_for, hank, plan, west_plan, west_branch):
    response = client_for(hank).get(LIST, {"branch": west_branch.pk})
    assert [row["id"] for row in response.json()["results"]] == [west_plan.pk]


def test_overdue_true_lists_plans_past_their_due_date(client_for, hank, plan, west_plan):
    plan.due_date = today() - dt.timedelta(days=1)
    plan.save(update_fields=["due_date"])
    response = client_for(hank).get(LIST, {"overdue": "true"})
    rows = response.json()["results"]
    assert [(row["id"], row["overdue"]) for row in rows] == [(plan.pk, True)]


def test_an_unknown_status_filter_is_a_400_naming_status(client_for, hank, db):
    response = client_for(hank).get(LIST, {"status": "done"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_a_plan_outside_the_managers_regions_is_not_found(client_for, erin, west_plan):
    assert client_for(erin).get(url(west_plan)).status_code == 404


def test_a_regional_manager_is_told_the_month_never_the_visit_or_the_shopper(
    client_for, erin, plan
):
    data = client_for(erin).get(url(plan)).json()
    assert data["period"] == f"{today():%Y-%m}"
    assert [item["code"] for item in data["items"]] == ["greet"]
    leaks = {"visit", "checked_by_visit", "shopper", "visited_on", "created_at", "checked_at"}
    assert leaks.isdisjoint(data)
    text = str(data)
    assert str(plan.visit_id) not in text and "report-shopper" not in text


def test_head_office_sees_the_visit_behind_the_plan(client_for, hank, plan):
    data = client_for(hank).get(url(plan)).json()
    assert data["visit"]["id"] == str(plan.visit_id)


# --- submit ----------------------------------------------------------------------------------


def test_the_regional_manager_submits_a_plan(client_for, erin, plan):
    response = client_for(erin).post(url(plan, "submit"), body(), format="json")
    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["owner"]) == ("submitted", "Wang Li")
    assert "visit" not in response.json()


@pytest.mark.parametrize("field", ["root_cause", "actions", "owner", "due_date"])
def test_a_submission_without_a_field_is_a_400_naming_it(client_for, erin, plan, field):
    sent = body()
    del sent[field]
    response = client_for(erin).post(url(plan, "submit"), sent, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_due_date_that_is_not_a_date_is_a_400_naming_it(client_for, erin, plan):
    response = client_for(erin).post(url(plan, "submit"), body(due_date="soon"), format="json")
    assert list(response.json()["errors"]) == ["due_date"]


def test_a_due_date_in_the_past_is_a_400_naming_it(client_for, erin, plan):
    yesterday = (today() - dt.timedelta(days=1)).isoformat()
    response = client_for(erin).post(url(plan, "submit"), body(due_date=yesterday), format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["due_date"]


def test_submitting_a_submitted_plan_is_a_409(client_for, erin, submitted):
    response = client_for(erin).post(url(submitted, "submit"), body(), format="json")
    assert response.status_code == 409
    assert response.json()["status"] == "submitted"


def test_head_office_may_not_submit_a_plan(client_for, hank, plan):
    assert client_for(hank).post(url(plan, "submit"), body(), format="json").status_code == 403


def test_another_regions_manager_may_not_find_the_plan_to_submit(client_for, wes, plan):
    assert client_for(wes).post(url(plan, "submit"), body(), format="json").status_code == 404


# --- accept and send back ---------------------------------------------------------------------


def test_head_office_accepts_a_submitted_plan(client_for, hank, submitted):
    response = client_for(hank).post(url(submitted, "accept"))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"


def test_accepting_an_open_plan_is_a_409(client_for, hank, plan):
    response = client_for(hank).post(url(plan, "accept"))
    assert response.status_code == 409
    assert response.json()["code"] == "wrong_status"


def test_a_regional_manager_may_not_accept_a_plan(client_for, erin, submitted):
    assert client_for(erin).post(url(submitted, "accept")).status_code == 403


def test_head_office_sends_a_plan_back_with_a_note(client_for, hank, submitted):
    response = client_for(hank).post(
        url(submitted, "send-back"), {"note": "Name one person."}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["decision_note"]) == (
        "sent_back",
        "Name one person.",
    )


def test_sending_back_without_a_note_is_a_400_naming_note(client_for, hank, submitted):
    response = client_for(hank).post(url(submitted, "send-back"), {}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["note"]


def test_sending_back_an_accepted_plan_is_a_409(client_for, hank, submitted):
    action_plan_accept(plan=submitted, user=hank)
    response = client_for(hank).post(url(submitted, "send-back"), {"note": "x"}, format="json")
    assert response.status_code == 409


def test_a_reviewer_may_not_send_a_plan_back(client_for, rita, submitted):
    response = client_for(rita).post(url(submitted, "send-back"), {"note": "x"}, format="json")
    assert response.status_code == 403
