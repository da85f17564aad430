"""The branch page (/branches/<id>/): one branch's score history, profile, visits,
action plans and appeals.

Regional managers must never learn which shopper visited or when: for them the
page shows no shopper, no date and no time, and lists the visits by score. The
October visits are dated on days nothing else on the page could print.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from actions.models import ActionPlan
from appeals.models import Appeal
from audits.models import Visit
from tests.browser import DESKTOP, PHONE, scroll_width, shoot, sign_in_on_the_web
from tests.factories import PASSWORD
from tests.report_data import complainant_type_item, report_checklist, visit

FIRST_DAY, SECOND_DAY = "2026-10-13", "2026-10-27"
OCTOBER = {"period": "2026-10", "checklist": "branch-visit", "lang": "en"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def jingan_visits(version, east_branch):
    """Two approved October visits of sh-jingan (85.0, and 70.0 with greet failed) and a September one."""
    first = visit(
        east_branch,
        version,
        FIRST_DAY,
        85.0,
        sections={"core": 80, "env": 90},
        dimensions={"empathy": 75, "reliability": 90},
    )
    second = visit(
        east_branch,
        version,
        SECOND_DAY,
        70.0,
        sections={"core": 55, "env": 85},
        answers={"greet": 0, "attitude": 50},
    )
    visit(east_branch, version, "2026-09-16", 60.0, sections={"core": 60, "env": 60})
    return first, second


def branch_page(client, user, branch, **params):
    client.force_login(user)
    return client.get(reverse("branch-page", args=[branch.pk]), params)


def visit_rows(page: str) -> list[str]:
    table = re.search(r'<table class="visits">.*?</table>', page, re.S).group(0)
    tbody = table[table.index("<tbody>") : table.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", tbody, re.S)


def history_rows(page: str) -> list[str]:
    table = re.search(r'<table class="history">.*?</table>', page, re.S).group(0)
    return re.findall(r"<tr[^>]*>.*?</tr>", table[table.index("<tbody>") :], re.S)


def plan(branch, version, *, status=ActionPlan.Status.OPEN, **fields) -> ActionPlan:
    return ActionPlan.objects.create(
        branch=branch,
        checklist=version.checklist,
        reason=ActionPlan.Reason.BELOW_STANDARD,
        period="2026-10",
        score=70,
        expected_score=80,
        status=status,
        **fields,
    )


# --- what it shows ---------------------------------------------------------------------


def test_the_page_shows_the_figures_shoppers_recorded_as_period_aggregates(
    client, erin, east_branch, version
):
    for day, seconds in ((13, 8), (27, 15)):
        visit(
            east_branch,
            version,
            f"2026-10-{day}",
            80.0,
            answers={"wait": {"score": 60, "value": seconds}},
        )

    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    figures = re.search(r'<div class="card" id="figures">.*?</table>', page, re.S).group(0)
    assert "Figures" in figures
    assert "Seconds until greeted" in figures
    assert ">11.5<" in figures  # the mean of 8 and 15
    assert "8.0–15.0" in figures  # the range, never the visits one by one


def test_the_page_shows_the_complainant_types_played_with_their_mean_visit_score(
    client, erin, east_branch, version
):
    complainant_type_item(version)
    for day, score in ((13, 62.0), (27, 71.0)):
        visit(east_branch, version, f"2026-10-{day}", score, answers={"type": {"value": "venting"}})

    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    table = re.search(r'<table class="[^"]*choice-table".*?</table>', page, re.S).group(0)
    assert "The complainant type you played" in table and "Recorded, not scored" in table
    venting = re.search(r'<tr data-option="venting">.*?</tr>', table, re.S).group(0)
    assert ">2<" in venting and ">66.5<" in venting  # two visits, their mean: never one by one
    assert ">0<" in re.search(r'<tr data-option="dependent">.*?</tr>', table, re.S).group(0)


def test_the_complainant_types_speak_chinese(client, erin, east_branch, version):
    complainant_type_item(version)
    visit(east_branch, version, "2026-10-13", 80.0, answers={"type": {"value": "venting"}})

    page = branch_page(client, erin, east_branch, **{**OCTOBER, "lang": "zh-Hans"}).content
    table = re.search(r'<table class="[^"]*choice-table".*?</table>', page.decode(), re.S).group(0)

    for wording in ("扮演的投诉者类型", "表现不满型", "暗访平均得分", "仅记录，不计分"):
        assert wording in table


def test_the_page_names_the_branch_its_region_and_the_period(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert "Shanghai Jing&#x27;an" in page
    assert "sh-jingan" in page
    assert "East" in page
    assert "Oct 2026" in page


def test_the_score_is_the_scorecards_score_for_the_period(client, hank, east_branch, jingan_visits):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert '<span class="score-pill band-meets">77.5</span>' in page  # (85 + 70) / 2, 80 ± 5


def test_the_history_lists_the_last_six_periods_newest_first_with_their_scores(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    rows = history_rows(page)
    assert len(rows) == 6
    assert "Oct 2026" in rows[0] and "77.5" in rows[0]
    assert "Sep 2026" in rows[1] and "60.0" in rows[1]
    assert "May 2026" in rows[5]


def test_the_history_draws_the_scorecards_trend_chart(client, hank, east_branch, jingan_visits):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert 'class="chart chart-trend"' in page


def test_each_period_of_the_history_links_to_its_scorecard_page_and_pdf(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    september = history_rows(page)[1]
    query = "period=2026-09&amp;checklist=branch-visit&amp;lang=en"
    assert f'href="{reverse("scorecard-page", args=[east_branch.pk])}?{query}"' in september
    assert f'href="{reverse("scorecard-pdf", args=[east_branch.pk])}?{query}"' in september


def test_the_profile_shows_the_sections_and_the_rater_dimensions(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert 'class="chart chart-sections"' in page
    assert "RATER profile" in page


def test_the_visits_of_the_period_show_score_band_and_critical_failures(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    first, second = visit_rows(page)
    assert "85.0" in first and "Meets expectation" in first
    assert "70.0" in second and "Below expectation" in second
    assert "Greeted without being prompted" in second
    assert "Greeted without being prompted" not in first


def test_only_approved_visits_of_the_period_are_listed(client, hank, east_branch, jingan_visits):
    visit(east_branch, jingan_visits[0].checklist_version, "2026-10-20", 40.0, status="submitted")

    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert len(visit_rows(page)) == 2
    assert "2026-10-20" not in page


def test_head_office_sees_each_visits_date_and_shopper_in_date_order(
    client, hank, east_branch, jingan_visits
):
    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert re.findall(r'<td class="nowrap visit-date">([^<]*)</td>', page) == [
        FIRST_DAY,
        SECOND_DAY,
    ]
    assert "report-shopper" in page


def test_head_office_and_reviewers_can_open_each_visit_in_the_review_desk(
    client, rita, east_branch, jingan_visits
):
    page = branch_page(client, rita, east_branch, **OCTOBER).content.decode()

    for each in jingan_visits:
        assert f'href="{reverse("review-visit-page", args=[each.pk])}"' in page


def test_another_period_shows_that_periods_visits(client, hank, east_branch, jingan_visits):
    page = branch_page(client, hank, east_branch, **{**OCTOBER, "period": "2026-09"})

    rows = visit_rows(page.content.decode())
    assert len(rows) == 1 and "60.0" in rows[0]


def test_a_quarter_is_a_period_too(client, hank, east_branch, jingan_visits):
    page = branch_page(client, hank, east_branch, **{**OCTOBER, "period": "2026-Q4"})

    assert page.status_code == 200
    assert len(visit_rows(page.content.decode())) == 2


def test_the_page_speaks_chinese(client, hank, east_branch, jingan_visits):
    page = branch_page(client, hank, east_branch, **{**OCTOBER, "lang": "zh-Hans"})

    html = page.content.decode()
    assert "上海静安支行" in html
    assert "历史得分" in html
    assert "2026年10月" in html
    assert page["Content-Language"] == "zh-Hans"


# --- what a regional manager may learn --------------------------------------------------


def test_a_regional_manager_sees_their_regions_branch(client, erin, east_branch, jingan_visits):
    assert branch_page(client, erin, east_branch, **OCTOBER).status_code == 200


def test_a_regional_manager_sees_no_visit_date_and_no_shopper(
    client, erin, east_branch, jingan_visits
):
    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    assert len(visit_rows(page)) == 2
    for day in (FIRST_DAY, SECOND_DAY, "2026-09-16"):
        assert day not in page
        assert day[5:] not in page  # nor the month and day alone
    assert "report-shopper" not in page
    assert "10:00" not in page  # the visits' start time


def test_a_regional_manager_gets_the_visits_by_score_not_by_date(
    client, erin, east_branch, version
):
    visit(east_branch, version, "2026-10-03", 70.0)
    visit(east_branch, version, "2026-10-17", 90.0)
    visit(east_branch, version, "2026-10-29", 80.0)

    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    scores = [
        re.search(r"score-pill band-\w+\">([^<]*)<", row).group(1) for row in visit_rows(page)
    ]
    assert scores == ["90.0", "80.0", "70.0"]


def test_a_regional_manager_is_not_linked_to_the_review_desk(
    client, erin, east_branch, jingan_visits
):
    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    assert "/review/visits/" not in page
    for each in jingan_visits:
        assert str(each.pk) not in page


def test_a_regional_manager_may_not_ask_for_a_date_range(client, erin, east_branch, version):
    response = branch_page(client, erin, east_branch, **{"from": "2026-10-13", "to": "2026-10-13"})

    assert response.status_code == 400


def test_a_regional_manager_gets_a_403_page_for_another_regions_branch(
    client, erin, west_branch, version
):
    response = branch_page(client, erin, west_branch, **OCTOBER)

    assert response.status_code == 403
    assert '<header class="site-header">' in response.content.decode()


def test_an_unknown_branch_is_a_404_page(client, hank, version):
    client.force_login(hank)
    response = client.get(reverse("branch-page", args=[987654]))

    assert response.status_code == 404
    assert '<header class="site-header">' in response.content.decode()


def test_a_shopper_may_not_open_a_branch_page(client, alice, east_branch, version):
    assert branch_page(client, alice, east_branch).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, east_branch, version):
    response = client.get(reverse("branch-page", args=[east_branch.pk]))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


# --- action plans and appeals ------------------------------------------------------------


def test_the_branchs_action_plans_are_listed_with_their_status_and_a_link(
    client, erin, east_branch, pudong, version
):
    own = plan(east_branch, version, status=ActionPlan.Status.SUBMITTED)
    other = plan(pudong, version)

    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    assert f'data-plan="{own.pk}"' in page
    assert f'href="{reverse("action-plan-page", args=[own.pk])}"' in page
    assert "Submitted" in page
    assert f'data-plan="{other.pk}"' not in page


def test_an_overdue_action_plan_is_marked_overdue(client, hank, east_branch, version):
    plan(east_branch, version, due_date=dt.date(2026, 1, 31))

    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert '<span class="tag tag-overdue">overdue</span>' in page


def test_the_branchs_appeals_are_listed_with_a_link_to_each(
    client, erin, east_branch, jingan_visits
):
    appeal = Appeal.objects.create(visit=jingan_visits[1], branch=east_branch, submitted_by=erin)

    page = branch_page(client, erin, east_branch, **OCTOBER).content.decode()

    assert f'href="{reverse("appeal-page", args=[appeal.pk])}"' in page
    assert "Waiting for head office" in page
    assert f'href="{reverse("appeals-page")}"' in page


def test_a_reviewer_is_shown_neither_action_plans_nor_appeals(
    client, rita, east_branch, jingan_visits
):
    page = branch_page(client, rita, east_branch, **OCTOBER).content.decode()

    assert 'id="action-plans"' not in page
    assert 'id="appeals"' not in page


# --- links to the page ------------------------------------------------------------------


def test_the_home_pages_branch_table_links_each_branch_to_its_page(client, hank, east_branch):
    client.force_login(hank)
    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("branch-page", args=[east_branch.pk])}"' in page


def test_the_league_table_links_each_branch_name_to_its_page(
    client, hank, east_branch, jingan_visits
):
    client.force_login(hank)
    page = client.get(reverse("comparison-page"), OCTOBER).content.decode()

    branch_url = reverse("branch-page", args=[east_branch.pk])
    assert f'<a href="{branch_url}?period=2026-10&amp;checklist=branch-visit&amp;lang=en">' in page


def test_visits_of_another_status_never_count(client, hank, east_branch, version):
    visit(east_branch, version, "2026-10-05", 50.0, status=Visit.Status.REJECTED)

    page = branch_page(client, hank, east_branch, **OCTOBER).content.decode()

    assert "No visit to this branch was approved in this period." in page


# --- in a browser: a desktop and a 390 px phone -------------------------------------------


@pytest.fixture
def lived_in_branch(settings, version, east_branch, pudong, west_branch, erin):
    """Six months of sh-jingan's visits with RATER and area scores, a plan and an appeal."""
    from audits.models import VisitScore
    from reports.periods import last_n
    from reports.selectors.scorecard import last_complete_month

    settings.SMALL_SAMPLE_VISITS = 1  # rank branches scored from one visit
    months = last_n(last_complete_month(), 6)
    rater = {
        "reliability": 82,
        "assurance": 76,
        "tangibles": 90,
        "empathy": 64,
        "responsiveness": 71,
    }
    for number, month in enumerate(months):
        visit(east_branch, version, month.start.replace(day=9), 70 + 2 * number)
    last = months[-1].start
    visits = [
        visit(
            east_branch,
            version,
            last.replace(day=day),
            score,
            sections={"core": score - 5, "env": score + 5},
            dimensions=rater,
            answers=answers,
        )
        for day, score, answers in (
            (13, 86.5, {"greet": 100, "attitude": 75, "wait": {"score": 100, "value": 7}}),
            (24, 68.0, {"greet": 0, "attitude": 50, "wait": {"score": 60, "value": 18}}),
        )
    ]
    for each in visits:
        VisitScore.objects.bulk_create(
            VisitScore(visit=each, kind=VisitScore.Kind.AREA, key=key, score=value)
            for key, value in (("procedure", 78), ("people", 70), ("environment", 88))
        )
    visit(pudong, version, last.replace(day=11), 91.0, sections={"core": 90, "env": 92})
    visit(west_branch, version, last.replace(day=12), 74.0)
    ActionPlan.objects.create(
        branch=east_branch,
        checklist=version.checklist,
        reason=ActionPlan.Reason.CRITICAL_FAILURE,
        period=months[-1].label,
        visit=visits[1],
    )
    Appeal.objects.create(visit=visits[1], branch=east_branch, submitted_by=erin)
    return {"visits": visits, "period": months[-1]}


@pytest.mark.slow
def test_the_branch_page_and_the_managers_home_fit_a_desktop_and_a_390_pixel_phone(
    transactional_db, browser, live_server, hank, erin, east_branch, lived_in_branch
):
    period = lived_in_branch["period"].label
    branch_url = (
        f"{live_server.url}{reverse('branch-page', args=[east_branch.pk])}"
        f"?period={period}&checklist=branch-visit&lang=en"
    )
    widths = {}
    for user, viewport in ((hank, DESKTOP), (erin, PHONE)):
        context, page = sign_in_on_the_web(
            browser, live_server, user, viewport, PASSWORD, timezone_id="Asia/Shanghai"
        )
        try:
            assert page.url == f"{live_server.url}/"
            if user == erin:
                page.locator("#rm-regions").wait_for()
                shoot(page, "regional-manager-home-390.png")
                widths["home"] = scroll_width(page)
            page.goto(branch_url)
            page.locator("table.visits").wait_for()
            name = f"branch-{viewport['width']}.png"
            shoot(page, name)
            widths[name] = scroll_width(page)
        finally:
            context.close()

    assert widths["home"] <= 390
    assert widths["branch-390.png"] <= 390
    assert widths["branch-1366.png"] <= 1366
