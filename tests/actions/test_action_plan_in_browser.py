"""The loop closed in headless Chromium: a critical failure opens a plan, the regional manager
submits it, head office accepts it, and a later approved passing visit verifies it.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would then refuse the ORM calls the test makes between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import playwright.sync_api as playwright_sync  # noqa: E402

from actions.models import ActionPlan  # noqa: E402
from tests.actions.plans import CRITICAL_FAILURE, approved_visit, today  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402
from tests.report_data import report_checklist  # noqa: E402

pytestmark = pytest.mark.slow

CHROMIUM = os.environ.get("PHONE_APP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 390, "height": 844}
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "web"


@pytest.fixture(scope="module")
def live_server(request):
    """pytest-django's live server, started with a MEDIA_URL it can parse (see tests/phone_app)."""
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="/__live-server-media-unused__/"):
        server = LiveServer(address)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install chromium (make test does)")
    with playwright_sync.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


def signed_in(browser, live_server, user, viewport):
    context = browser.new_context(viewport=viewport, locale="en-US")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    assert "/accounts/login/" not in page.url, "signing in failed"
    return context, page


def scroll_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_critical_failure_is_planned_accepted_and_verified_in_the_browser(
    browser, live_server, east_branch, erin, hank, rita
):
    version = report_checklist()
    failed = approved_visit(
        east_branch, version, rita, on=today() - dt.timedelta(days=2), answers=CRITICAL_FAILURE
    )
    plan = ActionPlan.objects.get(visit=failed)

    # The regional manager, on a phone: the list, then the plan's form.
    context, page = signed_in(browser, live_server, erin, PHONE)
    page.goto(f"{live_server.url}/action-plans/?lang=en")
    assert scroll_width(page) <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "action-plans-390.png"), full_page=True)
    page.click(f"a[data-plan='{plan.pk}']")
    assert str(failed.pk) not in page.content()  # never the visit, so never who or when
    page.fill("textarea[name=root_cause]", "A new teller was never shown the greeting standard.")
    page.fill("textarea[name=actions]", "Greeting drill at every morning meeting for two weeks.")
    page.fill("input[name=owner]", "Wang Li, branch manager")
    page.fill("input[name=due_date]", (today() + dt.timedelta(days=14)).isoformat())
    assert scroll_width(page) <= PHONE["width"]
    page.screenshot(path=str(SCREENSHOTS / "action-plan-390.png"), full_page=True)
    with page.expect_navigation():
        page.click("#submit-form button[type=submit]")
    assert page.inner_text("#plan-status") == "Submitted"
    context.close()

    # Head office, at a desk: the submitted plan with the visit behind it, accepted.
    context, page = signed_in(browser, live_server, hank, DESKTOP)
    page.goto(f"{live_server.url}/action-plans/{plan.pk}/?lang=en")
    assert "Wang Li, branch manager" in page.content()
    page.screenshot(path=str(SCREENSHOTS / "action-plan-1366.png"), full_page=True)
    with page.expect_navigation():
        page.click("#accept-form button[type=submit]")
    assert page.inner_text("#plan-status") == "Accepted"

    # The next approved visit passes the critical item: the plan is verified.
    approved_visit(east_branch, version, rita)
    page.reload()
    assert page.inner_text("#plan-status") == "Verified"
    context.close()
