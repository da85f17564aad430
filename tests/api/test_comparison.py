"""GET /api/v1/reports/comparison/ — head office compares branches (JSON, CSV, XLSX)."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook
from rest_framework.renderers import JSONRenderer

from audits.models import Visit
from reports.api.comparison import ComparisonOutput, comparison_json, comparison_output
from reports.periods import month
from reports.selectors.comparison import branch_comparison
from tests.factories import BranchFactory, VersionFactory
from tests.report_data import report_checklist, visit

URL = "/api/v1/reports/comparison/"
OCTOBER = {"checklist": "branch-visit", "period": "2026-10"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


@pytest.fixture(autouse=True)
def rank_every_scored_branch(settings):
    """Most tests here rank branches scored from one or two visits, so the small-sample
    rule is switched off (1); the tests of that rule set their own threshold."""
    settings.SMALL_SAMPLE_VISITS = 1


@pytest.fixture
def wuhou(west):
    return BranchFactory(
        region=west, code="cd-wuhou", name_zh="成都武侯支行", name_en="Chengdu Wuhou"
    )


@pytest.fixture
def scores(version, east_branch, west_branch, pudong, wuhou):
    """October 2026 against September, expected 80.0 ± 5.0.

    cd-wuhou     92.0                    Sep 90.0   rank 1, exceeds
    cd-jinjiang  85.0                    Sep —      rank 2, meets
    sh-jingan    80.0, 90.0 → 85.0       Sep 80.0   rank 2, meets (tie)
    sh-pudong    70.0, 70.1 → 70.05→70.1 Sep 75.0   rank 4, below
    """
    visit(wuhou, version, "2026-10-03", 92.0, sections={"core": 90, "env": 95})
    visit(wuhou, version, "2026-09-12", 90.0)
    visit(west_branch, version, "2026-10-20", 85.0, sections={"core": 80, "env": 90})
    visit(
        east_branch,
        version,
        "2026-10-01",
        80.0,
        sections={"core": 75, "env": 85},
        dimensions={"responsiveness": 100, "empathy": 75},
    )
    visit(
        east_branch,
        version,
        "2026-10-31",
        90.0,
        sections={"core": 90, "env": 90},
        dimensions={"responsiveness": 50},
    )
    visit(east_branch, version, "2026-09-30", 80.0)
    visit(pudong, version, "2026-10-10", 70.0, sections={"core": 60, "env": 80})
    visit(pudong, version, "2026-10-11", 70.1, sections={"core": "70.1", "env": 70})
    visit(pudong, version, "2026-09-01", 75.0)


def rows_by_code(data: dict) -> dict[str, dict]:
    return {row["branch"]["code"]: row for row in data["branches"]}


def get(client, **params):
    return client.get(URL, {**OCTOBER, **params})


# The table


def test_it_lists_the_branches_in_rank_order(client_for, hank, scores):
    response = get(client_for(hank))
    assert response.status_code == 200, response.json()
    assert [(r["rank"], r["branch"]["code"]) for r in response.json()["branches"]] == [
        (1, "cd-wuhou"),
        (2, "cd-jinjiang"),
        (2, "sh-jingan"),
        (4, "sh-pudong"),
    ]


def test_tied_branches_share_a_rank_and_the_next_rank_is_skipped(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert rows["cd-jinjiang"]["score"] == rows["sh-jingan"]["score"] == "85.0"
    assert rows["cd-jinjiang"]["rank"] == rows["sh-jingan"]["rank"] == 2
    assert rows["sh-pudong"]["rank"] == 4


def test_a_branch_score_is_the_mean_of_its_visit_scores_rounded_half_up(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert (rows["sh-jingan"]["visits"], rows["sh-jingan"]["score"]) == (2, "85.0")
    # (70.0 + 70.1) / 2 = 70.05 exactly, which rounds half-up.
    assert (rows["sh-pudong"]["visits"], rows["sh-pudong"]["score"]) == (2, "70.1")


def test_each_row_names_the_branch_and_its_region(client_for, hank, scores, east_branch):
    row = rows_by_code(get(client_for(hank)).json())["sh-jingan"]
    assert row["branch"] == {
        "id": east_branch.pk,
        "code": "sh-jingan",
        "name_zh": "上海静安支行",
        "name_en": "Shanghai Jing'an",
    }
    assert row["region"] == "east"


def test_change_is_the_score_minus_the_previous_periods_score(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert (rows["sh-jingan"]["previous_score"], rows["sh-jingan"]["change"]) == ("80.0", "5.0")
    assert (rows["sh-pudong"]["previous_score"], rows["sh-pudong"]["change"]) == ("75.0", "-4.9")
    assert (rows["cd-wuhou"]["previous_score"], rows["cd-wuhou"]["change"]) == ("90.0", "2.0")


def test_a_branch_without_a_previous_score_has_no_change(client_for, hank, scores):
    row = rows_by_code(get(client_for(hank)).json())["cd-jinjiang"]
    assert (row["previous_score"], row["change"]) == (None, None)


def test_bands_place_scores_against_the_expectation(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert {code: row["band"] for code, row in rows.items()} == {
        "cd-wuhou": "exceeds",
        "cd-jinjiang": "meets",
        "sh-jingan": "meets",
        "sh-pudong": "below",
    }


def test_bands_use_the_latest_published_version_and_ignore_drafts(
    client_for, hank, version, scores
):
    VersionFactory(
        checklist=version.checklist,
        number=version.number + 1,
        expected_score=Decimal("90.0"),
        tolerance=Decimal("2.0"),
    )
    VersionFactory(
        checklist=version.checklist,
        number=version.number + 2,
        status="draft",
        published_at=None,
        expected_score=Decimal("50.0"),
    )
    data = get(client_for(hank)).json()
    assert (data["expected"], data["tolerance"]) == ("90.0", "2.0")
    rows = rows_by_code(data)
    assert (rows["cd-wuhou"]["band"], rows["sh-jingan"]["band"]) == ("meets", "below")


def test_section_scores_are_means_of_the_visits_section_scores(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert rows["sh-jingan"]["sections"] == {"core": "82.5", "env": "87.5"}
    # core: (60 + 70.1) / 2 = 65.05 → 65.1
    assert rows["sh-pudong"]["sections"] == {"core": "65.1", "env": "75.0"}


def test_dimension_scores_cover_every_rater_dimension_null_where_unscored(client_for, hank, scores):
    rows = rows_by_code(get(client_for(hank)).json())
    assert rows["sh-jingan"]["dimensions"] == {
        "reliability": None,
        "assurance": None,
        "tangibles": None,
        "empathy": "75.0",
        "responsiveness": "75.0",
    }


def test_the_header_names_the_period_checklist_expectation_and_columns(client_for, hank, scores):
    data = get(client_for(hank)).json()
    assert data["period"] == {
        "label": "2026-10",
        "kind": "month",
        "start": "2026-10-01",
        "end": "2026-10-31",
    }
    assert data["previous_period"]["label"] == "2026-09"
    assert (data["checklist"], data["expected"], data["tolerance"], data["region"]) == (
        "branch-visit",
        "80.0",
        "5.0",
        None,
    )
    assert data["sections"] == [
        {"code": "core", "title_zh": "核心服务", "title_en": "Core service"},
        {"code": "env", "title_zh": "环境", "title_en": "Environment"},
    ]
    assert [d["code"] for d in data["dimensions"]] == [
        "reliability",
        "assurance",
        "tangibles",
        "empathy",
        "responsiveness",
    ]
    assert data["dimensions"][0] == {
        "code": "reliability",
        "title_zh": "信赖度",
        "title_en": "Reliability",
    }


def test_the_json_is_exactly_what_the_documented_output_serializer_writes(
    hank, version, scores, east_branch
):
    visit(east_branch, version, "2026-09-02", 70.0)  # a previous interval too
    comparison = branch_comparison(user=hank, checklist=version.checklist, period=month(2026, 10))
    written = JSONRenderer().render(comparison_json(comparison))
    assert written == JSONRenderer().render(ComparisonOutput(comparison_output(comparison)).data)
    assert b'"previous_interval":{"low":' in written


def test_branches_without_visits_are_listed_last_without_rank(client_for, hank, scores, east):
    BranchFactory(region=east, code="aa-first-by-code")
    last = get(client_for(hank)).json()["branches"][-1]
    assert (last["branch"]["code"], last["rank"], last["visits"], last["score"], last["band"]) == (
        "aa-first-by-code",
        None,
        0,
        None,
        None,
    )


def test_inactive_branches_are_left_out(client_for, hank, version, scores, east):
    closed = BranchFactory(region=east, code="sh-closed", active=False)
    visit(closed, version, "2026-10-02", 99.0)
    codes = [r["branch"]["code"] for r in get(client_for(hank)).json()["branches"]]
    assert "sh-closed" not in codes
    assert len(codes) == 4


def test_only_approved_visits_count(client_for, hank, version, scores, pudong):
    for status in [
        Visit.Status.INCOMPLETE,
        Visit.Status.SUBMITTED,
        Visit.Status.RETURNED,
        Visit.Status.REJECTED,
    ]:
        visit(pudong, version, "2026-10-15", 0.0, status=status, sections={"core": 0})
    row = rows_by_code(get(client_for(hank)).json())["sh-pudong"]
    assert (row["visits"], row["score"], row["sections"]["core"]) == (2, "70.1", "65.1")


def test_visits_outside_the_period_or_of_another_checklist_are_ignored(
    client_for, hank, scores, pudong, west_branch
):
    other = report_checklist("complaint-handling")
    visit(west_branch, other, "2026-10-05", 0.0, sections={"core": 0})
    visit(pudong, other, "2026-10-06", 0.0)
    rows = rows_by_code(get(client_for(hank)).json())
    assert (rows["cd-jinjiang"]["visits"], rows["cd-jinjiang"]["score"]) == (1, "85.0")
    assert rows["sh-pudong"]["score"] == "70.1"


def test_a_visit_on_the_first_day_of_the_next_period_is_not_counted(
    client_for, hank, version, scores, wuhou
):
    visit(wuhou, version, "2026-11-01", 0.0)
    assert rows_by_code(get(client_for(hank)).json())["cd-wuhou"]["score"] == "92.0"


def test_a_quarter_is_compared_with_the_quarter_before(client_for, hank, version, scores, wuhou):
    visit(wuhou, version, "2026-06-30", 50.0)
    row = rows_by_code(get(client_for(hank), period="2026-Q3").json())["cd-wuhou"]
    assert (row["score"], row["previous_score"], row["change"]) == ("90.0", "50.0", "40.0")


def test_from_and_to_compare_with_as_many_days_before(client_for, hank, scores):
    response = client_for(hank).get(
        URL, {"checklist": "branch-visit", "from": "2026-10-01", "to": "2026-10-31"}
    )
    data = response.json()
    assert data["period"]["label"] == "2026-10-01–2026-10-31"
    assert (data["previous_period"]["start"], data["previous_period"]["end"]) == (
        "2026-08-31",
        "2026-09-30",
    )
    assert rows_by_code(data)["sh-pudong"]["change"] == "-4.9"


def test_the_number_of_queries_does_not_grow_with_the_branches(
    client_for, hank, version, scores, east
):
    client = client_for(hank)
    get(client)  # kept: each get below replaces a kept table, as every get after a change does
    visit(BranchFactory(region=east), version, "2026-10-02", 79, sections={"core": 80})
    with CaptureQueriesContext(connection) as few:
        get(client)
    for n in range(10):
        branch = BranchFactory(region=east)
        visit(branch, version, "2026-10-02", 80 + n, sections={"core": 80})
    with CaptureQueriesContext(connection) as many:
        data = get(client).json()
    assert len(data["branches"]) == 15
    assert len(many) == len(few)


# Scope


def test_a_regional_manager_sees_only_their_regions_ranked_among_themselves(
    client_for, erin, scores
):
    data = get(client_for(erin)).json()
    assert [(r["rank"], r["branch"]["code"]) for r in data["branches"]] == [
        (1, "sh-jingan"),
        (2, "sh-pudong"),
    ]


def test_head_office_can_narrow_to_one_region(client_for, hank, scores):
    data = get(client_for(hank), region="west").json()
    assert data["region"] == "west"
    assert [(r["rank"], r["branch"]["code"]) for r in data["branches"]] == [
        (1, "cd-wuhou"),
        (2, "cd-jinjiang"),
    ]


def test_a_regional_manager_may_name_their_own_region(client_for, wes, scores):
    response = get(client_for(wes), region="west")
    assert response.status_code == 200
    assert len(response.json()["branches"]) == 2


def test_a_regional_manager_asking_for_another_region_is_forbidden(client_for, wes, scores):
    assert get(client_for(wes), region="east").status_code == 403


def test_an_unknown_region_is_a_bad_request_naming_region(client_for, hank, scores):
    response = get(client_for(hank), region="north")
    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def test_reviewers_see_every_branch(client_for, rita, scores):
    assert len(get(client_for(rita)).json()["branches"]) == 4


def test_shoppers_are_forbidden(client_for, alice, scores):
    assert get(client_for(alice)).status_code == 403


def test_anonymous_callers_must_sign_in(anon, scores):
    assert get(anon).status_code == 401


# Bad requests


def test_a_missing_checklist_is_a_bad_request_naming_checklist(client_for, hank, scores):
    response = client_for(hank).get(URL, {"period": "2026-10"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["checklist"]


def test_an_unknown_checklist_is_a_bad_request_naming_checklist(client_for, hank, scores):
    response = get(client_for(hank), checklist="no-such-list")
    assert response.status_code == 400
    assert "no-such-list" in response.json()["errors"]["checklist"][0]


def test_a_checklist_never_published_is_a_bad_request_naming_checklist(client_for, hank, scores):
    draft = VersionFactory(status="draft", published_at=None)
    response = get(client_for(hank), checklist=draft.checklist.code)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["checklist"]


def test_a_bad_period_is_a_bad_request_naming_period(client_for, hank, scores):
    response = get(client_for(hank), period="2026-13")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period"]


def test_a_missing_period_is_a_bad_request_naming_period(client_for, hank, scores):
    response = client_for(hank).get(URL, {"checklist": "branch-visit"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["period"]


def test_an_unknown_format_is_a_bad_request_naming_format(client_for, hank, scores):
    response = get(client_for(hank), format="pdf")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["format"]


# Fair league tables: small samples and 90 % intervals


@pytest.fixture
def fair(settings, version, east_branch, west_branch, pudong, wuhou):
    """October 2026 against September, small samples under 3 visits (the default).

    cd-wuhou     90, 92, 94 → 92.0, 88.6–95.4   Sep 70, 72, 74 → 68.6–75.4   rank 1, significant
    sh-jingan    80, 85, 90 → 85.0, 76.6–93.4   Sep 78, 80, 82 → 76.6–83.4   rank 2, not significant
    cd-jinjiang  99         → 99.0, no interval                              small sample
    sh-pudong    95, 97     → 96.0, 89.7–100.0                               small sample
    """
    settings.SMALL_SAMPLE_VISITS = 3
    for day, score in zip(("2026-10-03", "2026-10-13", "2026-10-23"), (90, 92, 94), strict=True):
        visit(wuhou, version, day, score)
    for day, score in zip(("2026-09-03", "2026-09-13", "2026-09-23"), (70, 72, 74), strict=True):
        visit(wuhou, version, day, score)
    for day, score in zip(("2026-10-04", "2026-10-14", "2026-10-24"), (80, 85, 90), strict=True):
        visit(east_branch, version, day, score)
    for day, score in zip(("2026-09-04", "2026-09-14", "2026-09-24"), (78, 80, 82), strict=True):
        visit(east_branch, version, day, score)
    visit(west_branch, version, "2026-10-05", 99)
    visit(pudong, version, "2026-10-06", 95)
    visit(pudong, version, "2026-10-16", 97)


def test_a_branch_scored_from_fewer_visits_than_the_threshold_is_a_small_sample_without_a_rank(
    client_for, hank, fair
):
    rows = rows_by_code(get(client_for(hank)).json())

    assert {code: (row["rank"], row["small_sample"]) for code, row in rows.items()} == {
        "cd-wuhou": (1, False),
        "sh-jingan": (2, False),
        "cd-jinjiang": (None, True),
        "sh-pudong": (None, True),
    }


def test_small_samples_follow_the_ranked_branches_best_score_first(client_for, hank, fair, east):
    BranchFactory(region=east, code="aa-never-visited")

    data = get(client_for(hank)).json()

    assert [row["branch"]["code"] for row in data["branches"]] == [
        "cd-wuhou",
        "sh-jingan",
        "cd-jinjiang",  # 99.0 from one visit
        "sh-pudong",  # 96.0 from two
        "aa-never-visited",
    ]


def test_a_small_sample_keeps_its_score_and_band(client_for, hank, fair):
    row = rows_by_code(get(client_for(hank)).json())["cd-jinjiang"]

    assert (row["visits"], row["score"], row["band"]) == (1, "99.0", "exceeds")


def test_each_score_carries_its_90_percent_interval(client_for, hank, fair):
    rows = rows_by_code(get(client_for(hank)).json())

    assert rows["cd-wuhou"]["interval"] == {"low": "88.6", "high": "95.4"}
    assert rows["sh-jingan"]["interval"] == {"low": "76.6", "high": "93.4"}
    assert rows["sh-pudong"]["interval"] == {"low": "89.7", "high": "100.0"}
    assert rows["cd-jinjiang"]["interval"] is None  # one visit


def test_the_previous_score_carries_its_interval_too(client_for, hank, fair):
    rows = rows_by_code(get(client_for(hank)).json())

    assert rows["cd-wuhou"]["previous_interval"] == {"low": "68.6", "high": "75.4"}
    assert rows["cd-jinjiang"]["previous_interval"] is None


def test_a_change_is_significant_only_when_the_two_intervals_do_not_overlap(client_for, hank, fair):
    rows = rows_by_code(get(client_for(hank)).json())

    assert (rows["cd-wuhou"]["change"], rows["cd-wuhou"]["change_significant"]) == ("20.0", True)
    assert (rows["sh-jingan"]["change"], rows["sh-jingan"]["change_significant"]) == ("5.0", False)


def test_the_threshold_comes_from_the_setting_and_is_reported(client_for, hank, fair, settings):
    settings.SMALL_SAMPLE_VISITS = 2

    data = get(client_for(hank)).json()

    assert data["small_sample_visits"] == 2
    assert [(r["rank"], r["branch"]["code"]) for r in data["branches"]] == [
        (1, "sh-pudong"),
        (2, "cd-wuhou"),
        (3, "sh-jingan"),
        (None, "cd-jinjiang"),
    ]


def test_a_regional_managers_table_ranks_only_their_branches_without_small_samples(
    client_for, erin, fair
):
    data = get(client_for(erin)).json()

    assert [(r["rank"], r["branch"]["code"]) for r in data["branches"]] == [
        (1, "sh-jingan"),
        (None, "sh-pudong"),
    ]


def test_csv_export_marks_small_samples_intervals_and_significance_as_the_json_does(
    client_for, hank, fair
):
    client = client_for(hank)
    expected = json_table(get(client).json())

    lines = list(csv.reader(io.StringIO(get(client, format="csv").content.decode("utf-8-sig"))))

    assert lines[1:] == [["" if v is None else str(v) for v in row] for row in expected]
    pudong = dict(zip(lines[0], next(ln for ln in lines if ln[1] == "sh-pudong"), strict=True))
    assert (pudong["Rank"], pudong["Small sample"]) == ("", "yes")
    assert (pudong["Score 90% CI low"], pudong["Score 90% CI high"]) == ("89.7", "100.0")
    wuhou = dict(zip(lines[0], lines[1], strict=True))
    assert wuhou["Change significant"] == "yes"


def test_xlsx_export_writes_the_interval_as_numbers_with_one_decimal(client_for, hank, fair):
    sheet = xlsx_sheet(get(client_for(hank), format="xlsx"))
    header = [cell.value for cell in sheet[1]]
    wuhou = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "cd-wuhou")

    low = wuhou[header.index("Score 90% CI low")]
    assert (low.value, low.number_format) == (88.6, "0.0")
    assert wuhou[header.index("Small sample")].value == "no"


# Exports

HEADER = [
    "Rank",
    "Branch code",
    "Branch name (zh-Hans)",
    "Branch name (en)",
    "Region",
    "Visits",
    "Small sample",
    "Score",
    "Score 90% CI low",
    "Score 90% CI high",
    "Band",
    "Previous score",
    "Previous 90% CI low",
    "Previous 90% CI high",
    "Change",
    "Change significant",
    "核心服务 Core service",
    "环境 Environment",
    "信赖度 Reliability",
    "专业度 Assurance",
    "有形度 Tangibles",
    "同理度 Empathy",
    "反应度 Responsiveness",
    # Areas, in the request's language (English by default); no factor was scored.
    "Procedure",
    "People",
    "Environment",
    "Basic",
    "Basic failures",
]


def interval_end(interval: dict | None, end: str) -> str | None:
    return None if interval is None else interval[end]


def yes_no(value: bool) -> str:
    return "yes" if value else "no"


def json_table(data: dict) -> list[list]:
    """The JSON rows in export column order, None for empty cells."""
    return [
        [
            row["rank"],
            row["branch"]["code"],
            row["branch"]["name_zh"],
            row["branch"]["name_en"],
            row["region"],
            row["visits"],
            yes_no(row["small_sample"]),
            row["score"],
            interval_end(row["interval"], "low"),
            interval_end(row["interval"], "high"),
            row["band"],
            row["previous_score"],
            interval_end(row["previous_interval"], "low"),
            interval_end(row["previous_interval"], "high"),
            row["change"],
            yes_no(row["change_significant"]),
            *(row["sections"][s["code"]] for s in data["sections"]),
            *(row["dimensions"][d["code"]] for d in data["dimensions"]),
            *(row["areas"][a["code"]] for a in data["areas"]),
            *(row["factors"][f["code"]] for f in data["factors"]),
            *(row["bpmp"][c["code"]] for c in data["bpmp"]),
            *row["bpmp_failures"].values(),
        ]
        for row in data["branches"]
    ]


def test_csv_export_is_the_json_table_row_for_row(client_for, hank, scores):
    client = client_for(hank)
    expected = json_table(get(client).json())
    response = get(client, format="csv")
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == HEADER
    assert lines[1:] == [["" if v is None else str(v) for v in row] for row in expected]


def test_csv_export_is_utf8_with_a_bom_for_excel(client_for, hank, scores):
    response = get(client_for(hank), format="csv")
    assert response.content.startswith("\ufeff".encode())
    assert "上海静安支行" in response.content.decode("utf-8-sig")
    assert response["Content-Type"] == "text/csv; charset=utf-8"


def test_csv_export_is_a_download_named_after_checklist_and_period(client_for, hank, scores):
    response = get(client_for(hank), format="csv")
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="comparison-branch-visit-2026-10.csv"'
    )


def xlsx_sheet(response):
    return load_workbook(io.BytesIO(response.content)).active


def test_xlsx_export_is_the_json_table_row_for_row(client_for, hank, scores):
    client = client_for(hank)
    expected = json_table(get(client).json())
    sheet = xlsx_sheet(get(client, format="xlsx"))
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == HEADER
    # Scores are numbers in the sheet, decimal strings in JSON.
    scores = {
        HEADER.index(name)
        for name in (
            "Score",
            "Score 90% CI low",
            "Score 90% CI high",
            "Previous score",
            "Previous 90% CI low",
            "Previous 90% CI high",
            "Change",
        )
    } | set(range(HEADER.index("Change significant") + 1, len(HEADER)))
    assert rows[1:] == [
        [float(v) if i in scores and v is not None else v for i, v in enumerate(row)]
        for row in expected
    ]


def test_xlsx_export_has_a_bold_frozen_header_row(client_for, hank, scores):
    sheet = xlsx_sheet(get(client_for(hank), format="xlsx"))
    assert sheet.freeze_panes == "A2"
    assert all(cell.font.bold for cell in sheet[1])
    assert not sheet["B2"].font.bold


def test_xlsx_export_formats_scores_with_one_decimal_and_change_with_a_sign(
    client_for, hank, scores
):
    sheet = xlsx_sheet(get(client_for(hank), format="xlsx"))
    header = [cell.value for cell in sheet[1]]
    jingan = next(row for row in sheet.iter_rows(min_row=2) if row[1].value == "sh-jingan")
    for name in ["Score", "Previous score", "核心服务 Core service", "反应度 Responsiveness"]:
        assert jingan[header.index(name)].number_format == "0.0", name
    assert jingan[header.index("Change")].number_format == "+0.0;-0.0;0.0"
    assert jingan[header.index("Visits")].number_format == "0"


def test_xlsx_export_sets_column_widths(client_for, hank, scores):
    sheet = xlsx_sheet(get(client_for(hank), format="xlsx"))
    assert sheet.column_dimensions["C"].width >= 20
    assert sheet.column_dimensions["A"].width >= 6


def test_xlsx_export_is_a_download_named_after_checklist_and_period(client_for, hank, scores):
    response = get(client_for(hank), format="xlsx")
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert (
        response["Content-Disposition"]
        == 'attachment; filename="comparison-branch-visit-2026-10.xlsx"'
    )


def test_a_range_export_is_named_with_ascii_dates(client_for, hank, scores):
    response = client_for(hank).get(
        URL,
        {"checklist": "branch-visit", "from": "2026-10-01", "to": "2026-10-31", "format": "xlsx"},
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="comparison-branch-visit-2026-10-01_2026-10-31.xlsx"'
    )


def test_exports_respect_the_callers_scope(client_for, erin, scores):
    lines = list(
        csv.reader(io.StringIO(get(client_for(erin), format="csv").content.decode("utf-8-sig")))
    )
    assert [line[1] for line in lines[1:]] == ["sh-jingan", "sh-pudong"]


@pytest.mark.parametrize("param", ["checklist", "region", "period"])
def test_a_parameter_with_a_null_character_is_a_400_naming_it(client_for, hank, version, param):
    query = {"period": "2026-10", "checklist": "std", param: "east\x00"}
    response = client_for(hank).get(URL, query)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [param]
