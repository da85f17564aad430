"""The assignments page in headless Chromium: head office plans visits at a desk, and the
page fits a phone.

Drives Debian's chromium through Playwright (as tests/phone_app does) against a
live server, signs in through the login page, and saves screenshots to docs/web/.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from audits.models import Assignment
from tests.browser import DESKTOP, PHONE, scroll_width, shoot, sign_in_on_the_web
from tests.factories import PASSWORD, AssignmentFactory, BranchFactory, small_checklist

pytestmark = pytest.mark.slow


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def test_head_office_plans_visits_at_a_desk_and_the_page_fits_a_phone(
    browser, live_server, transactional_db, hank, alice, bob, east, east_branch, pudong, west_branch
):
    BranchFactory(region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui")
    version = small_checklist()
    earlier = AssignmentFactory(branch=pudong, shopper=alice, checklist_version=version)

    # At a desk: alice for both East branches; she was at Pudong too recently.
    context, page = sign_in_on_the_web(browser, live_server, hank, DESKTOP, PASSWORD)
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
    context, page = sign_in_on_the_web(browser, live_server, hank, PHONE, PASSWORD)
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
