"""An appeal end to end in headless Chromium: a regional manager appeals, head office upholds.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from appeals.models import Appeal
from tests.appeal_data import approved_visit
from tests.browser import DESKTOP, PHONE, scroll_width, shoot, sign_in_on_the_web
from tests.factories import PASSWORD

pytestmark = pytest.mark.slow


def test_a_regional_manager_appeals_an_item_and_head_offices_upholding_changes_the_score(
    browser, live_server, transactional_db, alice, rita, erin, hank, east_branch
):
    visit = approved_visit(shopper=alice, branch=east_branch, reviewer=rita)
    assert visit.score == Decimal("78.9")

    # The regional manager, on a phone, picks the visit by its id and appeals the wait.
    context, page = sign_in_on_the_web(browser, live_server, erin, PHONE, PASSWORD)
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
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
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
    context, page = sign_in_on_the_web(browser, live_server, erin, PHONE, PASSWORD)
    page.goto(f"{live_server.url}/appeals/{appeal.pk}/?lang=en")
    text = page.locator("main").inner_text()
    assert "Upheld" in text and "87.8" in text and "78.9 → 87.8" in text
    assert "alice" not in text
    assert scroll_width(page) <= PHONE["width"]
    shoot(page, "appeal-390.png")
    context.close()

    visit.refresh_from_db()
    assert visit.score == Decimal("87.8")
