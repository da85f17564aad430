"""The home page of a regional manager, and the menu's links to action plans and appeals.

A regional manager's home shows their regions only: each region's league table for
the last complete month (linking to the branch pages and to the comparison of the
region), the region's scorecard zip, their open and overdue action plans and their
appeals waiting for head office. Like every page of theirs, it never says when a
visit was made or by whom.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.roles import Role
from actions.models import ActionPlan
from appeals.models import Appeal
from reports.selectors.scorecard import last_complete_month
from tests.factories import UserFactory
from tests.report_data import report_checklist, visit


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def last_month():
    return last_complete_month()


@pytest.fixture
def scored(version, last_month, east_branch, pudong, west_branch):
    """Last month's approved visits: sh-pudong 90.0, sh-jingan 80.0, and West's cd-jinjiang 70.0."""
    day = last_month.start + dt.timedelta(days=8)
    return {
        "jingan": visit(east_branch, version, day, 80.0),
        "pudong": visit(pudong, version, day, 90.0),
        "jinjiang": visit(west_branch, version, day, 70.0),
    }


def home(client, user, **headers):
    client.force_login(user)
    return client.get(reverse("home"), **headers).content.decode()


def league(page: str, region: str) -> str:
    return re.search(
        rf'<section class="rm-region" data-region="{region}">.*?</section>', page, re.S
    )[0]


def count(page: str, name: str) -> str:
    return re.search(rf'data-count="{name}"><span class="count">(\d+)</span>', page)[1]


def plan(branch, version, month, *, status=ActionPlan.Status.OPEN, due_date=None) -> ActionPlan:
    """A plan for a month below standard (one per branch and month)."""
    return ActionPlan.objects.create(
        branch=branch,
        checklist=version.checklist,
        reason=ActionPlan.Reason.BELOW_STANDARD,
        period=month,
        score=70,
        expected_score=80,
        status=status,
        due_date=due_date,
    )


# --- the league table of each region ---------------------------------------------------


def test_the_home_ranks_the_branches_of_the_managers_region_best_first(client, erin, scored):
    page = home(client, erin)

    table = league(page, "east")
    assert table.index("Shanghai Pudong") < table.index("Shanghai Jing&#x27;an")
    assert "90.0" in table and "80.0" in table


def test_the_home_shows_no_other_regions_branches(client, erin, scored):
    page = home(client, erin)

    assert 'data-region="west"' not in page
    assert "Chengdu Jinjiang" not in page


def test_each_branch_of_the_league_table_links_to_its_branch_page(
    client, erin, scored, east_branch, last_month
):
    page = home(client, erin)

    url = reverse("branch-page", args=[east_branch.pk])
    assert f'href="{url}?period={last_month.label}&amp;checklist=branch-visit&amp;lang=en"' in page


def test_the_home_links_to_the_comparison_of_each_of_the_managers_regions(
    client, erin, scored, last_month
):
    page = home(client, erin)

    comparison = reverse("comparison-page")
    query = f"period={last_month.label}&amp;checklist=branch-visit&amp;region=east&amp;lang=en"
    assert f'href="{comparison}?{query}"' in league(page, "east")


def test_a_manager_of_two_regions_gets_a_league_table_for_each(client, east, west, scored):
    both = UserFactory(username="rm-both", role=Role.REGIONAL_MANAGER, regions=[east, west])

    page = home(client, both)

    assert "Shanghai Pudong" in league(page, "east")
    assert "Chengdu Jinjiang" in league(page, "west")


def test_the_home_links_to_the_regions_scorecard_zip_for_the_month(
    client, erin, east, scored, last_month
):
    page = home(client, erin)

    zip_url = reverse("region-scorecards-zip", args=[east.pk])
    assert f'href="{zip_url}?period={last_month.label}"' in league(page, "east")


def test_the_home_never_says_when_a_visit_was_made_or_by_whom(client, erin, scored):
    page = home(client, erin)

    assert scored["jingan"].visited_on.isoformat() not in page
    assert "report-shopper" not in page


# --- action plans and appeals -----------------------------------------------------------


def test_the_home_counts_the_managers_plans_in_progress_and_links_to_them(
    client, erin, version, east_branch, pudong, west_branch
):
    plan(east_branch, version, "2026-10")
    plan(pudong, version, "2026-10", status=ActionPlan.Status.SUBMITTED)
    plan(pudong, version, "2026-09", status=ActionPlan.Status.VERIFIED)  # done: not counted
    plan(west_branch, version, "2026-10")  # another region's

    page = home(client, erin)

    assert count(page, "open-plans") == "2"
    assert f'href="{reverse("action-plans-page")}?show=active" data-count="open-plans"' in page


def test_the_home_counts_the_managers_overdue_plans_and_links_to_them(
    client, erin, version, east_branch, west_branch
):
    long_ago = dt.date(2026, 1, 31)
    plan(east_branch, version, "2026-10", due_date=long_ago)
    plan(east_branch, version, "2026-09", due_date=dt.date(2099, 1, 31))  # not due yet
    settled = ActionPlan.Status.ACCEPTED
    plan(east_branch, version, "2026-08", status=settled, due_date=long_ago)
    plan(west_branch, version, "2026-10", due_date=long_ago)  # another region's

    page = home(client, erin)

    assert count(page, "overdue-plans") == "1"
    assert f'href="{reverse("action-plans-page")}?show=overdue" data-count="overdue-plans"' in page


def test_the_home_counts_the_managers_appeals_waiting_for_head_office(client, erin, wes, scored):
    Appeal.objects.create(visit=scored["jingan"], branch=scored["jingan"].branch, submitted_by=erin)
    Appeal.objects.create(
        visit=scored["pudong"],
        branch=scored["pudong"].branch,
        submitted_by=erin,
        status=Appeal.Status.REJECTED,
    )
    Appeal.objects.create(
        visit=scored["jinjiang"], branch=scored["jinjiang"].branch, submitted_by=wes
    )

    page = home(client, erin)

    assert count(page, "open-appeals") == "1"
    assert f'href="{reverse("appeals-page")}" data-count="open-appeals"' in page


def test_head_office_does_not_get_the_regional_managers_part(client, hank, scored):
    page = home(client, hank)

    assert 'id="rm-regions"' not in page
    assert 'data-count="open-plans"' not in page


def test_the_regional_managers_home_speaks_chinese(client, erin, scored):
    page = home(client, erin, HTTP_ACCEPT_LANGUAGE="zh-CN")

    assert "网点排名" in page
    assert "上海浦东支行" in league(page, "east")
    assert "整改计划" in page


# --- the menu ---------------------------------------------------------------------------


def menu_targets(page: str) -> list[str]:
    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', page, re.S)
    return re.findall(r'<a href="([^"]+)"', nav[1]) if nav else []


@pytest.mark.parametrize("persona", ["erin", "hank"])
def test_regional_managers_and_head_office_are_offered_action_plans_and_appeals(
    client, request, persona
):
    targets = menu_targets(home(client, request.getfixturevalue(persona)))

    assert reverse("action-plans-page") in targets
    assert reverse("appeals-page") in targets


def test_an_admin_is_offered_action_plans(client, db):
    admin = UserFactory(username="ada", role=Role.ADMIN)

    assert reverse("action-plans-page") in menu_targets(home(client, admin))


@pytest.mark.parametrize("persona", ["rita", "alice"])
def test_reviewers_and_shoppers_are_offered_neither_plans_nor_appeals(client, request, persona):
    targets = menu_targets(home(client, request.getfixturevalue(persona)))

    assert reverse("action-plans-page") not in targets
    assert reverse("appeals-page") not in targets


def test_the_menu_names_plans_and_appeals_in_chinese(client, erin):
    page = home(client, erin, HTTP_ACCEPT_LANGUAGE="zh-CN")

    nav = re.search(r'<nav class="site-nav"[^>]*>(.*?)</nav>', page, re.S)[1]
    assert f'<a href="{reverse("action-plans-page")}">整改计划</a>' in nav
    assert f'<a href="{reverse("appeals-page")}">申诉</a>' in nav
