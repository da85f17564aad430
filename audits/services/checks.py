"""Running the automatic review checks of a visit and storing their verdict.

The checks run once the visit is `submitted` (every photo in), from the outbox
event that visit_status_refresh records in the same transaction. Until they
have run the visit's confidence is null, which the review queue shows as
"checks pending". A doubtful visit is flagged for a human and never dropped:
the checks only set `confidence` and `flagged`.
"""

from __future__ import annotations

import datetime as dt
from functools import reduce
from operator import or_

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits import checks
from audits.models import Photo, Visit, VisitCheck
from checklists.models import Channel

# Near-duplicate photos are looked up by the first hex characters of their hash
# (an indexed prefix match), then compared bit by bit. A reused photo whose
# differing bits all fall outside the prefix is found; one that differs inside
# the first 16 bits is missed, which is the price of not scanning every photo.
PHASH_PREFIX_CHARS = 4


def _other_photos(visit: Visit, photos: list[checks.PhotoFacts]) -> list[checks.OtherPhoto]:
    prefixes = {p.phash[:PHASH_PREFIX_CHARS] for p in photos if len(p.phash) >= PHASH_PREFIX_CHARS}
    if not prefixes:
        return []
    query = reduce(or_, (Q(phash__startswith=prefix) for prefix in sorted(prefixes)))
    rows = (
        Photo.objects.filter(query)
        .exclude(visit_id=visit.id)
        .values_list("visit_id", "id", "phash")
    )
    return [checks.OtherPhoto(visit_id=str(v), photo_id=str(p), phash=h) for v, p, h in rows]


def _presence_checks(visit: Visit) -> list[checks.CheckResult | None]:
    """Whether the shopper was in the branch long enough: where the phone was, and for how long.

    Only a branch visit has a place to be at. A mystery call or a letter is made
    from anywhere, and a call of two minutes is a whole shop, so neither is
    checked for distance, a missing location or a short duration.
    """
    branch = visit.branch
    branch_lat = float(branch.latitude) if branch.latitude is not None else None
    branch_lng = float(branch.longitude) if branch.longitude is not None else None
    return [
        checks.check_location_missing(visit_lat=visit.location_lat, visit_lng=visit.location_lng),
        checks.check_location_far(
            visit_lat=visit.location_lat,
            visit_lng=visit.location_lng,
            branch_lat=branch_lat,
            branch_lng=branch_lng,
            limit_m=settings.VISIT_MAX_DISTANCE_M,
        ),
        checks.check_location_inaccurate(
            accuracy_m=visit.location_accuracy_m if visit.location_lat is not None else None,
            limit_m=settings.VISIT_MAX_ACCURACY_M,
        ),
        checks.check_visit_too_short(
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            min_seconds=settings.VISIT_MIN_SECONDS,
        ),
    ]


def visit_checks_evaluate(*, visit: Visit) -> list[checks.CheckResult]:
    """Every check that applies to the visit as stored now, without storing anything."""
    assignment = visit.assignment
    photos = [
        checks.PhotoFacts(id=str(p.id), taken_at=p.taken_at, phash=p.phash)
        for p in visit.photos.filter(received_at__isnull=False)
    ]
    answers = [
        (a.item_code, a.item.answer_type, a.value)
        for a in visit.answers.select_related("item")
        if not a.na
    ]
    results = _presence_checks(visit) if visit.checklist.channel == Channel.BRANCH else []
    results += [
        checks.check_visit_outside_window(
            # Local time, as the assignment's dates and hours are agreed in it.
            visited_on=visit.visited_on,
            local_start=timezone.localtime(visit.started_at).time(),
            local_end=timezone.localtime(visit.ended_at).time(),
            window_from=assignment.window_from,
            window_to=assignment.window_to,
            time_from=assignment.time_from,
            time_to=assignment.time_to,
        ),
        checks.check_photo_time_outside_visit(
            photos=photos,
            started_at=visit.started_at,
            ended_at=visit.ended_at,
            slack=dt.timedelta(minutes=settings.PHOTO_TIME_SLACK_MINUTES),
        ),
        checks.check_photo_reused(photos=photos, others=_other_photos(visit, photos)),
        checks.check_answers_identical(answers=answers),
    ]
    return [r for r in results if r is not None]


def visit_checks_handle(*, key: str, payload: dict | None = None) -> None:
    """Outbox handler of "visit.checks" (key: the visit id).

    A visit deleted since has nothing to check; one made incomplete again (a
    correction waiting for a new photo) is checked when it is submitted again,
    by the event that submission records.
    """
    visit = Visit.objects.filter(pk=key).first()
    if visit is not None and visit.status != Visit.Status.INCOMPLETE:
        visit_checks_run(visit=visit)


@transaction.atomic
def visit_checks_run(*, visit: Visit) -> Visit:
    """Run every check, replace the visit's stored checks and set its confidence and flag.

    Returns the visit as stored afterwards. Safe to run again (a retried task):
    the rows are replaced, not added.
    """
    # The lock keeps a retried task and the first run from interleaving their rows.
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("branch", "assignment", "checklist")
        .get(pk=visit.pk)
    )
    results = visit_checks_evaluate(visit=visit)
    visit.checks.all().delete()
    VisitCheck.objects.bulk_create(
        VisitCheck(
            visit=visit,
            code=r.code,
            passed=r.passed,
            message=r.message[:300],
            evidence=r.evidence,
            penalty=r.penalty,
        )
        for r in results
    )
    visit.confidence = checks.confidence(results)
    visit.flagged = visit.confidence < settings.REVIEW_CONFIDENCE_THRESHOLD
    visit.save(update_fields=["confidence", "flagged", "updated_at"])
    return visit
