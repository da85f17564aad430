"""A reviewer's work on a submitted visit: the decision, and corrections of answers.

Only a `submitted` visit is reviewed or corrected; anything else is a conflict
naming the visit's status, so two reviewers acting on the same visit cannot
both win (the visit row is locked while deciding).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.models import AnswerCorrection, Assignment, Review, User, Visit
from audits.selectors.rollups import visit_contribution
from audits.services.amendments import amendment_errors, answer_change_record
from audits.services.rollups import rollups_apply
from audits.services.visit_body import plain_value
from backend.errors import Conflict
from checklists.models import Item
from outbox.services import event_enqueue

# What each decision does to the visit and to its assignment. A returned visit
# keeps its assignment `submitted`: the shopper corrects the same visit.
_OUTCOMES = {
    Review.Decision.APPROVE: (Visit.Status.APPROVED, Assignment.Status.CLOSED),
    Review.Decision.RETURN: (Visit.Status.RETURNED, Assignment.Status.SUBMITTED),
    Review.Decision.REJECT: (Visit.Status.REJECTED, Assignment.Status.CLOSED),
}


def _locked_submitted(visit: Visit, *, doing: str) -> Visit:
    locked = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("assignment", "checklist_version")
        .get(pk=visit.pk)
    )
    if locked.status != Visit.Status.SUBMITTED:
        raise Conflict(
            f"Only a submitted visit can be {doing}; this one is {locked.status}.",
            code="not_submitted",
            extra={"status": locked.status},
        )
    return locked


@transaction.atomic
def visit_review(
    *,
    visit: Visit,
    reviewer: User,
    decision: str,
    note: str = "",
    question_notes: dict[str, str] | None = None,
) -> Review:
    """Approve, return or reject a submitted visit, and record the review.

    A return must say what to fix (`note` or a question note); a rejection must
    say why (`note`). Blank question notes are dropped: a review form sends a box
    for every question, most of them empty.
    """
    note = note.strip()
    notes = {code: text.strip() for code, text in (question_notes or {}).items() if text.strip()}
    errors: dict[str, list[str]] = {}
    if decision not in _OUTCOMES:
        errors["decision"] = [f"Must be one of: {', '.join(_OUTCOMES)}."]
    elif decision == Review.Decision.RETURN and not note and not notes:
        errors["note"] = ["Say what the shopper must fix: a note or at least one question note."]
    elif decision == Review.Decision.REJECT and not note:
        errors["note"] = ["Give the reason for the rejection."]
    codes = set(
        Item.objects.filter(version_id=visit.checklist_version_id).values_list("code", flat=True)
    )
    for code in notes:
        if code not in codes:
            errors[f"question_notes.{code}"] = [f"No question {code!r} in this visit's checklist."]
    if errors:
        raise ValidationError(errors)

    visit = _locked_submitted(visit, doing="reviewed")
    visit_status, assignment_status = _OUTCOMES[decision]
    review = Review.objects.create(
        visit=visit,
        reviewer=reviewer,
        decision=decision,
        note=note,
        question_notes=notes,
        revision=visit.revision,
    )
    visit.status = visit_status
    visit.reviewed_at = review.created_at
    visit.reviewed_by = reviewer
    visit.review_note = note
    visit.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    assignment = visit.assignment
    if assignment.status != assignment_status:
        assignment.status = assignment_status
        assignment.save(update_fields=["status", "updated_at"])
    if decision == Review.Decision.APPROVE:
        # The visit enters the reports now: their roll-ups commit with the approval.
        rollups_apply(before=None, after=visit_contribution(visit))
        # In this transaction, so the follow-up (action plans) commits or rolls back with the
        # approval; the handler is found by kind, so audits never imports the layer above it.
        event_enqueue(kind="visit.approved", key=str(visit.id))
    return review


@transaction.atomic
def visit_approval_withdraw(*, visit: Visit, reviewer: User, reason: str) -> Review:
    """Reject a visit that was already approved (e.g. found to be fabricated), and record why.

    The visit leaves the reports: its numbers leave the roll-ups in this
    transaction. Follow-ups the approval started (action plans) are left to their
    owners. Raises ValidationError without a `reason` and Conflict (`not_approved`)
    when the visit is not approved.
    """
    reason = reason.strip()
    if not reason:
        raise ValidationError({"note": ["Give the reason for the rejection."]})
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("checklist_version")
        .get(pk=visit.pk)
    )
    if visit.status != Visit.Status.APPROVED:
        raise Conflict(
            f"Only an approved visit can have its approval withdrawn; this one is {visit.status}.",
            code="not_approved",
            extra={"status": visit.status},
        )
    counted = visit_contribution(visit)
    review = Review.objects.create(
        visit=visit,
        reviewer=reviewer,
        decision=Review.Decision.REJECT,
        note=reason,
        revision=visit.revision,
    )
    visit.status = Visit.Status.REJECTED
    visit.reviewed_at = review.created_at
    visit.reviewed_by = reviewer
    visit.review_note = reason
    visit.save(update_fields=["status", "reviewed_at", "reviewed_by", "review_note", "updated_at"])
    rollups_apply(before=counted, after=None)
    return review


@transaction.atomic
def visit_answer_correct(
    *,
    visit: Visit,
    reviewer: User,
    question: str,
    value=None,
    na: bool = False,
    reason: str,
) -> AnswerCorrection:
    """Correct one answer of a submitted visit, re-score the visit and record the correction.

    An unanswered question gets an answer. The correction row keeps the old and
    new answer, item score and visit score, who made it and why.
    """
    value = plain_value(value)
    reason = reason.strip()
    errors = amendment_errors(visit=visit, question=question, value=value, na=na)
    if not reason:
        errors["reason"] = ["Say why the answer is corrected."]
    if errors:
        raise ValidationError(errors)

    visit = _locked_submitted(visit, doing="corrected")
    return answer_change_record(
        visit=visit,
        by=reviewer,
        question=question,
        value=value,
        na=na,
        reason=reason,
        source=AnswerCorrection.Source.REVIEW,
    )
