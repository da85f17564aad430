"""Reads for reviewers: the review queue, a visit's reviews and its corrections."""

from __future__ import annotations

from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)

from audits.models import AnswerCorrection, Review, Visit, VisitCheck


def review_queue() -> QuerySet[Visit]:
    """Submitted visits: flagged ones first, lowest confidence first; then those whose
    checks are pending; then the oldest submitted.

    A visit whose checks have not run yet (confidence null) is not known to be
    fine, so it never passes for an unflagged one: it is annotated
    `checks_pending` and comes before the visits the checks found fine.
    """
    failed_checks = VisitCheck.objects.filter(passed=False).order_by("-penalty", "code")
    return (
        Visit.objects.filter(status=Visit.Status.SUBMITTED)
        .select_related("branch__region", "checklist")
        .prefetch_related(Prefetch("checks", queryset=failed_checks, to_attr="failed_checks"))
        .annotate(
            checks_pending=ExpressionWrapper(
                Q(confidence__isnull=True), output_field=BooleanField()
            )
        )
        .order_by(
            F("flagged").desc(),
            F("checks_pending").desc(),
            # Among unflagged visits confidence does not matter: first come, first served.
            Case(When(flagged=True, then=F("confidence")), default=Value(0)).asc(),
            F("submitted_at").asc(nulls_last=True),
            "id",
        )
    )


def review_queue_item(visit: Visit) -> dict:
    """One queue row; expects the visit from review_queue() (failed checks prefetched)."""
    return {
        "id": visit.id,
        "branch": {
            "id": visit.branch_id,
            "code": visit.branch.code,
            "name_zh": visit.branch.name_zh,
            "name_en": visit.branch.name_en,
            "region": visit.branch.region.code,
        },
        # A call or a letter is reviewed for other things than a visit to the branch.
        "channel": visit.checklist.channel,
        "visited_on": visit.visited_on,
        "submitted_at": visit.submitted_at,
        "revision": visit.revision,
        "score": visit.score,
        "confidence": visit.confidence,
        "flagged": visit.flagged,
        # The checks always set a confidence, so none means they have not run.
        "checks_pending": visit.confidence is None,
        "failed_checks": [
            {"code": c.code, "message": c.message, "penalty": c.penalty}
            for c in visit.failed_checks
        ],
    }


def visit_corrections(*, visit: Visit) -> QuerySet[AnswerCorrection]:
    """The audit trail of a visit's answer corrections, oldest first."""
    return visit.corrections.select_related("corrected_by").order_by("corrected_at", "id")


def correction_item(correction: AnswerCorrection) -> dict:
    return {
        "id": correction.id,
        "question": correction.item_code,
        "old_value": correction.old_value,
        "old_na": correction.old_na,
        "old_score": correction.old_score,
        "new_value": correction.new_value,
        "new_na": correction.new_na,
        "new_score": correction.new_score,
        "old_visit_score": correction.old_visit_score,
        "new_visit_score": correction.new_visit_score,
        "reason": correction.reason,
        "corrected_by": correction.corrected_by.username,
        "corrected_at": correction.corrected_at,
    }


def review_trail(*, visit: Visit) -> list[dict]:
    """Every review of the visit, oldest first, each marked when it withdrew an approval.

    A withdrawal is stored as a rejection (audits.services.review.visit_approval_withdraw);
    only an approved visit can be rejected after an approval, so a rejection that
    follows an approval is one.
    """
    rows = []
    previous = None
    for review in visit.reviews.select_related("reviewer").order_by("created_at", "id"):
        rows.append(
            {
                "decision": review.decision,
                "withdrawal": review.decision == Review.Decision.REJECT
                and previous == Review.Decision.APPROVE,
                "note": review.note,
                "reviewer": review.reviewer.username,
                "revision": review.revision,
                "at": review.created_at,
            }
        )
        previous = review.decision
    return rows
