"""reader_drivers: the drivers page and API read the drivers kept for the reader's scope,
equal to what the roll-ups give, and new ones after anything they show has changed."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.services.review import visit_review
from reports.periods import month
from reports.selectors.drivers import reader_drivers, score_drivers
from tests.report_data import report_checklist, submitted_visit

OCTOBER = month(2026, 10)
ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


def approved(branch, version, on, reviewer, answers=ANSWERS):
    stored = submitted_visit(branch, version, on, answers)
    visit_review(visit=stored, reviewer=reviewer, decision="approve")
    return stored


def test_the_drivers_are_read_again_without_the_rollups(hank, rita, east_branch):
    version = report_checklist("branch-visit")
    approved(east_branch, version, "2026-10-05", rita)
    first = reader_drivers(user=hank, checklist=version.checklist, period=OCTOBER)

    with CaptureQueriesContext(connection) as queries:
        again = reader_drivers(user=hank, checklist=version.checklist, period=OCTOBER)

    assert again == first == score_drivers(user=hank, checklist=version.checklist, period=OCTOBER)
    assert [q["sql"] for q in queries.captured_queries if "rollup" in q["sql"]] == []


def test_an_approval_after_the_drivers_were_kept_is_in_the_next_ones(
    hank, rita, east_branch, west_branch
):
    version = report_checklist("branch-visit")
    approved(east_branch, version, "2026-10-05", rita)
    reader_drivers(user=hank, checklist=version.checklist, period=OCTOBER)

    approved(west_branch, version, "2026-10-07", rita, {**ANSWERS, "greet": False})
    shown = reader_drivers(user=hank, checklist=version.checklist, period=OCTOBER)

    assert shown.visits == 2
    assert shown == score_drivers(user=hank, checklist=version.checklist, period=OCTOBER)


def test_a_regional_managers_drivers_are_their_regions(hank, erin, rita, east_branch, west_branch):
    version = report_checklist("branch-visit")
    approved(east_branch, version, "2026-10-05", rita)
    approved(west_branch, version, "2026-10-07", rita)
    reader_drivers(user=hank, checklist=version.checklist, period=OCTOBER)

    shown = reader_drivers(user=erin, checklist=version.checklist, period=OCTOBER)

    assert shown.visits == 1
    assert shown == score_drivers(user=erin, checklist=version.checklist, period=OCTOBER)
