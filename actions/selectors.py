"""Reads of action plans: who sees which, what is overdue, and what a plan shows to whom."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When
from django.urls import reverse
from django.utils import timezone

from accounts.roles import shows_shopper_identity
from accounts.scope import scope_of
from actions.models import ActionPlan, ActionPlanEvidence
from audits.selectors.evidence import evidence_row

# A plan still waits on someone until head office has accepted it (or a visit verified it).
_SETTLED = (ActionPlan.Status.ACCEPTED, ActionPlan.Status.VERIFIED)


def overdue_condition(today: dt.date | None = None) -> Q:
    """Due date passed and not accepted or verified: what head office chases."""
    today = today or timezone.localdate()
    return Q(due_date__lt=today) & ~Q(status__in=_SETTLED)


def action_plans_visible_to(user) -> QuerySet[ActionPlan]:
    """Plans of the branches the user sees; shoppers and reviewers are refused before this."""
    return (
        scope_of(user)
        .filter(ActionPlan.objects.all(), region="branch__region")
        .select_related("branch__region", "checklist", "visit", "checked_by_visit")
        .prefetch_related("evidence__uploaded_by")
    )


def action_plan_list(
    *,
    user,
    status: str | None = None,
    branch_id: int | None = None,
    overdue: bool = False,
    today: dt.date | None = None,
) -> QuerySet[ActionPlan]:
    """The user's plans, overdue first, then the earliest due, then the newest period."""
    today = today or timezone.localdate()
    plans = action_plans_visible_to(user).prefetch_related("items")
    if status:
        plans = plans.filter(status=status)
    if branch_id is not None:
        plans = plans.filter(branch_id=branch_id)
    if overdue:
        plans = plans.filter(overdue_condition(today))
    return plans.annotate(
        is_overdue=Case(
            When(overdue_condition(today), then=Value(0)),
            default=Value(1),
            output_field=IntegerField(),
        )
    ).order_by("is_overdue", F("due_date").asc(nulls_last=True), "-period", "id")


def is_overdue(plan: ActionPlan, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return plan.due_date is not None and plan.due_date < today and plan.status not in _SETTLED


def shows_visit(user) -> bool:
    """Regional managers never learn which visit (so who, or when) opened or checked a plan."""
    return shows_shopper_identity(user)


def action_plan_detail(plan: ActionPlan, *, viewer) -> dict:
    """What a plan shows to `viewer`: the month, never the visit, for a regional manager."""
    data = {
        "id": plan.pk,
        "branch": {
            "id": plan.branch_id,
            "code": plan.branch.code,
            "name_zh": plan.branch.name_zh,
            "name_en": plan.branch.name_en,
            "region": plan.branch.region.code,
        },
        "checklist": plan.checklist.code,
        "reason": plan.reason,
        "period": plan.period,
        "score": plan.score,
        "expected_score": plan.expected_score,
        "status": plan.status,
        "did_not_fix": plan.did_not_fix,
        "overdue": is_overdue(plan),
        "items": [
            {
                "code": item.item_code,
                "text_zh": item.text_zh,
                "text_en": item.text_en,
                "critical": item.critical,
                "failures": item.failures,
            }
            for item in plan.items.all()
        ],
        "root_cause": plan.root_cause,
        "actions": plan.actions,
        "owner": plan.owner,
        "due_date": plan.due_date,
        "submitted_at": plan.submitted_at,
        "decision_note": plan.decision_note,
        "accepted_at": plan.accepted_at,
        "evidence": [action_plan_evidence_row(e) for e in plan.evidence.all()],
    }
    if shows_visit(viewer):
        data["visit"] = _visit_link(plan.visit)
        data["checked_by_visit"] = _visit_link(plan.checked_by_visit)
        data["created_at"] = plan.created_at
        data["checked_at"] = plan.checked_at
    return data


def _visit_link(visit) -> dict | None:
    if visit is None:
        return None
    return {"id": visit.pk, "visited_on": visit.visited_on, "score": visit.score}


def action_plan_evidence_row(evidence: ActionPlanEvidence) -> dict:
    """An evidence photo as the API and the page show it, with the URLs of its two copies."""
    return evidence_row(
        evidence, url=reverse("action-plan-evidence-file", args=[evidence.plan_id, evidence.pk])
    )


def action_plan_evidence_list(plan: ActionPlan) -> QuerySet[ActionPlanEvidence]:
    return plan.evidence.select_related("uploaded_by")


def action_plan_evidence_names() -> set[str]:
    """Every storage name of every plan's evidence: check_storage's list of files in use."""
    names: set[str] = set()
    for file_name, thumb_name in ActionPlanEvidence.objects.values_list(
        "file_name", "thumb_name"
    ).iterator(chunk_size=2000):
        names.update(n for n in (file_name, thumb_name) if n)
    return names
