"""The assignments page in headless Chromium: head office plans visits at a desk, and the
page fits a phone.

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
from django.utils import timezone  # noqa: E402

from audits.models import Assignment  # noqa: E402
from tests.factories import PASSWORD, AssignmentFactory, BranchFactory, small_checklist  # noqa: E402

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


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def test_head_office_plans_visits_at_a_desk_and_the_page_fits_a_phone(
    browser, live_server, transactional_db, hank, alice, bob, east, east_branch, pudong, west_branch
):
    BranchFactory(region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui")
    version = small_checklist()
    earlier = AssignmentFactory(branch=pudong, shopper=alice, checklist_version=version)

    # At a desk: alice for both East branches; she was at Pudong too recently.
    context, page = signed_in(browser, live_server, hank, DESKTOP)
    page.goto(f"{live_server.url}/assignments/?lang=en")
    page.check(f"#plan-branch-{east_branch.pk} input[type=checkbox]")
    page.check(f"#plan-branch-{pudong.pk} input[type=checkbox]")
    page.select_option("select[name=checklist_version]", str(version.pk))
    page.fill("input[name=window_from]", days(3))
    page.fill("input[name=window_to]", days(10))
    page.fill("input[name=time_from]", "10:00")
    page.fill("input[name=time_to]", "16:00")
    page.select_option("select[name=shopper]", str(alice.pk))
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    pudong_row = page.locator(f"#plan-branch-{pudong.pk}")
    assert f"already has assignment {earlier.pk}" in pudong_row.inner_text()
    assert page.locator(f"#plan-branch-{east_branch.pk} .row-errors").count() == 0
    assert Assignment.objects.count() == 1

    # The form comes back as filled in: give Pudong to bob and plan again.
    pudong_row.locator("select").select_option(str(bob.pk))
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    assert "Planned 2 visit(s)" in page.locator(".flash").inner_text()
    assert set(
        Assignment.objects.exclude(pk=earlier.pk).values_list("branch__code", "shopper__username")
    ) == {("sh-jingan", "alice"), ("sh-pudong", "bob")}
    assert scroll_width(page) <= DESKTOP["width"]
    shoot(page, "assignments-1366.png")
    context.close()

    # On a phone: the same plan again is refused on its row, and nothing scrolls sideways.
    context, page = signed_in(browser, live_server, hank, PHONE)
    page.goto(f"{live_server.url}/assignments/?lang=en")
    assert scroll_width(page) <= PHONE["width"]
    page.check(f"#plan-branch-{east_branch.pk} input[type=checkbox]")
    page.select_option("select[name=checklist_version]", str(version.pk))
    page.fill("input[name=window_from]", days(5))
    page.fill("input[name=window_to]", days(12))
    page.select_option("select[name=shopper]", str(alice.pk))
    with page.expect_navigation():
        page.click("#plan-form button[type=submit]")
    assert "already has assignment" in page.locator(f"#plan-branch-{east_branch.pk}").inner_text()
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "assignments-390.png")
    context.close()
