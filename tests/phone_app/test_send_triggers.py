"""Must show 4: without Background Sync (as on iOS) a waiting visit is sent on `online`,
on returning to the foreground, on the retry timer, and when the app starts.

The page's clock is paused (page.clock), so no retry timer fires unless the
test moves the clock: each trigger is seen on its own. SyncManager is absent
in these tests (see conftest.NO_BACKGROUND_SYNC).
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.phone_app.conftest import (
    fill_small_checklist,
    finalize,
    outbox_card,
    sign_in,
    start_visit,
    the_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

SENT_WITHIN_MS = 15_000


def waiting_visit(page, context, network, app_url, photo_file, *, offline: bool) -> None:
    """A finalized visit whose first try failed, now waiting for its retry."""
    page.clock.install()
    page.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    sign_in(page, app_url)
    start_visit(page)
    fill_small_checklist(page, photo_file())
    # offline=False: no signal, without the page being told it is offline.
    network.cut(context if offline else None)
    finalize(page)
    expect(outbox_card(page).get_by_text("Waiting for network")).to_be_visible()
    assert page.evaluate("'SyncManager' in window") is False


def test_it_sends_when_the_connection_returns(
    page, context, network, app_url, assignment, photo_file
):
    waiting_visit(page, context, network, app_url, photo_file, offline=True)
    network.restore(context)
    expect(outbox_card(page).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SENT_WITHIN_MS
    )
    assert the_visit().status == "submitted"


def test_it_sends_when_the_app_returns_to_the_foreground(
    page, context, network, app_url, assignment, photo_file
):
    waiting_visit(page, context, network, app_url, photo_file, offline=False)
    network.restore(None)
    page.wait_for_timeout(1_000)
    expect(
        outbox_card(page).get_by_text("Waiting for network")
    ).to_be_visible()  # nothing moved by itself
    # Headless pages are never hidden: play the phone switching apps and back.
    page.evaluate(
        """() => {
          for (const state of ["hidden", "visible"]) {
            Object.defineProperty(document, "visibilityState", {configurable: true, get: () => state});
            document.dispatchEvent(new Event("visibilitychange"));
          }
        }"""
    )
    expect(outbox_card(page).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SENT_WITHIN_MS
    )
    assert the_visit().status == "submitted"


def test_it_sends_when_the_retry_timer_fires(
    page, context, network, app_url, assignment, photo_file
):
    waiting_visit(page, context, network, app_url, photo_file, offline=False)
    network.restore(None)
    page.wait_for_timeout(1_000)
    expect(outbox_card(page).get_by_text("Waiting for network")).to_be_visible()
    # The first retry is due 2.5–7.5 s after the failure (5 s with ±50 % jitter).
    page.clock.run_for(8_000)
    expect(outbox_card(page).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SENT_WITHIN_MS
    )
    assert the_visit().status == "submitted"


def test_it_sends_when_the_app_starts(page, context, network, app_url, assignment, photo_file):
    waiting_visit(page, context, network, app_url, photo_file, offline=False)
    network.restore(None)
    page.reload()
    expect(outbox_card(page).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SENT_WITHIN_MS
    )
    assert the_visit().status == "submitted"
