"""reader_comparison: what the comparison page and API show a reader.

Every reader's table is kept in the cache (reports.selectors.memo) under their
scope, narrowed to the lenses asked for on the way out, and is the table the
roll-ups give; a regional manager never reads a table kept for another scope.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.services.review import visit_review
from reports.periods import month
from reports.selectors.comparison import VIEWS, branch_comparison, reader_comparison
from tests.report_data import report_checklist, submitted_visit

OCTOBER = month(2026, 10)
ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


def rollup_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if "rollup" in q["sql"]]


def test_head_office_reads_the_company_wide_comparison_again_without_the_rollups(
    hank, lens_history
):
    first = reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        again = reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    assert again == first
    assert rollup_reads(queries.captured_queries) == []


@pytest.mark.parametrize("lenses", [None, (), *((view,) for view in VIEWS)])
def test_head_offices_memoised_comparison_is_the_one_the_rollups_give(hank, lens_history, lenses):
    reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)  # the memo, all lenses

    shown = reader_comparison(user=hank, checklist=lens_history, period=OCTOBER, lenses=lenses)

    assert shown == branch_comparison(
        user=hank, checklist=lens_history, period=OCTOBER, lenses=lenses
    )


def test_the_memoised_bpmp_lens_carries_its_failures(hank, bpmp_history):
    reader_comparison(user=hank, checklist=bpmp_history, period=OCTOBER)

    shown = reader_comparison(user=hank, checklist=bpmp_history, period=OCTOBER, lenses=("bpmp",))

    assert shown == branch_comparison(
        user=hank, checklist=bpmp_history, period=OCTOBER, lenses=("bpmp",)
    )
    assert any(row.bpmp_failures for row in shown.rows)


def test_a_regional_manager_never_reads_the_company_wide_table(hank, erin, lens_history):
    reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    shown = reader_comparison(user=erin, checklist=lens_history, period=OCTOBER)

    assert {row.region for row in shown.rows} == {"east"}
    assert shown == branch_comparison(user=erin, checklist=lens_history, period=OCTOBER)


def test_a_regional_managers_table_is_kept_for_their_regions(erin, lens_history):
    first = reader_comparison(user=erin, checklist=lens_history, period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        again = reader_comparison(user=erin, checklist=lens_history, period=OCTOBER)

    assert again == first
    assert rollup_reads(queries.captured_queries) == []


def test_managers_of_other_regions_never_share_a_kept_table(erin, wes, lens_history):
    reader_comparison(user=erin, checklist=lens_history, period=OCTOBER)

    shown = reader_comparison(user=wes, checklist=lens_history, period=OCTOBER)

    assert {row.region for row in shown.rows} == {"west"}


def test_head_office_asking_for_one_region_gets_that_regions_table(hank, east, lens_history):
    reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    shown = reader_comparison(user=hank, checklist=lens_history, period=OCTOBER, region=east)

    assert shown == branch_comparison(
        user=hank, checklist=lens_history, period=OCTOBER, region=east
    )


def test_an_approval_after_the_memo_was_made_is_in_the_next_comparison(
    hank, rita, east_branch, west_branch
):
    version = report_checklist("branch-visit")
    visit_review(
        visit=submitted_visit(east_branch, version, "2026-10-05", ANSWERS),
        reviewer=rita,
        decision="approve",
    )
    reader_comparison(user=hank, checklist=version.checklist, period=OCTOBER)

    visit_review(
        visit=submitted_visit(west_branch, version, "2026-10-07", ANSWERS),
        reviewer=rita,
        decision="approve",
    )
    shown = reader_comparison(user=hank, checklist=version.checklist, period=OCTOBER)

    assert next(row.visits for row in shown.rows if row.branch_code == "cd-jinjiang") == 1


def test_a_branch_renamed_after_the_memo_was_made_shows_its_new_name(hank, lens_history, pudong):
    reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    pudong.name_en = "Shanghai Lujiazui"
    pudong.save()
    shown = reader_comparison(user=hank, checklist=lens_history, period=OCTOBER)

    assert next(row.name_en for row in shown.rows if row.branch_id == pudong.pk) == (
        "Shanghai Lujiazui"
    )
