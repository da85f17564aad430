"""Counting a region batch's scorecards done: once per branch, however often its task runs."""

from __future__ import annotations

from reports.models import ScorecardBatch
from reports.services.scorecards import scorecard_batch_count_done


def test_a_branch_counted_twice_counts_once(east_branch):
    batch = ScorecardBatch.objects.create(region=east_branch.region, period="2026-10", lang="en")

    scorecard_batch_count_done(batch_id=batch.pk, branch_id=east_branch.pk)
    scorecard_batch_count_done(batch_id=batch.pk, branch_id=east_branch.pk)

    batch.refresh_from_db()
    assert batch.done == 1


def test_each_branch_counts_once(east_branch, west_branch):
    batch = ScorecardBatch.objects.create(region=east_branch.region, period="2026-10", lang="en")

    scorecard_batch_count_done(batch_id=batch.pk, branch_id=east_branch.pk)
    scorecard_batch_count_done(batch_id=batch.pk, branch_id=west_branch.pk)

    batch.refresh_from_db()
    assert batch.done == 2


def test_the_part_records_the_pdf_its_task_stored(east_branch):
    batch = ScorecardBatch.objects.create(region=east_branch.region, period="2026-10", lang="en")

    scorecard_batch_count_done(
        batch_id=batch.pk, branch_id=east_branch.pk, file_name="reports/a/first.pdf"
    )

    assert batch.parts.get().file_name == "reports/a/first.pdf"


def test_a_task_run_again_keeps_the_first_runs_pdf(east_branch):
    batch = ScorecardBatch.objects.create(region=east_branch.region, period="2026-10", lang="en")

    scorecard_batch_count_done(
        batch_id=batch.pk, branch_id=east_branch.pk, file_name="reports/a/first.pdf"
    )
    scorecard_batch_count_done(
        batch_id=batch.pk, branch_id=east_branch.pk, file_name="reports/a/second.pdf"
    )

    assert batch.parts.get().file_name == "reports/a/first.pdf"
