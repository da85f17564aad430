"""GET /api/v1/visits/{id}/ — who may see a visit, and what they see."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.models import Visit
from audits.services.checks import visit_checks_run
from tests.factories import AssignmentFactory
from tests.visit_bodies import receive_photos, visit_body


@pytest.fixture
def visit_id(client_for, alice, east_branch):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")
    return response.json()["id"]


def url(visit_id) -> str:
    return f"/api/v1/visits/{visit_id}/"


def test_the_shopper_who_made_it_sees_it(client_for, alice, visit_id):
    response = client_for(alice).get(url(visit_id))
    assert response.status_code == 200
    assert response.json()["shopper"] == "alice"


def test_a_reviewer_sees_who_made_it(client_for, rita, visit_id):
    assert client_for(rita).get(url(visit_id)).json()["shopper"] == "alice"


def test_another_shopper_gets_404(client_for, bob, visit_id):
    assert client_for(bob).get(url(visit_id)).status_code == 404


def test_a_regional_manager_of_another_region_gets_404(client_for, wes, visit_id):
    assert client_for(wes).get(url(visit_id)).status_code == 404


def test_an_anonymous_caller_gets_401(anon, visit_id):
    assert anon.get(url(visit_id)).status_code == 401


def test_the_branchs_regional_manager_never_learns_the_shopper(client_for, erin, visit_id):
    data = client_for(erin).get(url(visit_id)).json()
    assert "shopper" not in data
    assert "assignment" not in data
    assert "alice" not in str(data)


def test_the_branchs_regional_manager_sees_the_scores(client_for, erin, visit_id):
    data = client_for(erin).get(url(visit_id)).json()
    assert data["score"] == "78.9"
    assert data["sections"] == {"core": "78.3", "env": "80.0"}


def test_it_scores_each_bpmp_class_the_checklist_tags(client_for, rita, visit_id):
    # small_checklist tags only `greet` (answered yes) as basic.
    assert client_for(rita).get(url(visit_id)).json()["bpmp"] == {"basic": "100.0"}


def test_the_upload_answers_with_the_visit_reading_its_items_once_not_per_answer(
    client_for, alice, east_branch
):
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    with CaptureQueriesContext(connection) as queries:
        response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")

    assert response.status_code == 201
    item_reads = [q for q in queries.captured_queries if 'FROM "checklists_item"' in q["sql"]]
    # The published rules (read unless this process has cached them) and the answer's items.
    assert len(item_reads) <= 2


def test_an_unknown_visit_is_404(client_for, rita):
    assert client_for(rita).get(url("00000000-0000-4000-8000-000000000000")).status_code == 404


def test_the_branchs_regional_manager_sees_each_checks_verdict_not_its_evidence(
    client_for, erin, visit_id
):
    """The evidence quotes the assignment's window and names other visits."""
    visit = Visit.objects.get(pk=visit_id)
    receive_photos(visit)
    visit_checks_run(visit=Visit.objects.get(pk=visit_id))
    checks = client_for(erin).get(url(visit_id)).json()["checks"]
    assert checks
    assert all(set(check) == {"code", "passed", "penalty"} for check in checks)


def test_a_reviewer_sees_each_checks_message_and_evidence(client_for, rita, visit_id):
    visit = Visit.objects.get(pk=visit_id)
    receive_photos(visit)
    visit_checks_run(visit=Visit.objects.get(pk=visit_id))
    checks = client_for(rita).get(url(visit_id)).json()["checks"]
    window = next(c for c in checks if c["code"] == "visit_outside_window")
    assert set(window) == {"code", "passed", "message", "evidence", "penalty"}
    assert "window_from" in window["evidence"]


def test_options_describes_the_endpoint(client_for, alice, visit_id):
    """DRF's metadata looks the visit up; it used to find no queryset and answer 500."""
    response = client_for(alice).options(url(visit_id))
    assert response.status_code == 200
    assert response.json()["name"]


def test_a_malformed_id_is_a_json_404(client_for, rita):
    response = client_for(rita).get(url("not-a-uuid"))
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
