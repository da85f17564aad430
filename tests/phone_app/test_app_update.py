"""A new version of the app applies only when no visit is open, and keeps every draft."""

from __future__ import annotations

import shutil

import pytest
from playwright.sync_api import expect

from mobile import views
from tests.phone_app.conftest import item, sign_in, start_visit, wait_for_worker

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

SHELL_CACHES = "() => caches.keys().then((keys) => keys.filter((k) => k.startsWith('shell-')))"


@pytest.fixture
def src_copy(tmp_path, monkeypatch):
    """The live server serves a copy of mobile/src, which the test changes to release a version."""
    copy = tmp_path / "src"
    shutil.copytree(views.SRC, copy)
    monkeypatch.setattr(views, "SRC", copy.resolve())
    return copy


def test_an_update_waits_for_the_open_visit_and_keeps_the_draft(
    page, app_url, assignment, src_copy
):
    sign_in(page, app_url)
    wait_for_worker(page)
    [first] = page.evaluate(SHELL_CACHES)
    start_visit(page)
    greet = item(page, "Greeted without being prompted").get_by_label("Yes", exact=True)
    greet.check()

    css = src_copy / "app.css"
    css.write_text(css.read_text(encoding="utf-8") + "\n/* the next version */\n", encoding="utf-8")
    page.evaluate("() => { window.sameDocument = true; }")
    page.evaluate("() => navigator.serviceWorker.getRegistration().then((r) => r.update())")
    # Installing precaches every file of the new version: give a loaded machine time.
    page.wait_for_function(
        "() => navigator.serviceWorker.getRegistration().then((r) => Boolean(r.waiting))",
        timeout=60_000,
    )
    expect(page.get_by_text("A new version will be used once no visit is open.")).to_be_visible()
    page.wait_for_timeout(500)
    assert page.evaluate("() => window.sameDocument") is True  # not reloaded under the shopper
    expect(greet).to_be_checked()

    page.get_by_role("link", name="Visits").click()  # leaving the visit lets the update in
    page.wait_for_function("() => window.sameDocument === undefined")
    expect(page.get_by_role("heading", name="Your visits")).to_be_visible()
    [second] = page.evaluate(SHELL_CACHES)
    assert second != first
    expect(page.get_by_text("Draft saved on the phone")).to_be_visible()
    start_visit(page)
    expect(
        item(page, "Greeted without being prompted").get_by_label("Yes", exact=True)
    ).to_be_checked()
