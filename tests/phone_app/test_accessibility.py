"""The app's screens: no serious or critical axe-core violations, touch targets of 44 px,
no horizontal scrolling at 360 px, and the whole app in zh-Hans at the tap of a button."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.phone_app.conftest import (
    AXE,
    NO_BACKGROUND_SYNC,
    context_options,
    fill_small_checklist,
    finalize,
    item,
    open_section,
    sign_in,
    start_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

# Everything a thumb taps; a radio or checkbox is tapped through its label, a file input through its button.
SMALL_TARGETS = """() => [...document.querySelectorAll(
    "button, a[href], input:not([type=radio]):not([type=checkbox]):not([type=file]), select, textarea, label.choice, label.button, summary"
  )].filter((el) => {
    const box = el.getBoundingClientRect();
    if (!box.width || !box.height || el.closest(".skip")) return false;  // hidden, or the skip link off-screen
    return box.width < 44 || box.height < 44;
  }).map((el) => `${el.tagName} ${el.textContent.trim().slice(0, 30)} ${Math.round(el.getBoundingClientRect().width)}x${Math.round(el.getBoundingClientRect().height)}`)"""


@pytest.fixture
def page(browser, problems):
    # Only here is the CSP bypassed: axe is injected as an inline script.
    context = browser.new_context(
        **context_options(viewport={"width": 360, "height": 740}), bypass_csp=True
    )
    context.add_init_script(NO_BACKGROUND_SYNC)
    page = problems.watch(context.new_page())
    yield page
    context.close()


def check(page, screen: str) -> None:
    page.add_script_tag(path=str(AXE))
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
            .filter((v) => v.impact === "serious" || v.impact === "critical")
            .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`)"""
    )
    assert violations == [], screen
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360, screen
    assert page.evaluate(SMALL_TARGETS) == [], screen


def test_every_screen_is_accessible_at_360_px(page, app_url, assignment, photo_file):
    page.goto(app_url)
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    check(page, "sign-in")
    sign_in(page, app_url)
    check(page, "assignments")
    start_visit(page)
    open_section(page, "Core service")
    attitude = item(page, "Warm, willing service")
    attitude.get_by_label("Not applicable (N/A)").check()
    expect(attitude.get_by_label("3 · Acceptable")).to_be_disabled()
    attitude.get_by_label("Not applicable (N/A)").uncheck()
    check(page, "section")
    fill_small_checklist(
        page, photo_file(), greet="No"
    )  # a failed critical item asks for a comment
    open_section(page, "Core service")
    greet = item(page, "Greeted without being prompted")
    expect(
        greet.get_by_label("Comment (required: the answer fails; say what happened)")
    ).to_be_visible()
    check(page, "section with a required comment")
    open_section(page, "Environment")
    check(page, "section with a photo")
    open_section(page, "Finish")
    expect(
        page.get_by_role("button", name="Greeted without being prompted: comment required")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Finalize and send")).to_be_disabled()
    check(page, "finish with something missing")
    open_section(page, "Core service")
    greet.get_by_label("Comment (required: the answer fails; say what happened)").fill(
        "Nobody looked up."
    )
    page.get_by_role("link", name="Outbox").click()
    page.get_by_role("link", name="Visits").click()
    start_visit(page)  # the draft reopens where it was
    finalize(page)
    check(page, "outbox")
    page.get_by_role("link", name="Settings").click()
    check(page, "settings")


def test_the_app_switches_to_chinese_and_keeps_it(page, app_url, assignment):
    sign_in(page, app_url)
    page.get_by_role("button", name="切换到中文").click()
    expect(page.get_by_role("heading", name="您的走访")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    start_visit_zh = page.get_by_role("button", name="开始走访")
    start_visit_zh.click()
    # The checklist is in Chinese too, from the copy downloaded in both languages.
    expect(page.get_by_role("group", name="主动问候")).to_be_visible()
    page.reload()
    expect(page.get_by_role("navigation", name="部分")).to_be_visible()
    open_section_zh = page.get_by_role("navigation", name="部分").get_by_role("button", name="完成")
    open_section_zh.click()
    expect(page.get_by_role("button", name="提交")).to_be_disabled()
    check(page, "zh-Hans finish")
