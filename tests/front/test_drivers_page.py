"""The score drivers page (/reports/drivers/): the drivers API's numbers, with their caveats.

October 2026, three branches (overall 60, 70, 90):
                  overall  greet (critical)  attitude  clean
    sh-jingan       60          100              25      100
    sh-pudong       70            0              50       80
    cd-jinjiang     90          100             100       60
"""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from reports.labels import labels_for
from tests.report_data import report_checklist, visit

OCTOBER = {"period": "2026-10", "checklist": "branch-visit", "lang": "en"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture
def answers(version, east_branch, pudong, west_branch):
    visit(
        east_branch,
        version,
        "2026-10-02",
        60.0,
        answers={"greet": 100, "attitude": {"score": 25, "gain": "9.00"}, "clean": 100},
    )
    visit(
        pudong,
        version,
        "2026-10-05",
        70.0,
        answers={
            "greet": {"score": 0, "gain": "20.00"},
            "attitude": {"score": 50, "gain": "6.00"},
            "clean": {"score": 80, "gain": "2.00"},
        },
    )
    visit(
        west_branch,
        version,
        "2026-10-09",
        90.0,
        answers={"greet": 100, "attitude": 100, "clean": {"score": 60, "gain": "4.00"}},
    )


def drivers_page(client, user, **params):
    client.force_login(user)
    return client.get(reverse("drivers-page"), {**OCTOBER, **params})


def item_rows(page: str) -> list[str]:
    tbody = page[page.index("<tbody>") : page.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", tbody, re.S)


def item_codes(page: str) -> list[str]:
    return re.findall(r'<span class="section">[^<]*· ([\w-]+)</span>', page)


def test_head_office_sees_the_items_by_points_to_gain(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    # greet 20/3 = 6.67, attitude 15/3 = 5.00, clean 6/3 = 2.00, then items nobody answered
    assert item_codes(page)[:3] == ["greet", "attitude", "clean"]
    assert "6.67" in item_rows(page)[0]


def test_the_page_shows_the_same_numbers_as_the_drivers_api(client, hank, answers):
    page = drivers_page(client, hank).content.decode()
    api = client.get(reverse("report-drivers"), {"period": "2026-10", "checklist": "branch-visit"})

    rows = dict(zip(item_codes(page), item_rows(page), strict=True))
    labels = labels_for("en")
    for item in api.json()["items"]:
        row = rows[item["code"]]
        if item["points_to_gain"] is not None:
            assert f">{item['points_to_gain']}</td>" in row
        if item["correlation"] is not None:
            assert f"{float(item['correlation']):+.3f}" in row
        assert f'"{labels["answers"]}">{item["answers"]}</td>' in row


def test_each_item_shows_its_average_and_failure_rate(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    greet = item_rows(page)[0]
    assert 'data-label="Average">66.7</td>' in greet  # (100 + 0 + 100) / 3
    assert 'data-label="Failure rate">33.3%</td>' in greet  # one failure in three


def test_a_critical_item_is_marked(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    assert '<span class="tag tag-critical">Critical</span>' in item_rows(page)[0]
    assert "tag-critical" not in item_rows(page)[1]


def test_a_correlation_that_cannot_be_taken_is_a_dash_with_the_reason(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    unanswered = item_rows(page)[-1]  # nobody answered it: no correlation
    assert 'title="Fewer than 3 branches, or no difference between them">—' in unanswered


def test_the_caveats_say_correlation_is_not_causation(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    assert "Correlation is not causation" in page
    assert "Small samples" in page


def test_the_page_says_how_many_visits_and_branches_the_numbers_rest_on(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    assert "Scored approved visits: 3; branches with a score: 3." in page


def test_few_branches_come_with_a_warning_to_read_correlations_as_anecdotes(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    assert "fewer than about 20: read the correlations as anecdotes" in page


def test_the_page_speaks_chinese_when_asked(client, hank, answers):
    page = drivers_page(client, hank, lang="zh-Hans").content.decode()

    assert "得分驱动因素" in page
    assert "相关不等于因果" in page
    assert "主动问候" in page


def test_a_regional_manager_sees_the_drivers_of_their_regions_only(client, erin, answers):
    page = drivers_page(client, erin).content.decode()

    assert "Scored approved visits: 2; branches with a score: 2." in page


def test_a_regional_manager_asking_for_another_region_is_refused(client, erin, answers):
    assert drivers_page(client, erin, region="west").status_code == 403


def test_head_office_may_narrow_the_drivers_to_a_region(client, hank, answers):
    page = drivers_page(client, hank, region="west").content.decode()

    assert "Scored approved visits: 1; branches with a score: 1." in page


def test_a_period_without_scored_answers_says_so(client, hank, answers):
    page = drivers_page(client, hank, period="2026-08").content.decode()

    assert "No scored answers in this period." in page


def test_the_drivers_link_back_to_the_comparison(client, hank, answers):
    page = drivers_page(client, hank).content.decode()

    comparison = (
        reverse("comparison-page") + "?period=2026-10&amp;checklist=branch-visit&amp;lang=en"
    )
    assert f'href="{comparison}"' in page


def test_the_filter_form_keeps_the_chosen_checklist_and_region(client, hank, answers):
    page = drivers_page(client, hank, region="east").content.decode()

    assert '<option value="branch-visit" selected>' in page
    assert '<option value="east" selected>' in page


def test_without_parameters_the_drivers_page_opens_on_the_last_complete_month(
    client, hank, answers
):
    client.force_login(hank)

    assert client.get(reverse("drivers-page")).status_code == 200


def test_a_shopper_may_not_see_the_drivers(client, alice, answers):
    assert drivers_page(client, alice).status_code == 403


def test_an_anonymous_visitor_is_sent_to_log_in(client, answers):
    response = client.get(reverse("drivers-page"), OCTOBER)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize(
    ("field", "params"),
    [
        ("period", {"period": "2026-13"}),
        ("checklist", {"checklist": "nope"}),
        ("region", {"region": "nowhere"}),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(client, hank, answers, field, params):
    response = drivers_page(client, hank, **params)

    assert response.status_code == 400
    assert response.content.decode().startswith(f"{field}: ")
