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
from tests.factories import AssignmentFactory
from tests.visit_bodies import visit_body

URL = "/api/v1/visits/"
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def assignment(alice, east_branch):
    return AssignmentFactory(shopper=alice, branch=east_branch)


def _post_from_threads(client_for, user, bodies: list[dict]) -> list[int]:
    statuses: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(bodies))

    def post(body):
        try:
            client = client_for(user)
            barrier.wait(timeout=10)
            statuses.append(client.post(URL, body, format="json").status_code)
        except BaseException as problem:  # noqa: BLE001 — reported below
            errors.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post, args=(b,)) for b in bodies]
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


def test_two_different_visits_racing_for_one_assignment_store_only_one(client_for, alice, assignment):
    first, second = visit_body(assignment), visit_body(assignment)
    statuses = _post_from_threads(client_for, alice, [first, second])
    assert statuses == [201, 409]
    assert Visit.objects.count() == 1


def test_a_connection_dropped_mid_upload_leaves_nothing_and_the_retry_succeeds(client_for, alice, assignment):
    body = visit_body(assignment)
    # The database goes away while the photo manifest is being written, after
    # the visit, answers and scores were inserted in the same transaction.
    with mock.patch(
        "audits.services.visits._declare_photos", side_effect=ConnectionResetError("connection lost")
    ), pytest.raises(ConnectionResetError):
        client_for(alice).post(URL, body, format="json")

    assert Visit.objects.count() == 0
    assert Answer.objects.count() == 0
    assert VisitScore.objects.count() == 0
    assert Assignment.objects.get(pk=assignment.pk).status == Assignment.Status.OPEN

    retry = client_for(alice).post(URL, body, format="json")
    assert retry.status_code == 201
    assert Visit.objects.count() == 1
    assert connection.in_atomic_block is False
