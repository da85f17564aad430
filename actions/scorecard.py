"""The branch's action plans on its scorecard: the hook settings.SCORECARD_EXTRAS names.

Reports draws the scorecard but sits below actions, so it cannot ask for plans
itself; it calls this by dotted path (reports.scorecard_extras) and gets plain
data back, in the shape reports defines. A read, so a selector in all but name.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone

from actions.models import ActionPlan
from actions.selectors import is_overdue
from audits.models import Branch, Region
from checklists.languages import pick
from checklists.models import Checklist
from reports.periods import Period, previous
from reports.scorecard_extras import PlanFact, PlanFacts


def _months(period: Period) -> list[str]:
    """The months ("2026-10") a period touches: plans are filed by month."""
    months = []
    year, number = period.start.year, period.start.month
    while (year, number) <= (period.end.year, period.end.month):
        months.append(f"{year:04d}-{number:02d}")
        year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    return months


def _fact(plan: ActionPlan, *, lang: str, today: dt.date) -> PlanFact:
    return PlanFact(
        month=plan.period,
        reason=plan.reason,
        status=plan.status,
        items=tuple(pick(lang, item.text_zh, item.text_en) for item in plan.items.all()),
        due_date=plan.due_date,
        overdue=is_overdue(plan, today),
        did_not_fix=plan.did_not_fix,
    )


def _urgency(fact: PlanFact) -> tuple:
    # As the plan pages list them: overdue first, then the earliest due, then the newest month.
    return (
        not fact.overdue,
        fact.due_date is None,
        fact.due_date or dt.date.min,
        -int(fact.month.replace("-", "")),
    )


def scorecard_action_plans(
    *,
    branch: Branch,
    checklist: Checklist,
    period: Period,
    lang: str,
    today: dt.date | None = None,
) -> dict[str, PlanFacts]:
    """The branch's plans on `checklist` for its scorecard of `period`, as they stand today.

    - open: every plan about this period or earlier that no visit has verified
      yet (a plan about a later month is not the card's business), most urgent
      first;
    - previous: the plans about the previous period that head office accepted,
      so the card can say whether the next visit verified them or reopened them
      as "did not fix" (or has not come yet). They are left out of `open`, so
      no plan is listed twice.

    The month a plan is about stands for when; nothing here carries the date of
    a visit (nor which visit opened or checked a plan). Two queries.
    """
    today = today or timezone.localdate()
    last_month = _months(period)[-1]
    earlier = set(_months(previous(period)))
    plans = (
        ActionPlan.objects.filter(branch=branch, checklist=checklist, period__lte=last_month)
        .prefetch_related("items")
        .order_by("period", "id")
    )
    open_facts, previous_facts = [], []
    for plan in plans:
        if plan.period in earlier and plan.accepted_at is not None:
            previous_facts.append(_fact(plan, lang=lang, today=today))
        elif plan.status != ActionPlan.Status.VERIFIED:
            open_facts.append(_fact(plan, lang=lang, today=today))
    open_facts.sort(key=_urgency)
    return {"action_plans": PlanFacts(open=tuple(open_facts), previous=tuple(previous_facts))}


def action_plans_changed(
    *, region: Region, since: dt.datetime, today: dt.date | None = None
) -> bool:
    """Whether the plans a scorecard of `region` shows may differ from what they were at `since`.

    A plan of one of its branches created or changed after it (every change to a
    plan saves the plan, and its items are written with it), or one whose due
    date has passed since, which turns it overdue without any row changing. One
    query; a settled plan passing its due date is counted too, which at worst
    rebuilds a zip that was still current.
    """
    today = today or timezone.localdate()
    return (
        ActionPlan.objects.filter(branch__region=region)
        .filter(
            Q(updated_at__gt=since) | Q(due_date__gte=timezone.localdate(since), due_date__lt=today)
        )
        .exists()
    )
