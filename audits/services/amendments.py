"""Amending an answer of an approved visit, after review: the change an upheld appeal makes.

The reviewer's correction (audits.services.review.visit_answer_correct) works on
submitted visits only; an approved visit already counts in reports, so changing it
is a separate, deliberate step. It is built from the same pieces: the value is
judged as the upload judges it (checklists.scoring.check_value), the whole visit is
re-scored through visit_score_store, and an AnswerCorrection keeps the old and new
answer, item score and visit score. That row is the earlier score revision: the
visit holds the new score, the row the old one.

Re-scoring saves the visit, which moves its `updated_at`: that tells region zips
that their period changed (reports.services.scorecards), and the drivers report
reads the stored scores it rewrites; the comparison reads the roll-ups, which
visit_score_store moves from the old numbers to the new ones in the same
transaction, bumping the report stamp the scorecard cache key reads.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from audits.models import Answer, AnswerCorrection, User, Visit
from audits.services.visit_body import plain_value
from audits.services.visits import visit_score_store
from backend.errors import Conflict
from checklists.models import AnswerType
from checklists.rules import version_rules
from checklists.scoring import check_value


def amendment_errors(*, visit: Visit, question: str, value: Any, na: bool) -> dict[str, list[str]]:
    """What is wrong with answering `question` of `visit` with `value` / `na`, by field.

    The same verdict the upload gives. Public so that a caller amending several
    answers at once (an appeal) can check them all before writing any; the
    reviewer's correction (audits.services.review) asks it too.
    """
    rules, items = version_rules(visit.checklist_version)
    item = items.get(question)
    if item is None:
        return {"question": [f"No question {question!r} in this visit's checklist."]}
    if item.answer_type == AnswerType.PHOTO:
        return {"question": [f"Question {question!r} is a photo question; it has no value."]}
    if na:
        if not item.allow_na:
            return {"na": [f"Question {question!r} does not allow N/A."]}
        if value is not None:
            return {"value": ["An N/A answer has no value: send null."]}
        return {}
    if value is None:
        return {"value": ["Give the corrected value, or mark the answer N/A."]}
    rule = next(r for r in rules.items if r.code == question)
    try:
        check_value(rule, plain_value(value))
    except ValueError as problem:
        return {"value": [str(problem)]}
    return {}


def answer_change_record(
    *,
    visit: Visit,
    by: User,
    question: str,
    value: Any,
    na: bool,
    reason: str,
    source: str,
) -> AnswerCorrection:
    """Change one answer of a visit the caller has locked and checked, re-score it, record both sides.

    The whole visit is re-scored: one answer moves its section, the visit score,
    the band and possibly a critical failure; saving it moves updated_at. The
    AnswerCorrection keeps the old and new answer, item score and visit score.
    """
    rules, items = version_rules(visit.checklist_version)
    answers = list(visit.answers.all())
    answer = next((a for a in answers if a.item_code == question), None)
    if answer is not None and answer.na == na and answer.value == value:
        raise ValidationError({"value": ["This already is the answer; nothing to change."]})
    old_value, old_na, old_score = (
        (answer.value, answer.na, answer.score) if answer else (None, False, None)
    )
    old_visit_score = visit.score
    if answer is None:
        answer = Answer.objects.create(
            visit=visit, item=items[question], item_code=question, value=value, na=na
        )
        answers.append(answer)
    else:
        answer.value, answer.na = value, na
        answer.save(update_fields=["value", "na"])
    visit_score_store(visit=visit, rules=rules, answers=answers)
    return AnswerCorrection.objects.create(
        visit=visit,
        item_code=question,
        old_value=old_value,
        old_na=old_na,
        old_score=old_score,
        new_value=value,
        new_na=na,
        new_score=answer.score,
        old_visit_score=old_visit_score,
        new_visit_score=visit.score,
        reason=reason,
        corrected_by=by,
        source=source,
    )


@transaction.atomic
def visit_answer_amend(
    *,
    visit: Visit,
    by: User,
    question: str,
    value: Any = None,
    na: bool = False,
    reason: str,
    source: str = AnswerCorrection.Source.APPEAL,
) -> AnswerCorrection:
    """Change one answer of an approved visit, re-score the visit and record the revision.

    Raises ValidationError naming `question`, `value`, `na` or `reason`, and
    Conflict (`not_approved`) when the visit is not approved (a submitted visit is
    corrected by its reviewer instead).
    """
    value = None if na else plain_value(value)
    reason = reason.strip()
    errors = amendment_errors(visit=visit, question=question, value=value, na=na)
    if not reason:
        errors["reason"] = ["Say why the answer is amended."]
    if errors:
        raise ValidationError(errors)

    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("checklist_version")
        .get(pk=visit.pk)
    )
    if visit.status != Visit.Status.APPROVED:
        raise Conflict(
            f"Only an approved visit can be amended; this one is {visit.status}.",
            code="not_approved",
            extra={"status": visit.status},
        )
    return answer_change_record(
        visit=visit, by=by, question=question, value=value, na=na, reason=reason, source=source
    )
