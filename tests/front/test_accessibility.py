"""The main web pages have no serious or critical axe-core violations, at a laptop's width and a phone's.

axe-core is the copy `make test` installs for the phone app (mobile/node_modules,
pinned in mobile/package-lock.json); it is injected as a script, so the
context bypasses the CSP for that one inline script.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.actions.plans import critical_plan
from tests.appeal_data import approved_visit, submitted_appeal
from tests.browser import DESKTOP, PHONE, REPO
from tests.factories import PASSWORD, AssignmentFactory
from tests.report_data import report_checklist
from tests.visit_bodies import visit_body

pytestmark = pytest.mark.slow

AXE = REPO / "mobile" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)"""


@pytest.fixture
def world(transactional_db, alice, bob, rita, hank, erin, east_branch, client_for):
    """Something on every page: an approved visit with an appeal, a plan, a visit to review."""
    appealed = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    appeal = submitted_appeal(appealed, erin)
    plan = critical_plan(east_branch, report_checklist(), rita)
    queued = client_for(bob).post(
        "/api/v1/visits/",
        visit_body(AssignmentFactory(shopper=bob, branch=east_branch)),
        format="json",
    )
    return {
        "visit": queued.json()["id"],
        "appeal": appeal.pk,
        "plan": plan.pk,
        "branch": east_branch.pk,
    }


def pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("review-queue-page"),
        reverse("review-visit-page", args=[world["visit"]]),
        reverse("comparison-page"),
        reverse("drivers-page"),
        reverse("branch-page", args=[world["branch"]]),
        reverse("assignments-page"),
        reverse("action-plans-page"),
        reverse("action-plan-page", args=[world["plan"]]),
        reverse("appeals-page"),
        reverse("appeal-page", args=[world["appeal"]]),
        "/no-such-page/",
    ]


def violations(browser, live_server, user, viewport: dict, paths: list[str]) -> dict:
    context = browser.new_context(viewport=viewport, locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    found = {}
    page.add_script_tag(path=str(AXE))
    found["login"] = page.evaluate(SERIOUS)
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.add_script_tag(path=str(AXE))
        found[path] = page.evaluate(SERIOUS)
    context.close()
    return {path: problems for path, problems in found.items() if problems}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_head_offices_pages_have_no_serious_accessibility_violations(
    browser, live_server, hank, world, viewport
):
    assert violations(browser, live_server, hank, viewport, pages(world)) == {}


def test_a_regional_managers_home_has_no_serious_accessibility_violations(
    browser, live_server, erin, world
):
    paths = [reverse("home"), reverse("appeal-page", args=[world["appeal"]])]
    assert violations(browser, live_server, erin, PHONE, paths) == {}
