"""An appeal end to end in headless Chromium: a regional manager appeals, head office upholds.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import os
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would then refuse the ORM calls the test makes between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import playwright.sync_api as playwright_sync  # noqa: E402

from appeals.models import Appeal  # noqa: E402
from tests.appeal_data import approved_visit  # noqa: E402
from tests.factories import PASSWORD  # noqa: E402

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


def shoot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name), full_page=True)


def test_a_regional_manager_appeals_an_item_and_head_offices_upholding_changes_the_score(
    browser, live_server, transactional_db, alice, rita, erin, hank, east_branch
):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    assert visit.score == Decimal("78.9")

    # The regional manager, on a phone, picks the visit by its id and appeals the wait.
    context, page = signed_in(browser, live_server, erin, PHONE)
    page.goto(f"{live_server.url}/appeals/new/?lang=en")
    assert scroll_width(page) <= PHONE["width"]
    row = page.locator("table.appeals tbody tr", has_text=str(visit.id))
    assert "alice" not in page.locator("main").inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(re.compile(r"/appeals/new/\?visit="))
    page.check("input[name=contest-wait]")
    page.select_option("select[name=category-wait]", "evidence_contradicts")
    page.fill("textarea[name=argument-wait]", "The CCTV shows the customer greeted after 8 s.")
    page.fill("input[name=evidence-wait]", "CCTV camera 2, 10:42")
    assert scroll_width(page) <= PHONE["width"]
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert "Appeal sent to head office." in page.content()
    appeal = Appeal.objects.get()
    context.close()

    # Head office, at a desk, upholds it with the corrected value.
    context, page = signed_in(browser, live_server, hank, DESKTOP)
    page.goto(f"{live_server.url}/appeals/?lang=en")
    page.click(f"a:text('#{appeal.pk}')")
    page.wait_for_url(re.compile(rf"/appeals/{appeal.pk}/"))
    assert page.locator(".visit-score").inner_text() == "78.9"
    page.check("input[name=outcome-wait][value=upheld]")
    page.fill("input[name=value-wait]", "8")
    page.check("input[name=outcome][value=upheld]")
    page.fill("textarea[name=reason]", "The recording shows 8 seconds; the shopper misjudged.")
    shoot(page, "appeal-1366.png")
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    assert page.locator(".visit-score").inner_text() == "87.8"
    context.close()

    # The regional manager reads the outcome and the trail on the phone.
    context, page = signed_in(browser, live_server, erin, PHONE)
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/?lang=en")
    text = page.locator("main").inner_text()
    assert "Upheld" in text and "87.8" in text and "78.9 → 87.8" in text
    assert "alice" not in text
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "appeal-390.png")
    context.close()

    visit.refresh_from_db()
    assert visit.score == Decimal("87.8")
