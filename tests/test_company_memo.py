"""The memoised company-wide numbers every scorecard of a period compares against
(the league table and the figures) follow the report change stamps, not the visits."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audits.services.review import visit_answer_correct, visit_approval_withdraw, visit_review
from reports.periods import month, previous
from reports.selectors import company_stamp
from reports.selectors.scorecard import company_league
from tests.report_data import report_checklist, submitted_visit

OCTOBER = month(2026, 10)
ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


@pytest.fixture
def version(db):
    return report_checklist("branch-visit")


def approved(branch, version, on, reviewer):
    stored = submitted_visit(branch, version, on, ANSWERS)
    visit_review(visit=stored, reviewer=reviewer, decision="approve")
    return stored


def visits_of(table, branch) -> int:
    return next(row.visits for row in table.rows if row.branch_id == branch.pk)


def test_the_memoised_league_table_counts_an_approval_made_after_it_was_built(
    east_branch, west_branch, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    assert (
        visits_of(
            company_league(checklist=version.checklist, period=OCTOBER).comparison, west_branch
        )
        == 0
    )

    approved(west_branch, version, "2026-10-07", rita)

    assert (
        visits_of(
            company_league(checklist=version.checklist, period=OCTOBER).comparison, west_branch
        )
        == 1
    )


def test_the_memoised_league_table_drops_a_withdrawn_approval(east_branch, version, rita):
    stored = approved(east_branch, version, "2026-10-05", rita)
    company_league(checklist=version.checklist, period=OCTOBER)

    visit_approval_withdraw(visit=stored, reviewer=rita, reason="Fabricated receipts.")

    assert (
        visits_of(
            company_league(checklist=version.checklist, period=OCTOBER).comparison, east_branch
        )
        == 0
    )


def test_the_memoised_league_table_follows_an_approval_in_the_previous_month(
    east_branch, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    before = company_league(checklist=version.checklist, period=OCTOBER).comparison

    approved(east_branch, version, "2026-09-20", rita)

    after = company_league(checklist=version.checklist, period=OCTOBER).comparison
    assert before.rows[0].previous_score is None
    assert after.rows[0].previous_score is not None


def test_a_correction_of_a_submitted_visit_leaves_the_company_stamp_alone(
    east_branch, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)
    waiting = submitted_visit(east_branch, version, "2026-10-06", ANSWERS)
    ids = [version.checklist.pk]
    before = company_stamp(checklist_ids=ids, start=OCTOBER.start, end=OCTOBER.end)

    visit_answer_correct(visit=waiting, reviewer=rita, question="clean", value=1, reason="Photo.")

    assert company_stamp(checklist_ids=ids, start=OCTOBER.start, end=OCTOBER.end) == before


def test_the_company_stamp_reads_no_visit(east_branch, version, rita):
    approved(east_branch, version, "2026-10-05", rita)

    with CaptureQueriesContext(connection) as queries:
        company_stamp(
            checklist_ids=[version.checklist.pk], start=previous(OCTOBER).start, end=OCTOBER.end
        )

    assert not [q["sql"] for q in queries if '"audits_visit"' in q["sql"]]


def test_a_second_card_of_the_period_uses_the_league_table_this_process_kept(
    east_branch, version, rita
):
    approved(east_branch, version, "2026-10-05", rita)

    first = company_league(checklist=version.checklist, period=OCTOBER)

    assert company_league(checklist=version.checklist, period=OCTOBER) is first


def test_a_league_table_the_shared_cache_no_longer_holds_is_built_again(east_branch, version, rita):
    approved(east_branch, version, "2026-10-05", rita)
    first = company_league(checklist=version.checklist, period=OCTOBER)

    cache.clear()

    again = company_league(checklist=version.checklist, period=OCTOBER)
    assert again is not first
    assert again.comparison == first.comparison


def test_the_league_indexes_rows_regions_and_averages_of_its_table(
    east_branch, pudong, west_branch, version, rita
):
    for branch in (east_branch, pudong, west_branch):
        approved(branch, version, "2026-10-05", rita)

    league = company_league(checklist=version.checklist, period=OCTOBER)

    assert set(league.rows) >= {east_branch.pk, pudong.pk, west_branch.pk}
    assert {row.branch_id for row in league.regions[east_branch.region.code]} >= {
        east_branch.pk,
        pudong.pk,
    }
    assert league.averages[None] == league.comparison.averages[0]
    assert league.ranked == sum(row.rank is not None for row in league.comparison.rows)
