"""Background Sync (Chromium): the service worker sends the outbox itself and tells the open page.

The page is kept from sending (its requests are refused and its clock is
paused), so the visit can only arrive through the worker's `sync` event,
which runs core/sync.js in the worker.
"""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from tests.phone_app.conftest import (
    SEND_TIMEOUT_MS,
    fill_small_checklist,
    finalize,
    outbox_card,
    sign_in,
    start_visit,
    the_visit,
    wait_for_worker,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]


def test_the_service_worker_sends_the_outbox_on_a_sync_event_and_tells_the_page(
    persistent, app_url, assignment, photo_file
):
    context, page = persistent(background_sync=True)
    senders = []
    context.on(
        "request",
        lambda request: (
            senders.append("worker" if request.service_worker else "page")
            if request.method == "POST" and request.url.endswith("/api/v1/visits/")
            else None
        ),
    )
    page.clock.install()
    page.clock.pause_at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))
    sign_in(page, app_url)
    wait_for_worker(page)
    assert page.evaluate("'SyncManager' in window") is True
    start_visit(page)
    fill_small_checklist(page, photo_file())
    # page.route sees the page's own requests only, never the worker's.
    page.route("**/api/v1/visits/**", lambda route: route.abort("internetdisconnected"))
    finalize(page)

    # No reload: the worker's message makes the page show it.
    expect(outbox_card(page).get_by_text("Sent ✓", exact=True)).to_be_visible(
        timeout=SEND_TIMEOUT_MS
    )
    assert the_visit().status == "submitted"
    assert "worker" in senders
