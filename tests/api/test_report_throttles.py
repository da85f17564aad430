"""Report endpoints are throttled per user and per scope, so reports cannot crowd out the phones."""

from __future__ import annotations

import pytest
from rest_framework.throttling import ScopedRateThrottle

from tests.factories import AssignmentFactory
from tests.report_data import report_checklist
from tests.visit_bodies import visit_body

COMPARISON = "/api/v1/reports/comparison/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}


@pytest.fixture(autouse=True)
def tight_rates(monkeypatch):
    # DRF reads the rates when the throttle class is defined, so they are patched there.
    monkeypatch.setattr(
        ScopedRateThrottle, "THROTTLE_RATES", {"reports": "2/min", "report_files": "1/min"}
    )


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


def test_past_its_rate_a_report_answers_429_with_retry_after(client_for, hank, version):
    client = client_for(hank)
    for _ in range(2):
        assert client.get(COMPARISON, OCTOBER).status_code == 200

    refused = client.get(COMPARISON, OCTOBER)

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    assert refused.json()["code"] == "throttled"


def test_the_rate_is_counted_per_user(client_for, hank, erin, version):
    for _ in range(2):
        client_for(hank).get(COMPARISON, OCTOBER)

    assert client_for(erin).get(COMPARISON, OCTOBER).status_code == 200


def test_the_rate_is_counted_per_scope(client_for, hank, east_branch, version, renders):
    for _ in range(2):
        client_for(hank).get(COMPARISON, OCTOBER)

    pdf = client_for(hank).get(f"/api/v1/branches/{east_branch.pk}/scorecard.pdf", OCTOBER)

    assert pdf.status_code == 200


def test_a_shoppers_upload_is_never_throttled_by_the_reports(
    client_for, hank, alice, east_branch, version
):
    for _ in range(3):
        client_for(hank).get(COMPARISON, OCTOBER)
    assignment = AssignmentFactory(shopper=alice, branch=east_branch)

    response = client_for(alice).post("/api/v1/visits/", visit_body(assignment), format="json")

    assert response.status_code == 201
