"""Must show 7: sign-out is refused while a visit is unsent (which can be exported for
support meanwhile); a 401 in the middle of sending asks for sign-in and keeps the outbox,
which is sent after signing in again."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from rest_framework.authtoken.models import Token

from audits.models import Visit
from tests.phone_app.conftest import (
    PASSWORD,
    expect_sent,
    fill_small_checklist,
    finalize,
    outbox_card,
    sign_in,
    start_visit,
    the_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]


def test_sign_out_is_refused_while_a_visit_is_unsent(
    page, context, network, app_url, assignment, photo_file
):
    sign_in(page, app_url)
    start_visit(page)
    fill_small_checklist(page, photo_file())
    network.cut(context)
    finalize(page)

    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("alert")).to_contain_text("cannot sign out: 1 visit not sent yet")
    page.reload()
    expect(page.get_by_text("Signed in as alice")).to_be_visible()
    page.get_by_role("link", name="Outbox").click()
    expect(outbox_card(page).get_by_text("Answers not sent yet")).to_be_visible()
    # The last resort: a file for support with the visit and its photo bytes.
    with page.expect_download() as download:
        page.get_by_role("button", name="Export unsent visits").click()
    exported = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert exported["username"] == "alice" and len(exported["visits"]) == 1
    photo = exported["photos"][0]
    assert hashlib.sha256(base64.b64decode(photo["base64"])).hexdigest() == photo["sha256"]

    network.restore(context)
    expect_sent(page)
    page.get_by_role("link", name="Settings").click()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    # Signed out for good: the token is revoked and nothing of the visit is left on the phone.
    page.reload()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    assert not Token.objects.filter(user__username="alice").exists()
    assert (
        page.evaluate(
            """() => new Promise((resolve) => {
          const open = indexedDB.open("mystery-shopper");
          open.onsuccess = () => {
            const request = open.result.transaction("visits").objectStore("visits").count();
            request.onsuccess = () => resolve(request.result);
          };
        })"""
        )
        == 0
    )


def test_a_revoked_token_mid_send_asks_for_sign_in_and_keeps_the_outbox(
    page, context, app_url, assignment, photo_file, alice
):
    revoked = []

    def revoke_before_the_first_photo(route):
        # The visit went through; the token dies before its photo is sent (another device signed out).
        if not revoked:
            revoked.append(Token.objects.filter(user=alice).delete())
        route.continue_()

    context.route("**/api/v1/visits/*/photos/*/", revoke_before_the_first_photo)
    sign_in(page, app_url)
    start_visit(page)
    fill_small_checklist(page, photo_file())
    finalize(page)

    expect(page.get_by_role("alert").filter(has_text="Sign in again")).to_be_visible()
    card = outbox_card(page)
    expect(card.get_by_text(re.compile(r"Answers sent ✓ · Photos 0/1"))).to_be_visible()
    assert the_visit().status == Visit.Status.INCOMPLETE

    page.get_by_role("link", name="Sign in").click()
    expect(page.get_by_text("Your sign-in has expired")).to_be_visible()
    expect(page.get_by_label("Username")).to_have_value("alice")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in: the app goes home. Only then to the outbox, or going home would undo it.
    expect(page.get_by_role("heading", name="Your visits")).to_be_visible()
    expect_sent(page)
    assert the_visit().status == Visit.Status.SUBMITTED
