"""The action plan pages: the list and one plan, acting through the same services as the API."""

from __future__ import annotations

import datetime as dt

import pytest

from actions.services import action_plan_submit
from tests.actions.plans import critical_plan, today
from tests.report_data import report_checklist


@pytest.fixture
def version(db):
    return report_checklist()


@pytest.fixture
def plan(east_branch, version, rita):
    # Not today's date: the form's earliest due date (today) is on the page.
    return critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))


def signed_in(client, user):
    client.force_login(user)
    return client


def form(**changes) -> dict:
    return {
        "action": "submit",
        "root_cause": "New teller not trained.",
        "actions": "Greeting drill.",
        "owner": "Wang Li",
        "due_date": (today() + dt.timedelta(days=7)).isoformat(),
        **changes,
    }


def test_the_list_shows_a_regional_manager_their_plans(client, erin, plan):
    page = signed_in(client, erin).get("/action-plans/?lang=en")
    assert page.status_code == 200
    assert f'data-plan="{plan.pk}"' in page.content.decode()


def test_a_reviewer_may_not_open_the_list(client, rita, db):
    assert signed_in(client, rita).get("/action-plans/").status_code == 403


def test_the_plan_page_never_shows_a_regional_manager_the_visit(client, erin, plan):
    html = signed_in(client, erin).get(f"/action-plans/{plan.pk}/?lang=en").content.decode()
    assert str(plan.visit_id) not in html
    assert plan.visit.visited_on.isoformat() not in html


def test_the_regional_manager_submits_the_plan_from_its_page(client, erin, plan):
    response = signed_in(client, erin).post(f"/action-plans/{plan.pk}/", form())
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.status, plan.owner) == ("submitted", "Wang Li")


def test_a_form_with_a_bad_due_date_and_no_owner_names_both(client, erin, plan):
    response = signed_in(client, erin).post(
        f"/action-plans/{plan.pk}/?lang=en", form(owner="", due_date="next week")
    )
    assert response.status_code == 400
    assert set(response.context["errors"]) == {"owner", "due_date"}


def test_head_office_accepts_from_the_plan_page(client, hank, erin, plan):
    action_plan_submit(
        plan=plan, user=erin, root_cause="r", actions="a", owner="o", due_date=today()
    )
    response = signed_in(client, hank).post(f"/action-plans/{plan.pk}/", {"action": "accept"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.status == "accepted"


def test_accepting_an_open_plan_from_its_page_is_a_409(client, hank, plan):
    response = signed_in(client, hank).post(f"/action-plans/{plan.pk}/", {"action": "accept"})
    assert response.status_code == 409


def test_a_regional_manager_may_not_accept_from_the_page(client, erin, plan):
    response = signed_in(client, erin).post(f"/action-plans/{plan.pk}/", {"action": "accept"})
    assert response.status_code == 403


def test_the_plan_page_speaks_chinese_when_asked(client, erin, plan):
    html = signed_in(client, erin).get(f"/action-plans/{plan.pk}/?lang=zh-Hans").content.decode()
    assert "否决项不合格" in html and "提交整改计划" in html
    assert '<html lang="zh-Hans">' in html
