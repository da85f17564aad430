"""A mystery call or a written shop: no location asked for or sent; the card says what it is.

The browser grants geolocation with a position, so a branch visit does record one:
that is what makes the phone visit's missing location a fact about the app.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from audits.models import Visit
from checklists.models import Channel
from tests.factories import AssignmentFactory, small_checklist
from tests.phone_app.conftest import (
    NO_BACKGROUND_SYNC,
    context_options,
    expect_sent,
    fill_small_checklist,
    finalize,
    sign_in,
    start_visit,
)

pytestmark = [pytest.mark.phone_app, pytest.mark.slow]

AT_THE_BRANCH = {"latitude": 31.2304, "longitude": 121.4737, "accuracy": 10}


@pytest.fixture
def located_page(browser, problems):
    context = browser.new_context(
        **context_options(geolocation=AT_THE_BRANCH, permissions=["geolocation"])
    )
    context.add_init_script(NO_BACKGROUND_SYNC)
    context.on("page", problems.watch)
    yield context.new_page()
    context.close()
    assert problems.messages == []


def assignment_on(channel: str, alice, east_branch):
    version = small_checklist()
    version.checklist.channel = channel
    version.checklist.save()
    return AssignmentFactory(shopper=alice, branch=east_branch, checklist_version=version)


def make_visit(page, photo_path) -> Visit:
    start_visit(page)
    fill_small_checklist(page, photo_path)
    finalize(page)
    expect_sent(page)
    return Visit.objects.get()


def test_a_mystery_call_says_so_and_sends_no_location(
    located_page, app_url, alice, east_branch, photo_file
):
    assignment_on(Channel.PHONE, alice, east_branch)
    sign_in(located_page, app_url)
    expect(located_page.get_by_text("Mystery call", exact=True)).to_be_visible()
    start_visit(located_page)
    fill_small_checklist(located_page, photo_file(seed=1))
    located_page.get_by_role("navigation", name="Sections").get_by_role(
        "button", name="Finish"
    ).click()
    expect(located_page.get_by_text("Location:")).to_have_count(0)
    finalize(located_page)
    expect_sent(located_page)
    assert Visit.objects.get().location_lat is None


def test_a_branch_visit_still_records_where_the_phone_was(
    located_page, app_url, alice, east_branch, photo_file
):
    assignment_on(Channel.BRANCH, alice, east_branch)
    sign_in(located_page, app_url)
    expect(located_page.get_by_text("Mystery call", exact=True)).to_have_count(0)
    visit = make_visit(located_page, photo_file(seed=2))
    assert (visit.location_lat, visit.location_lng) == (31.2304, 121.4737)
