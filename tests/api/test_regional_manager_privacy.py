"""Every assignment and visit endpoint, read as a regional manager: who visits, and when, never shows.

The shopper and the plan are made distinctive (an unusual id and username, a
window and hours nothing else uses), so that any of them turning up anywhere in
any response, as a key or as a value, fails the test.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from audits.models import Visit
from audits.services.checks import visit_checks_run
from tests.factories import AssignmentFactory, BranchFactory, ShopperFactory
from tests.visit_bodies import receive_photos, visit_body

SHOPPER_ID = 9176353
SHOPPER_NAME = "quiet-shopper-zq"
HIDDEN_KEYS = {
    "shopper",
    "window_from",
    "window_to",
    "time_from",
    "time_to",
    "created_at",
    # The visit's own times: with the window gone, these would still date it.
    "started_at",
    "ended_at",
    "visited_on",
    "submitted_at",
    "taken_at",
    "reviewed_at",
}


def days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


# The plan, dated so that nothing else in a response can carry these dates or hours.
WINDOW = (days(41), days(47))
LATER_WINDOW = (days(53), days(59))
HOURS = (dt.time(9, 17), dt.time(11, 43))


@pytest.fixture
def shopper(db):
    return ShopperFactory(id=SHOPPER_ID, username=SHOPPER_NAME)


@pytest.fixture
def planned(shopper, east_branch):
    return AssignmentFactory(
        shopper=shopper,
        branch=east_branch,
        window_from=WINDOW[0],
        window_to=WINDOW[1],
        time_from=HOURS[0],
        time_to=HOURS[1],
    )


@pytest.fixture
def visited(client_for, shopper, pudong):
    """A submitted, checked visit (outside its window, so the window check has evidence)."""
    assignment = AssignmentFactory(
        shopper=shopper,
        branch=pudong,
        window_from=WINDOW[0],
        window_to=WINDOW[1],
        time_from=HOURS[0],
        time_to=HOURS[1],
    )
    response = client_for(shopper).post("/api/v1/visits/", visit_body(assignment), format="json")
    visit = Visit.objects.get(pk=response.json()["id"])
    receive_photos(visit)
    visit_checks_run(visit=Visit.objects.get(pk=visit.pk))
    assert visit.checks.filter(code="visit_outside_window", passed=False).exists()
    return visit


@pytest.fixture
def incomplete(client_for, shopper, east_branch):
    """A visit whose photo has not arrived."""
    assignment = AssignmentFactory(
        shopper=shopper, branch=east_branch, window_from=days(0), window_to=days(1)
    )
    response = client_for(shopper).post("/api/v1/visits/", visit_body(assignment), format="json")
    return Visit.objects.get(pk=response.json()["id"])


def plan(version, branch, window=WINDOW, **overrides) -> dict:
    return {
        "branch": branch.pk,
        "checklist_version": version,
        "shopper": SHOPPER_ID,
        "window_from": str(window[0]),
        "window_to": str(window[1]),
        "time_from": HOURS[0].isoformat(),
        "time_to": HOURS[1].isoformat(),
        **overrides,
    }


def keys_in(value) -> set[str]:
    """Every key of every object in `value`, except the field names that key `errors`."""
    found: set[str] = set()
    stack = [(value, False)]
    while stack:
        node, naming_fields = stack.pop()
        if isinstance(node, dict):
            if not naming_fields:
                found.update(node)
            stack.extend((child, key == "errors") for key, child in node.items())
        elif isinstance(node, list):
            stack.extend((child, False) for child in node)
    return found


def assert_reveals_nobody(response) -> None:
    where = f"{response.request['REQUEST_METHOD']} {response.request['PATH_INFO']} → {response.status_code}"
    assert response["Content-Type"].startswith("application/json"), where
    text = response.content.decode()
    for secret in [
        str(SHOPPER_ID),
        SHOPPER_NAME,
        *(str(d) for d in (*WINDOW, *LATER_WINDOW)),
        *(t.strftime("%H:%M") for t in HOURS),
    ]:
        assert secret not in text, f"{where} shows {secret!r}: {text[:500]}"
    leaked = keys_in(json.loads(text)) & HIDDEN_KEYS
    assert not leaked, f"{where} has {leaked}"


def test_no_assignment_or_visit_endpoint_shows_a_regional_manager_who_visits_or_when(
    client_for, erin, shopper, planned, visited, incomplete, east, east_branch
):
    manager = client_for(erin)
    unvisited = BranchFactory(region=east)
    version = planned.checklist_version_id
    photo = incomplete.photos.get()
    responses = [
        manager.get("/api/v1/assignments/"),
        manager.get("/api/v1/assignments/", {"shopper": SHOPPER_ID}),
        manager.get("/api/v1/assignments/", {"status": "submitted"}),
        # Created, and refused by the rotation rule (a window next to the planned one).
        manager.post("/api/v1/assignments/", plan(version, unvisited, LATER_WINDOW), format="json"),
        manager.post(
            "/api/v1/assignments/", plan(version, east_branch, LATER_WINDOW), format="json"
        ),
        # Refused by rotation against the plan, and by rotation between rows of the batch.
        manager.post(
            "/api/v1/assignments/bulk/",
            {
                "assignments": [
                    plan(version, east_branch, LATER_WINDOW),
                    plan(version, unvisited, (days(161), days(162))),
                    plan(version, unvisited, (days(163), days(164))),
                ]
            },
            format="json",
        ),
        manager.post(
            "/api/v1/assignments/bulk/",
            {"assignments": [plan(version, unvisited, (days(300), days(301)))]},
            format="json",
        ),
        manager.post(f"/api/v1/assignments/{planned.pk}/cancel/"),
        manager.post(f"/api/v1/assignments/{planned.pk}/cancel/"),  # 409: no longer open
        manager.post(f"/api/v1/assignments/{visited.assignment_id}/cancel/"),  # 409: submitted
        manager.get("/api/v1/visits/"),
        manager.get("/api/v1/visits/", {"shopper": SHOPPER_NAME}),
        manager.get(f"/api/v1/visits/{visited.pk}/"),
        manager.get(f"/api/v1/visits/{incomplete.pk}/"),
        manager.put(f"/api/v1/visits/{visited.pk}/", {}, format="json"),
        manager.post("/api/v1/visits/", {}, format="json"),
        manager.get(f"/api/v1/visits/{incomplete.pk}/photos/{photo.pk}/"),
        manager.get(f"/api/v1/visits/{visited.pk}/corrections/"),
        manager.post(
            f"/api/v1/visits/{visited.pk}/review/", {"decision": "approve"}, format="json"
        ),
    ]
    assert [r.status_code for r in responses] == [
        200,
        200,
        200,
        201,
        400,
        400,
        201,
        200,
        409,
        409,
        200,
        200,
        200,
        200,
        403,
        403,
        404,
        403,
        403,
    ], [r.json() for r in responses]
    for response in responses:
        assert_reveals_nobody(response)


def test_the_same_endpoints_still_show_head_office_who_visits_and_when(
    client_for, hank, planned, visited
):
    """The sweep above would pass on an API that shows nobody anything: this says it shows head office."""
    head_office = client_for(hank)
    (row,) = [
        r
        for r in head_office.get("/api/v1/assignments/").json()["results"]
        if r["id"] == planned.pk
    ]
    assert row["shopper"] == {"id": SHOPPER_ID, "username": SHOPPER_NAME}
    assert (row["window_from"], row["window_to"]) == tuple(str(d) for d in WINDOW)
    detail = head_office.get(f"/api/v1/visits/{visited.pk}/").json()
    assert detail["shopper"] == SHOPPER_NAME
    window_check = next(c for c in detail["checks"] if c["code"] == "visit_outside_window")
    assert window_check["evidence"]["window_from"] == str(WINDOW[0])
    assert detail["visited_on"] == str(visited.visited_on)
    assert detail["started_at"] and detail["submitted_at"]
    assert all(item["taken_at"] for item in detail["photos"]["items"])


@pytest.mark.parametrize("name", ["date_from", "date_to"])
def test_a_regional_manager_may_not_select_visits_by_date(client_for, erin, visited, name):
    response = client_for(erin).get("/api/v1/visits/", {name: str(visited.visited_on)})

    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_head_office_still_selects_visits_by_date(client_for, hank, visited):
    day = str(visited.visited_on)
    response = client_for(hank).get("/api/v1/visits/", {"date_from": day, "date_to": day})

    assert [row["id"] for row in response.json()["results"]] == [str(visited.pk)]
