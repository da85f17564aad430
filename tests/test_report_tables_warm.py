"""report_tables_warm (beat, and manage.py warm_reports): the tables the report pages open
with are kept for every reader before anyone asks."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.services.review import visit_review
from reports.periods import month
from reports.selectors.comparison import reader_comparison
from reports.selectors.drivers import reader_drivers
from reports.services.report_tables import report_tables_warm
from tests.report_data import report_checklist, submitted_visit

OCTOBER = month(2026, 10)
ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


@pytest.fixture
def october(rita, east_branch, west_branch):
    version = report_checklist("branch-visit")
    for branch, day in ((east_branch, "2026-10-05"), (west_branch, "2026-10-07")):
        visit_review(
            visit=submitted_visit(branch, version, day, ANSWERS), reviewer=rita, decision="approve"
        )
    return version.checklist


def rollup_reads(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "rollup" in q["sql"]]


def test_head_office_finds_the_comparison_and_drivers_kept(hank, october):
    report_tables_warm(period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        reader_comparison(user=hank, checklist=october, period=OCTOBER)
        reader_drivers(user=hank, checklist=october, period=OCTOBER)

    assert rollup_reads(queries) == []


def test_each_regional_manager_finds_their_regions_tables_kept(erin, wes, october):
    report_tables_warm(period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        for manager in (erin, wes):
            reader_comparison(user=manager, checklist=october, period=OCTOBER)
            reader_drivers(user=manager, checklist=october, period=OCTOBER)

    assert rollup_reads(queries) == []


def test_only_checklists_with_visits_in_the_period_are_kept(hank, october):
    report_checklist("other-visit")

    warmed = report_tables_warm(period=OCTOBER)

    assert {table.checklist for table in warmed} == {october.code}


def test_a_period_without_visits_keeps_nothing(hank, october):
    assert report_tables_warm(period=month(2026, 11)) == []


def test_the_command_says_what_it_kept(erin, october, capsys):
    call_command("warm_reports", "--period", "2026-10")

    out = capsys.readouterr().out
    assert f"{october.code} company:" in out
    assert "2 report table(s) kept." in out


def test_the_command_names_a_bad_period(db):
    with pytest.raises(CommandError, match="--period"):
        call_command("warm_reports", "--period", "2026-13")
