"""The comparison, visits and drivers pages in headless Chromium, at a desktop and a phone width.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import re

import pytest

from tests.browser import DESKTOP, PHONE, scroll_width, shoot, sign_in_on_the_web
from tests.factories import PASSWORD, BranchFactory
from tests.report_data import report_checklist, visit

pytestmark = pytest.mark.slow

OCTOBER = "period=2026-10&checklist=branch-visit&lang=en"


@pytest.fixture
def october(east_branch, pudong, west_branch, east, settings):
    """Five branches with October visits, section scores and answers, and September visits."""
    settings.SMALL_SAMPLE_VISITS = 1  # rank branches scored from one visit
    version = report_checklist("branch-visit")
    xuhui = BranchFactory(
        region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui"
    )
    wuhou = BranchFactory(
        region=west_branch.region, code="cd-wuhou", name_zh="成都武侯支行", name_en="Chengdu Wuhou"
    )
    plan = [
        (east_branch, "2026-10-05", 85.0, 80, 90, 100, 50),
        (east_branch, "2026-10-21", 70.0, 55, 85, 0, 25),
        (pudong, "2026-10-06", 80.0, 70, 95, 100, 50),
        (west_branch, "2026-10-07", 90.0, 90, 90, 100, 100),
        (xuhui, "2026-10-12", 62.5, 50, 75, 0, 25),
        (wuhou, "2026-10-14", 95.0, 95, 95, 100, 100),
    ]
    for branch, day, score, core, env, greet, attitude in plan:
        visit(
            branch,
            version,
            day,
            score,
            sections={"core": core, "env": env},
            answers={
                "greet": {"score": greet, "gain": "0" if greet else "20.00"},
                "attitude": {"score": attitude, "gain": f"{(100 - attitude) / 8:.2f}"},
            },
        )
    for branch, score in ((east_branch, 75.0), (pudong, 85.0), (xuhui, 70.0)):
        visit(branch, version, "2026-09-10", score)
    return version


def test_the_report_pages_work_at_desktop_and_phone_widths(
    browser, live_server, transactional_db, hank, erin, october
):
    comparison = f"{live_server.url}/reports/comparison/?{OCTOBER}"
    drivers = f"{live_server.url}/reports/drivers/?{OCTOBER}"

    # Desktop: sort by a column heading and search.
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
    page.goto(comparison)
    assert page.locator("table.league tbody tr").count() == 5
    shoot(page, "comparison-1366.png")
    page.click("table.league thead a:text('Visits')")
    page.wait_for_url(re.compile(r"sort=visits&dir=desc"))
    first = page.locator("table.league tbody tr").first
    assert "sh-jingan" in first.inner_text()
    page.fill("input[name=q]", "浦东")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"q=%E6%B5%A6%E4%B8%9C"))
    assert page.locator("table.league tbody tr").count() == 1
    page.goto(drivers)
    assert "Correlation is not causation" in page.content()
    shoot(page, "drivers-1366.png")
    context.close()

    # Phone: nothing scrolls sideways; a heatmap cell opens the visits behind it.
    context, page = sign_in_on_the_web(browser, live_server, hank, PHONE, PASSWORD)
    page.goto(comparison)
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "comparison-heatmap-390.png")
    page.locator("svg.chart-heatmap a.heat-link").first.scroll_into_view_if_needed()
    page.locator("svg.chart-heatmap a.heat-link").first.click()
    page.wait_for_url(re.compile(r"/reports/visits/\?branch="))
    assert page.locator("table.visits tbody tr").count() >= 1
    assert page.locator("td.visit-date").count() >= 1  # head office sees dates
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "visits-390.png")
    page.goto(drivers)
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "drivers-390.png")
    context.close()

    # A regional manager reaches the same visits without learning when they happened.
    context, page = sign_in_on_the_web(browser, live_server, erin, PHONE, PASSWORD)
    page.goto(comparison)
    page.locator("svg.chart-heatmap a.heat-link").first.click()
    page.wait_for_url(re.compile(r"/reports/visits/\?branch="))
    assert page.locator("table.visits tbody tr").count() >= 1
    assert page.locator("td.visit-date").count() == 0
    assert "2026-10-" not in page.locator("main").inner_text()
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "visits-regional-manager-390.png")
    context.close()
