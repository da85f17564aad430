"""GET /api/v1/reports/comparison/ — the area and key-factor lenses, in JSON and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.test_comparison_lenses import lens_visits

URL = "/api/v1/reports/comparison/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}
FIRST_SCORE_COLUMN = 16  # after rank … change significant


@pytest.fixture
def lenses(settings, east_branch, pudong, west_branch):
    settings.SMALL_SAMPLE_VISITS = 1
    return lens_visits(east_branch, pudong, west_branch)


def get(client, **params):
    return client.get(URL, {**OCTOBER, **params})


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def by_code(lines: list[list[str]]) -> dict[str, list[str]]:
    return {line[1]: line for line in lines[1:]}


def test_the_json_has_area_and_factor_headings_and_scores(client_for, hank, lenses):
    data = get(client_for(hank)).json()

    assert [a["code"] for a in data["areas"]] == ["procedure", "people", "environment"]
    assert data["factors"][-1] == {
        "code": "24",
        "title_zh": "F24 不想等待太久",
        "title_en": "F24 No long wait",
    }
    jingan = next(row for row in data["branches"] if row["branch"]["code"] == "sh-jingan")
    assert jingan["areas"] == {"procedure": "80.0", "people": "72.6", "environment": None}
    assert jingan["factors"] == {"3": "50.0", "5": "90.0", "24": "75.0"}


def test_the_json_has_the_company_average_then_each_regions(client_for, hank, lenses):
    averages = get(client_for(hank)).json()["averages"]

    assert [a["region"] for a in averages] == [None, "east", "west"]
    assert (averages[0]["areas"]["people"], averages[0]["factors"]["24"]) == ("81.3", "57.5")


def test_a_regional_manager_gets_no_other_regions_average_or_factor(client_for, erin, lenses):
    data = get(client_for(erin)).json()

    assert [a["region"] for a in data["averages"]] == [None, "east"]
    assert data["averages"][0]["factors"]["24"] == "75.0"
    assert {row["branch"]["code"] for row in data["branches"]} == {"sh-jingan", "sh-pudong"}


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_an_unknown_view_is_a_400_naming_it(client_for, hank, lenses, fmt):
    response = get(client_for(hank), view="heatmap", format=fmt)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["view"]


def test_the_csv_of_the_areas_view_has_the_area_columns_in_english(client_for, hank, lenses):
    lines = csv_lines(get(client_for(hank), view="areas", format="csv"))

    assert lines[0][FIRST_SCORE_COLUMN:] == ["Procedure", "People", "Environment"]
    assert by_code(lines)["sh-jingan"][FIRST_SCORE_COLUMN:] == ["80.0", "72.6", ""]


def test_the_csv_of_the_areas_view_is_headed_in_chinese_when_asked(client_for, hank, lenses):
    lines = csv_lines(get(client_for(hank), view="areas", format="csv", lang="zh-Hans"))

    assert lines[0][FIRST_SCORE_COLUMN:] == ["程序", "个人", "环境"]


def test_the_csv_language_follows_accept_language(client_for, hank, lenses):
    response = client_for(hank).get(
        URL, {**OCTOBER, "view": "areas", "format": "csv"}, HTTP_ACCEPT_LANGUAGE="zh-CN"
    )

    assert csv_lines(response)[0][FIRST_SCORE_COLUMN:] == ["程序", "个人", "环境"]


def test_the_xlsx_of_the_factors_view_names_each_factor_by_number(client_for, hank, lenses):
    response = get(client_for(hank), view="factors", format="xlsx", lang="zh-Hans")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert rows[0][FIRST_SCORE_COLUMN:] == ["F03 清洁的环境", "F05 温馨的感觉", "F24 不想等待太久"]
    jingan = next(row for row in rows[1:] if row[1] == "sh-jingan")
    assert jingan[FIRST_SCORE_COLUMN:] == [50.0, 90.0, 75.0]


def test_the_csv_of_the_factors_view_in_english(client_for, hank, lenses):
    lines = csv_lines(get(client_for(hank), view="factors", format="csv", lang="en"))

    assert lines[0][FIRST_SCORE_COLUMN:] == [
        "F03 A clean environment",
        "F05 A warm, welcoming feeling",
        "F24 No long wait",
    ]
    # A branch without factor-tagged answers has empty factor cells.
    assert by_code(lines)["sh-pudong"][FIRST_SCORE_COLUMN:] == ["", "", ""]


def test_an_export_without_a_view_has_every_lens(client_for, hank, lenses):
    header = csv_lines(get(client_for(hank), format="csv"))[0]

    assert header[FIRST_SCORE_COLUMN:] == [
        "核心服务 Core service",
        "环境 Environment",
        "信赖度 Reliability",
        "专业度 Assurance",
        "有形度 Tangibles",
        "同理度 Empathy",
        "反应度 Responsiveness",
        "Procedure",
        "People",
        "Environment",
        "F03 A clean environment",
        "F05 A warm, welcoming feeling",
        "F24 No long wait",
        "Basic",  # small_checklist tags one item, greet, basic
        "Basic failures",
    ]


def test_the_rater_view_exports_only_the_dimensions(client_for, hank, lenses):
    header = csv_lines(get(client_for(hank), view="rater", format="csv"))[0]

    assert header[FIRST_SCORE_COLUMN:] == [
        "信赖度 Reliability",
        "专业度 Assurance",
        "有形度 Tangibles",
        "同理度 Empathy",
        "反应度 Responsiveness",
    ]


def test_the_json_of_a_view_carries_only_its_lens(client_for, hank, lenses):
    data = get(client_for(hank), view="areas").json()

    assert [a["code"] for a in data["areas"]] == ["procedure", "people", "environment"]
    assert (data["sections"], data["dimensions"], data["factors"], data["bpmp"]) == ([], [], [], [])
    jingan = next(row for row in data["branches"] if row["branch"]["code"] == "sh-jingan")
    assert jingan["areas"] == {"procedure": "80.0", "people": "72.6", "environment": None}
    assert (jingan["sections"], jingan["factors"], jingan["bpmp"]) == ({}, {}, {})
    assert data["averages"][0]["areas"]["people"] == "81.3"
    assert data["averages"][0]["sections"] == {}


def test_the_json_of_a_view_keeps_the_league_table(client_for, hank, lenses):
    every_lens = get(client_for(hank)).json()["branches"]
    one_lens = get(client_for(hank), view="rater").json()["branches"]

    def league(rows):
        return [(r["rank"], r["branch"]["code"], r["score"], r["interval"]) for r in rows]

    assert league(one_lens) == league(every_lens)
