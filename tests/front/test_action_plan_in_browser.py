"""The loop closed in headless Chromium: a critical failure opens a plan, the regional manager
attaches an evidence photo and submits it, head office sees the photo and accepts it, and a
later approved passing visit verifies it.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import datetime as dt

import pytest

from actions.models import ActionPlan
from tests import photo_corpus as corpus
from tests.actions.plans import CRITICAL_FAILURE, approved_visit, today
from tests.browser import DESKTOP, PHONE, scroll_width, shoot, sign_in_on_the_web
from tests.factories import PASSWORD
from tests.report_data import report_checklist

pytestmark = pytest.mark.slow


def thumbnail_width(page) -> int:
    """The loaded width of the plan's evidence thumbnail (lazy: scrolled to first)."""
    thumb = page.locator("#evidence img")
    thumb.scroll_into_view_if_needed()
    # Polled from here: wait_for_function evaluates a string, which the pages' CSP forbids.
    for _ in range(50):
        if thumb.evaluate("img => img.complete"):
            break
        page.wait_for_timeout(100)
    return thumb.evaluate("img => img.naturalWidth")


def test_a_critical_failure_is_planned_accepted_and_verified_in_the_browser(
    browser, live_server, east_branch, erin, hank, rita, tmp_path
):
    version = report_checklist()
    failed = approved_visit(
        east_branch, version, rita, on=today() - dt.timedelta(days=2), answers=CRITICAL_FAILURE
    )
    plan = ActionPlan.objects.get(visit=failed)

    # The regional manager, on a phone: the list, then the plan's form.
    context, page = sign_in_on_the_web(browser, live_server, erin, PHONE, PASSWORD)
    page.goto(f"{live_server.url}/action-plans/?lang=en")
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "action-plans-390.png")
    page.click(f"a[data-plan='{plan.pk}']")
    assert str(failed.pk) not in page.content()  # never the visit, so never who or when
    # An evidence photo first: it is attached on its own, the plan's form stays to fill.
    photo = tmp_path / "retraining.jpg"
    photo.write_bytes(corpus.good_jpeg_with_gps())
    page.set_input_files("#evidence-form input[type=file]", str(photo))
    with page.expect_navigation():
        page.click("#evidence-form button[type=submit]")
    assert page.locator("#evidence img").count() == 1
    assert thumbnail_width(page) == 240  # the 320 px copy of a 480x640 photo: it loads
    page.fill("textarea[name=root_cause]", "A new teller was never shown the greeting standard.")
    page.fill("textarea[name=actions]", "Greeting drill at every morning meeting for two weeks.")
    page.fill("input[name=owner]", "Wang Li, branch manager")
    page.fill("input[name=due_date]", (today() + dt.timedelta(days=14)).isoformat())
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "action-plan-390.png")
    with page.expect_navigation():
        page.click("#submit-form button[type=submit]")
    assert page.inner_text("#plan-status") == "Submitted"
    context.close()

    # Head office, at a desk: the submitted plan with the visit behind it, accepted.
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
    page.goto(f"{live_server.url}/action-plans/{plan.pk}/?lang=en")
    assert "Wang Li, branch manager" in page.content()
    # The manager's photo, as a thumbnail that loads for head office too.
    assert page.locator("#evidence img").count() == 1
    assert thumbnail_width(page) == 240
    shoot(page, "action-plan-1366.png")
    with page.expect_navigation():
        page.click("#accept-form button[type=submit]")
    assert page.inner_text("#plan-status") == "Accepted"

    # The next approved visit passes the critical item: the plan is verified.
    approved_visit(east_branch, version, rita)
    page.reload()
    assert page.inner_text("#plan-status") == "Verified"
    context.close()
