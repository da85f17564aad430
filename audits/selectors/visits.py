"""Reads of visits shaped for the API."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db.models import prefetch_related_objects

from accounts.roles import shows_shopper_identity
from audits.models import Answer, Photo, Review, Visit, VisitCheck, VisitScore
from checklists.models import AnswerType
from checklists.scoring import BPMP_CLASSES, SCORED_TYPES, round_score

# The visit's own times, which a regional manager never reads (see visit_detail).
TIMES_HIDDEN_FROM_MANAGERS = ("started_at", "ended_at", "visited_on", "submitted_at")


@dataclass(frozen=True)
class VisitParts:
    """A visit's own rows that its detail shows, each list in its model's order.

    The upload builds them from what it has just written (see visit_submit), so
    its response needs no read of rows the same request inserted.
    """

    scores: list[VisitScore]
    answers: list[Answer]  # each with its item
    photos: list[Photo]
    checks: list[VisitCheck]
    reviews: list[Review]


def visit_parts(visit: Visit) -> VisitParts:
    # A list view has prefetched answers with their items (this is then a no-op); a
    # single visit reads them in two queries, not one per answer's item.
    prefetch_related_objects([visit], "answers__item")
    return VisitParts(
        scores=list(visit.scores.all()),
        answers=list(visit.answers.all()),
        photos=list(visit.photos.all()),
        checks=list(visit.checks.all()),
        reviews=list(visit.reviews.all()),
    )


def photo_state(visit: Visit, *, photos: list[Photo] | None = None) -> dict:
    if photos is None:
        photos = list(visit.photos.all())
    return {
        "declared": len(photos),
        "received": sum(1 for p in photos if p.received),
        "missing": [str(p.id) for p in photos if not p.received],
        "items": [
            {
                "id": str(p.id),
                "question": p.item_code or None,
                "received": p.received,
                "sha256": p.sha256,
                "taken_at": p.taken_at,
                "content_type": p.content_type or None,
            }
            for p in photos
        ],
    }


def bpmp_scores(answers: list[Answer]) -> dict[str, Decimal]:
    """Per BPMP class, the mean score of the visit's scored answers to items of that class.

    The visit's own row of the comparison's BPMP lens, computed the same way (scored
    items tagged with a class; N/A and unscored answers count in none), so a reviewer
    reads a visit's basics, delighters and punishments as head office reads a branch's.
    """
    sums: dict[str, tuple[Decimal, int]] = {}
    for answer in answers:
        item = answer.item
        if item.bpmp and item.answer_type in SCORED_TYPES and answer.score is not None:
            total, count = sums.get(item.bpmp, (Decimal(0), 0))
            sums[item.bpmp] = (total + answer.score, count + 1)
    return {
        klass: round_score(Fraction(sums[klass][0]) / sums[klass][1])
        for klass in BPMP_CLASSES
        if klass in sums
    }


def visit_detail(visit: Visit, *, viewer, parts: VisitParts | None = None) -> dict:
    """The visit as the API shows it to `viewer`; its rows are read unless `parts` has them."""
    if parts is None:
        parts = visit_parts(visit)
    scores = {kind: {} for kind in VisitScore.Kind.values}
    for row in parts.scores:
        scores[row.kind][row.key] = row.score
    answers = parts.answers
    # The reviewer's notes per question matter while the shopper is correcting.
    returns = [r for r in parts.reviews if r.decision == Review.Decision.RETURN]
    latest_return = returns[-1] if returns and visit.status == Visit.Status.RETURNED else None
    data = {
        "id": visit.id,
        "assignment": visit.assignment_id,
        "checklist_version": visit.checklist_version_id,
        "branch": {
            "id": visit.branch_id,
            "code": visit.branch.code,
            "name_zh": visit.branch.name_zh,
            "name_en": visit.branch.name_en,
            "region": visit.branch.region.code,
        },
        "status": visit.status,
        "revision": visit.revision,
        "started_at": visit.started_at,
        "ended_at": visit.ended_at,
        "visited_on": visit.visited_on,
        "location": (
            {
                "lat": visit.location_lat,
                "lng": visit.location_lng,
                "accuracy_m": visit.location_accuracy_m,
            }
            if visit.location_lat is not None
            else None
        ),
        "comment": visit.comment,
        "score": visit.score,
        "band": visit.band or None,
        "critical_failures": [a.item_code for a in answers if a.critical_failure],
        "sections": scores[VisitScore.Kind.SECTION],
        "dimensions": scores[VisitScore.Kind.DIMENSION],
        "areas": scores[VisitScore.Kind.AREA],
        "factors": scores[VisitScore.Kind.FACTOR],
        "bpmp": bpmp_scores(answers),
        "answers": [
            {
                "question": a.item_code,
                "value": a.value,
                "na": a.na,
                "comment": a.comment,
                "score": a.score,
                "failed": a.failed,
            }
            for a in answers
        ],
        "photos": photo_state(visit, photos=parts.photos),
        "confidence": visit.confidence,
        "flagged": visit.flagged,
        "checks": [
            {
                "code": c.code,
                "passed": c.passed,
                "message": c.message,
                "evidence": c.evidence,
                "penalty": c.penalty,
            }
            for c in parts.checks
        ],
        "review": {
            "reviewed_at": visit.reviewed_at,
            "note": visit.review_note,
            "question_notes": latest_return.question_notes if latest_return else {},
        },
        "submitted_at": visit.submitted_at,
    }
    if shows_shopper_identity(viewer):
        data["shopper"] = visit.shopper.username
    else:
        # The assignment names its shopper, so it goes too; and the checks' messages and
        # evidence, which quote the assignment's window and name other visits.
        del data["assignment"]
        # A date-time answer (when the call was made, when the letter came) dates the
        # visit as surely as the visit's own times would.
        data["answers"] = [
            row
            for row, answer in zip(data["answers"], answers, strict=True)
            if answer.item.answer_type != AnswerType.DATETIME
        ]
        data["checks"] = [
            {"code": c.code, "passed": c.passed, "penalty": c.penalty} for c in parts.checks
        ]
        # When the visit was made tells a branch when shoppers come, and with the
        # window gone these are what would still say it.
        for key in TIMES_HIDDEN_FROM_MANAGERS:
            del data[key]
        del data["review"]["reviewed_at"]
        for photo in data["photos"]["items"]:
            del photo["taken_at"]
    return data
