"""Approvals committing together all count in the roll-ups: the database adds, not Python.

Real transactions and one connection per thread, so on PostgreSQL two upserts of
the same branch and day meet on its row, and on SQLite on the write lock.
"""

from __future__ import annotations

import io
import threading

import pytest
from django.core.management import call_command
from django.db import connections

from audits.models import ReportStamp, VisitRollup
from audits.services.review import visit_review
from tests.report_data import report_checklist, submitted_visit

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


def approve_together(visits, reviewer) -> None:
    """Approve `visits` from one thread each, released at once; raise what any of them raised."""
    barrier = threading.Barrier(len(visits))
    errors: list[BaseException] = []

    def approve(stored):
        try:
            barrier.wait(timeout=10)
            visit_review(visit=stored, reviewer=reviewer, decision="approve")
        except BaseException as problem:  # noqa: BLE001 — reported below
            errors.append(problem)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(v,)) for v in visits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors


def test_approvals_of_one_branch_and_day_from_several_threads_all_count(east_branch, rita):
    version = report_checklist()
    visits = [
        submitted_visit(east_branch, version, "2026-10-05", {**ANSWERS, "wait": wait})
        for wait in (5, 15, 25, 45)
    ]

    approve_together(visits, rita)

    assert VisitRollup.objects.get(grain="day").visits == 4
    assert VisitRollup.objects.get(grain="month").visits == 4
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "no drift" in out.getvalue()


def test_approvals_of_several_branches_in_one_month_from_several_threads_all_bump_its_stamp(
    east_branch, pudong, west_branch, rita
):
    version = report_checklist()
    visits = [
        submitted_visit(branch, version, day, ANSWERS)
        for branch, day in (
            (east_branch, "2026-10-05"),
            (pudong, "2026-10-12"),
            (west_branch, "2026-10-30"),
        )
    ]

    approve_together(visits, rita)

    assert ReportStamp.objects.get().changes == 3
