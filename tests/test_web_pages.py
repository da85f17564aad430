"""The server-rendered pages: a branch scorecard, the branch comparison and the review queue.

Session login (the browser), not tokens. No PDF is rendered here: the
scorecard page is the PDF's HTML, which tests/api/test_scorecard_pdf.py prints.
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from audits.models import Visit, VisitCheck
from reports.periods import parse_period
from reports.scorecard_render import render_scorecard_html
from reports.selectors.scorecard import scorecard_data
from tests.factories import BranchFactory
from tests.report_data import report_checklist, visit

OCTOBER = {"period": "2026-10"}
SVG = re.compile(r"<svg\b.*?</svg>", re.S)


@pytest.fixture
def version(east_branch, west_branch):
    """October 2026: sh-jingan 85.0 (rank 2), sh-pudong 80.0 (rank 3), cd-jinjiang 90.0 (rank 1)."""
    version = report_checklist("branch-visit")
    pudong = BranchFactory(
        region=east_branch.region,
        code="sh-pudong",
        name_zh="上海浦东支行",
        name_en="Shanghai Pudong",
    )
    visit(
        east_branch,
        version,
        "2026-10-05",
        85.0,
        sections={"core": 80, "env": 90},
        dimensions={"empathy": 70, "responsiveness": 90},
    )
    visit(east_branch, version, "2026-09-05", 75.0)
    visit(pudong, version, "2026-10-06", 80.0, sections={"core": 70, "env": 95})
    visit(west_branch, version, "2026-10-07", 90.0, sections={"core": 90, "env": 90})
    return version


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    """Most tests here rank branches scored from one or two visits, so the small-sample
    rule is switched off (1); the tests of that rule set their own threshold."""
    settings.SMALL_SAMPLE_VISITS = 1


def signed_in(client, user):
    client.force_login(user)
    return client


def scorecard_url(branch) -> str:
    return reverse("scorecard-page", args=[branch.pk])


# --- the scorecard page --------------------------------------------------------


def test_the_scorecard_page_shows_the_branchs_scorecard(client, hank, east_branch, version):
    response = signed_in(client, hank).get(
        scorecard_url(east_branch), {**OCTOBER, "lang": "zh-Hans"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "上海静安支行" in page
    assert "网点服务质量评分卡" in page
    assert "85.0" in page


def test_the_scorecard_page_draws_the_same_charts_as_the_pdf(client, hank, east_branch, version):
    response = signed_in(client, hank).get(scorecard_url(east_branch), {**OCTOBER, "lang": "en"})

    card = scorecard_data(
        branch=east_branch,
        checklist=version.checklist,
        period=parse_period("2026-10", date_from=None, date_to=None),
        lang="en",
    )
    pdf_html = render_scorecard_html(card)
    charts = SVG.findall(pdf_html)
    assert len(charts) == 3  # trend, sections and RATER radar (no area scores stored)
    assert SVG.findall(response.content.decode()) == charts


def test_the_scorecard_page_links_to_the_pdf_the_other_language_and_the_previous_period(
    client, hank, east_branch, version
):
    response = signed_in(client, hank).get(scorecard_url(east_branch), {**OCTOBER, "lang": "en"})

    page = response.content.decode()
    base = reverse("scorecard-page", args=[east_branch.pk])
    assert (
        f'href="{reverse("scorecard-pdf", args=[east_branch.pk])}?period=2026-10&amp;lang=en"'
        in page
    )
    assert f'href="{base}?period=2026-10&amp;lang=zh-Hans"' in page
    assert f'href="{base}?period=2026-09&amp;lang=en"' in page
    assert f'href="{base}?period=2026-11&amp;lang=en"' in page


def test_a_regional_manager_sees_their_own_regions_scorecard(client, erin, east_branch, version):
    assert signed_in(client, erin).get(scorecard_url(east_branch), OCTOBER).status_code == 200


def test_a_regional_manager_gets_404_for_another_regions_scorecard(
    client, erin, west_branch, version
):
    assert signed_in(client, erin).get(scorecard_url(west_branch), OCTOBER).status_code == 404


def test_a_shopper_may_not_see_a_scorecard_page(client, alice, east_branch, version):
    assert signed_in(client, alice).get(scorecard_url(east_branch), OCTOBER).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, east_branch, version):
    response = client.get(scorecard_url(east_branch), OCTOBER)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("lang", ["zh-Hans", "en"])
def test_the_scorecard_page_names_the_language_of_its_card(
    client, hank, east_branch, version, lang
):
    # Accept-Language asks for the other one: the card's own language is what counts.
    response = signed_in(client, hank).get(
        scorecard_url(east_branch),
        {**OCTOBER, "lang": lang},
        HTTP_ACCEPT_LANGUAGE="en" if lang == "zh-Hans" else "zh-Hans",
    )

    assert response["Content-Language"] == lang
    assert f'<html lang="{lang}">' in response.content.decode()


def test_a_bad_period_on_the_scorecard_page_is_a_400(client, hank, east_branch, version):
    response = signed_in(client, hank).get(scorecard_url(east_branch), {"period": "2026-13"})

    assert response.status_code == 400


# --- the comparison page -------------------------------------------------------


def comparison(client, **params):
    return client.get(
        reverse("comparison-page"), {**OCTOBER, "checklist": "branch-visit", **params}
    )


def league(page: str) -> list[tuple[str, str]]:
    """(rank, branch code) of each league-table row, in order."""
    table = page[page.index('<table class="league">') :]
    return re.findall(
        r'<td class="num">(\S+?)</td>\s*<td><a [^>]*>[^<]*</a> <span class="muted">([\w-]+)</span>',
        table,
    )


def test_the_comparison_page_ranks_every_branch(client, hank, version):
    response = comparison(signed_in(client, hank), lang="en")

    assert response.status_code == 200
    assert league(response.content.decode()) == [
        ("1", "cd-jinjiang"),
        ("2", "sh-jingan"),
        ("3", "sh-pudong"),
    ]


def test_the_comparison_page_marks_a_small_sample_where_its_rank_would_be(
    client, hank, version, settings
):
    settings.SMALL_SAMPLE_VISITS = 2  # every branch here has one October visit

    page = comparison(signed_in(client, hank), lang="en").content.decode()

    assert league(page) == []  # no row shows a rank
    assert page.count('<span class="small-sample"') == 3
    assert "Branches with fewer than 2 visits this period are a small sample" in page


def test_the_comparison_page_shows_each_branchs_90_percent_interval(
    client, hank, version, east_branch
):
    visit(east_branch, version, "2026-10-15", 80.0)
    visit(east_branch, version, "2026-10-25", 90.0)  # 85, 80, 90: 85.0, 76.6–93.4

    page = comparison(signed_in(client, hank), lang="en").content.decode()

    assert '<td class="num interval">76.6–93.4</td>' in page
    assert '<td class="num interval">—</td>' in page  # one visit: no interval


def test_the_comparison_page_draws_a_branch_by_section_heatmap(client, hank, version):
    page = comparison(signed_in(client, hank), lang="en").content.decode()

    heatmap = re.search(r'<svg[^>]*class="chart chart-heatmap".*?</svg>', page, re.S).group(0)
    assert heatmap.count('class="heat-cell"') == 3 * 2
    assert "Shanghai Pudong" in heatmap
    assert ">95.0<" in heatmap


def test_the_comparison_page_links_to_the_csv_and_xlsx_exports(client, hank, version):
    page = comparison(signed_in(client, hank)).content.decode()

    api = reverse("report-comparison")
    assert f'href="{api}?period=2026-10&amp;checklist=branch-visit&amp;format=csv"' in page
    assert f'href="{api}?period=2026-10&amp;checklist=branch-visit&amp;format=xlsx"' in page


def test_the_comparison_page_shows_a_regional_manager_only_their_regions(client, erin, version):
    page = comparison(signed_in(client, erin)).content.decode()

    assert [code for _, code in league(page)] == ["sh-jingan", "sh-pudong"]


def test_a_regional_manager_asking_for_another_region_is_refused(client, erin, version):
    assert comparison(signed_in(client, erin), region="west").status_code == 403


def test_without_parameters_the_comparison_page_opens_on_the_last_complete_month(
    client, hank, version
):
    response = signed_in(client, hank).get(reverse("comparison-page"))

    assert response.status_code == 200


def test_a_shopper_may_not_see_the_comparison_page(client, alice, version):
    assert comparison(signed_in(client, alice)).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_comparison(client, version):
    assert comparison(client).status_code == 302


# --- the review queue page -----------------------------------------------------


@pytest.fixture
def queued(east_branch):
    version = report_checklist("branch-visit")
    doubtful = visit(east_branch, version, "2026-10-05", 60.0, status=Visit.Status.SUBMITTED)
    doubtful.flagged, doubtful.confidence = True, 40
    doubtful.save(update_fields=["flagged", "confidence"])
    VisitCheck.objects.create(
        visit=doubtful,
        code="gps_far",
        passed=False,
        message="Photos taken 3.2 km from the branch.",
        penalty=40,
    )
    fine = visit(east_branch, version, "2026-10-06", 90.0, status=Visit.Status.SUBMITTED)
    visit(east_branch, version, "2026-10-07", 90.0)  # approved: not in the queue
    return doubtful, fine


def test_the_review_queue_lists_submitted_visits_doubtful_first(client, rita, queued):
    doubtful, fine = queued

    page = signed_in(client, rita).get(reverse("review-queue-page")).content.decode()

    first = page.index(reverse("review-visit-page", args=[doubtful.pk]))
    second = page.index(reverse("review-visit-page", args=[fine.pk]))
    assert first < second
    assert page.count('href="/review/visits/') == 2


def test_the_review_queue_shows_confidence_flags_and_failed_checks(client, rita, queued):
    page = signed_in(client, rita).get(reverse("review-queue-page")).content.decode()

    assert "Photos taken 3.2 km from the branch." in page
    assert '<span class="flag">flagged</span>' in page
    assert '<td class="num">40</td>' in page


def test_the_review_queue_marks_a_visit_whose_checks_have_not_run(client, rita, east_branch):
    version = report_checklist("branch-visit")
    # Stored as submitted with no confidence: its checks have not run.
    visit(east_branch, version, "2026-10-06", 90.0, status=Visit.Status.SUBMITTED)

    page = signed_in(client, rita).get(reverse("review-queue-page")).content.decode()

    assert '<span class="pending">checks pending</span>' in page
    assert '<span class="flag">' not in page


def test_head_office_may_see_the_review_queue(client, hank, queued):
    assert signed_in(client, hank).get(reverse("review-queue-page")).status_code == 200


@pytest.mark.parametrize("persona", ["erin", "alice"])
def test_regional_managers_and_shoppers_may_not_see_the_review_queue(
    client, request, persona, queued
):
    user = request.getfixturevalue(persona)

    assert signed_in(client, user).get(reverse("review-queue-page")).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in_from_the_review_queue(client, queued):
    assert client.get(reverse("review-queue-page")).status_code == 302


# --- the home page's links -------------------------------------------------------


def test_the_home_page_links_to_every_report_page(client, hank, east_branch):
    page = signed_in(client, hank).get(reverse("home")).content.decode()

    assert reverse("review-queue-page") in page
    assert reverse("comparison-page") in page
    assert reverse("scorecard-page", args=[east_branch.pk]) in page
    assert reverse("scorecard-pdf", args=[east_branch.pk]) in page
