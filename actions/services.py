"""Writes of action plans: opening them from approved visits, the regional manager's
submission, head office's decision, and verification by the next approved visit.

Plans are opened by the outbox (`visit.approved`, registered in
settings.OUTBOX_HANDLERS), never by a signal: the event is written in the
review's own transaction, so an approval cannot commit without its follow-up.
The handler may run twice (a crash, an expired lease, a second drain); unique
constraints and get-or-create make the second run change nothing.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import IO

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from accounts.scope import Scope, manages_region
from actions.models import ActionPlan, ActionPlanEvidence, ActionPlanItem
from audits.models import Answer, User, Visit
from audits.services.evidence_files import (
    evidence_count_check,
    evidence_file_prepare,
    evidence_files_kept_with_row,
    evidence_files_write,
)
from backend.errors import Conflict
from reports.periods import month
from reports.selectors.comparison import branch_comparison

_SUBMITTABLE = (ActionPlan.Status.OPEN, ActionPlan.Status.SENT_BACK, ActionPlan.Status.REOPENED)
OWNER_MAX = 150
TEXT_MAX = 5000


def _period_of(day: dt.date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


# --- opening, from the outbox ------------------------------------------------------------


def visit_approved_handle(*, key: str, payload: dict | None = None) -> None:
    """Outbox handler of `visit.approved`: check accepted plans, then open what the visit calls for.

    Checking comes first so that a visit which fails a plan's items again marks
    that plan "did not fix" whatever else it opens. A visit that is gone or no
    longer approved asks for nothing (raising would retry it forever).
    """
    visit = (
        Visit.objects.select_related("branch", "checklist_version")
        .filter(pk=key, status=Visit.Status.APPROVED)
        .first()
    )
    if visit is None:
        return
    with transaction.atomic():
        action_plans_check(visit=visit)
        action_plan_open_critical(visit=visit)
        action_plan_open_below_standard(visit=visit)


@transaction.atomic
def action_plan_open_critical(*, visit: Visit) -> ActionPlan | None:
    """One plan per approved visit that failed a critical item, listing those items."""
    failed = list(
        Answer.objects.filter(visit=visit, critical_failure=True)
        .select_related("item")
        .order_by("item_code")
    )
    if not failed:
        return None
    plan, created = ActionPlan.objects.get_or_create(
        reason=ActionPlan.Reason.CRITICAL_FAILURE,
        visit=visit,
        defaults={
            "branch_id": visit.branch_id,
            "checklist_id": visit.checklist_id,
            "period": _period_of(visit.visited_on),
        },
    )
    if created:
        ActionPlanItem.objects.bulk_create(
            ActionPlanItem(
                plan=plan,
                item_code=answer.item_code,
                text_zh=answer.item.text_zh,
                text_en=answer.item.text_en,
                critical=True,
                failures=1,
            )
            for answer in failed
        )
    return plan


@transaction.atomic
def action_plan_open_below_standard(*, visit: Visit) -> ActionPlan | None:
    """One plan per (branch, checklist, month) whose period score is below the standard.

    The period score and its band come from the league table (branch_comparison,
    read company-wide), so the plan agrees with the scorecard: "below" is the
    scorecard's band, a score under the standard less its tolerance.
    """
    period = month(visit.visited_on.year, visit.visited_on.month)
    comparison = branch_comparison(
        user=Scope.company(),
        checklist=visit.checklist,
        period=period,
        region=visit.branch.region,
        lenses=(),  # the score and its band only
    )
    row = next((r for r in comparison.rows if r.branch_id == visit.branch_id), None)
    if row is None or row.band != "below":
        return None
    plan, created = ActionPlan.objects.get_or_create(
        reason=ActionPlan.Reason.BELOW_STANDARD,
        branch_id=visit.branch_id,
        checklist_id=visit.checklist_id,
        period=period.label,
        defaults={"score": row.score, "expected_score": comparison.expected},
    )
    if created:
        ActionPlanItem.objects.bulk_create(
            _period_failures(visit=visit, plan=plan, start=period.start, end=period.end)
        )
    return plan


def _period_failures(
    *, visit: Visit, plan: ActionPlan, start: dt.date, end: dt.date
) -> list[ActionPlanItem]:
    """The items failed in the branch's approved visits of the period, most failed first."""
    counts = (
        Answer.objects.filter(
            visit__branch_id=visit.branch_id,
            visit__checklist_id=visit.checklist_id,
            visit__status=Visit.Status.APPROVED,
            visit__visited_on__range=(start, end),
            failed=True,
        )
        .values("item_code")
        .annotate(failures=Count("pk"))
        .order_by()
    )
    # The wording of the newest version that asked the item.
    texts = {}
    for answer in Answer.objects.filter(visit=visit).select_related("item"):
        texts[answer.item_code] = answer.item
    rows = []
    for row in counts:
        item = texts.get(row["item_code"])
        if item is None:
            item = (
                Answer.objects.filter(
                    item_code=row["item_code"], visit__checklist_id=visit.checklist_id
                )
                .select_related("item")
                .latest("visit__started_at")
                .item
            )
        rows.append(
            ActionPlanItem(
                plan=plan,
                item_code=row["item_code"],
                text_zh=item.text_zh,
                text_en=item.text_en,
                critical=item.critical,
                failures=row["failures"],
            )
        )
    return rows


@transaction.atomic
def action_plans_check(*, visit: Visit) -> list[ActionPlan]:
    """Verify or reopen the branch's accepted plans against a later approved visit.

    A plan is checked by a visit of its checklist made on or after the day it
    was accepted (an earlier visit says nothing about the actions). Any of its
    items failed again: reopened and marked did_not_fix. Every one of its items
    the visit scored passed (at least one scored): verified. None scored (N/A,
    not asked): the plan waits for another visit.
    """
    plans = list(
        ActionPlan.objects.select_for_update()
        .filter(
            branch_id=visit.branch_id,
            checklist_id=visit.checklist_id,
            status=ActionPlan.Status.ACCEPTED,
            accepted_at__isnull=False,
        )
        .exclude(visit=visit)
        .prefetch_related("items")
    )
    answers = {
        a.item_code: a for a in Answer.objects.filter(visit=visit, na=False, score__isnull=False)
    }
    changed = []
    for plan in plans:
        if visit.visited_on < timezone.localdate(plan.accepted_at):
            continue
        scored = [answers[i.item_code] for i in plan.items.all() if i.item_code in answers]
        if not scored:
            continue
        if any(a.failed for a in scored):
            plan.status = ActionPlan.Status.REOPENED
            plan.did_not_fix = True
        else:
            plan.status = ActionPlan.Status.VERIFIED
        plan.checked_by_visit = visit
        plan.checked_at = timezone.now()
        plan.save(
            update_fields=["status", "did_not_fix", "checked_by_visit", "checked_at", "updated_at"]
        )
        changed.append(plan)
    return changed


# --- the regional manager and head office ------------------------------------------------


def _locked(plan: ActionPlan) -> ActionPlan:
    return ActionPlan.objects.select_for_update().select_related("branch").get(pk=plan.pk)


def _manages(user: User, plan: ActionPlan) -> bool:
    return manages_region(user, plan.branch.region_id)


def _wrong_state(plan: ActionPlan, doing: str) -> Conflict:
    return Conflict(
        f"This plan cannot be {doing}: it is {plan.status}.",
        code="wrong_status",
        extra={"status": plan.status},
    )


@transaction.atomic
def action_plan_submit(
    *,
    plan: ActionPlan,
    user: User,
    root_cause: str,
    actions: str,
    owner: str,
    due_date: dt.date | None,
    today: dt.date | None = None,
) -> ActionPlan:
    """The regional manager of the branch's region says why, what, who and by when.

    Every missing or bad field is a ValidationError naming it; a plan that is
    not open, sent back or reopened is a Conflict. Scope (which plans the user
    may reach at all) is the caller's: the API answers 404 outside it.
    """
    today = today or timezone.localdate()
    values = {"root_cause": root_cause, "actions": actions, "owner": owner}
    errors: dict[str, list[str]] = {}
    for field, value in values.items():
        values[field] = (value or "").strip()
        if not values[field]:
            errors[field] = ["Required."]
    if len(values["owner"]) > OWNER_MAX:
        errors["owner"] = [f"At most {OWNER_MAX} characters."]
    for field in ("root_cause", "actions"):
        if len(values[field]) > TEXT_MAX:
            errors[field] = [f"At most {TEXT_MAX} characters."]
    if due_date is None:
        errors["due_date"] = ["Required."]
    elif due_date < today:
        errors["due_date"] = [f"{due_date.isoformat()} has passed; give a date from today."]
    if not _manages(user, plan):
        # The API refuses other roles with 403 before this; a page or script gets the same rule.
        raise PermissionDenied("Only the regional manager of the branch's region submits a plan.")
    if errors:
        raise ValidationError(errors)

    plan = _locked(plan)
    if plan.status not in _SUBMITTABLE:
        raise _wrong_state(plan, "submitted")
    plan.root_cause = values["root_cause"]
    plan.actions = values["actions"]
    plan.owner = values["owner"]
    plan.due_date = due_date
    plan.status = ActionPlan.Status.SUBMITTED
    plan.submitted_at = timezone.now()
    plan.submitted_by = user
    plan.save()
    return plan


@transaction.atomic
def action_plan_accept(*, plan: ActionPlan, user: User) -> ActionPlan:
    """Head office accepts a submitted plan; the next approved visit will verify it."""
    plan = _locked(plan)
    if plan.status != ActionPlan.Status.SUBMITTED:
        raise _wrong_state(plan, "accepted")
    now = timezone.now()
    plan.status = ActionPlan.Status.ACCEPTED
    plan.decided_at = now
    plan.accepted_at = now
    plan.decided_by = user
    plan.decision_note = ""
    plan.save()
    return plan


@transaction.atomic
def action_plan_send_back(*, plan: ActionPlan, user: User, note: str) -> ActionPlan:
    """Head office sends a submitted plan back to the regional manager, saying what is missing."""
    note = (note or "").strip()
    if not note:
        raise ValidationError({"note": ["Say what the regional manager must change."]})
    if len(note) > TEXT_MAX:
        raise ValidationError({"note": [f"At most {TEXT_MAX} characters."]})
    plan = _locked(plan)
    if plan.status != ActionPlan.Status.SUBMITTED:
        raise _wrong_state(plan, "sent back")
    plan.status = ActionPlan.Status.SENT_BACK
    plan.decided_at = timezone.now()
    plan.decided_by = user
    plan.decision_note = note
    plan.save()
    return plan


# --- evidence photos -------------------------------------------------------------------------


def action_plan_evidence_folder(plan: ActionPlan) -> str:
    return f"action-plans/{plan.pk}/evidence"


def action_plan_evidence_add(
    *, plan: ActionPlan, user: User, file: IO[bytes], size: int, filename: str = ""
) -> ActionPlanEvidence:
    """The regional manager attaches a photo to a plan they may still edit (open, sent back,
    reopened), at most EVIDENCE_FILES_MAX per plan.

    Raises PermissionDenied for anyone but a regional manager of the branch's region,
    Conflict (`wrong_status`) for a plan they may no longer edit, and EvidenceRejected
    (a ValidationError naming `file`) for a file that is not a JPEG, PNG or WebP photo
    within the visit photo's limits, or one too many. Only re-encoded copies are
    stored; a failure anywhere leaves neither a row nor a file.
    """
    if not _manages(user, plan):
        raise PermissionDenied("Only the regional manager of the branch's region adds evidence.")
    # The cheap refusals first, so a wrong state or a full plan costs no decoding.
    if plan.status not in _SUBMITTABLE:
        raise _wrong_state(plan, "given evidence")
    evidence_count_check(count=plan.evidence.count())
    prepared = evidence_file_prepare(file=file, size=size, filename=filename, allow_pdf=False)

    evidence_id = uuid.uuid4()
    with evidence_files_kept_with_row() as written, transaction.atomic():
        # Under the plan's lock: a submission or a second upload cannot slip in
        # between the checks and the row. The files are written here, after every
        # check, so a refusal writes none; holding the lock through a write of a
        # few hundred kilobytes is cheap for a plan only its manager edits.
        plan = _locked(plan)
        if plan.status not in _SUBMITTABLE:
            raise _wrong_state(plan, "given evidence")
        evidence_count_check(count=plan.evidence.count())
        names = evidence_files_write(
            folder=action_plan_evidence_folder(plan),
            evidence_id=evidence_id,
            prepared=prepared,
            written=written,
        )
        return ActionPlanEvidence.objects.create(
            id=evidence_id,
            plan=plan,
            uploaded_by=user,
            filename=prepared.filename,
            content_type=prepared.content_type,
            size_bytes=prepared.size_bytes,
            width=prepared.width,
            height=prepared.height,
            file_name=names["full"],
            thumb_name=names["thumb"],
        )
