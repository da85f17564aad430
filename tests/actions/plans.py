"""Helpers for action-plan tests: approved visits that go through the review and the outbox.

Visits are written with tests.report_data.visit (stored scores, as reports read
them) as `submitted`, then approved with the real visit_review, whose
`visit.approved` event the outbox drain hands to actions.services.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from actions.models import ActionPlan
from audits.models import Visit
from audits.services.review import visit_review
from outbox.services import events_drain
from tests.report_data import Number, visit

# greet is small_checklist's critical item; the others are ordinary.
PASSING = {"greet": 100, "attitude": 75, "clean": 80}
CRITICAL_FAILURE = {"greet": 0, "attitude": 75, "clean": 80}


def today() -> dt.date:
    return timezone.localdate()


def approved_visit(
    branch,
    version,
    reviewer,
    *,
    on: dt.date | None = None,
    score: Number = 90,
    answers: dict | None = None,
    drain: bool = True,
) -> Visit:
    """A visit of `branch` approved by `reviewer`, the outbox drained unless `drain` is False."""
    submitted = visit(
        branch,
        version,
        on or today(),
        score,
        status=Visit.Status.SUBMITTED,
        answers=PASSING if answers is None else answers,
    )
    visit_review(visit=submitted, reviewer=reviewer, decision="approve")
    if drain:
        events_drain()
    submitted.refresh_from_db()
    return submitted


def critical_plan(branch, version, reviewer, **kwargs) -> ActionPlan:
    """The plan opened by an approved visit of `branch` that failed the critical item greet."""
    failed = approved_visit(branch, version, reviewer, answers=CRITICAL_FAILURE, **kwargs)
    return ActionPlan.objects.get(visit=failed, reason=ActionPlan.Reason.CRITICAL_FAILURE)
