"""POST /api/v1/visits/{id}/review/ with `withdraw_approval` — an approved visit found to be
fabricated is rejected after all, and leaves the reports in the same request."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from actions.models import ActionPlan
from audits.models import Review, Visit
from tests.actions.plans import approved_visit, critical_plan, today
from tests.report_data import report_checklist, visit

FABRICATED = "The receipt photo is from another visit: fabricated."


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")  # expected 80.0 ± 5.0


@pytest.fixture
def approved(east_branch, version, rita) -> Visit:
    return approved_visit(east_branch, version, rita, score=90)


def withdraw(client_for, user, visit, **body):
    return client_for(user).post(
        f"/api/v1/visits/{visit.pk}/review/", {"decision": "withdraw_approval", **body}, "json"
    )


def east_row(client_for, user) -> dict:
    response = client_for(user).get(
        "/api/v1/reports/comparison/",
        {"checklist": "branch-visit", "period": f"{today():%Y-%m}"},
    )
    assert response.status_code == 200, response.json()
    return next(r for r in response.json()["branches"] if r["branch"]["code"] == "sh-jingan")


# --- the withdrawal ---------------------------------------------------------------------


def test_a_reviewer_withdraws_an_approval_and_the_visit_is_rejected_with_the_reason(
    client_for, rita, approved
):
    response = withdraw(client_for, rita, approved, note=FABRICATED)

    assert response.status_code == 200, response.json()
    assert (response.json()["status"], response.json()["review"]["note"]) == (
        "rejected",
        FABRICATED,
    )
    approved.refresh_from_db()
    assert (approved.status, approved.reviewed_by, approved.review_note) == (
        Visit.Status.REJECTED,
        rita,
        FABRICATED,
    )


def test_the_withdrawal_is_recorded_as_a_rejection_after_the_approval(client_for, rita, approved):
    withdraw(client_for, rita, approved, note=FABRICATED)

    assert list(Review.objects.filter(visit=approved).values_list("decision", "note")) == [
        ("approve", ""),
        ("reject", FABRICATED),
    ]


def test_the_branch_comparison_no_longer_counts_the_withdrawn_visit(
    client_for, rita, hank, east_branch, version, approved, settings
):
    settings.SMALL_SAMPLE_VISITS = 1  # a branch scored from one visit is still ranked
    approved_visit(east_branch, version, rita, score=70)
    before = east_row(client_for, hank)

    withdraw(client_for, rita, approved, note=FABRICATED)

    after = east_row(client_for, hank)
    assert (before["visits"], before["score"]) == (2, "80.0")
    assert (after["visits"], after["score"], after["band"]) == (1, "70.0", "below")


def test_head_office_may_withdraw_an_approval(client_for, hank, approved):
    assert withdraw(client_for, hank, approved, note=FABRICATED).status_code == 200


# --- who may not ------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["erin", "alice"])
def test_regional_managers_and_shoppers_may_not_withdraw_an_approval(
    client_for, request, persona, approved
):
    user = request.getfixturevalue(persona)

    assert withdraw(client_for, user, approved, note=FABRICATED).status_code == 403
    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED


# --- state and input --------------------------------------------------------------------


def test_withdrawing_from_a_visit_not_approved_is_a_conflict_naming_its_status(
    client_for, rita, east_branch, version
):
    submitted = visit(east_branch, version, today(), 90, status=Visit.Status.SUBMITTED)

    response = withdraw(client_for, rita, submitted, note=FABRICATED)

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["status"]) == ("not_approved", "submitted")
    submitted.refresh_from_db()
    assert submitted.status == Visit.Status.SUBMITTED


def test_withdrawing_twice_is_a_conflict(client_for, rita, hank, approved):
    withdraw(client_for, rita, approved, note=FABRICATED)

    response = withdraw(client_for, hank, approved, note="Also fabricated.")

    assert response.status_code == 409
    assert (response.json()["code"], response.json()["status"]) == ("not_approved", "rejected")
    assert Review.objects.filter(visit=approved).count() == 2


@pytest.mark.parametrize("body", [{}, {"note": "   "}], ids=["missing", "blank"])
def test_a_withdrawal_without_a_reason_is_a_400_naming_note(client_for, rita, approved, body):
    response = withdraw(client_for, rita, approved, **body)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["note"]
    approved.refresh_from_db()
    assert approved.status == Visit.Status.APPROVED


def test_question_notes_with_a_withdrawal_are_a_400_naming_them(client_for, rita, approved):
    response = withdraw(
        client_for, rita, approved, note=FABRICATED, question_notes={"greet": "Never happened."}
    )

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["question_notes"]


def test_rejecting_an_approved_visit_without_saying_withdraw_is_still_a_conflict(
    client_for, rita, approved
):
    response = client_for(rita).post(
        f"/api/v1/visits/{approved.pk}/review/", {"decision": "reject", "note": "X"}, "json"
    )

    assert (response.status_code, response.json()["code"]) == (409, "not_submitted")


# --- what stays -------------------------------------------------------------------------


def test_the_action_plan_the_approval_opened_is_left_to_its_owners(
    client_for, rita, east_branch, version
):
    plan = critical_plan(east_branch, version, rita)

    withdraw(client_for, rita, plan.visit, note=FABRICATED)

    plan.refresh_from_db()
    assert (plan.status, plan.visit.status) == (ActionPlan.Status.OPEN, Visit.Status.REJECTED)


def test_the_schema_offers_withdraw_approval_as_a_review_decision():
    out = StringIO()
    call_command("spectacular", stdout=out)
    schemas = yaml.safe_load(out.getvalue())["components"]["schemas"]

    ref = schemas["VisitReviewRequest"]["properties"]["decision"]["$ref"]
    assert "withdraw_approval" in schemas[ref.rsplit("/", 1)[1]]["enum"]
