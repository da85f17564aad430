"""The API's documentation pages render with no internet: every file they load is ours.

Any request the pages make to another host is refused and recorded, as a
machine without internet would refuse it, and must not happen at all.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser import DESKTOP

pytestmark = pytest.mark.slow


@pytest.fixture
def offline_page(browser, live_server):
    """A page that can reach the live server and nothing else; `.outside` lists what it tried."""
    own_host = urlsplit(live_server.url).netloc
    context = browser.new_context(viewport=DESKTOP, locale="en-US")
    page = context.new_page()
    page.outside = []
    page.problems = []

    def only_our_server(route):
        if urlsplit(route.request.url).netloc == own_host:
            route.continue_()
        else:
            page.outside.append(route.request.url)
            route.abort("internetdisconnected")

    context.route("**/*", only_our_server)
    page.on(
        "console",
        lambda message: message.type == "error" and page.problems.append(message.text),
    )
    yield page
    context.close()


def test_swagger_ui_renders_every_operation_without_the_internet(
    offline_page, live_server, transactional_db
):
    offline_page.goto(f"{live_server.url}/api/docs/")

    offline_page.locator(".opblock").first.wait_for(timeout=20_000)
    assert offline_page.locator(".opblock").count() > 20
    assert offline_page.outside == []
    assert offline_page.problems == []


def test_redoc_renders_the_reference_without_the_internet(
    offline_page, live_server, transactional_db
):
    offline_page.goto(f"{live_server.url}/api/redoc/")

    offline_page.get_by_role("heading", name="Mystery Audit API").first.wait_for(timeout=20_000)
    assert offline_page.get_by_text("/api/v1/visits/").count() > 0
    assert offline_page.outside == []
    # ReDoc's bundle names a "by Redocly" badge on its CDN; our policy refuses it
    # before any request is made, and the page needs nothing else from outside.
    assert [p for p in offline_page.problems if "cdn.redoc.ly" not in p] == []
