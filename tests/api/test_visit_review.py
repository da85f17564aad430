"""POST /api/v1/visits/{id}/review/ — a reviewer approves, returns or rejects a submitted visit."""

from __future__ import annotations

import json
import uuid

import pytest

from audits.models import Assignment, Review, Visit
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, visit_body

FAR = {"lat": 31.2404, "lng": 121.4737, "accuracy_m": 12}


def url(visit) -> str:
    return f"/api/v1/visits/{visit.id}/review/"


@pytest.fixture
def upload(client_for, alice, east_branch):
    def make(**overrides) -> Visit:
        assignment = AssignmentFactory(shopper=alice, branch=east_branch)
        response = client_for(alice).post(
            "/api/v1/visits/", visit_body(assignment, **overrides), format="json"
        )
        assert response.status_code == 201, response.json()
        return Visit.objects.get(pk=response.json()["id"])

    return make


@pytest.fixture
def visit(upload, django_capture_on_commit_callbacks):
    """A submitted visit of alice's at the East branch, its checks run."""
    with django_capture_on_commit_callbacks(execute=True):
        visit = upload()
        receive_photos(visit)
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED
    return visit


def review(client_for, user, visit, **body):
    return client_for(user).post(url(visit), body, format="json")


# --- decisions --------------------------------------------------------------------


def test_a_reviewer_approves_a_submitted_visit(client_for, rita, visit):
    response = review(client_for, rita, visit, decision="approve", note="Well documented.")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "approved"
    visit.refresh_from_db()
    assert (visit.status, visit.reviewed_by, visit.review_note) == (
        Visit.Status.APPROVED,
        rita,
        "Well documented.",
    )
    assert visit.reviewed_at is not None


def test_approving_closes_the_assignment(client_for, rita, visit):
    review(client_for, rita, visit, decision="approve")
    visit.assignment.refresh_from_db()
    assert visit.assignment.status == Assignment.Status.CLOSED


def test_a_review_is_recorded_with_the_revision_it_judged(client_for, rita, visit):
    review(
        client_for,
        rita,
        visit,
        decision="return",
        note="Photo is blurred.",
        question_notes={"entrance": "Retake it from across the street."},
    )
    [row] = Review.objects.filter(visit=visit)
    assert (row.reviewer, row.decision, row.note, row.revision) == (
        rita,
        "return",
        "Photo is blurred.",
        1,
    )
    assert row.question_notes == {"entrance": "Retake it from across the street."}


def test_returning_a_visit_keeps_its_assignment_submitted(client_for, rita, visit):
    response = review(client_for, rita, visit, decision="return", note="Say who served you.")
    assert response.json()["status"] == "returned"
    visit.assignment.refresh_from_db()
    assert visit.assignment.status == Assignment.Status.SUBMITTED


def test_the_shopper_sees_the_notes_of_a_return(client_for, rita, alice, visit):
    review(
        client_for,
        rita,
        visit,
        decision="return",
        note="Two questions need detail.",
        question_notes={"wait": "Did you time it?", "remark": "Who served you?"},
    )
    data = client_for(alice).get(f"/api/v1/visits/{visit.id}/").json()
    assert data["status"] == "returned"
    assert data["review"]["note"] == "Two questions need detail."
    assert data["review"]["question_notes"] == {
        "wait": "Did you time it?",
        "remark": "Who served you?",
    }


def test_a_return_with_only_question_notes_is_enough(client_for, rita, visit):
    response = review(
        client_for, rita, visit, decision="return", question_notes={"wait": "Did you time it?"}
    )
    assert response.status_code == 200, response.json()


def test_a_return_must_say_what_to_fix(client_for, rita, visit):
    response = review(client_for, rita, visit, decision="return", note="  ")
    assert response.status_code == 400
    assert "note" in response.json()["errors"]
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_blank_question_notes_do_not_count_as_saying_what_to_fix(client_for, rita, visit):
    response = review(
        client_for, rita, visit, decision="return", question_notes={"wait": " ", "greet": ""}
    )
    assert response.status_code == 400
    assert "note" in response.json()["errors"]


def test_blank_question_notes_are_not_stored(client_for, rita, visit):
    review(
        client_for,
        rita,
        visit,
        decision="return",
        note="See the wait.",
        question_notes={"wait": "Time it.", "greet": ""},
    )
    assert Review.objects.get(visit=visit).question_notes == {"wait": "Time it."}


def test_question_notes_must_name_questions_of_the_visits_checklist(client_for, rita, visit):
    response = review(
        client_for, rita, visit, decision="return", question_notes={"wait": "Time it.", "nope": "?"}
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["question_notes.nope"]


def test_a_reviewer_rejects_a_visit_with_a_reason(client_for, rita, visit):
    response = review(
        client_for, rita, visit, decision="reject", note="Photo is from another branch."
    )
    assert response.status_code == 200, response.json()
    visit.refresh_from_db()
    visit.assignment.refresh_from_db()
    assert (visit.status, visit.review_note) == (
        Visit.Status.REJECTED,
        "Photo is from another branch.",
    )
    assert visit.assignment.status == Assignment.Status.CLOSED


def test_a_rejection_needs_a_reason(client_for, rita, visit):
    response = review(client_for, rita, visit, decision="reject", question_notes={"wait": "Wrong."})
    assert response.status_code == 400
    assert "note" in response.json()["errors"]


def test_an_unknown_decision_is_refused(client_for, rita, visit):
    response = review(client_for, rita, visit, decision="maybe")
    assert response.status_code == 400
    assert "decision" in response.json()["errors"]


def test_a_flagged_visit_can_still_be_approved(
    client_for, rita, upload, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        visit = upload(location=FAR)
        receive_photos(visit)
    visit.refresh_from_db()
    assert visit.flagged
    response = review(
        client_for, rita, visit, decision="approve", note="Branch moved; address is outdated."
    )
    assert response.json()["status"] == "approved"


# --- state ----------------------------------------------------------------------------


def test_reviewing_an_incomplete_visit_is_a_conflict_naming_its_status(client_for, rita, upload):
    visit = upload()  # its photo has not arrived
    response = review(client_for, rita, visit, decision="approve")
    assert response.status_code == 409
    assert (response.json()["code"], response.json()["status"]) == ("not_submitted", "incomplete")
    assert "incomplete" in response.json()["detail"]


def test_reviewing_an_approved_visit_again_is_a_conflict(client_for, rita, hank, visit):
    review(client_for, rita, visit, decision="approve")
    response = review(client_for, hank, visit, decision="reject", note="Changed my mind.")
    assert response.status_code == 409
    assert response.json()["status"] == "approved"
    assert Review.objects.filter(visit=visit).count() == 1


def test_reviewing_a_returned_visit_is_a_conflict(client_for, rita, visit):
    review(client_for, rita, visit, decision="return", note="Fix the wait.")
    response = review(client_for, rita, visit, decision="approve")
    assert response.status_code == 409
    assert response.json()["status"] == "returned"


def test_reviewing_an_unknown_visit_is_not_found(client_for, rita, db):
    response = client_for(rita).post(
        f"/api/v1/visits/{uuid.uuid4()}/review/", {"decision": "approve"}, format="json"
    )
    assert response.status_code == 404


# --- who may review ---------------------------------------------------------------------


def test_head_office_may_review(client_for, hank, visit):
    assert review(client_for, hank, visit, decision="approve").status_code == 200


def test_a_shopper_may_not_review_even_their_own_visit(client_for, alice, visit):
    assert review(client_for, alice, visit, decision="approve").status_code == 403
    visit.refresh_from_db()
    assert visit.status == Visit.Status.SUBMITTED


def test_a_regional_manager_may_not_review(client_for, erin, visit):
    assert review(client_for, erin, visit, decision="approve").status_code == 403


def test_an_anonymous_caller_must_sign_in(anon, visit):
    assert anon.post(url(visit), {"decision": "approve"}, format="json").status_code == 401


# --- text the databases cannot store ----------------------------------------------------


@pytest.mark.parametrize("text", ["Fix it\x00", "Fix it\ud800"], ids=["nul", "surrogate"])
def test_a_note_that_cannot_be_stored_is_refused_naming_it(client_for, rita, visit, text):
    body = json.dumps({"decision": "reject", "note": text})
    response = client_for(rita).post(url(visit), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["note"]


@pytest.mark.parametrize("code", ["greet\x00", "greet\ud800"], ids=["nul", "surrogate"])
def test_a_question_note_keyed_by_text_that_cannot_be_stored_is_refused_naming_it(
    client_for, rita, visit, code
):
    body = json.dumps({"decision": "return", "question_notes": {code: "Say hello."}})
    response = client_for(rita).post(url(visit), body, content_type="application/json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["question_notes"]
