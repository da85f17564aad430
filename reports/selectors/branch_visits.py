"""The approved visits of one branch in one period, as the branch page lists them.

A regional manager never learns which shopper visited or when: for them a row
carries no date, no time and no shopper, and the rows come by score, never in
calendar order. Those fields are left out here, not hidden by a template, so no
page built on this selector can show them by mistake.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Prefetch

from accounts.roles import shows_shopper_identity
from audits.models import Answer, Branch, Visit
from checklists.languages import pick
from checklists.models import Checklist
from reports.periods import Period


@dataclass(frozen=True)
class BranchVisit:
    id: uuid.UUID
    score: Decimal | None
    band: str  # "below" | "meets" | "exceeds" | "" when unscored
    critical: tuple[str, ...]  # the failed critical items, named in the page's language
    # Only for viewers who may know who visited and when (never a regional manager).
    visited_on: dt.date | None = None
    shopper: str | None = None


def branch_period_visits(
    *, viewer, branch: Branch, checklist: Checklist, period: Period, lang: str
) -> list[BranchVisit]:
    """Approved visits of `checklist` at `branch` in `period`.

    In date order for head office and reviewers; by score (best first) for a
    regional manager, ties by the random visit id, so the order follows no calendar.
    """
    identity = shows_shopper_identity(viewer)
    visits = Visit.objects.filter(
        branch=branch,
        checklist=checklist,
        status=Visit.Status.APPROVED,
        visited_on__range=(period.start, period.end),
    ).prefetch_related(
        Prefetch(
            "answers",
            queryset=Answer.objects.filter(critical_failure=True)
            .select_related("item")
            .order_by("item__section__position", "item__position", "item_code"),
            to_attr="critical_answers",
        )
    )
    if identity:
        visits = visits.select_related("shopper").order_by("visited_on", "started_at", "pk")
    else:
        visits = visits.order_by(F("score").desc(nulls_last=True), "pk")
    return [
        BranchVisit(
            id=each.pk,
            score=each.score,
            band=each.band or "",
            critical=tuple(
                pick(lang, answer.item.text_zh, answer.item.text_en) or answer.item_code
                for answer in each.critical_answers
            ),
            visited_on=each.visited_on if identity else None,
            shopper=each.shopper.username if identity else None,
        )
        for each in visits
    ]
