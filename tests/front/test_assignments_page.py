"""The assignments page, /assignments/: head office plans and cancels visits through the
same services as the API; a regional manager sees planned visits as counts per branch.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import override_settings
from django.utils import timezone

from audits.models import Assignment, ShopperExclusion
from tests.factories import AssignmentFactory, BranchFactory, small_checklist

URL = "/assignments/"


@pytest.fixture
def page_as(client):
    def sign_in(user):
        client.force_login(user)
        return client

    return sign_in


@pytest.fixture
def version(db):
    return small_checklist()


def days(n: int) -> str:
    return (timezone.localdate() + dt.timedelta(days=n)).isoformat()


def plan(version, *branches, shopper=None, **extra) -> dict:
    """The planning form as a browser posts it."""
    data = {
        "action": "plan",
        "checklist_version": str(version.pk),
        "window_from": days(3),
        "window_to": days(10),
        "time_from": "",
        "time_to": "",
        "shopper": str(shopper.pk) if shopper else "",
        "scenario": "Ask about a savings account.",
        "branch": [str(b.pk) for b in branches],
    }
    data.update(extra)
    return data


def branch_row(html: str, branch) -> str:
    """The planning form's row of one branch: from its <li> to the next row or region."""
    start = html.index(f'id="plan-branch-{branch.pk}"')
    end = re.compile(r'class="branch-row|</fieldset>').search(html, start + 1)
    return html[start : end.start() if end else len(html)]


# --- planning -------------------------------------------------------------------------


def test_head_office_plans_two_branches_in_one_post(
    page_as, hank, alice, east_branch, pudong, version
):
    response = page_as(hank).post(URL, plan(version, east_branch, pudong, shopper=alice))

    assert response.status_code == 302
    planned = Assignment.objects.order_by("branch__code")
    assert [(a.branch.code, a.shopper.username, a.created_by) for a in planned] == [
        ("sh-jingan", "alice", hank),
        ("sh-pudong", "alice", hank),
    ]
    assert {(a.window_from.isoformat(), a.window_to.isoformat()) for a in planned} == {
        (days(3), days(10))
    }


def test_the_success_message_lists_every_visit_planned(
    page_as, hank, alice, east_branch, pudong, version
):
    response = page_as(hank).post(
        f"{URL}?lang=en", plan(version, east_branch, pudong, shopper=alice), follow=True
    )

    html = response.content.decode()
    assert "Planned 2 visit(s):" in html
    assert f"Shanghai Jing&#x27;an (sh-jingan) · alice · {days(3)} – {days(10)}" in html
    assert f"Shanghai Pudong (sh-pudong) · alice · {days(3)} – {days(10)}" in html


def test_a_branchs_own_shopper_overrides_the_shopper_for_every_branch(
    page_as, hank, alice, bob, east_branch, pudong, version
):
    data = plan(
        version, east_branch, pudong, shopper=alice, **{f"shopper-{pudong.pk}": str(bob.pk)}
    )

    page_as(hank).post(URL, data)

    assert dict(Assignment.objects.values_list("branch__code", "shopper__username")) == {
        "sh-jingan": "alice",
        "sh-pudong": "bob",
    }


def test_a_rotation_violation_is_shown_on_its_branchs_row_and_nothing_is_saved(
    page_as, hank, alice, east_branch, pudong, version
):
    earlier = AssignmentFactory(branch=pudong, shopper=alice, checklist_version=version)

    response = page_as(hank).post(
        f"{URL}?lang=en", plan(version, east_branch, pudong, shopper=alice)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert f"already has assignment {earlier.pk} at branch sh-pudong" in branch_row(html, pudong)
    assert "row-errors" not in branch_row(html, east_branch)
    assert list(Assignment.objects.all()) == [earlier]


def test_a_rejected_plan_is_shown_again_as_it_was_filled_in(
    page_as, hank, alice, east_branch, pudong, version
):
    AssignmentFactory(branch=pudong, shopper=alice, checklist_version=version)

    html = (
        page_as(hank).post(URL, plan(version, east_branch, pudong, shopper=alice)).content.decode()
    )

    assert f'value="{east_branch.pk}" checked' in branch_row(html, east_branch)
    assert f'value="{days(3)}"' in html
    assert f'<option value="{version.pk}" selected>' in html


def test_an_excluded_shopper_is_shown_on_the_row_of_that_branch(
    page_as, hank, alice, east_branch, pudong, version
):
    ShopperExclusion.objects.create(
        shopper=alice, branch=east_branch, reason="Her cousin works there."
    )

    response = page_as(hank).post(
        f"{URL}?lang=en", plan(version, east_branch, pudong, shopper=alice)
    )

    assert response.status_code == 400
    assert "Shopper alice is excluded from branch sh-jingan." in branch_row(
        response.content.decode(), east_branch
    )
    assert not Assignment.objects.exists()


def test_a_window_in_the_past_is_refused_by_the_service_on_every_row(
    page_as, hank, alice, east_branch, version
):
    response = page_as(hank).post(
        f"{URL}?lang=en", plan(version, east_branch, shopper=alice, window_from=days(-2))
    )

    assert response.status_code == 400
    assert "Window from: The window cannot start in the past" in branch_row(
        response.content.decode(), east_branch
    )


def test_a_row_without_any_shopper_is_marked_and_nothing_is_sent_to_the_service(
    page_as, hank, east_branch, version
):
    response = page_as(hank).post(f"{URL}?lang=en", plan(version, east_branch))

    assert response.status_code == 400
    assert "Choose a shopper for this branch" in branch_row(response.content.decode(), east_branch)
    assert not Assignment.objects.exists()


def test_a_plan_without_branches_asks_for_one(page_as, hank, alice, version):
    response = page_as(hank).post(f"{URL}?lang=en", plan(version, shopper=alice))

    assert response.status_code == 400
    assert "Tick at least one branch." in response.content.decode()


def test_the_form_offers_published_checklist_versions_only(page_as, hank, east_branch, version):
    draft = small_checklist(status="draft")

    html = page_as(hank).get(URL).content.decode()

    # Within the versions' own select: a branch or region option may share a draft's id.
    versions = re.search(r'<select name="checklist_version".*?</select>', html, re.S).group(0)
    assert f'<option value="{version.pk}"' in versions
    assert f'<option value="{draft.pk}"' not in versions


# --- the list and cancelling ----------------------------------------------------------


def test_head_office_sees_each_assignments_branch_window_shopper_and_status(
    page_as, hank, alice, east_branch
):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)

    html = page_as(hank).get(f"{URL}?lang=en").content.decode()

    row = re.search(rf'<tr id="assignment-{assignment.pk}">.*?</tr>', html, re.S).group(0)
    assert "sh-jingan" in row and "alice" in row and "Open" in row
    assert f"{assignment.window_from:%Y-%m-%d} – {assignment.window_to:%Y-%m-%d}" in row


def test_the_list_filters_by_status_and_region(page_as, hank, alice, east_branch, west_branch):
    east_open = AssignmentFactory(branch=east_branch, shopper=alice)
    AssignmentFactory(branch=east_branch, shopper=alice, status=Assignment.Status.CANCELLED)
    AssignmentFactory(branch=west_branch, shopper=alice)

    html = page_as(hank).get(f"{URL}?status=open&region=east").content.decode()

    assert re.findall(r'<tr id="assignment-(\d+)">', html) == [str(east_open.pk)]


def test_the_list_is_paginated(page_as, hank, alice, east_branch):
    version = small_checklist()
    for _ in range(27):
        AssignmentFactory(branch=east_branch, shopper=alice, checklist_version=version)

    first = page_as(hank).get(f"{URL}?lang=en").content.decode()
    second = page_as(hank).get(f"{URL}?lang=en&page=2").content.decode()

    assert len(re.findall(r'<tr id="assignment-', first)) == 25
    assert len(re.findall(r'<tr id="assignment-', second)) == 2
    assert 'href="?lang=en&amp;page=2" rel="next"' in first


def test_head_office_cancels_an_open_assignment(page_as, hank, alice, east_branch):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)

    response = page_as(hank).post(
        f"{URL}?lang=en", {"action": "cancel", "assignment": str(assignment.pk)}, follow=True
    )

    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.CANCELLED
    assert "Cancelled: Shanghai Jing&#x27;an (sh-jingan) · alice" in response.content.decode()


def test_cancelling_an_assignment_no_longer_open_shows_the_services_conflict_with_409(
    page_as, hank, alice, east_branch
):
    assignment = AssignmentFactory(
        branch=east_branch, shopper=alice, status=Assignment.Status.SUBMITTED
    )

    response = page_as(hank).post(
        f"{URL}?lang=en", {"action": "cancel", "assignment": str(assignment.pk)}
    )

    assert response.status_code == 409
    assert "only open assignments can be cancelled" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.status == Assignment.Status.SUBMITTED


# --- regional managers, reviewers, shoppers -------------------------------------------


def test_a_regional_manager_sees_open_visits_counted_per_branch_of_their_regions(
    page_as, erin, alice, bob, east_branch, pudong, west_branch
):
    AssignmentFactory(branch=east_branch, shopper=alice)
    AssignmentFactory(branch=east_branch, shopper=bob)
    AssignmentFactory(branch=pudong, shopper=alice, status=Assignment.Status.CANCELLED)
    AssignmentFactory(branch=west_branch, shopper=alice)

    html = page_as(erin).get(URL).content.decode()

    counts = dict(re.findall(r'<tr data-branch="([^"]+)">.*?<td class="num">(\d+)</td>', html))
    assert counts == {"sh-jingan": "2", "sh-pudong": "0"}


def test_a_regional_manager_never_sees_the_shopper_or_any_date(page_as, erin, alice, east_branch):
    assignment = AssignmentFactory(branch=east_branch, shopper=alice)

    html = page_as(erin).get(f"{URL}?lang=en").content.decode()

    assert "sh-jingan" in html
    assert "alice" not in html
    for day in (assignment.window_from, assignment.window_to, timezone.localdate()):
        assert day.isoformat() not in html
    assert not re.search(r"\d{4}-\d{2}-\d{2}", html)


def test_a_regional_manager_cannot_plan_through_the_page(
    page_as, erin, alice, east_branch, version
):
    response = page_as(erin).post(URL, plan(version, east_branch, shopper=alice))

    assert response.status_code == 403
    assert not Assignment.objects.exists()


@pytest.mark.parametrize("persona", ["rita", "alice"])
def test_reviewers_and_shoppers_get_the_403_page(page_as, persona, request):
    response = page_as(request.getfixturevalue(persona)).get(URL)

    assert response.status_code == 403
    assert '<header class="site-header">' in response.content.decode()


def test_a_visitor_who_is_not_signed_in_is_sent_to_the_login_page(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


# --- language and menu ----------------------------------------------------------------


def test_the_page_speaks_chinese_when_asked(page_as, hank, east_branch):
    response = page_as(hank).get(f"{URL}?lang=zh-Hans")

    assert response["Content-Language"] == "zh-Hans"
    assert "安排暗访" in response.content.decode()


@override_settings(LANGUAGE_CODE="en")
@pytest.mark.parametrize("persona", ["hank", "erin"])
def test_head_office_and_regional_managers_have_the_menu_link(page_as, persona, request):
    html = page_as(request.getfixturevalue(persona)).get("/", HTTP_ACCEPT_LANGUAGE="en").content

    assert b'<a href="/assignments/"' in html


def test_reviewers_have_no_menu_link(page_as, rita):
    html = page_as(rita).get("/").content

    assert b'href="/assignments/"' not in html


def test_an_inactive_branch_is_not_offered_for_planning(page_as, hank, east):
    closed = BranchFactory(region=east, code="sh-closed", active=False)

    html = page_as(hank).get(URL).content.decode()

    assert f'id="plan-branch-{closed.pk}"' not in html
