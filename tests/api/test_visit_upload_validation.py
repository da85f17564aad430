"""POST /api/v1/visits/ — every bad field is named, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import pytest
from django.utils import timezone

from audits.models import Answer, Assignment, Visit
from tests.factories import AssignmentFactory, small_checklist
from tests.visit_bodies import visit_body

URL = "/api/v1/visits/"


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


@pytest.fixture
def post(client_for, alice):
    def send(body: dict):
        return client_for(alice).post(URL, body, format="json")

    return send


def with_answer(body: dict, question: str, **changes) -> dict:
    answers = [{**a, **changes} if a["question"] == question else a for a in body["answers"]]
    return {**body, "answers": answers}


def without_answer(body: dict, question: str) -> dict:
    return {**body, "answers": [a for a in body["answers"] if a["question"] != question]}


def errors_of(response) -> dict:
    """The named errors of a refusal, which must have stored nothing."""
    assert response.status_code == 400, response.content
    assert Visit.objects.count() == 0
    assert Answer.objects.count() == 0
    return response.json()["errors"]


def test_it_names_an_unknown_question(post, assignment):
    body = visit_body(assignment)
    body["answers"].append({"question": "no-such-item", "value": True})
    assert "answers[6].question" in errors_of(post(body))


def test_it_names_a_question_answered_twice(post, assignment):
    body = visit_body(assignment)
    body["answers"].append({"question": "greet", "value": False, "comment": "x"})
    errors = errors_of(post(body))
    assert "answered twice" in errors["answers[6].question"][0]


@pytest.mark.parametrize(
    ("question", "value", "problem"),
    [
        ("greet", "yes", "true or false"),
        ("attitude", 6, "1 to 5"),
        ("attitude", 0, "1 to 5"),
        ("attitude", 3.5, "1 to 5"),
        ("clean", 7, "1 to 6"),
        ("wait", "ten", "number"),
        ("resolved", "maybe", "one of"),
        ("remark", 42, "string"),
    ],
)
def test_it_names_a_value_of_the_wrong_type_or_range(post, assignment, question, value, problem):
    body = with_answer(visit_body(assignment), question, value=value)
    index = next(i for i, a in enumerate(body["answers"]) if a["question"] == question)
    assert problem in errors_of(post(body))[f"answers[{index}].value"][0]


def test_it_names_a_missing_required_answer(post, assignment):
    errors = errors_of(post(without_answer(visit_body(assignment), "wait")))
    assert "Question 'wait' is required" in errors["answers"][0]


def test_an_optional_question_may_be_left_out(post, assignment):
    response = post(without_answer(visit_body(assignment), "remark"))
    assert response.status_code == 201


def test_it_names_na_where_it_is_not_allowed(post, assignment):
    body = with_answer(visit_body(assignment), "greet", value=None, na=True)
    assert "does not allow N/A" in errors_of(post(body))["answers[0].na"][0]


def test_na_is_accepted_where_allowed(post, assignment):
    body = with_answer(visit_body(assignment), "attitude", value=None, na=True)
    assert post(body).status_code == 201


def test_it_names_a_missing_comment_on_a_failed_item(post, assignment):
    body = with_answer(visit_body(assignment), "greet", value=False, comment="")
    assert "comment" in errors_of(post(body))["answers[0].comment"][0]


def test_a_failed_item_with_its_comment_is_accepted_and_flags_the_critical_failure(
    post, assignment
):
    body = with_answer(visit_body(assignment), "greet", value=False, comment="Nobody looked up.")
    data = post(body).json()
    assert data["critical_failures"] == ["greet"]
    # Capped at 50, and already below it: (0 + 75 + 60) / 3
    assert data["sections"]["core"] == "45.0"


def test_it_names_a_checklist_version_that_is_not_the_assignments(post, assignment):
    other = small_checklist()
    errors = errors_of(post(visit_body(assignment, checklist_version=other.pk)))
    assert "checklist_version" in errors


def test_it_names_an_assignment_of_another_shopper(post, bob, east_branch):
    bobs = AssignmentFactory(shopper=bob, branch=east_branch)
    assert "assignment" in errors_of(post(visit_body(bobs)))


def test_it_names_an_assignment_that_is_not_open(post, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CLOSED)
    assert "not open" in errors_of(post(visit_body(assignment)))["assignment"][0]


def test_it_names_a_start_in_the_future(post, assignment):
    future = timezone.now() + dt.timedelta(hours=2)
    body = visit_body(
        assignment,
        started_at=future.isoformat(),
        ended_at=(future + dt.timedelta(minutes=10)).isoformat(),
    )
    errors = errors_of(post(body))
    assert "started_at" in errors
    assert "ended_at" in errors


def test_it_names_an_end_before_the_start(post, assignment):
    start = timezone.now() - dt.timedelta(hours=1)
    body = visit_body(
        assignment,
        started_at=start.isoformat(),
        ended_at=(start - dt.timedelta(minutes=1)).isoformat(),
    )
    assert "before it started" in errors_of(post(body))["ended_at"][0]


def test_it_names_a_malformed_date(post, assignment):
    assert "started_at" in errors_of(post(visit_body(assignment, started_at="yesterday")))


def test_it_names_a_location_out_of_range(post, assignment):
    body = visit_body(assignment, location={"lat": 95, "lng": 121.4, "accuracy_m": 5})
    assert "location" in errors_of(post(body))


def test_it_names_a_malformed_photo_hash(post, assignment):
    body = visit_body(
        assignment, photos=[{"id": str(uuid.uuid4()), "sha256": "abc", "question": "entrance"}]
    )
    assert "photos" in errors_of(post(body))


def test_a_photo_required_question_counts_as_unanswered_without_a_declared_photo(post, assignment):
    errors = errors_of(post(visit_body(assignment, photos=[])))
    assert "needs a photo" in errors["photos"][0]


def test_it_names_too_many_photos(post, assignment, settings):
    settings.PHOTOS_PER_VISIT_MAX = 1
    extra = {"id": str(uuid.uuid4()), "sha256": "0" * 64}
    body = visit_body(assignment)
    body["photos"].append(extra)
    assert "At most 1 photos" in errors_of(post(body))["photos"][0]


def test_it_names_every_problem_at_once(post, assignment):
    body = with_answer(visit_body(assignment), "attitude", value=9)
    body = without_answer(body, "wait")
    body["ended_at"] = "2000-01-01T00:00:00Z"
    errors = errors_of(post(body))
    assert {"answers[1].value", "answers", "ended_at"} <= set(errors)


def test_the_summary_line_names_the_first_bad_field(post, assignment):
    response = post(with_answer(visit_body(assignment), "attitude", value=9))
    assert response.json()["detail"].startswith("answers[1].value:")


# --- text the databases cannot store, and text too long ---------------------------------
# PostgreSQL refuses NUL in text and jsonb, and no driver encodes a lone surrogate:
# each must be a 400 naming the field on every database, never a 500 on every retry.
# Sent as raw JSON: the escapes are what a client puts on the wire.


def post_raw(client_for, alice, body: dict):
    return client_for(alice).post(URL, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("text", ["Friendly\x00", "Friendly\ud800"], ids=["nul", "surrogate"])
def test_a_text_answer_that_cannot_be_stored_is_refused_naming_it(
    client_for, alice, assignment, text
):
    body = with_answer(visit_body(assignment), "remark", value=text)
    response = post_raw(client_for, alice, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("answers[5].value:")
    assert not Visit.objects.exists()


@pytest.mark.parametrize("text", ["Slow\x00", "Slow\ud800"], ids=["nul", "surrogate"])
def test_an_answer_comment_that_cannot_be_stored_is_refused_naming_it(
    client_for, alice, assignment, text
):
    body = with_answer(visit_body(assignment), "greet", value=False, comment=text)
    response = post_raw(client_for, alice, body)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("answers[0].comment:")


@pytest.mark.parametrize("text", ["Busy\x00", "Busy\ud800"], ids=["nul", "surrogate"])
def test_a_visit_comment_that_cannot_be_stored_is_refused_naming_it(
    client_for, alice, assignment, text
):
    response = post_raw(client_for, alice, visit_body(assignment, comment=text))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["comment"]


def test_a_text_answer_is_limited_to_2000_characters_like_a_comment(post, assignment):
    assert post(with_answer(visit_body(assignment), "remark", value="x" * 2000)).status_code == 201


def test_a_text_answer_past_2000_characters_is_refused_naming_it(post, assignment):
    response = post(with_answer(visit_body(assignment), "remark", value="x" * 2001))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "answers[5].value: Ensure this text has no more than 2000 characters."
    )
