"""An action plan's life: the regional manager submits, head office accepts or sends back,
and the next approved visit verifies it or reopens it as "did not fix"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from actions.selectors import action_plan_list
from actions.services import action_plan_accept, action_plan_send_back, action_plan_submit
from backend.errors import Conflict
from tests.actions.plans import CRITICAL_FAILURE, approved_visit, critical_plan, today
from tests.report_data import report_checklist

FILLED = {
    "root_cause": "New teller not trained on greeting.",
    "actions": "Greeting drill at every morning meeting for two weeks.",
    "owner": "Wang Li, branch manager",
}


@pytest.fixture
def version(db):
    return report_checklist()


@pytest.fixture
def plan(east_branch, version, rita):
    return critical_plan(east_branch, version, rita, on=today() - dt.timedelta(days=3))


def submit(plan, user, **changes):
    fields = {**FILLED, "due_date": today() + dt.timedelta(days=14), **changes}
    return action_plan_submit(plan=plan, user=user, **fields)


def accepted(plan, erin, hank):
    submit(plan, erin)
    return action_plan_accept(plan=plan, user=hank)


# --- submit --------------------------------------------------------------------------------


def test_the_regional_manager_submits_root_cause_actions_owner_and_due_date(plan, erin):
    submitted = submit(plan, erin)
    assert submitted.status == "submitted"
    assert (submitted.owner, submitted.submitted_by) == ("Wang Li, branch manager", erin)


def test_a_submission_names_every_missing_field(plan, erin):
    with pytest.raises(ValidationError) as error:
        action_plan_submit(
            plan=plan, user=erin, root_cause=" ", actions="", owner="", due_date=None
        )
    assert set(error.value.message_dict) == {"root_cause", "actions", "owner", "due_date"}


def test_a_due_date_in_the_past_is_refused(plan, erin):
    with pytest.raises(ValidationError) as error:
        submit(plan, erin, due_date=today() - dt.timedelta(days=1))
    assert list(error.value.message_dict) == ["due_date"]


def test_the_manager_of_another_region_may_not_submit(plan, wes):
    with pytest.raises(PermissionDenied):
        submit(plan, wes)


def test_a_submitted_plan_cannot_be_submitted_again(plan, erin):
    submit(plan, erin)
    with pytest.raises(Conflict):
        submit(plan, erin)


# --- head office's decision ----------------------------------------------------------------


def test_head_office_accepts_a_submitted_plan(plan, erin, hank):
    decided = accepted(plan, erin, hank)
    assert (decided.status, decided.decided_by) == ("accepted", hank)
    assert decided.accepted_at is not None


def test_an_open_plan_cannot_be_accepted(plan, hank):
    with pytest.raises(Conflict) as error:
        action_plan_accept(plan=plan, user=hank)
    assert error.value.extra == {"status": "open"}


def test_sending_back_needs_a_note(plan, erin, hank):
    submit(plan, erin)
    with pytest.raises(ValidationError) as error:
        action_plan_send_back(plan=plan, user=hank, note="  ")
    assert list(error.value.message_dict) == ["note"]


def test_a_plan_sent_back_is_submitted_again(plan, erin, hank):
    submit(plan, erin)
    sent_back = action_plan_send_back(plan=plan, user=hank, note="Name a person, not a team.")
    assert (sent_back.status, sent_back.decision_note) == (
        "sent_back",
        "Name a person, not a team.",
    )
    assert submit(plan, erin, owner="Zhang Wei").status == "submitted"


# --- verification by the next approved visit -------------------------------------------------


def test_the_next_approved_visit_passing_the_items_verifies_the_plan(
    plan, east_branch, version, rita, erin, hank
):
    accepted(plan, erin, hank)
    later = approved_visit(east_branch, version, rita)
    plan.refresh_from_db()
    assert (plan.status, plan.did_not_fix, plan.checked_by_visit) == ("verified", False, later)


def test_the_next_approved_visit_failing_the_items_again_reopens_the_plan_as_did_not_fix(
    plan, east_branch, version, rita, erin, hank
):
    accepted(plan, erin, hank)
    approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)
    plan.refresh_from_db()
    assert (plan.status, plan.did_not_fix) == ("reopened", True)


def test_a_reopened_plan_is_submitted_again(plan, east_branch, version, rita, erin, hank):
    accepted(plan, erin, hank)
    approved_visit(east_branch, version, rita, answers=CRITICAL_FAILURE)
    plan.refresh_from_db()
    assert (
        submit(plan, erin, actions="Mystery greeting checks by the manager.").status == "submitted"
    )


def test_a_visit_made_before_the_plan_was_accepted_does_not_verify_it(
    plan, east_branch, version, rita, erin, hank
):
    accepted(plan, erin, hank)
    approved_visit(east_branch, version, rita, on=today() - dt.timedelta(days=1))
    plan.refresh_from_db()
    assert plan.status == "accepted"


def test_a_visit_that_does_not_score_the_items_leaves_the_plan_waiting(
    plan, east_branch, version, rita, erin, hank
):
    accepted(plan, erin, hank)
    approved_visit(east_branch, version, rita, answers={"attitude": 75})
    plan.refresh_from_db()
    assert plan.status == "accepted"


def test_a_visit_to_another_branch_does_not_verify_the_plan(
    plan, pudong, version, rita, erin, hank
):
    accepted(plan, erin, hank)
    approved_visit(pudong, version, rita)
    plan.refresh_from_db()
    assert plan.status == "accepted"


def test_a_plan_not_yet_accepted_is_not_verified(plan, east_branch, version, rita, erin):
    submit(plan, erin)
    approved_visit(east_branch, version, rita)
    plan.refresh_from_db()
    assert plan.status == "submitted"


# --- overdue -------------------------------------------------------------------------------


def test_a_submitted_plan_past_its_due_date_is_overdue(plan, erin, hank):
    submit(plan, erin)
    later = today() + dt.timedelta(days=15)
    assert list(action_plan_list(user=hank, overdue=True, today=later)) == [plan]


def test_an_accepted_plan_past_its_due_date_is_not_overdue(plan, erin, hank):
    accepted(plan, erin, hank)
    later = today() + dt.timedelta(days=15)
    assert list(action_plan_list(user=hank, overdue=True, today=later)) == []


def test_overdue_plans_are_listed_before_plans_still_open(
    plan, east_branch, version, rita, erin, hank
):
    still_open = critical_plan(east_branch, version, rita)
    submit(plan, erin, due_date=today() + dt.timedelta(days=1))
    later = today() + dt.timedelta(days=2)
    assert [p.pk for p in action_plan_list(user=hank, today=later)] == [plan.pk, still_open.pk]
