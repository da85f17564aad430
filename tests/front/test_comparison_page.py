"""The comparison page's league table: sorted and searched on the server, by query parameters.

October 2026 (previous period September):
    branch        visits  score  previous  change
    cd-jinjiang      1     90.0      —        —
    sh-jingan        2     85.0     75.0    +10.0
    sh-pudong        1     80.0     85.0     −5.0
    sh-xuhui         0      —        —        —
"""

from __future__ import annotations

import re
from decimal import Decimal
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from checklists.models import Checklist
from reports.charts import heatmap
from tests.factories import BranchFactory
from tests.report_data import report_checklist, visit

OCTOBER = {"period": "2026-10", "checklist": "branch-visit", "lang": "en"}


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    settings.SMALL_SAMPLE_VISITS = 1


@pytest.fixture
def xuhui(east):
    return BranchFactory(
        region=east, code="sh-xuhui", name_zh="上海徐汇支行", name_en="Shanghai Xuhui"
    )


@pytest.fixture
def league_data(east_branch, pudong, west_branch, xuhui):
    version = report_checklist("branch-visit")
    visit(east_branch, version, "2026-10-05", 80.0, sections={"core": 75, "env": 85})
    visit(east_branch, version, "2026-10-20", 90.0, sections={"core": 85, "env": 95})
    visit(east_branch, version, "2026-09-05", 75.0)
    visit(pudong, version, "2026-10-06", 80.0, sections={"core": 70, "env": 95})
    visit(pudong, version, "2026-09-06", 85.0)
    visit(west_branch, version, "2026-10-07", 90.0, sections={"core": 90, "env": 90})
    return version


def page_for(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("comparison-page"), {**OCTOBER, **params})
    assert response.status_code == 200
    return response.content.decode()


def order(page: str) -> list[str]:
    """Branch codes of the league table's rows, top to bottom."""
    table = page[page.index('<table class="league">') : page.index("</table>")]
    return re.findall(r'<td><a [^>]*>[^<]*</a> <span class="muted">([\w-]+)</span>', table)


def heading_link(page: str, sort: str) -> dict[str, list[str]]:
    """The query of the league table heading that sorts by `sort`."""
    head = page[page.index("<thead>") : page.index("</thead>")]
    for href in re.findall(r'<a href="([^"]+)"', head):
        query = parse_qs(urlsplit(unescape(href)).query)
        if query.get("sort") == [sort]:
            return query
    raise AssertionError(f"no heading sorts by {sort}")


# --- sorting ---------------------------------------------------------------------------------


def test_by_default_the_league_table_is_in_rank_order_with_unscored_branches_last(
    client, hank, league_data
):
    assert order(page_for(client, hank)) == ["cd-jinjiang", "sh-jingan", "sh-pudong", "sh-xuhui"]


def test_sorting_by_rank_descending_puts_the_lowest_ranked_first_and_unscored_still_last(
    client, hank, league_data
):
    page = page_for(client, hank, sort="rank", dir="desc")

    assert order(page) == ["sh-pudong", "sh-jingan", "cd-jinjiang", "sh-xuhui"]


def test_sorting_by_score_ascending_puts_the_lowest_score_first(client, hank, league_data):
    page = page_for(client, hank, sort="score", dir="asc")

    assert order(page) == ["sh-pudong", "sh-jingan", "cd-jinjiang", "sh-xuhui"]


def test_sorting_by_visits_puts_the_most_visited_branch_first(client, hank, league_data):
    page = page_for(client, hank, sort="visits", dir="desc")

    assert order(page) == ["sh-jingan", "cd-jinjiang", "sh-pudong", "sh-xuhui"]


def test_sorting_by_change_puts_the_biggest_rise_first_and_branches_without_a_change_last(
    client, hank, league_data
):
    page = page_for(client, hank, sort="change", dir="desc")

    assert order(page) == ["sh-jingan", "sh-pudong", "cd-jinjiang", "sh-xuhui"]


def test_sorting_by_change_ascending_puts_the_biggest_fall_first(client, hank, league_data):
    page = page_for(client, hank, sort="change", dir="asc")

    assert order(page) == ["sh-pudong", "sh-jingan", "cd-jinjiang", "sh-xuhui"]


def test_sorting_by_name_follows_the_names_in_the_page_language(client, hank, league_data):
    page = page_for(client, hank, sort="name", dir="asc")

    # Chengdu Jinjiang, Shanghai Jing'an, Shanghai Pudong, Shanghai Xuhui
    assert order(page) == ["cd-jinjiang", "sh-jingan", "sh-pudong", "sh-xuhui"]


def test_a_sort_column_given_alone_sorts_in_its_natural_direction(client, hank, league_data):
    page = page_for(client, hank, sort="score")  # best first

    assert order(page) == ["cd-jinjiang", "sh-jingan", "sh-pudong", "sh-xuhui"]


def test_a_column_heading_links_to_the_page_sorted_by_that_column(client, hank, league_data):
    query = heading_link(page_for(client, hank), "visits")

    assert query["dir"] == ["desc"]
    assert query["period"] == ["2026-10"]
    assert query["checklist"] == ["branch-visit"]


def test_the_heading_of_the_current_sort_turns_the_direction_round(client, hank, league_data):
    page = page_for(client, hank, sort="score", dir="desc")

    assert heading_link(page, "score")["dir"] == ["asc"]
    assert '<th class="num" aria-sort="descending"><a ' in page


def test_the_heading_links_keep_the_search(client, hank, league_data):
    query = heading_link(page_for(client, hank, q="shanghai"), "name")

    assert query["q"] == ["shanghai"]


@pytest.mark.parametrize(("name", "value"), [("sort", "region"), ("dir", "up")])
def test_an_unknown_sort_is_a_400_naming_the_parameter(client, hank, league_data, name, value):
    client.force_login(hank)

    response = client.get(reverse("comparison-page"), {**OCTOBER, name: value})

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{name}: ")


# --- searching -------------------------------------------------------------------------------


def test_searching_by_code_keeps_the_matching_branches_in_rank_order(client, hank, league_data):
    assert order(page_for(client, hank, q="sh-")) == ["sh-jingan", "sh-pudong", "sh-xuhui"]


def test_searching_by_chinese_name_finds_the_branch(client, hank, league_data):
    assert order(page_for(client, hank, q="浦东")) == ["sh-pudong"]


def test_searching_by_english_name_ignores_case(client, hank, league_data):
    assert order(page_for(client, hank, q="JINJIANG")) == ["cd-jinjiang"]


def test_a_search_and_a_sort_combine(client, hank, league_data):
    page = page_for(client, hank, q="shanghai", sort="score", dir="asc")

    assert order(page) == ["sh-pudong", "sh-jingan", "sh-xuhui"]


def test_a_search_says_how_many_branches_match(client, hank, league_data):
    page = page_for(client, hank, q="sh-")

    assert "3 of 4 branches" in page


def test_a_search_without_a_match_says_so(client, hank, league_data):
    page = page_for(client, hank, q="beijing")

    assert order(page) == []
    assert "No branch matches “beijing”." in page


def test_the_heatmap_shows_only_the_branches_found(client, hank, league_data):
    page = page_for(client, hank, q="浦东")

    heatmap = re.search(r"<svg[^>]*chart-heatmap.*?</svg>", page, re.S).group(0)
    assert heatmap.count('class="heat-cell"') == 2  # one branch × two sections
    assert "Shanghai Pudong" in heatmap


def test_the_search_box_keeps_what_was_searched_and_the_sort(client, hank, league_data):
    page = page_for(client, hank, q="pudong", sort="visits", dir="asc")

    assert '<input type="search" name="q" value="pudong"' in page
    assert '<input type="hidden" name="sort" value="visits">' in page
    assert '<input type="hidden" name="dir" value="asc">' in page


def test_the_period_links_keep_the_search_and_the_sort(client, hank, league_data):
    page = page_for(client, hank, q="pudong", sort="visits", dir="asc")

    previous = reverse("comparison-page") + (
        "?period=2026-09&amp;checklist=branch-visit&amp;lang=en&amp;q=pudong&amp;sort=visits&amp;dir=asc"
    )
    assert f'href="{previous}"' in page


def test_the_exports_still_download_the_whole_table_while_searching(client, hank, league_data):
    page = page_for(client, hank, q="pudong")

    api = reverse("report-comparison")
    assert f'href="{api}?period=2026-10&amp;checklist=branch-visit&amp;format=csv"' in page
    assert f'href="{api}?period=2026-10&amp;checklist=branch-visit&amp;format=xlsx"' in page


def test_a_regional_manager_searches_only_their_regions(client, erin, league_data):
    assert order(page_for(client, erin, q="jinjiang")) == []


# --- visits, change and links ------------------------------------------------------------------


def test_each_row_shows_its_visits_and_its_change_against_the_previous_period(
    client, hank, league_data
):
    page = page_for(client, hank, q="jingan")

    row = page[page.index("<tbody>") : page.index("</tbody>")]
    assert '<td class="num">2</td>' in row
    assert "+10.0" in row
    assert "2026-09: 75.0" in row


def test_a_heatmap_cell_links_to_the_visits_behind_it(client, hank, league_data, east_branch):
    page = page_for(client, hank)

    href = reverse("report-visits-page") + (
        f"?branch={east_branch.pk}&amp;section=core&amp;period=2026-10"
        "&amp;checklist=branch-visit&amp;lang=en"
    )
    assert f'<a href="{href}" class="heat-link">' in page


def test_a_branch_without_visits_has_no_cell_links(client, hank, league_data, xuhui):
    page = page_for(client, hank)

    assert f"branch={xuhui.pk}&amp;" not in page
    assert page.count('class="heat-link"') == 3 * 2


def test_the_comparison_links_to_the_drivers_of_the_same_period_and_checklist(
    client, hank, league_data
):
    page = page_for(client, hank)

    drivers = reverse("drivers-page") + "?period=2026-10&amp;checklist=branch-visit&amp;lang=en"
    assert f'href="{drivers}"' in page


def test_the_league_table_scrolls_inside_its_own_box_on_a_narrow_screen(client, hank, league_data):
    page = page_for(client, hank)

    assert '<div class="table-wrap" tabindex="0">\n  <table class="league">' in page


# --- the heatmap's links (reports.charts.heatmap) ----------------------------------------------


def test_a_heatmap_drawn_without_links_is_a_plain_image_as_before():
    svg = heatmap(
        [("a", [Decimal(80)])], columns=["1. Core"], expected=Decimal(80), tolerance=Decimal(5)
    )

    assert "<a " not in svg
    assert 'role="img"' in svg


def test_a_heatmap_link_is_escaped_and_titled_with_its_row_column_and_score():
    svg = heatmap(
        [("sh-jingan <Jing'an>", [Decimal(80), None])],
        columns=["1. Core", "2. Environment"],
        expected=Decimal(80),
        tolerance=Decimal(5),
        links=[["/reports/visits/?branch=1&section=core", None]],
    )

    assert svg.count("<a ") == 1
    assert '<a href="/reports/visits/?branch=1&amp;section=core" class="heat-link">' in svg
    assert "<title>sh-jingan &lt;Jing&#x27;an&gt; · 1. Core: 80.0</title>" in svg
    assert 'role="group"' in svg


def test_the_dashboard_draws_the_trend_of_the_callers_branches(client, hank, league_data):
    page = page_for(client, hank)

    assert "Company trend" in page
    assert 'class="chart chart-trend"' in page


def test_a_regional_managers_trend_is_titled_as_their_regions(client, erin, league_data):
    assert "Your regions&#x27; trend" in page_for(client, erin)


# --- the heatmap's lens: sections | RATER | areas | key factors | BPMP ------------------------


@pytest.fixture
def lens_data(east_branch, pudong, west_branch):
    from tests.test_comparison_lenses import lens_visits

    return lens_visits(east_branch, pudong, west_branch)


def view_switch(page: str) -> str:
    start = page.index('<div class="view-switch"')
    return page[start : page.index("</div>", start)]


def heatmap_svg(page: str) -> str:
    return re.search(r"<svg[^>]*chart-heatmap.*?</svg>", page, re.S).group(0)


def test_the_view_switch_offers_every_lens_with_sections_current(client, hank, league_data):
    switch = view_switch(page_for(client, hank))

    assert re.findall(r'id="view-(\w+)"', switch) == [
        "sections",
        "rater",
        "areas",
        "factors",
        "bpmp",
    ]
    assert re.search(r'id="view-sections"[^>]*aria-current="page"', switch)
    # Plain links without JavaScript, htmx requests with it, as the sort headings.
    assert re.search(
        r'<a href="([^"]+)" id="view-areas" hx-get="\1" hx-target="#league" hx-push-url="true"',
        switch,
    )
    assert "view=areas" in switch and "view=sections" not in switch


def test_the_areas_view_draws_the_areas_and_their_averages(client, hank, lens_data):
    page = page_for(client, hank, view="areas")

    assert re.search(r'id="view-areas"[^>]*aria-current="page"', view_switch(page))
    svg = heatmap_svg(page)
    assert "Procedure" in svg and "Environment" in svg
    assert "72.6" in svg
    assert 'class="heat-link"' not in svg  # the visits page is by section only
    averages = page[page.index('class="table-wrap averages"') :]
    assert "Company average" in averages and "East average" in averages
    assert "81.3" in averages


def test_the_factors_view_names_the_factors_and_the_checklists_they_come_from(
    client, hank, lens_data
):
    page = page_for(client, hank, view="factors")

    assert "F24 No long wait" in page
    assert "F24" in heatmap_svg(page)
    assert "other-visit" in page and "branch-visit" in page


def test_the_factors_view_in_chinese_names_them_in_chinese(client, hank, lens_data):
    page = page_for(client, hank, view="factors", lang="zh-Hans")

    assert "F24 不想等待太久" in page
    assert "全公司平均" in page


def test_a_regional_managers_average_is_of_their_regions_only(client, erin, lens_data):
    page = page_for(client, erin, view="factors")
    averages = page[page.index('class="table-wrap averages"') :]

    assert "Average of your regions" in averages and "Company average" not in averages
    assert "57.5" not in averages  # West's branch would have pulled F24 down to 57.5


@pytest.fixture
def bpmp_data(east_branch, pudong, west_branch):
    from tests.test_comparison_bpmp import bpmp_visits

    return bpmp_visits(east_branch, pudong, west_branch)


def test_the_bpmp_view_draws_the_classes_and_says_what_the_reward_score_means(
    client, hank, bpmp_data
):
    page = page_for(client, hank, view="bpmp")

    assert re.search(r'id="view-bpmp"[^>]*aria-current="page"', view_switch(page))
    svg = heatmap_svg(page)
    assert all(name in svg for name in ("Basic", "Performance", "Reward", "Punishment"))
    assert "75.1" in svg
    assert "the share of delighters shown" in page
    assert "format=csv&amp;view=bpmp" in page


def test_the_bpmp_view_in_chinese(client, hank, bpmp_data):
    page = page_for(client, hank, view="bpmp", lang="zh-Hans")

    assert ">BPMP</a>" in view_switch(page)
    assert "激励因素" in heatmap_svg(page)
    assert "展现惊喜的比例" in page


def test_a_regional_managers_bpmp_averages_are_of_their_regions_only(client, erin, bpmp_data):
    page = page_for(client, erin, view="bpmp")
    averages = page[page.index('class="table-wrap averages"') :]

    assert "Average of your regions" in averages and "Company average" not in averages
    assert "cd-jinjiang" not in page


def test_a_lens_without_scores_says_so(client, hank, league_data):
    page = page_for(client, hank, view="factors")

    assert "No scores of this kind in this period." in page


def test_the_view_is_kept_by_the_sort_headings_the_form_and_the_exports(client, hank, lens_data):
    page = page_for(client, hank, view="areas")

    assert heading_link(page, "score")["view"] == ["areas"]
    assert '<input type="hidden" name="view" value="areas">' in page
    assert "format=csv&amp;view=areas" in page


def test_an_unknown_view_is_a_400_naming_the_parameter(client, hank, league_data):
    client.force_login(hank)

    response = client.get(reverse("comparison-page"), {**OCTOBER, "view": "map"})

    assert response.status_code == 400
    assert response.content.decode().startswith("view: ")


# --- the checklist chooser -------------------------------------------------------------------


def chooser_options(page: str) -> list[str]:
    chooser = page[page.index('<select name="checklist">') :]
    return re.findall(r"<option [^>]*>([^<]*)</option>", chooser[: chooser.index("</select>")])


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", ["branch-visit · phone call", "branch-visit · written", "branch-visit"]),
        ("zh-Hans", ["branch-visit · 电话", "branch-visit · 书面", "branch-visit"]),
    ],
)
def test_the_checklist_chooser_names_a_call_or_a_written_shop_next_to_its_title(
    client, hank, league_data, lang, expected
):
    for code, channel in (("a-call", "phone"), ("a-letter", "written")):
        checklist = report_checklist(code).checklist
        checklist.channel = channel
        checklist.save()
    for checklist in Checklist.objects.all():
        checklist.title_zh = checklist.title_en = (
            "branch-visit"  # only the channel tells them apart
        )
        checklist.save()

    page = page_for(client, hank, lang=lang)

    assert chooser_options(page) == expected  # by code: a-call, a-letter, branch-visit
