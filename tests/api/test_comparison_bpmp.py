"""GET /api/v1/reports/comparison/ — the BPMP lens, in JSON and the exports."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from tests.test_comparison_bpmp import bpmp_visits

URL = "/api/v1/reports/comparison/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}
FIRST_SCORE_COLUMN = 16  # after rank … change significant


@pytest.fixture
def bpmp_data(settings, east_branch, pudong, west_branch):
    settings.SMALL_SAMPLE_VISITS = 1
    return bpmp_visits(east_branch, pudong, west_branch)


def get(client, **params):
    return client.get(URL, {**OCTOBER, **params})


def csv_lines(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def branch(data: dict, code: str) -> dict:
    return next(row for row in data["branches"] if row["branch"]["code"] == code)


def test_the_json_heads_the_bpmp_classes_in_both_languages(client_for, hank, bpmp_data):
    data = get(client_for(hank), view="bpmp").json()

    assert data["bpmp"][2] == {
        "code": "motivation",
        "title_zh": "激励因素：惊喜展现率",
        "title_en": "Reward: delighters shown",
    }
    assert [c["code"] for c in data["bpmp"]] == ["basic", "performance", "motivation", "punishment"]


def test_the_json_has_each_branchs_class_scores_and_failures(client_for, hank, bpmp_data):
    jingan = branch(get(client_for(hank)).json(), "sh-jingan")

    assert jingan["bpmp"] == {
        "basic": "50.0",
        "performance": "75.1",
        "motivation": "50.0",
        "punishment": "30.0",
    }
    assert jingan["bpmp_failures"] == {"basic": 1, "punishment": 1}


def test_the_json_averages_carry_the_class_scores(client_for, hank, bpmp_data):
    averages = get(client_for(hank)).json()["averages"]

    assert [(a["region"], a["bpmp"]["motivation"]) for a in averages] == [
        (None, "50.0"),
        ("east", "25.0"),
        ("west", "100.0"),
    ]


def test_a_regional_manager_gets_only_their_regions_class_scores(client_for, erin, bpmp_data):
    data = get(client_for(erin), view="bpmp").json()

    assert {row["branch"]["code"] for row in data["branches"]} == {"sh-jingan", "sh-pudong"}
    assert [(a["region"], a["bpmp"]["motivation"]) for a in data["averages"]] == [
        (None, "25.0"),
        ("east", "25.0"),
    ]


@pytest.mark.parametrize("fmt", ["json", "csv", "xlsx"])
def test_an_unknown_view_is_still_a_400_naming_it(client_for, hank, bpmp_data, fmt):
    response = get(client_for(hank), view="bpm", format=fmt)

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["view"]
    assert "bpmp" in response.json()["errors"]["view"][0]


def test_the_csv_of_the_bpmp_view_has_the_classes_then_their_failures(client_for, hank, bpmp_data):
    lines = csv_lines(get(client_for(hank), view="bpmp", format="csv"))

    assert lines[0][FIRST_SCORE_COLUMN:] == [
        "Basic",
        "Performance",
        "Reward: delighters shown",
        "Punishment",
        "Basic failures",
        "Punishment failures",
    ]
    jinjiang = next(line for line in lines[1:] if line[1] == "cd-jinjiang")
    assert jinjiang[FIRST_SCORE_COLUMN:] == ["100.0", "", "100.0", "", "0", ""]


def test_the_xlsx_of_the_bpmp_view_is_headed_in_chinese_when_asked(client_for, hank, bpmp_data):
    response = get(client_for(hank), view="bpmp", format="xlsx", lang="zh-Hans")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]

    assert rows[0][FIRST_SCORE_COLUMN:] == [
        "基本因素",
        "绩效因素",
        "激励因素：惊喜展现率",
        "惩罚因素",
        "基本因素未达标",
        "惩罚因素未达标",
    ]
    jingan = next(row for row in rows[1:] if row[1] == "sh-jingan")
    assert jingan[FIRST_SCORE_COLUMN:] == [50.0, 75.1, 50.0, 30.0, 1, 1]


def test_the_schema_offers_the_bpmp_view(client_for, hank):
    schema = client_for(hank).get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"][URL]["get"]["parameters"]

    view = next(p for p in parameters if p["name"] == "view")
    assert set(view["schema"]["enum"]) == {"sections", "rater", "areas", "factors", "bpmp"}
    row = schema["components"]["schemas"]["ComparisonRowOutput"]["properties"]
    assert {"bpmp", "bpmp_failures"} <= set(row)
