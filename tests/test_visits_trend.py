"""reports.selectors.scorecard.visits_trend: the mean visit score per period over the caller's branches."""

from __future__ import annotations

from decimal import Decimal

import pytest

from reports.periods import month
from reports.selectors.scorecard import visits_trend
from tests.report_data import report_checklist, visit


@pytest.fixture
def version(east_branch, west_branch):
    version = report_checklist("branch-visit")
    visit(east_branch, version, "2026-10-05", 80.0)
    visit(east_branch, version, "2026-09-05", 70.0)
    visit(west_branch, version, "2026-10-07", 90.0)
    return version


def scores(user, version, region=None) -> list:
    points = visits_trend(
        user=user, checklist=version.checklist, period=month(2026, 10), region=region, lang="en"
    )
    return [point.score for point in points]


def test_head_office_sees_the_company_mean_of_each_of_six_months(hank, version):
    assert scores(hank, version) == [None, None, None, None, Decimal("70.0"), Decimal("85.0")]


def test_a_regional_manager_sees_only_their_regions(erin, version):
    assert scores(erin, version)[-2:] == [Decimal("70.0"), Decimal("80.0")]


def test_a_region_narrows_head_offices_trend(hank, west, version):
    assert scores(hank, version, region=west)[-1] == Decimal("90.0")
