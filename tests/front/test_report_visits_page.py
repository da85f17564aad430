"""The visits behind one branch × section cell of the comparison's heatmap (/reports/visits/).

Regional managers must never learn which shopper visited or when: for them the
page shows no shopper, no date and no time, and lists the visits by score.
The October visits are dated on days nothing else on the page could print.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audits.models import Visit
from tests.factories import UserFactory
from tests.report_data import report_checklist, report_shopper, visit

FIRST_DAY, SECOND_DAY = "2026-10-13", "2026-10-27"


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def jingan_visits(version, east_branch):
    """Two approved October visits of sh-jingan: 13th 85.0 (core 80), 27th 70.0 (core 55, greet failed)."""
    first = visit(east_branch, version, FIRST_DAY, 85.0, sections={"core": 80, "env": 90})
    second = visit(
        east_branch,
        version,
        SECOND_DAY,
        70.0,
        sections={"core": 55, "env": 85},
        answers={"greet": 0, "attitude": 50},
    )
    return first, second


@pytest.fixture
def other_visits(version, east_branch, pudong):
    """Visits that are not behind sh-jingan's October cell."""
    visit(east_branch, version, "2026-09-16", 60.0, sections={"core": 60})  # September
    visit(east_branch, version, "2026-10-18", 40.0, status=Visit.Status.SUBMITTED)  # not approved
    visit(pudong, version, "2026-10-19", 50.0, sections={"core": 50})  # another branch
    other = report_checklist("store-visit")
    visit(east_branch, other, "2026-10-20", 30.0, sections={"core": 30})  # another checklist


def visits_page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("report-visits-page"), params)


def cell(branch, **extra) -> dict:
    return {
        "branch": branch.pk,
        "section": "core",
        "period": "2026-10",
        "checklist": "branch-visit",
        "lang": "en",
        **extra,
    }


def body_rows(page: str) -> list[str]:
    tbody = page[page.index("<tbody>") : page.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", tbody, re.S)


def section_scores(page: str) -> list[str]:
    return re.findall(r'<td class="num section-score">([^<]*)</td>', page)


# --- what it lists ---------------------------------------------------------------------------


def test_it_lists_the_branchs_approved_visits_of_the_period_and_checklist(
    client, hank, east_branch, jingan_visits, other_visits
):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    assert len(body_rows(page)) == 2
    assert "2026-09-16" not in page
    assert "2026-10-18" not in page


def test_head_office_sees_each_visits_date_in_date_order(client, hank, east_branch, jingan_visits):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    assert re.findall(r'<td class="visit-date">([^<]*)</td>', page) == [FIRST_DAY, SECOND_DAY]


def test_each_visit_shows_its_score_band_and_the_sections_score(
    client, hank, east_branch, jingan_visits
):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    first, second = body_rows(page)
    assert "85.0" in first and "Meets expectation" in first  # 80 ± 5
    assert "70.0" in second and "Below expectation" in second
    assert section_scores(page) == ["80.0", "55.0"]


def test_the_mean_of_the_section_scores_is_the_heatmap_cells_number(
    client, hank, east_branch, jingan_visits
):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()
    client.force_login(hank)
    comparison = client.get(
        reverse("comparison-page"), {"period": "2026-10", "checklist": "branch-visit"}
    ).content.decode()

    footer = page[page.index("<tfoot>") : page.index("</tfoot>")]
    assert '<td class="num">67.5</td>' in footer
    assert ">67.5<" in re.search(r"<svg[^>]*chart-heatmap.*?</svg>", comparison, re.S).group(0)


def test_another_section_shows_that_sections_scores(client, hank, east_branch, jingan_visits):
    page = visits_page(client, hank, **cell(east_branch, section="env")).content.decode()

    assert section_scores(page) == ["90.0", "85.0"]
    assert "Environment" in page


def test_a_visits_critical_failures_are_named(client, hank, east_branch, jingan_visits):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    first, second = body_rows(page)
    assert "Greeted without being prompted" in second
    assert "Greeted without being prompted" not in first


def test_the_page_links_to_the_branchs_scorecard_for_the_period(
    client, hank, east_branch, jingan_visits
):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    scorecard = reverse("scorecard-page", args=[east_branch.pk])
    assert f'href="{scorecard}?period=2026-10&amp;checklist=branch-visit&amp;lang=en"' in page


def test_a_branch_without_visits_in_the_period_says_so(client, hank, east_branch, version):
    page = visits_page(client, hank, **cell(east_branch)).content.decode()

    assert "No visit to this branch was approved in this period." in page


def test_the_page_speaks_chinese_when_asked(client, hank, east_branch, jingan_visits):
    page = visits_page(client, hank, **cell(east_branch, lang="zh-Hans")).content.decode()

    assert "暗访明细" in page
    assert "上海静安支行" in page
    assert "否决项未达标" in page


# --- what a regional manager may not learn ---------------------------------------------------


def test_a_regional_manager_sees_the_visits_of_their_region(
    client, erin, east_branch, jingan_visits
):
    page = visits_page(client, erin, **cell(east_branch)).content.decode()

    assert len(body_rows(page)) == 2


def test_a_regional_manager_sees_no_visit_date_or_time(client, erin, east_branch, jingan_visits):
    page = visits_page(client, erin, **cell(east_branch)).content.decode()

    for day in (FIRST_DAY, SECOND_DAY):
        year, month, date = day.split("-")
        assert day not in page
        assert f"{month}-{date}" not in page
        assert f"{month}/{date}" not in page
        assert f"{int(month)}月{int(date)}日" not in page
    assert "10:00" not in page and "10:20" not in page  # the visits' start and end
    assert 'class="visit-date"' not in page


def test_a_regional_manager_sees_no_shopper(client, erin, east_branch, jingan_visits):
    page = visits_page(client, erin, **cell(east_branch)).content.decode()

    shopper = report_shopper()
    assert shopper.username not in page
    assert f"shopper={shopper.pk}" not in page


def test_a_regional_manager_gets_the_visits_by_score_not_by_date(
    client, erin, east_branch, version
):
    visit(east_branch, version, "2026-10-02", 60.0, sections={"core": 60})
    visit(east_branch, version, "2026-10-29", 95.0, sections={"core": 95})
    visit(east_branch, version, "2026-10-15", 75.0, sections={"core": 75})

    page = visits_page(client, erin, **cell(east_branch)).content.decode()

    assert section_scores(page) == ["95.0", "75.0", "60.0"]


def test_a_regional_manager_may_not_narrow_the_period_to_days(client, erin, east_branch, version):
    response = visits_page(
        client,
        erin,
        branch=east_branch.pk,
        section="core",
        checklist="branch-visit",
        **{"from": FIRST_DAY, "to": FIRST_DAY},
    )

    assert response.status_code == 400
    assert response.content.decode().startswith("period: ")


def test_head_office_may_ask_for_a_range_of_days(client, hank, east_branch, jingan_visits):
    response = visits_page(
        client,
        hank,
        branch=east_branch.pk,
        section="core",
        checklist="branch-visit",
        **{"from": FIRST_DAY, "to": FIRST_DAY},
    )

    assert response.status_code == 200
    assert len(body_rows(response.content.decode())) == 1


# --- who may open it, and bad parameters ---------------------------------------------------


def test_a_regional_manager_gets_404_for_a_branch_outside_their_regions(
    client, erin, west_branch, version
):
    assert visits_page(client, erin, **cell(west_branch)).status_code == 404


def test_an_unknown_branch_is_a_404(client, hank, version):
    assert visits_page(client, hank, branch=987654, period="2026-10").status_code == 404


def test_a_shopper_may_not_see_the_visits_page(client, alice, east_branch, version):
    assert visits_page(client, alice, **cell(east_branch)).status_code == 403


def test_an_admin_sees_the_dates(client, east_branch, jingan_visits):
    admin = UserFactory(username="ada", role="admin")

    page = visits_page(client, admin, **cell(east_branch)).content.decode()

    assert FIRST_DAY in page


def test_an_anonymous_visitor_is_sent_to_log_in(client, east_branch, version):
    response = client.get(reverse("report-visits-page"), cell(east_branch))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("field", "params"),
    [
        ("branch", {}),
        ("branch", {"branch": "sh-jingan"}),
        ("branch", {"branch": "-1"}),
        ("branch", {"branch": "9" * 40}),
        ("section", {"section": "nope"}),
        ("period", {"period": "2026-13"}),
        ("period", {"period": "yesterday"}),
        ("checklist", {"checklist": "nope"}),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, hank, east_branch, version, field, params):
    query = {**cell(east_branch), **params}
    if "branch" not in params:
        query["branch"] = east_branch.pk
    if field == "branch" and not params:
        del query["branch"]

    response = visits_page(client, hank, **query)

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}: ")
