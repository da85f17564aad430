"""htmx in headless Chromium: the league table and the review queue replace a region, not the page.

`window.__marker`, set before a click, is still there after it only if the page
was not loaded again. Every request must stay on the live server (htmx is ours,
no CDN), and the console must show no Content-Security-Policy violation.
"""

from __future__ import annotations

import re

import pytest

from audits.models import Visit
from front.views import review
from tests.browser import DESKTOP, sign_in_on_the_web
from tests.factories import PASSWORD, BranchFactory
from tests.report_data import report_checklist, visit

pytestmark = pytest.mark.slow

OCTOBER = "period=2026-10&checklist=branch-visit&lang=en"
HTMX_PATH = "/static/front/vendor/htmx-2.0.11.min.js"


@pytest.fixture
def october(settings, east, east_branch, pudong, west_branch):
    """Four branches with October visits, three with September ones."""
    settings.SMALL_SAMPLE_VISITS = 1
    version = report_checklist("branch-visit")
    xuhui = BranchFactory(
        region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui"
    )
    for branch, day, score in (
        (east_branch, "2026-10-05", 85.0),
        (east_branch, "2026-10-21", 70.0),
        (pudong, "2026-10-06", 80.0),
        (west_branch, "2026-10-07", 90.0),
        (xuhui, "2026-10-12", 62.5),
    ):
        visit(branch, version, day, score, sections={"core": score, "env": score})
    for branch, score in ((east_branch, 75.0), (pudong, 85.0), (xuhui, 70.0)):
        visit(branch, version, "2026-09-10", score)
    return version


class Watch:
    """Every request the page makes, and the console's CSP complaints."""

    def __init__(self, page, live_server):
        self.origin = live_server.url
        self.requests: list[str] = []
        self.csp: list[str] = []
        page.on("request", lambda request: self.requests.append(request.url))
        page.on(
            "console",
            lambda message: (
                self.csp.append(message.text) if "Content Security Policy" in message.text else None
            ),
        )

    def assert_all_ours(self):
        strangers = [url for url in self.requests if not url.startswith(self.origin)]
        assert strangers == []
        assert self.csp == []


def marked(page) -> None:
    page.evaluate("window.__marker = 1")


def still_marked(page) -> bool:
    return page.evaluate("window.__marker === 1")


def codes(page) -> list[str]:
    return page.locator(
        "table.league tbody tr td:nth-child(2) span.muted:not(.wide)"
    ).all_inner_texts()


def test_sorting_and_searching_the_league_table_replace_only_the_table(
    browser, live_server, transactional_db, hank, october
):
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
    watch = Watch(page, live_server)
    with page.expect_response(lambda response: response.url.endswith(HTMX_PATH)) as script:
        page.goto(f"{live_server.url}/reports/comparison/?{OCTOBER}")
    assert script.value.status == 200
    page.wait_for_function("window.htmx !== undefined")
    assert page.evaluate("htmx.config.allowEval") is False
    assert codes(page) == ["cd-jinjiang", "sh-pudong", "sh-jingan", "sh-xuhui"]

    # A click on a heading: the table is sorted, the page is the same page, the address follows.
    marked(page)
    with page.expect_response(re.compile(r"sort=visits")) as answer:
        page.click("table.league thead a:text('Visits')")
    assert answer.value.request.headers.get("hx-request") == "true"
    page.wait_for_url(re.compile(r"sort=visits&dir=desc"))
    page.wait_for_function("document.querySelector('#sort-visits').closest('th').ariaSort")
    assert codes(page)[0] == "sh-jingan"
    assert still_marked(page)
    assert page.locator("th[aria-sort=descending] a").inner_text().startswith("Visits")
    assert page.locator("#league-status").inner_text() == (
        "4 of 4 branches, sorted by Visits, descending."
    )
    # The form keeps the new sort for the next search; the period links carry it too.
    assert page.locator("form.filters input[name=sort]").input_value() == "visits"
    assert "sort=visits" in page.locator("#report-links a").first.get_attribute("href")

    # From the keyboard: the focus stays on the heading that was pressed.
    page.focus("#sort-score")
    with page.expect_response(re.compile(r"sort=score")):
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"sort=score&dir=desc"))
    page.wait_for_function("document.activeElement && document.activeElement.id === 'sort-score'")
    assert codes(page)[0] == "cd-jinjiang"
    assert still_marked(page)

    # The search form replaces the table the same way, keeping the sort.
    page.fill("input[name=q]", "上海")
    with page.expect_response(re.compile(r"q=")):
        page.press("input[name=q]", "Enter")
    page.wait_for_url(re.compile(r"q=%E4%B8%8A%E6%B5%B7"))
    assert "sort=score" in page.url
    page.wait_for_function("document.querySelectorAll('table.league tbody tr').length === 3")
    assert codes(page) == ["sh-pudong", "sh-jingan", "sh-xuhui"]
    assert still_marked(page)
    assert page.evaluate("document.activeElement.name") == "q"

    # Another period through the form: the subtitle, the title and the CSV link follow it.
    page.fill("input[name=q]", "")
    page.fill("input[name=period]", "2026-09")
    with page.expect_response(re.compile(r"period=2026-09")):
        page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"period=2026-09"))
    page.wait_for_function("document.title.includes('2026-09')")
    assert "2026-09" in page.locator("#report-subtitle").inner_text()
    assert "period=2026-09" in page.locator("#report-links a:text('CSV')").get_attribute("href")
    assert still_marked(page)

    # Back: the address and the table of the step before, loaded from the server.
    # htmx keeps no copy of the page (historyCacheSize 0): it loads the address again.
    page.go_back()
    page.wait_for_function("window.__marker === undefined && document.readyState === 'complete'")
    assert re.search(r"q=%E4%B8%8A%E6%B5%B7", page.url)
    assert codes(page) == ["sh-pudong", "sh-jingan", "sh-xuhui"]
    assert page.locator("input[name=q]").input_value() == "上海"

    watch.assert_all_ours()
    context.close()


def test_a_swap_that_cannot_be_shown_falls_back_to_loading_the_address(
    browser, live_server, transactional_db, hank, october
):
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
    watch = Watch(page, live_server)
    page.goto(f"{live_server.url}/reports/comparison/?{OCTOBER}")
    page.wait_for_function("window.htmx !== undefined")

    # A bad parameter: the page's own 400, as without JavaScript.
    page.fill("input[name=period]", "next-tuesday")
    with page.expect_navigation():
        page.click("form.filters button[type=submit]")
    assert "period=next-tuesday" in page.url
    assert "period:" in page.locator("body").inner_text()

    # Signed out meanwhile: the login page, never the login form inside the table.
    page.goto(f"{live_server.url}/reports/comparison/?{OCTOBER}")
    page.wait_for_function("window.htmx !== undefined")
    context.clear_cookies()
    with page.expect_navigation():
        page.click("#sort-name")
    page.wait_for_url(re.compile(r"/accounts/login/\?next="))
    assert page.locator("input[name=password]").count() == 1

    watch.assert_all_ours()
    context.close()


def test_paging_and_filtering_the_review_queue_replace_only_the_list(
    browser, live_server, transactional_db, rita, east_branch, west_branch, monkeypatch
):
    monkeypatch.setattr(review, "QUEUE_ROWS", 2)
    version = report_checklist("branch-visit")
    for branch, day in (
        (east_branch, "2026-10-05"),
        (east_branch, "2026-10-06"),
        (west_branch, "2026-10-07"),
    ):
        visit(branch, version, day, 80.0, status=Visit.Status.SUBMITTED)
    context, page = sign_in_on_the_web(browser, live_server, rita, DESKTOP, PASSWORD)
    watch = Watch(page, live_server)
    page.goto(f"{live_server.url}/review/")
    page.wait_for_function("window.htmx !== undefined")
    assert page.locator("table.queue tbody tr").count() == 2
    marked(page)

    page.focus("#queue-next")
    with page.expect_response(re.compile(r"page=2")):
        page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/review/\?page=2$"))
    page.wait_for_function("document.querySelectorAll('table.queue tbody tr').length === 1")
    assert still_marked(page)
    assert page.locator("#queue-count").inner_text() == "3 waiting. Page 2 of 2."
    # Its link is gone from the last page: the focus goes to the list, not to the page's top.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'queue'")

    page.select_option("select[name=region]", "west")
    with page.expect_response(re.compile(r"region=west")):
        page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"region=west"))
    page.wait_for_function("document.querySelectorAll('table.queue tbody tr').length === 1")
    assert page.locator("#queue-count").inner_text() == "1 waiting."
    assert "cd-jinjiang" in page.locator("table.queue tbody").inner_text()
    assert still_marked(page)

    watch.assert_all_ours()
    context.close()
