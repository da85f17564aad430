"""Must show 1: a visit made with no signal survives a reload and the app being killed, and
arrives once; a draft comes back where it was after a reload or a closed tab."""

from __future__ import annotations

import hashlib
import re

import pytest
from playwright.sync_api import expect

from audits.models import Visit
from tests.phone_app.conftest import (
    expect_sent,
    fill_small_checklist,
    finalize,
    item,
    open_section,
    outbox_card,
    screenshot,
    sign_in,
    start_visit,
    stored_original,
    wait_for_worker,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]


def test_a_visit_filled_offline_is_kept_through_reload_and_kill_and_sent_once(
    persistent, network, app_url, assignment, alice, client_for, photo_file
):
    context, page = persistent(offline=False)
    sign_in(page, app_url)
    wait_for_worker(page)
    # The map is a link built from the branch's position, never loaded.
    osm = page.get_by_role("link", name="OpenStreetMap")
    expect(osm).to_have_attribute("href", re.compile(r"mlat=31\.2304&mlon=121\.4737"))
    expect(page.get_by_role("link", name="Open in maps")).to_have_attribute(
        "href", re.compile(r"^geo:31\.2304,121\.4737")
    )
    screenshot(page, "assignments")
    start_visit(page)

    network.cut(context)
    fill_small_checklist(page, photo_file(seed=1))
    item(page, "Photo of the entrance").evaluate(
        "element => element.scrollIntoView({block: 'end'})"
    )
    screenshot(page, "photo-item")
    open_section(page, "Core service")
    screenshot(page, "section")
    # A visit-level photo too (question ""), from the gallery.
    page.get_by_role("navigation", name="Sections").get_by_role("button", name="Finish").click()
    visit_photos = item(page, "Photos of the visit")
    visit_photos.get_by_label("Choose from gallery").set_input_files(photo_file(seed=2))
    expect(visit_photos.get_by_role("img")).to_have_count(1, timeout=20_000)
    finalize(page)

    card = outbox_card(page)
    expect(card.get_by_text("Answers not sent yet")).to_be_visible()
    expect(page.get_by_text("1 visit not sent, oldest from today")).to_be_visible()
    screenshot(page, "outbox")

    page.reload()  # offline: the shell comes from the service worker, the visit from IndexedDB
    expect(outbox_card(page).get_by_text("Answers not sent yet")).to_be_visible()

    context.close()  # the phone kills the app
    context, page = persistent(offline=True)
    page.goto(f"{app_url}#/outbox")
    expect(outbox_card(page).get_by_text("Answers not sent yet")).to_be_visible()
    expect(page.get_by_text("1 visit not sent")).to_be_visible()
    assert not Visit.objects.filter(assignment=assignment).exists()

    network.restore(context)
    expect_sent(page)

    visit = Visit.objects.get(assignment=assignment)
    assert visit.status == Visit.Status.SUBMITTED
    served = client_for(alice).get(f"/api/v1/visits/{visit.id}/").json()
    assert served["score"] == "78.9"  # tests/api/test_visit_upload.py: the same answers

    photos = list(visit.photos.all())
    assert len(photos) == 2 and all(p.received for p in photos)
    assert {p.item_code for p in photos} == {"entrance", ""}
    for photo in photos:
        assert hashlib.sha256(stored_original(photo)).hexdigest() == photo.sha256

    # The receipt on the phone: the server's id, score and every photo's sha256.
    receipt = outbox_card(page).get_by_role("group").filter(has_text="Receipt")
    receipt.get_by_text("Receipt").click()
    expect(receipt).to_contain_text(str(visit.id))
    expect(receipt).to_contain_text(f"{served['score']} (meets)")
    for photo in photos:
        expect(receipt).to_contain_text(photo.sha256)


def test_a_draft_comes_back_at_its_section_after_a_reload_and_a_closed_tab(
    context, page, app_url, assignment
):
    sign_in(page, app_url)
    start_visit(page)
    item(page, "Greeted without being prompted").get_by_label("No", exact=True).check()
    open_section(page, "Environment")
    item(page, "How was the question resolved?").get_by_label("On the spot").check()
    # Typed, never left: saved as it is typed, not on blur.
    item(page, "Overall impression").get_by_role(
        "textbox", name="Overall impression"
    ).press_sequentially("Quiet")
    # Each keystroke is its own write; on a busy machine the last one may still be queued.
    expect(page.locator("html")).to_have_attribute("data-saving", "false")

    page.reload()
    expect(page.get_by_role("heading", level=2, name="Environment")).to_be_visible()
    expect(
        item(page, "Overall impression").get_by_role("textbox", name="Overall impression")
    ).to_have_value("Quiet")

    page.close()  # the tab is closed; the app is opened again from the home screen
    page = context.new_page()
    page.goto(app_url)
    expect(page.get_by_text("Draft saved on the phone")).to_be_visible()
    start_visit(page)
    expect(page.get_by_role("heading", level=2, name="Environment")).to_be_visible()
    expect(item(page, "How was the question resolved?").get_by_label("On the spot")).to_be_checked()
    open_section(page, "Core service")
    expect(
        item(page, "Greeted without being prompted").get_by_label("No", exact=True)
    ).to_be_checked()
    # The failed critical item now asks for a comment, listed before the visit can be finalized.
    open_section(page, "Finish")
    expect(
        page.get_by_role("button", name="Greeted without being prompted: comment required")
    ).to_be_visible()
    expect(page.get_by_role("button", name="Finalize and send")).to_be_disabled()
