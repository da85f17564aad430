"""Writes of visits: submit, correct (after a return), re-score.

A submission lands whole or not at all: the visit, its answers, its scores and
its photo manifest are written in one transaction. The phone's UUID makes a
retry safe: the same id with the same body returns the stored visit, the same
id with another body is a conflict, and two identical requests racing each
other still store one visit.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from audits.models import Answer, Assignment, Photo, Visit, VisitRevision, VisitScore
from audits.selectors.rollups import visit_contribution
from audits.selectors.visits import VisitParts
from audits.services.rollups import rollups_apply
from audits.services.visit_body import (
    TAKES_A_VISIT,
    VisitBody,
    plain_value,
    visit_body_check,
)
from audits.storage import photo_path, private_storage
from backend.errors import Conflict
from backend.inserts import Rows, rows_insert, rows_insert_all
from backend.joined_row import joined_row
from backend.row_update import row_update
from checklists.models import ChecklistVersion, Item
from checklists.rules import version_rules
from checklists.scoring import AnswerInput, VisitResult, score_visit
from outbox.services import event_enqueue


@dataclass(frozen=True)
class SubmitResult:
    visit: Visit
    created: bool
    # What a new visit was stored with, so its response is built without reading
    # back rows this request has just inserted; None when the visit was read instead.
    parts: VisitParts | None = None


def _replay(existing: Visit, *, body: VisitBody, shopper) -> SubmitResult:
    if existing.shopper_id != shopper.id:
        raise Conflict("This visit id is already used.", code="id_in_use")
    if existing.body_hash != body.hash():
        raise Conflict(
            f"Visit {existing.id} was already uploaded with a different body.",
            code="different_body",
            extra={"revision": existing.revision, "status": existing.status},
        )
    return SubmitResult(visit=existing, created=False)


def _has_visit(assignment_id: int, visit: Visit) -> Conflict:
    return Conflict(
        f"Assignment {assignment_id} already has visit {visit.id}.", code="assignment_has_visit"
    )


def _rules_of(body: VisitBody, assignment: Assignment | None):
    """The version and scoring rules the body names (None where unknown)."""
    # The body names its assignment's version unless it is wrong: then one more read.
    if assignment is not None and assignment.checklist_version_id == body.checklist_version:
        version = assignment.checklist_version
    else:
        version = (
            ChecklistVersion.objects.select_related("checklist")
            .filter(pk=body.checklist_version)
            .first()
        )
    rules, items = version_rules(version) if version else (None, {})
    return version, rules, items


def _load(body: VisitBody):
    """The assignment, version and scoring rules the body names (None where unknown)."""
    assignment = (
        Assignment.objects.select_related("checklist_version__checklist")
        .filter(pk=body.assignment)
        .first()
    )
    return assignment, *_rules_of(body, assignment)


def visit_submit(*, shopper, body: VisitBody) -> SubmitResult:
    """Store an uploaded visit, or return the one this id already stored."""
    try:
        with transaction.atomic():
            # Locking the assignment serialises racing uploads of the same visit. Only
            # its row: its version, branch and region come along, unlocked.
            assignment = joined_row(
                Assignment,
                body.assignment,
                related=("checklist_version", "branch__region"),
                lock=True,
            )
            # This id's visit, or the assignment's, stored before us: read before the
            # checks, since a retry finds its assignment submitted and must get the
            # visit, not a 400. An assignment that still takes a visit has none, so a
            # first upload skips the read; this id on another visit meets its key below.
            stored = (
                []
                if assignment is not None and assignment.status in TAKES_A_VISIT
                else list(
                    Visit.objects.filter(
                        Q(pk=body.id) | Q(assignment_id=body.assignment)
                    ).order_by()
                )
            )
            existing = next((v for v in stored if v.pk == body.id), None)
            if existing is not None:
                return _replay(existing, body=body, shopper=shopper)
            # Another visit of the assignment is news only to its own shopper; anyone
            # else is refused by the checks without learning that it exists.
            if stored and assignment.shopper_id == shopper.id:
                raise _has_visit(body.assignment, stored[0])
            version, rules, items = _rules_of(body, assignment)
            visit_body_check(
                body=body,
                shopper=shopper,
                assignment=assignment,
                version=version,
                rules=rules,
                items=items,
            )
            visit = Visit(
                id=body.id,
                assignment=assignment,
                shopper=shopper,
                branch=assignment.branch,
                checklist_id=version.checklist_id,
                checklist_version=version,
            )
            _apply_body(visit, body)
            # Scored, and its status known, before the insert: the visit row is
            # written once, not inserted then updated twice.
            answers = _answers_build(visit, body=body, items=items)
            result = _answers_score(rules, answers)
            _visit_score_set(visit, result)
            if not body.photos:
                _submitted_mark(visit)  # nothing to wait for (declared photos are all new)
            scores = _score_rows(visit, result)
            photos = _new_visit_photos(visit, body)
            revision = VisitRevision(
                visit=visit, revision=1, body=body.canonical(), score=visit.score
            )
            # One statement on PostgreSQL; each photo is new to a new visit, so an id
            # that is stored already is another visit's: skipped, and the count says so.
            *_, photos_inserted = rows_insert_all(
                [
                    Rows([visit]),
                    Rows(answers),
                    Rows(scores),
                    Rows([revision]),
                    Rows(photos, skip_existing=True),
                ]
            )
            if photos_inserted < len(photos):
                _photo_in_use(visit, photos)
            photos.sort(key=lambda p: (p.created_at, p.id))  # Photo's order, stamped by the insert
            _assignment_submitted(assignment)
            if visit.status == Visit.Status.SUBMITTED:
                # In the same transaction as the status, as visit_status_refresh does.
                event_enqueue(kind="visit.checks", key=str(visit.id))
    except IntegrityError:
        # This id is stored already: by another request between our check and our
        # insert, or as another assignment's visit.
        existing = Visit.objects.filter(pk=body.id).first()
        if existing is not None:
            return _replay(existing, body=body, shopper=shopper)
        # Only a row edited by hand leaves a visit on an assignment that takes one;
        # the checks passed, so the assignment is this shopper's own.
        other = Visit.objects.filter(assignment_id=body.assignment).first()
        if other is None:
            raise
        raise _has_visit(body.assignment, other) from None
    parts = VisitParts(
        scores=scores,
        answers=_in_item_order(answers, items),
        photos=photos,
        checks=[],
        reviews=[],
    )
    return SubmitResult(visit=visit, created=True, parts=parts)


def visit_correct(*, shopper, visit_id, body: VisitBody, revision: int) -> SubmitResult:
    """Replace a returned visit's body with the shopper's corrected one.

    `revision` is the revision the shopper corrected; a stale one is a conflict.
    The earlier revision stays in VisitRevision.
    """
    with transaction.atomic():
        visit = Visit.objects.select_for_update().filter(pk=visit_id, shopper=shopper).first()
        if visit is None:
            raise Visit.DoesNotExist
        if visit.revision == revision + 1 and visit.body_hash == body.hash():
            return SubmitResult(visit=visit, created=False)  # a retried correction
        if revision != visit.revision:
            raise Conflict(
                f"Revision {revision} is stale: the visit is at revision {visit.revision}.",
                code="stale_revision",
                extra={"revision": visit.revision},
            )
        if visit.status != Visit.Status.RETURNED:
            raise Conflict(
                f"Only a returned visit can be corrected; this one is {visit.status}.",
                code="not_returned",
                extra={"status": visit.status},
            )
        if body.id != visit.id or body.assignment != visit.assignment_id:
            raise Conflict(
                "The body's id and assignment must be the visit's own.", code="wrong_visit"
            )
        assignment, version, rules, items = _load(body)
        visit_body_check(
            body=body,
            shopper=shopper,
            assignment=assignment,
            version=version,
            rules=rules,
            items=items,
            require_open=False,
        )
        _apply_body(visit, body)
        visit.revision += 1
        visit.reviewed_at = None
        visit.reviewed_by = None
        visit.review_note = ""
        # The checks judged the previous revision; they run again on resubmission.
        visit.checks.all().delete()
        visit.confidence = None
        visit.flagged = False
        # Saved as incomplete: if a new photo is still to come, the photo upload's
        # visit_status_refresh must find the visit incomplete, not returned.
        visit.status = Visit.Status.INCOMPLETE
        visit.save()
        visit.answers.all().delete()
        visit.scores.all().delete()
        _store_answers_and_scores(visit, body=body, rules=rules, items=items)
        _photos_drop_undeclared(visit, body)
        # A photo of another visit is a 409 here, and the transaction undoes all of the above.
        _declare_photos(visit, body)
        VisitRevision.objects.create(
            visit=visit, revision=visit.revision, body=body.canonical(), score=visit.score
        )
        visit_status_refresh(visit=visit)
    return SubmitResult(visit=visit, created=False)


def _apply_body(visit: Visit, body: VisitBody) -> None:
    visit.started_at = body.started_at
    visit.ended_at = body.ended_at
    visit.visited_on = timezone.localdate(body.started_at)
    location = body.location or {}
    visit.location_lat = location.get("lat")
    visit.location_lng = location.get("lng")
    visit.location_accuracy_m = location.get("accuracy_m")
    visit.comment = body.comment
    visit.body_hash = body.hash()


def _answers_build(visit: Visit, *, body: VisitBody, items: dict[str, Item]) -> list[Answer]:
    """The body's answers as unsaved rows, each with its visit and item."""
    answers = []
    for a in body.answers:
        item = items[a.question]
        answer = Answer(
            visit_id=visit.id,
            item_id=item.id,
            item_code=a.question,
            value=None if a.na else plain_value(a.value),
            na=a.na,
            comment=a.comment,
        )
        # Cached as `visit=` and `item=` would, without the descriptors' checks: a
        # visit's answers are built by the dozen on every upload.
        _ANSWER_VISIT.set_cached_value(answer, visit)
        _ANSWER_ITEM.set_cached_value(answer, item)
        answers.append(answer)
    return answers


_ANSWER_VISIT = Answer._meta.get_field("visit")
_ANSWER_ITEM = Answer._meta.get_field("item")


def _in_item_order(answers: list[Answer], items: dict[str, Item]) -> list[Answer]:
    """The answers in Answer's order (section position, then item position) as items has it."""
    position = {code: index for index, code in enumerate(items)}
    return sorted(answers, key=lambda a: position[a.item_code])


def _store_answers_and_scores(visit: Visit, *, body: VisitBody, rules, items) -> None:
    """Insert the body's answers with their scores, and the visit's scores; none exist yet."""
    answers = _answers_build(visit, body=body, items=items)
    # Scored before the insert: one INSERT, where inserting then updating every
    # answer's score (a CASE per column per answer) was a third of an upload.
    result = _answers_score(rules, answers)
    rows_insert(answers)
    _scores_write(visit, result)


def visit_score_store(*, visit: Visit, rules, answers: list[Answer]) -> None:
    """Re-score stored answers and replace every derived number, so reports never re-score.

    An approved visit already counts in the report roll-ups: its old numbers
    leave them and its new ones enter, in the caller's transaction (a reviewer's
    correction is of a submitted visit, an upheld appeal's of an approved one).
    """
    counted = visit_contribution(visit) if visit.status == Visit.Status.APPROVED else None
    result = _answers_score(rules, answers)
    Answer.objects.bulk_update(answers, ["score", "failed", "critical_failure", "gain"])
    visit.scores.all().delete()
    _scores_write(visit, result)
    if counted is not None:
        rollups_apply(before=counted, after=visit_contribution(visit))


def _answers_score(rules, answers: list[Answer]) -> VisitResult:
    """Score the answers and set each one's score, failed, critical_failure and gain (unsaved)."""
    result = score_visit(
        rules,
        [
            AnswerInput(code=a.item_code, value=a.value, na=a.na)
            for a in answers
            if a.na or a.value is not None
        ],
    )
    for answer in answers:
        item = result.items.get(answer.item_code)
        answer.score = item.score if item else None
        answer.failed = bool(item and item.failed)
        answer.critical_failure = bool(item and item.critical_failure)
        answer.gain = item.gain if item else None
    return result


def _scores_write(visit: Visit, result: VisitResult) -> None:
    """Insert the visit's section, dimension, area and factor scores; store its total and band."""
    rows_insert(_score_rows(visit, result))
    _visit_score_set(visit, result)
    visit.save(update_fields=["score", "band", "critical_failure", "updated_at"])


def _score_rows(visit: Visit, result: VisitResult) -> list[VisitScore]:
    rows = [
        VisitScore(visit_id=visit.id, kind=VisitScore.Kind.SECTION, key=k, score=v)
        for k, v in result.sections.items()
    ]
    rows += [
        VisitScore(visit_id=visit.id, kind=VisitScore.Kind.DIMENSION, key=k, score=v)
        for k, v in result.dimensions.items()
    ]
    rows += [
        VisitScore(visit_id=visit.id, kind=VisitScore.Kind.AREA, key=k, score=v)
        for k, v in result.areas.items()
    ]
    rows += [
        VisitScore(visit_id=visit.id, kind=VisitScore.Kind.FACTOR, key=str(k), score=v)
        for k, v in result.factors.items()
    ]
    return rows


def _visit_score_set(visit: Visit, result: VisitResult) -> None:
    """Set the visit's total, band and critical failure (unsaved)."""
    visit.score = result.score
    visit.band = result.band or ""
    visit.critical_failure = bool(result.critical_failures)


def visit_status_refresh(*, visit: Visit) -> Visit:
    """Move an incomplete visit to submitted once every declared photo has arrived."""
    if visit.status != Visit.Status.INCOMPLETE:
        return visit
    if visit.photos.filter(received_at__isnull=True).exists():
        return visit
    _submitted_mark(visit)
    visit.save(update_fields=["status", "submitted_at", "updated_at"])
    # In the same transaction as the status: a submitted visit always has its checks
    # done or still to do, even if the process dies right after the commit.
    event_enqueue(kind="visit.checks", key=str(visit.id))
    return visit


def _submitted_mark(visit: Visit) -> None:
    """Set a complete visit submitted (unsaved); the caller records its checks' event."""
    visit.status = Visit.Status.SUBMITTED
    visit.submitted_at = timezone.now()


def _photos_drop_undeclared(visit: Visit, body: VisitBody) -> None:
    """A corrected body replaces the whole visit, its photo manifest included."""
    declared = {p.id for p in body.photos}
    dropped = list(visit.photos.exclude(pk__in=declared))
    visit.photos.filter(pk__in=[p.pk for p in dropped]).delete()
    # The files go once the rows are gone for good: an outbox event, so a rolled-back
    # correction keeps them and a crash after the commit does not leave them behind.
    for photo in dropped:
        stored = [photo.original_name, photo.thumb_name, photo.print_name]
        expected = [photo_path(visit.id, photo.id, kind) for kind in ("thumb", "print", "full")]
        names = list(dict.fromkeys(name for name in stored + expected if name))
        event_enqueue(kind="photo.files_delete", key=str(photo.id), payload={"names": names})


def photo_files_delete_handle(*, key: str, payload: dict | None = None) -> None:
    """Outbox handler of "photo.files_delete" (key: a dropped photo's id): delete its files.

    A photo declared again since (same id) owns its files again, so they stay;
    check_storage finds any it no longer refers to. Deleting a missing file is a no-op.
    """
    if Photo.objects.filter(pk=key).exists():
        return
    storage = private_storage()
    for name in (payload or {}).get("names", []):
        storage.delete(name)


def _assignment_submitted(assignment: Assignment) -> None:
    """Mark the assignment submitted: an UPDATE of the two columns, which save() builds slower."""
    assignment.status = Assignment.Status.SUBMITTED
    assignment.updated_at = timezone.now()
    row_update(
        Assignment, assignment.pk, status=assignment.status, updated_at=assignment.updated_at
    )


def _new_visit_photos(visit: Visit, body: VisitBody) -> list[Photo]:
    """A new visit's photo manifest as unsaved rows."""
    return [
        Photo(id=photo.id, visit=visit, sha256=photo.sha256.lower(), item_code=photo.question)
        for photo in body.photos
    ]


def _photo_in_use(visit: Visit, photos: list[Photo]) -> None:
    """Raise the conflict of a declared photo id that another visit has stored."""
    taken = Photo.objects.filter(pk__in=[p.id for p in photos]).exclude(visit=visit).first()
    # None only if that visit dropped the photo since: still not this visit's to store.
    named = f"Photo {taken.pk}" if taken else "A declared photo"
    raise Conflict(f"{named} belongs to another visit.", code="photo_in_use")


def _declare_photos(visit: Visit, body: VisitBody) -> list[Photo]:
    """Store the body's photo manifest; return its photos in Photo's order.

    The manifest's photos are read in one query and the new ones inserted in one.
    """
    stored_by_id = Photo.objects.in_bulk([photo.id for photo in body.photos])
    declared: list[Photo] = []
    new: list[Photo] = []
    for photo in body.photos:
        sha256 = photo.sha256.lower()
        stored = stored_by_id.get(photo.id)
        if stored is None:
            stored = Photo(id=photo.id, visit=visit, sha256=sha256, item_code=photo.question)
            new.append(stored)
        elif stored.visit_id != visit.id:
            raise Conflict(f"Photo {photo.id} belongs to another visit.", code="photo_in_use")
        elif stored.sha256 != sha256 and stored.received_at is not None:
            raise Conflict(
                f"Photo {photo.id} has already arrived with other content; "
                "declare a new photo id for a new photo.",
                code="photo_already_received",
            )
        elif stored.sha256 != sha256:
            stored.sha256 = sha256
            stored.item_code = photo.question
            stored.save(update_fields=["sha256", "item_code"])
        declared.append(stored)
    rows_insert(new)  # sets each new photo's created_at
    return sorted(declared, key=lambda p: (p.created_at, p.id))
