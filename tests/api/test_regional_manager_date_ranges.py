"""A regional manager reads reports by month or quarter, never by date range.

A range can be narrowed to one day, and a branch's visit count or score for
that day would tell when the shopper came. Head office keeps ranges.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.report_data import report_checklist, visit

ONE_DAY = {"checklist": "branch-visit", "from": "2026-10-05", "to": "2026-10-05"}


@pytest.fixture
def version(east_branch):
    version = report_checklist("branch-visit")
    visit(east_branch, version, "2026-10-05", 80.0)
    return version


@pytest.mark.parametrize("endpoint", ["/api/v1/reports/comparison/", "/api/v1/reports/drivers/"])
def test_a_report_refuses_a_regional_managers_date_range_naming_the_period(
    client_for, erin, version, endpoint
):
    response = client_for(erin).get(endpoint, ONE_DAY)

    assert response.status_code == 400
    assert "period" in response.json()["errors"]


def test_a_scorecard_refuses_a_regional_managers_date_range(
    client_for, erin, east_branch, version, renders
):
    response = client_for(erin).get(f"/api/v1/branches/{east_branch.pk}/scorecard.pdf", ONE_DAY)

    assert response.status_code == 400
    assert renders == []


def test_a_region_zip_refuses_a_regional_managers_date_range(client_for, erin, east, version):
    response = client_for(erin).get(f"/api/v1/regions/{east.pk}/scorecards.zip", ONE_DAY)

    assert response.status_code == 400


@pytest.mark.parametrize("page", ["comparison-page", "drivers-page"])
def test_a_report_page_refuses_a_regional_managers_date_range(client, erin, version, page):
    client.force_login(erin)

    response = client.get(reverse(page), ONE_DAY)

    assert response.status_code == 400


def test_the_scorecard_page_refuses_a_regional_managers_date_range(
    client, erin, east_branch, version
):
    client.force_login(erin)

    response = client.get(reverse("scorecard-page", args=[east_branch.pk]), ONE_DAY)

    assert response.status_code == 400


def test_a_regional_manager_still_reads_months(client_for, erin, version):
    response = client_for(erin).get(
        "/api/v1/reports/comparison/", {"checklist": "branch-visit", "period": "2026-10"}
    )

    assert response.status_code == 200


def test_head_office_keeps_date_ranges(client_for, hank, version):
    assert client_for(hank).get("/api/v1/reports/comparison/", ONE_DAY).status_code == 200
