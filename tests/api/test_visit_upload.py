"""POST /api/v1/visits/ — a shopper uploads a scored visit."""

from __future__ import annotations

import pytest
from django.db import connection

from audits.models import Answer, Assignment, Visit
from checklists.models import Item
from outbox.models import Event
from tests.factories import AssignmentFactory
from tests.visit_bodies import visit_body

URL = "/api/v1/visits/"


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


def test_it_stores_and_scores_a_visit(client_for, alice, assignment):
    response = client_for(alice).post(URL, visit_body(assignment), format="json")
    assert response.status_code == 201, response.json()
    data = response.json()
    # core (weight 2): greet 100, attitude 75, wait 60 → 78.3; env: clean 100, resolved 60 → 80
    assert data["sections"] == {"core": "78.3", "env": "80.0"}
    assert data["score"] == "78.9"
    assert data["band"] == "meets"
    assert data["critical_failures"] == []
    assert data["status"] == "incomplete"
    assert len(data["photos"]["missing"]) == 1
    assert Answer.objects.filter(visit_id=data["id"]).count() == 6
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


def test_the_upload_answers_with_the_visit_as_reading_it_back_shows_it(
    client_for, alice, assignment
):
    # The response is built from what the upload wrote, not read back: it must not differ.
    posted = client_for(alice).post(URL, visit_body(assignment), format="json")
    read = client_for(alice).get(f"{URL}{posted.json()['id']}/")
    assert posted.status_code == 201
    assert posted.json() == read.json()


def test_a_visit_with_no_photo_to_wait_for_is_stored_submitted_with_its_checks_to_run(
    client_for, alice, assignment
):
    Item.objects.filter(code="entrance").update(required=False, photo_required=False)
    posted = client_for(alice).post(URL, visit_body(assignment, photos=[]), format="json")
    read = client_for(alice).get(f"{URL}{posted.json()['id']}/")
    assert posted.status_code == 201
    assert posted.json()["status"] == "submitted"
    assert posted.json() == read.json()
    assert Event.objects.filter(kind="visit.checks", key=posted.json()["id"]).exists()


def test_one_visit_upload_takes_6_queries_on_postgresql_and_10_elsewhere(
    client_for, alice, east_branch, django_assert_max_num_queries
):
    shopper = client_for(alice)
    # A first upload fills this process's cache of the published version's rules.
    first = AssignmentFactory(shopper=alice, branch=east_branch)
    shopper.post(URL, visit_body(first), format="json")
    version = first.checklist_version
    body = visit_body(
        AssignmentFactory(shopper=alice, branch=east_branch, checklist_version=version)
    )
    # The token with its user. Then in the transaction (BEGIN/COMMIT, a savepoint in
    # tests): the assignment locked, with its checklist version, branch and region (the
    # body is checked under the lock; a retry is found there, not looked for first; an
    # open assignment has no visit to look for); the inserts of the visit, its answers,
    # its scores, its revision and its photos (a photo id stored already is skipped, and
    # counted), one statement on PostgreSQL; the assignment's status. The response is
    # built from what was written, without reading it back.
    queries = 6 if connection.vendor == "postgresql" else 10
    with django_assert_max_num_queries(queries):
        response = shopper.post(URL, body, format="json")
    assert response.status_code == 201


def test_it_returns_the_stored_visit_when_the_same_body_is_sent_again(
    client_for, alice, assignment
):
    body = visit_body(assignment)
    first = client_for(alice).post(URL, body, format="json")
    again = client_for(alice).post(URL, body, format="json")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert Visit.objects.count() == 1


def test_it_refuses_the_same_id_with_a_different_body(client_for, alice, assignment):
    body = visit_body(assignment)
    client_for(alice).post(URL, body, format="json")
    changed = {**body, "comment": "Something else."}
    response = client_for(alice).post(URL, changed, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "different_body"


@pytest.mark.parametrize(
    ("owner", "code"), [("alice", "different_body"), ("bob", "id_in_use")], ids=["own", "theirs"]
)
def test_an_id_stored_for_another_assignment_is_a_conflict_and_stores_nothing(
    request, client_for, alice, east_branch, assignment, owner, code
):
    shopper = request.getfixturevalue(owner)
    stored = visit_body(AssignmentFactory(shopper=shopper, branch=east_branch))
    client_for(shopper).post(URL, stored, format="json")
    body = {**visit_body(assignment), "id": stored["id"]}
    response = client_for(alice).post(URL, body, format="json")
    assert (response.status_code, response.json()["code"]) == (409, code)
    assert Visit.objects.count() == 1
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.OPEN


def test_an_open_assignment_that_has_a_visit_by_hand_is_a_conflict_not_an_error(
    client_for, alice, assignment
):
    stored = client_for(alice).post(URL, visit_body(assignment), format="json").json()
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.OPEN)
    response = client_for(alice).post(URL, visit_body(assignment), format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "assignment_has_visit"
    assert stored["id"] in response.json()["detail"]


def test_it_accepts_a_visit_made_in_the_window_of_an_assignment_that_expired_since(
    client_for, alice, assignment
):
    """The phone was offline; the daily expiry ran before the upload."""
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.EXPIRED)
    response = client_for(alice).post(URL, visit_body(assignment), format="json")
    assert response.status_code == 201, response.json()


def test_it_refuses_a_cancelled_assignment(client_for, alice, assignment):
    Assignment.objects.filter(pk=assignment.pk).update(status=Assignment.Status.CANCELLED)
    response = client_for(alice).post(URL, visit_body(assignment), format="json")
    assert response.status_code == 400
    assert "assignment" in response.json()["errors"]


def test_it_refuses_an_assignment_id_beyond_64_bits(client_for, alice, assignment):
    body = {**visit_body(assignment), "assignment": 2**63}
    response = client_for(alice).post(URL, body, format="json")
    assert response.status_code == 400
    assert "assignment" in response.json()["errors"]


def test_a_photo_id_of_another_visit_is_a_conflict_and_stores_nothing(
    client_for, alice, east_branch, assignment
):
    first = visit_body(AssignmentFactory(shopper=alice, branch=east_branch))
    client_for(alice).post(URL, first, format="json")
    body = visit_body(assignment)
    body["photos"] = [{**body["photos"][0], "id": first["photos"][0]["id"]}]
    response = client_for(alice).post(URL, body, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "photo_in_use"
    assert first["photos"][0]["id"] in response.json()["detail"]
    assert not Visit.objects.filter(pk=body["id"]).exists()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.OPEN
