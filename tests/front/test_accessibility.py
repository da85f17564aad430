"""The main web pages have no serious or critical axe-core violations, at a laptop's width and a phone's.

tests.browser.violations runs axe-core (the copy `make test` installs for the phone
app, pinned in mobile/package-lock.json) on each page and measures its width.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.actions.plans import critical_plan
from tests.appeal_data import approved_visit, submitted_appeal
from tests.browser import DESKTOP, PHONE, violations
from tests.factories import PASSWORD, AssignmentFactory
from tests.report_data import report_checklist
from tests.visit_bodies import visit_body

pytestmark = pytest.mark.slow


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
        "approved": appealed.pk,
        "appeal": appeal.pk,
        "plan": plan.pk,
        "branch": east_branch.pk,
    }


def pages(world) -> list[str]:
    return [
        reverse("home"),
        reverse("review-queue-page"),
        reverse("review-visit-page", args=[world["visit"]]),
        # An approved visit: its review page offers to withdraw the approval.
        reverse("review-visit-page", args=[world["approved"]]),
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


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_head_offices_pages_have_no_serious_accessibility_violations(
    browser, live_server, hank, world, viewport
):
    assert (
        violations(browser, live_server.url, hank.username, PASSWORD, viewport, pages(world)) == {}
    )


def test_a_regional_managers_home_has_no_serious_accessibility_violations(
    browser, live_server, erin, world
):
    paths = [reverse("home"), reverse("appeal-page", args=[world["appeal"]])]
    assert violations(browser, live_server.url, erin.username, PASSWORD, PHONE, paths) == {}
