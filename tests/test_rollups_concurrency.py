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

from audits.models import VisitRollup
from audits.services.review import visit_review
from tests.report_data import report_checklist, submitted_visit

pytestmark = pytest.mark.django_db(transaction=True)

ANSWERS = {"greet": True, "attitude": 4, "wait": 25, "clean": 6, "resolved": "follow_up"}


def test_approvals_of_one_branch_and_day_from_several_threads_all_count(east_branch, rita):
    version = report_checklist()
    visits = [
        submitted_visit(east_branch, version, "2026-10-05", {**ANSWERS, "wait": wait})
        for wait in (5, 15, 25, 45)
    ]
    barrier = threading.Barrier(len(visits))
    errors: list[BaseException] = []

    def approve(stored):
        try:
            barrier.wait(timeout=10)
            visit_review(visit=stored, reviewer=rita, decision="approve")
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
    assert VisitRollup.objects.get().visits == 4
    out = io.StringIO()
    call_command("rebuild_rollups", "--check", stdout=out)
    assert "no drift" in out.getvalue()
