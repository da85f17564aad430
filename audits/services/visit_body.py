"""The uploaded body of a visit: its canonical form and its validation.

Validation collects every problem before answering, keyed by the field's path
(`answers[3].value`), so a shopper fixes everything in one go instead of one
error per round trip over a bad connection.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from audits.models import Assignment
from checklists.models import AnswerType, ChecklistVersion, Item
from checklists.scoring import PASS_MARK, ChecklistRules, check_value, item_score

CLOCK_SKEW = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class AnswerBody:
    question: str
    value: object = None
    na: bool = False
    comment: str = ""


@dataclass(frozen=True)
class PhotoBody:
    id: uuid.UUID
    sha256: str
    question: str = ""


@dataclass(frozen=True)
class VisitBody:
    id: uuid.UUID
    assignment: int
    checklist_version: int
    started_at: dt.datetime
    ended_at: dt.datetime
    location: dict | None = None
    answers: tuple[AnswerBody, ...] = ()
    comment: str = ""
    photos: tuple[PhotoBody, ...] = field(default_factory=tuple)

    def canonical(self) -> dict:
        """A JSON-able form in which equal bodies are equal, whatever the client's formatting.

        Built once per body (an upload stores it and compares its hash): read it, never change it.
        """
        return self._canonical

    def hash(self) -> str:
        """The SHA-256 of the canonical form: what a retry's body is compared by."""
        return self._hash

    @cached_property
    def _canonical(self) -> dict:
        # Its keys in the fields' order, as dataclasses.asdict gave them: the stored
        # hashes and revisions of earlier uploads must stay what this builds.
        return {
            "id": str(self.id),
            "assignment": self.assignment,
            "checklist_version": self.checklist_version,
            "started_at": self.started_at.astimezone(dt.UTC).isoformat(),
            "ended_at": self.ended_at.astimezone(dt.UTC).isoformat(),
            "location": (
                None
                if self.location is None
                else {k: float(v) if v is not None else None for k, v in self.location.items()}
            ),
            "answers": sorted(
                (
                    {"question": a.question, "value": a.value, "na": a.na, "comment": a.comment}
                    for a in self.answers
                ),
                key=lambda a: a["question"],
            ),
            "comment": self.comment,
            "photos": sorted(
                (
                    {"id": str(p.id), "sha256": p.sha256.lower(), "question": p.question}
                    for p in self.photos
                ),
                key=lambda p: p["id"],
            ),
        }

    @cached_property
    def _hash(self) -> str:
        text = json.dumps(self._canonical, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def _add(errors: dict, key: str, message: str) -> None:
    errors.setdefault(key, []).append(message)


def plain_value(value):
    """JSON numbers arrive as int/float/Decimal; keep them comparable and storable."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# An assignment in these statuses may still take a visit (see _accepts_visits), and
# has none: a visit is stored with its assignment submitted, and none is reopened.
TAKES_A_VISIT = frozenset({Assignment.Status.OPEN, Assignment.Status.EXPIRED})


def _accepts_visits(assignment: Assignment, body: VisitBody) -> bool:
    """Open assignments accept a visit; so does one that expired while the phone was offline.

    Expiry runs daily, but a visit made on the last day of the window may reach
    the server days later from a phone without signal.
    """
    if assignment.status == Assignment.Status.OPEN:
        return True
    return (
        assignment.status == Assignment.Status.EXPIRED
        and timezone.localdate(body.started_at) <= assignment.window_to
    )


def _assignment_problems(
    errors: dict[str, list[str]],
    *,
    body: VisitBody,
    shopper,
    assignment: Assignment | None,
    version: ChecklistVersion | None,
    require_open: bool,
) -> None:
    """Add the problems of the body's assignment and version, the part that a lock can change."""
    if assignment is None or assignment.shopper_id != shopper.id:
        _add(errors, "assignment", f"No assignment {body.assignment} is given to you.")
    elif require_open and not _accepts_visits(assignment, body):
        _add(errors, "assignment", f"Assignment {assignment.pk} is {assignment.status}, not open.")
    if version is None:
        _add(errors, "checklist_version", f"No checklist version {body.checklist_version}.")
    elif (
        assignment is not None
        and assignment.shopper_id == shopper.id
        and assignment.checklist_version_id != version.id
    ):
        _add(
            errors,
            "checklist_version",
            f"Assignment {assignment.pk} uses checklist version {assignment.checklist_version_id}, "
            f"not {version.id}.",
        )


def visit_body_check(
    *,
    body: VisitBody,
    shopper,
    assignment: Assignment | None,
    version: ChecklistVersion | None,
    rules: ChecklistRules | None,
    items: dict[str, Item],
    require_open: bool = True,
) -> None:
    """Raise ValidationError naming every problem with the body, or return None."""
    errors: dict[str, list[str]] = {}
    now = timezone.now()

    _assignment_problems(
        errors,
        body=body,
        shopper=shopper,
        assignment=assignment,
        version=version,
        require_open=require_open,
    )

    if body.started_at > now + CLOCK_SKEW:
        _add(errors, "started_at", "The visit cannot start in the future.")
    if body.ended_at > now + CLOCK_SKEW:
        _add(errors, "ended_at", "The visit cannot end in the future.")
    if body.ended_at < body.started_at:
        _add(errors, "ended_at", "The visit cannot end before it started.")

    if len(body.photos) > settings.PHOTOS_PER_VISIT_MAX:
        _add(errors, "photos", f"At most {settings.PHOTOS_PER_VISIT_MAX} photos per visit.")
    seen_photos: dict[uuid.UUID, int] = {}
    photo_questions: set[str] = set()
    for index, photo in enumerate(body.photos):
        if photo.id in seen_photos:
            _add(
                errors,
                f"photos[{index}].id",
                f"Photo {photo.id} is listed twice (also photos[{seen_photos[photo.id]}]).",
            )
        seen_photos.setdefault(photo.id, index)
        if photo.question:
            if items and photo.question not in items:
                _add(
                    errors,
                    f"photos[{index}].question",
                    f"Unknown question {photo.question!r} in this checklist.",
                )
            photo_questions.add(photo.question)

    if version is None:
        raise ValidationError(errors)

    seen: dict[str, int] = {}
    answered: set[str] = set()
    not_applicable: set[str] = set()
    by_code = {rule.code: rule for rule in rules.items} if rules else {}
    for index, answer in enumerate(body.answers):
        where = f"answers[{index}]"
        item = items.get(answer.question)
        if item is None:
            _add(
                errors,
                f"{where}.question",
                f"Unknown question {answer.question!r} in this checklist.",
            )
            continue
        if answer.question in seen:
            _add(
                errors,
                f"{where}.question",
                f"Question {answer.question!r} is answered twice (also answers[{seen[answer.question]}]).",
            )
            continue
        seen[answer.question] = index
        if answer.na:
            if not item.allow_na:
                _add(errors, f"{where}.na", f"Question {answer.question!r} does not allow N/A.")
            elif answer.value is not None:
                _add(errors, f"{where}.value", "An N/A answer has no value: send null.")
            answered.add(answer.question)
            not_applicable.add(answer.question)
            continue
        if item.answer_type == AnswerType.PHOTO:
            if answer.value is not None:
                _add(
                    errors,
                    f"{where}.value",
                    "A photo question takes no value: declare the photo in `photos`.",
                )
            continue
        if answer.value is None:
            continue  # unanswered; the required check below reports it if needed
        try:
            check_value(by_code[answer.question], plain_value(answer.value))
        except ValueError as problem:
            _add(errors, f"{where}.value", str(problem))
            continue
        answered.add(answer.question)
        if item.comment_on_failure and not answer.comment.strip():
            score = item_score(by_code[answer.question], plain_value(answer.value))
            if score is not None and score < PASS_MARK:
                _add(
                    errors,
                    f"{where}.comment",
                    f"Question {answer.question!r} failed: a comment saying what happened is required.",
                )

    for code, item in items.items():
        if item.answer_type == AnswerType.PHOTO:
            if (
                (item.required or item.photo_required)
                and code not in photo_questions
                and code not in not_applicable
            ):
                _add(
                    errors,
                    "photos",
                    f"Question {code!r} needs a photo: declare one with question {code!r}.",
                )
            continue
        if item.required and code not in answered:
            _add(errors, "answers", f"Question {code!r} is required but has no answer.")
        elif item.photo_required and code not in not_applicable and code not in photo_questions:
            _add(
                errors,
                "photos",
                f"Question {code!r} needs a photo: declare one with question {code!r}.",
            )

    if errors:
        raise ValidationError(errors)
