"""POST /api/v1/visits/ under concurrency and broken connections.

These tests use real transactions (transaction=True) and one database
connection per thread, so on PostgreSQL they exercise the row lock and the
primary-key race, and on SQLite the write lock.
"""

from __future__ import annotations

import threading
from unittest import mock

import pytest
from django.db import connection, connections

from audits.models import Answer, Assignment, Photo, Visit, VisitRevision, VisitScore
from audits.services import visits as visits_service
from tests.factories import AssignmentFactory
from tests.visit_bodies import visit_body

URL = "/api/v1/visits/"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


def _post_from_threads(client_for, user, bodies: list[dict], post=None) -> list[int]:
    """POST each body from its own thread; `post(client)` may replace the plain POST."""
    statuses: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(bodies))

    def send(body):
        try:
            client = client_for(user)
            barrier.wait(timeout=10)
            if post is None:
                statuses.append(client.post(URL, body, format="json").status_code)
            else:
                statuses.append(post(client))
        except BaseException as problem:  # noqa: BLE001 — reported below
            errors.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return sorted(statuses)


def test_the_same_visit_posted_from_several_threads_lands_once(client_for, alice, assignment):
    body = visit_body(assignment)
    statuses = _post_from_threads(client_for, alice, [body] * 6)
    assert statuses == [200, 200, 200, 200, 200, 201]
    assert Visit.objects.count() == 1
    assert Answer.objects.count() == len(body["answers"])
    assert VisitRevision.objects.count() == 1
    assert Photo.objects.count() == 1


def test_identical_retries_that_read_the_assignment_after_the_original_stored_it_all_get_200(
    client_for, alice, assignment
):
    """The retries wait for the original's lock, then find its visit by id before any check.

    The hook only makes sure the original is the first to reach the checks.
    """
    body = visit_body(assignment)
    rules_of = visits_service._rules_of
    first_in = threading.Lock()
    original_done = threading.Event()

    def rules_after_the_original(loaded_body, loaded_assignment):
        if first_in.acquire(blocking=False):
            # The original goes ahead; the others wait for it to answer.
            return rules_of(loaded_body, loaded_assignment)
        original_done.wait(timeout=30)
        return rules_of(loaded_body, loaded_assignment)

    def post(client):
        try:
            return client.post(URL, body, format="json").status_code
        finally:
            original_done.set()  # the original answered (or died): let the waiting ones read

    with mock.patch.object(visits_service, "_rules_of", side_effect=rules_after_the_original):
        statuses = _post_from_threads(client_for, alice, [body] * 4, post=post)
    assert statuses == [200, 200, 200, 201]
    assert Visit.objects.count() == 1


def test_the_same_id_landing_on_another_assignment_meanwhile_is_a_conflict_not_a_500(
    client_for, alice, east_branch, assignment
):
    """Another body with this id is stored after this upload looked for the id.

    On PostgreSQL the insert then meets the stored id (IntegrityError) and answers
    with the stored visit's conflict; on SQLite the other upload waits for this
    one's write lock, and is the one to get the conflict.
    """
    body = visit_body(assignment)
    other = {**visit_body(AssignmentFactory(shopper=alice, branch=east_branch)), "id": body["id"]}
    rules_of = visits_service._rules_of
    statuses: list[int] = []
    racers: list[threading.Thread] = []

    def post_other():
        try:
            statuses.append(client_for(alice).post(URL, other, format="json").status_code)
        finally:
            connections.close_all()

    def rules_after_the_other_lands(loaded_body, loaded_assignment):
        if loaded_body.assignment == assignment.pk:
            racers.append(threading.Thread(target=post_other))
            racers[0].start()
            racers[0].join(timeout=3)  # on SQLite it cannot finish before this upload commits
        return rules_of(loaded_body, loaded_assignment)

    with mock.patch.object(visits_service, "_rules_of", side_effect=rules_after_the_other_lands):
        response = client_for(alice).post(URL, body, format="json")
        connections.close_all()
        racers[0].join(timeout=10)  # on SQLite, the racer answers once this upload committed
    assert sorted([response.status_code, *statuses]) == [201, 409]
    assert Visit.objects.count() == 1


def test_two_different_visits_racing_for_one_assignment_store_only_one(
    client_for, alice, assignment
):
    first, second = visit_body(assignment), visit_body(assignment)
    statuses = _post_from_threads(client_for, alice, [first, second])
    assert statuses == [201, 409]
    assert Visit.objects.count() == 1


def test_a_connection_dropped_mid_upload_leaves_nothing_and_the_retry_succeeds(
    client_for, alice, assignment
):
    body = visit_body(assignment)
    # The database goes away while the assignment is being marked submitted, after
    # the visit, answers, scores and photos were inserted in the same transaction.
    with (
        mock.patch(
            "audits.services.visits._assignment_submitted",
            side_effect=ConnectionResetError("connection lost"),
        ),
        pytest.raises(ConnectionResetError),
    ):
        client_for(alice).post(URL, body, format="json")

    assert Visit.objects.count() == 0
    assert Answer.objects.count() == 0
    assert VisitScore.objects.count() == 0
    assert Photo.objects.count() == 0
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.OPEN

    retry = client_for(alice).post(URL, body, format="json")
    assert retry.status_code == 201
    assert Visit.objects.count() == 1
    assert connection.in_atomic_block is False
