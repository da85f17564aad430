"""Celery tasks of the reports app. In the embedded default they run in-process."""

from celery import shared_task


@shared_task
def scorecard_render_task(
    branch_id: int,
    period: str,
    lang: str,
    checklist_id: int | None = None,
    batch_id: int | None = None,
) -> int | None:
    """Render (or find in the cache) one branch's scorecard; returns the Scorecard id.

    Arguments are plain ids and the period's label so the message stays JSON.
    Counts itself done on its batch, which is how the caller follows progress
    without a result backend, recording the PDF it stored so the zip need not
    look it up again; a failure marks the batch failed before raising.
    """
    from audits.models import Branch
    from checklists.models import Checklist
    from reports.services.scorecards import (
        period_from_label,
        scorecard_batch_count_done,
        scorecard_batch_fail,
        scorecard_render,
    )

    branch = Branch.objects.select_related("region").filter(pk=branch_id).first()
    if branch is None:
        # Deleted since the batch was planned: nothing to draw, but the batch must still finish.
        if batch_id is not None:
            scorecard_batch_count_done(batch_id=batch_id, branch_id=branch_id)
        return None
    try:
        scorecard = scorecard_render(
            branch=branch,
            period=period_from_label(period),
            lang=lang,
            checklist=Checklist.objects.get(pk=checklist_id) if checklist_id else None,
        )
    except Exception:
        if batch_id is not None:
            scorecard_batch_fail(batch_id=batch_id)
        raise
    if batch_id is not None:
        scorecard_batch_count_done(
            batch_id=batch_id, branch_id=branch_id, file_name=scorecard.file_name
        )
    return scorecard.pk


@shared_task
def report_tables_warm_task() -> int:
    """Keep the report tables of the last complete month ready (beat, every few minutes)."""
    from reports.services.report_tables import report_tables_warm

    return len(report_tables_warm())
