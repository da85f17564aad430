"""GET /api/v1/visits/ — filtered, paginated, scoped by role."""

from __future__ import annotations

import pytest

from tests.factories import AssignmentFactory
from tests.visit_bodies import visit_body

URL = "/api/v1/visits/"


@pytest.fixture
def visits(client_for, alice, bob, east_branch, west_branch):
    ids = {}
    for name, shopper, branch in [("east", alice, east_branch), ("west", bob, west_branch)]:
        body = visit_body(AssignmentFactory(shopper=shopper, branch=branch))
        ids[name] = client_for(shopper).post(URL, body, format="json").json()["id"]
    return ids


def ids_of(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


def test_a_shopper_lists_only_their_own_visits(client_for, alice, visits):
    assert ids_of(client_for(alice).get(URL)) == {visits["east"]}


def test_a_regional_manager_lists_their_regions_visits(client_for, erin, visits):
    assert ids_of(client_for(erin).get(URL)) == {visits["east"]}


def test_a_reviewer_lists_every_visit(client_for, rita, visits):
    assert ids_of(client_for(rita).get(URL)) == set(visits.values())


def test_it_filters_by_region(client_for, rita, visits):
    assert ids_of(client_for(rita).get(URL, {"region": "west"})) == {visits["west"]}


def test_it_filters_by_status(client_for, rita, visits):
    assert ids_of(client_for(rita).get(URL, {"status": "approved"})) == set()
    assert ids_of(client_for(rita).get(URL, {"status": "incomplete"})) == set(visits.values())


def test_it_filters_by_shopper(client_for, rita, visits):
    assert ids_of(client_for(rita).get(URL, {"shopper": "bob"})) == {visits["west"]}


def test_a_regional_manager_cannot_select_by_shopper(client_for, erin, visits):
    assert ids_of(client_for(erin).get(URL, {"shopper": "alice"})) == set()


def test_it_filters_by_date_range(client_for, rita, visits):
    assert (
        ids_of(client_for(rita).get(URL, {"date_from": "2000-01-01", "date_to": "2000-12-31"}))
        == set()
    )


def test_it_paginates(client_for, rita, visits):
    data = client_for(rita).get(URL, {"page_size": 1}).json()
    assert data["count"] == 2
    assert set(data) == {"count", "next", "previous", "results"}


@pytest.mark.parametrize("page", ["0", "-1", "x", ""])
def test_a_page_that_is_not_a_number_from_1_is_a_400_naming_page(client_for, rita, visits, page):
    response = client_for(rita).get(URL, {"page": page})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["page"]


def test_a_page_past_the_last_is_404(client_for, rita, visits):
    assert client_for(rita).get(URL, {"page": 99}).status_code == 404


def test_a_regional_manager_selecting_by_any_shopper_gets_the_same_empty_list(
    client_for, erin, visits
):
    names = ["alice", "bob", "nobody"]
    answers = [client_for(erin).get(URL, {"shopper": name}).json() for name in names]
    assert answers == [{"count": 0, "next": None, "previous": None, "results": []}] * 3


def test_the_list_gives_scores_as_strings_like_the_detail(client_for, rita, visits):
    (row,) = [r for r in client_for(rita).get(URL).json()["results"] if r["id"] == visits["east"]]
    detail = client_for(rita).get(f"{URL}{visits['east']}/").json()
    assert row["score"] == detail["score"] == "78.9"
    assert row["sections"] == detail["sections"] == {"core": "78.3", "env": "80.0"}
    assert row == detail


def test_it_refuses_a_bad_filter_value_naming_it(client_for, rita, visits):
    response = client_for(rita).get(URL, {"date_from": "not-a-date"})
    assert response.status_code == 400
    assert "date_from" in response.json()["errors"]


def test_the_number_of_queries_does_not_grow_with_the_page(client_for, alice, rita, east_branch):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    reviewer = client_for(rita)

    def queries_for_a_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert reviewer.get(URL).status_code == 200
        return len(captured)

    def upload(n: int) -> None:
        for _ in range(n):
            body = visit_body(AssignmentFactory(shopper=alice, branch=east_branch))
            client_for(alice).post(URL, body, format="json")

    upload(2)
    few = queries_for_a_page()
    upload(6)
    assert queries_for_a_page() == few
