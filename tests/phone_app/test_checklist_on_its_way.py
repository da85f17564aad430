"""A visit started while its checklist is still on its way opens once the checklist arrives.

The list shows assignments as soon as they are downloaded, before their checklists;
a shopper who taps "Start visit" in between waits for the download under way
instead of being told to connect and refresh while it is connected.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.phone_app.conftest import sign_in

pytestmark = pytest.mark.phone_app

FORGET_CHECKLISTS = """
() => new Promise((resolve, reject) => {
  const opened = indexedDB.open("mystery-shopper");
  opened.onerror = () => reject(opened.error);
  opened.onsuccess = () => {
    const tx = opened.result.transaction("checklists", "readwrite");
    tx.objectStore("checklists").clear();
    tx.oncomplete = () => { opened.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
})
"""


def test_a_visit_started_while_its_checklist_downloads_opens_when_it_arrives(
    page, app_url, assignment, network
):
    sign_in(page, app_url)
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name="Shanghai Jing'an")
    )
    start = card.get_by_role("button", name=re.compile("Start visit"))
    expect(start).to_be_visible()
    page.evaluate(FORGET_CHECKLISTS)  # listed, its checklist not on the phone
    checklists = network.hold("/api/v1/checklists/")
    page.get_by_role("button", name="Refresh").click()  # a download under way, held
    start.click()  # waits for the download under way instead of refusing
    checklists.set()
    expect(page.get_by_role("navigation", name="Sections")).to_be_visible()
    expect(page.get_by_text("not on the phone yet")).to_have_count(0)
