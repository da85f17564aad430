"""Errors under /api/: whatever goes wrong, the answer is JSON in the API's error shape.

Django's own 404 and 500 pages (a URL no route matches, an unhandled
exception) and a database that is away (503) answer in JSON under /api/; the
web pages keep Django's HTML.
"""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from rest_framework.test import APIClient

from audits.models import Visit
from tests.factories import AssignmentFactory
from tests.visit_bodies import visit_body


@pytest.fixture
def hq(client_for, hank) -> APIClient:
    client = client_for(hank)
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/visits/not-a-uuid/",
        "/api/v1/assignments/abc/cancel/",
        "/api/v1/checklists/1x/",
        "/api/v1/no-such-endpoint/",
        "/api/nothing",
    ],
)
def test_a_url_that_matches_no_route_is_a_json_404(hq, path):
    response = hq.get(path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_outside_the_api_a_missing_page_is_still_html(hq):
    response = hq.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_an_unexpected_error_under_the_api_is_a_json_500(hq):
    with mock.patch("audits.api.config.ConfigApi.get", side_effect=RuntimeError("a bug")):
        response = hq.get("/api/v1/config/")
    assert response.status_code == 500
    assert response.json() == {"detail": "Server error.", "code": "server_error"}


def test_a_database_that_is_away_is_a_json_503_to_retry(hq):
    with mock.patch(
        "audits.api.visits.visits_visible_to", side_effect=OperationalError("connection refused")
    ):
        response = hq.get("/api/v1/visits/")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"
    assert int(response["Retry-After"]) > 0


def test_a_database_that_is_away_while_checking_the_token_is_a_json_503(hq):
    with mock.patch("accounts.authentication.joined_row", side_effect=OperationalError("gone")):
        response = hq.get("/api/v1/config/")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


def test_a_database_error_outside_a_drf_view_is_a_json_503_too(hq, client_for, hank):
    """Django's 500 handler, not DRF's, sees an error raised before any view runs."""
    with mock.patch(
        "django.urls.resolvers.URLResolver.resolve", side_effect=OperationalError("gone")
    ):
        response = hq.get("/api/v1/config/")
    assert response.status_code == 503
    assert response.json()["code"] == "database_unavailable"


@pytest.fixture
def every_api_url(client_for, alice, east_branch, east) -> list[str]:
    """One concrete URL per API route, with objects that exist."""
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)
    body = visit_body(assignment)
    client_for(alice).post("/api/v1/visits/", body, format="json")
    visit = Visit.objects.get(pk=body["id"])
    photo = visit.photos.get()
    version = assignment.checklist_version_id
    return [
        "/api/v1/auth/token/",
        "/api/v1/auth/logout/",
        "/api/v1/config/",
        "/api/v1/visits/",
        f"/api/v1/visits/{visit.pk}/",
        f"/api/v1/visits/{visit.pk}/photos/{photo.pk}/",
        f"/api/v1/visits/{visit.pk}/review/",
        f"/api/v1/visits/{visit.pk}/answers/greet/correction/",
        f"/api/v1/visits/{visit.pk}/corrections/",
        "/api/v1/review/queue/",
        "/api/v1/assignments/",
        "/api/v1/assignments/bulk/",
        f"/api/v1/assignments/{assignment.pk}/cancel/",
        "/api/v1/branches/",
        "/api/v1/regions/",
        "/api/v1/checklists/",
        f"/api/v1/checklists/{version}/",
        f"/api/v1/checklists/{version}/publish/",
        f"/api/v1/checklists/{version}/drafts/",
        f"/api/v1/checklists/{version}/items/greet/",
        "/api/v1/reports/comparison/",
        "/api/v1/reports/drivers/",
        f"/api/v1/branches/{east_branch.pk}/scorecard.pdf",
        f"/api/v1/regions/{east.pk}/scorecards.zip",
    ]


@pytest.mark.parametrize("persona", ["alice", "erin", "rita", "hank"])
def test_options_on_any_endpoint_is_never_a_server_error(
    client_for, request, persona, every_api_url
):
    client = client_for(request.getfixturevalue(persona))
    client.raise_request_exception = False
    for url in every_api_url:
        response = client.options(url)
        assert response.status_code < 500, (url, response.status_code, response.content[:300])


def test_a_request_django_refuses_before_any_view_is_a_json_400(hq, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    response = hq.get("/api/v1/visits/", {"a": 1, "b": 2, "c": 3, "d": 4})
    assert response.status_code == 400
    assert response.json() == {"detail": "Bad request."}
