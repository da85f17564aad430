"""Driving Debian's chromium with Playwright: what the phone-app and web-page browser tests share.

`playwright install` cannot download browsers here, so the tests launch the
chromium that `make test` installs with apt-get; a missing one is a broken
set-up, not a reason to skip.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's async-safety
# check would then refuse the ORM calls the tests make between browser steps.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import playwright.sync_api as playwright_sync  # noqa: E402
from playwright.sync_api import Browser, Page  # noqa: E402

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
REPO = Path(__file__).resolve().parents[1]
WEB_SCREENSHOTS = REPO / "docs" / "web"


def launch_options(**extra) -> dict:
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True, **extra}


def playwright_session() -> Iterator[playwright_sync.Playwright]:
    """Playwright for a whole run; tests/conftest.py's session fixture `playwright_instance` holds it.

    Its sync API refuses a second sync_playwright() in a thread while one is
    open, so every browser test (tests/front, tests/phone_app) shares the one.
    """
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.fail(f"no chromium at {CHROMIUM}: apt-get install chromium (make test does)")
    with playwright_sync.sync_playwright() as playwright:
        yield playwright


def start_live_server(request):
    """pytest-django's live server, started with a MEDIA_URL it can parse.

    The settings leave MEDIA_URL None on purpose (no public media URLs), but
    Django's live server wraps the site in a media-files handler that parses
    MEDIA_URL when it starts and fails every request on None. Nothing is ever
    served from this placeholder prefix; the setting is restored at once.
    """
    from django.test import override_settings
    from pytest_django.live_server_helper import LiveServer

    address = (
        request.config.getvalue("liveserver")
        or os.getenv("DJANGO_LIVE_TEST_SERVER_ADDRESS")
        or "localhost"
    )
    with override_settings(MEDIA_URL="/__live-server-media-unused__/"):
        return LiveServer(address)


def sign_in_on_the_web(
    browser: Browser, live_server, user, viewport: dict, password: str, **context_options
):
    """A new browser context signed in through the login page; returns (context, page).

    `context_options` go to browser.new_context (a timezone_id, say).
    """
    context = browser.new_context(**{"viewport": viewport, "locale": "en-US", **context_options})
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    assert "/accounts/login/" not in page.url, "signing in failed"
    return context, page


def scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def shoot(page: Page, name: str) -> None:
    WEB_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(WEB_SCREENSHOTS / name), full_page=True)


# axe-core is the copy `make test` installs for the phone app (mobile/node_modules, pinned
# in mobile/package-lock.json); it is injected as a script, so the context bypasses the
# CSP for that one inline script.
AXE = REPO / "mobile" / "node_modules" / "axe-core" / "axe.min.js"
SERIOUS = """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)"""


def violations(
    browser, base_url: str, username: str, password: str, viewport: dict, paths: list[str]
) -> dict:
    """Each page's serious or critical axe findings, and whether it scrolls sideways."""
    context = browser.new_context(viewport=viewport, locale="en-US", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{base_url}/accounts/login/")
    found = {}
    page.add_script_tag(path=str(AXE))
    found["login"] = page.evaluate(SERIOUS)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form:has(input[name=password]) button[type=submit]")
    for path in paths:
        page.goto(f"{base_url}{path}")
        page.add_script_tag(path=str(AXE))
        found[path] = page.evaluate(SERIOUS)
        width = scroll_width(page)
        if width > viewport["width"]:
            found[path].append(f"scrolls sideways: {width} px wide at {viewport['width']} px")
    context.close()
    return {path: problems for path, problems in found.items() if problems}
