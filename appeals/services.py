"""Writes of appeals: a regional manager submits one, head office decides it.

An upheld item amends the approved visit through audits.services.amendments in
the same transaction as the decision, so the decision and the new score revision
commit together or not at all. A rejected appeal changes nothing on the visit; the
appeal row (who, when, why) is its record.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.roles import configures
from accounts.scope import manages_region
from appeals.models import Appeal, AppealEvidence, AppealItem, Category, Decision
from audits.models import User, Visit
from audits.services.amendments import amendment_errors, visit_answer_amend
from audits.services.evidence_files import (
    evidence_count_check,
    evidence_file_prepare,
    evidence_files_kept_with_row,
    evidence_files_write,
)
from audits.services.visit_body import plain_value
from backend.errors import Conflict
from checklists.models import Item
from checklists.scoring import SCORED_TYPES

ARGUMENT_MAX_LENGTH = 2000
EVIDENCE_MAX_LENGTH = 500


def appeal_deadline(visit: Visit) -> dt.datetime | None:
    """The last moment `visit` may be appealed: APPEAL_WINDOW_DAYS after its approval."""
    if visit.reviewed_at is None:
        return None
    return visit.reviewed_at + dt.timedelta(days=settings.APPEAL_WINDOW_DAYS)


def _manages(user: User, visit: Visit) -> bool:
    return manages_region(user, visit.branch.region_id)


def _item_errors(items: Sequence[dict], checklist: dict[str, Item]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not items:
        return {"items": ["Appeal at least one item."]}
    seen: set[str] = set()
    categories = set(Category.values)
    for index, row in enumerate(items):
        at = f"items[{index}]"
        code = str(row.get("item_code") or "")
        item = checklist.get(code)
        if item is None:
            errors[f"{at}.item_code"] = [f"No item {code!r} in this visit's checklist."]
        elif item.answer_type not in SCORED_TYPES:
            errors[f"{at}.item_code"] = [
                f"Item {code!r} is not scored: an appeal of it cannot change the score."
            ]
        elif code in seen:
            errors[f"{at}.item_code"] = [f"Item {code!r} is appealed twice in this appeal."]
        seen.add(code)
        if row.get("category") not in categories:
            errors[f"{at}.category"] = [f"Must be one of: {', '.join(categories_in_order())}."]
        argument = str(row.get("argument") or "").strip()
        if not argument:
            errors[f"{at}.argument"] = ["Say why the item is wrong."]
        elif len(argument) > ARGUMENT_MAX_LENGTH:
            errors[f"{at}.argument"] = [f"At most {ARGUMENT_MAX_LENGTH} characters."]
        if len(str(row.get("evidence") or "").strip()) > EVIDENCE_MAX_LENGTH:
            errors[f"{at}.evidence"] = [f"At most {EVIDENCE_MAX_LENGTH} characters."]
    return errors


def categories_in_order() -> list[str]:
    return list(Category.values)


@transaction.atomic
def appeal_submit(*, visit: Visit, by: User, items: Sequence[dict[str, Any]]) -> Appeal:
    """Appeal items of an approved visit: each with a category, an argument and optional evidence.

    Only a regional manager of the visit's region appeals, within APPEAL_WINDOW_DAYS
    of the visit's approval. Raises PermissionDenied for anyone else,
    Conflict (`not_approved`) for a visit that is not approved, ValidationError
    naming `visit` (window closed) or `items[i].item_code|category|argument|evidence`,
    and Conflict (`appeal_open`) when an item already has an open appeal.
    """
    # Locked so two appeals of the same items cannot both pass the open-appeal check.
    visit = (
        Visit.objects.select_for_update(of=("self",))
        .select_related("branch", "checklist_version")
        .get(pk=visit.pk)
    )
    if not _manages(by, visit):
        raise PermissionDenied("Only a regional manager of the visit's region may appeal it.")
    if visit.status != Visit.Status.APPROVED:
        raise Conflict(
            f"Only an approved visit can be appealed; this one is {visit.status}.",
            code="not_approved",
            extra={"status": visit.status},
        )
    checklist = {i.code: i for i in Item.objects.filter(version_id=visit.checklist_version_id)}
    errors = _item_errors(items, checklist)
    deadline = appeal_deadline(visit)
    if deadline is None or timezone.now() > deadline:
        # No date in the message: a regional manager must not learn when the visit was.
        errors["visit"] = [
            f"The appeal window has closed: a visit may be appealed within "
            f"{settings.APPEAL_WINDOW_DAYS} days of its approval."
        ]
    if errors:
        raise ValidationError(errors)

    codes = [str(row["item_code"]) for row in items]
    taken = sorted(
        AppealItem.objects.filter(visit=visit, item_code__in=codes, open=True).values_list(
            "item_code", flat=True
        )
    )
    if taken:
        raise Conflict(
            f"Already under appeal: {', '.join(taken)}. Wait for head office's decision.",
            code="appeal_open",
            extra={"items": taken},
        )
    appeal = Appeal.objects.create(visit=visit, branch=visit.branch, submitted_by=by)
    AppealItem.objects.bulk_create(
        AppealItem(
            appeal=appeal,
            visit=visit,
            item_code=str(row["item_code"]),
            category=row["category"],
            argument=str(row["argument"]).strip(),
            evidence=str(row.get("evidence") or "").strip(),
        )
        for row in items
    )
    return appeal


def _outcome_rows(
    appeal: Appeal, item_outcomes: Sequence[dict[str, Any]]
) -> tuple[dict[str, tuple[int, dict]], dict[str, list[str]]]:
    """The decision per appealed item code, with its index in `item_outcomes`, and errors."""
    codes = {item.item_code for item in appeal.items.all()}
    by_code: dict[str, tuple[int, dict]] = {}
    errors: dict[str, list[str]] = {}
    for index, row in enumerate(item_outcomes):
        at = f"item_outcomes[{index}]"
        code = str(row.get("item_code") or "")
        if code not in codes:
            errors[f"{at}.item_code"] = [f"Item {code!r} is not part of this appeal."]
            continue
        if code in by_code:
            errors[f"{at}.item_code"] = [f"Item {code!r} is decided twice."]
            continue
        if row.get("outcome") not in AppealItem.Outcome.values:
            errors[f"{at}.outcome"] = [f"Must be one of: {', '.join(AppealItem.Outcome.values)}."]
            continue
        by_code[code] = (index, row)
    return by_code, errors


@transaction.atomic
def appeal_decide(
    *,
    appeal: Appeal,
    by: User,
    outcome: str,
    reason: str,
    item_outcomes: Sequence[dict[str, Any]] = (),
) -> Appeal:
    """Uphold, partially uphold or reject an appeal, with a reason; amend the visit for upheld items.

    `item_outcomes`: per appealed item, `item_code`, `outcome` (upheld | rejected) and,
    when upheld, the corrected `value` or `na: true`. An item left out is rejected.
    `upheld` upholds every item; `partially_upheld` upholds at least one (the others,
    or the size of the correction, fall short of what was asked); `rejected` upholds
    none. Each upheld item becomes an AnswerCorrection (source `appeal`) that keeps
    the old answer and score. Raises PermissionDenied for anyone but head office and
    admins, ValidationError naming `outcome`, `reason` or `item_outcomes[i].…`, and
    Conflict (`already_decided`, or the visit's `not_approved`).
    """
    if not configures(by):
        raise PermissionDenied("Only head office decides appeals.")
    reason = reason.strip()
    errors: dict[str, list[str]] = {}
    if outcome not in Decision.values:
        errors["outcome"] = [f"Must be one of: {', '.join(Decision.values)}."]
    if not reason:
        errors["reason"] = ["Give the reason for the decision."]
    by_code, row_errors = _outcome_rows(appeal, item_outcomes)
    errors.update(row_errors)
    items = list(appeal.items.all())
    upheld = [i for i in items if by_code.get(i.item_code, (0, {}))[1].get("outcome") == "upheld"]
    for item in upheld:
        index, row = by_code[item.item_code]
        na = bool(row.get("na"))
        value = None if na else plain_value(row.get("value"))
        for field, problems in amendment_errors(
            visit=appeal.visit, question=item.item_code, value=value, na=na
        ).items():
            errors[f"item_outcomes[{index}].{field}"] = problems
    if "outcome" not in errors:
        if outcome == Appeal.Status.UPHELD and len(upheld) != len(items):
            errors["outcome"] = ["Upheld means every item is upheld; use partially_upheld."]
        elif outcome == Appeal.Status.PARTIALLY_UPHELD and not upheld:
            errors["outcome"] = ["Partially upheld needs at least one upheld item."]
        elif outcome == Appeal.Status.REJECTED and upheld:
            errors["outcome"] = ["A rejected appeal upholds no item."]
    if errors:
        raise ValidationError(errors)

    appeal = (
        Appeal.objects.select_for_update(of=("self",)).select_related("visit").get(pk=appeal.pk)
    )
    if appeal.status != Appeal.Status.SUBMITTED:
        raise Conflict(
            f"Appeal #{appeal.pk} was already decided: {appeal.status}.",
            code="already_decided",
            extra={"status": appeal.status},
        )
    for item in items:
        index, row = by_code.get(item.item_code, (None, {}))
        item.open = False
        if row.get("outcome") != AppealItem.Outcome.UPHELD:
            item.outcome = AppealItem.Outcome.REJECTED
            continue
        item.outcome = AppealItem.Outcome.UPHELD
        item.new_na = bool(row.get("na"))
        item.new_value = None if item.new_na else plain_value(row.get("value"))
        try:
            item.correction = visit_answer_amend(
                visit=appeal.visit,
                by=by,
                question=item.item_code,
                value=item.new_value,
                na=item.new_na,
                reason=f"Appeal #{appeal.pk} ({item.get_category_display()}): {reason}",
            )
        except ValidationError as error:
            # E.g. the value HO gave already is the answer: name the row it came from.
            raise ValidationError(
                {f"item_outcomes[{index}].{k}": v for k, v in error.message_dict.items()}
            ) from error
    AppealItem.objects.bulk_update(items, ["open", "outcome", "new_na", "new_value", "correction"])
    appeal.status = outcome
    appeal.decision_reason = reason
    appeal.decided_by = by
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decision_reason", "decided_by", "decided_at"])
    return appeal


# --- evidence files --------------------------------------------------------------------


def appeal_evidence_folder(appeal: Appeal) -> str:
    return f"appeals/{appeal.pk}/evidence"


def _not_open(appeal: Appeal) -> Conflict:
    return Conflict(
        f"Appeal #{appeal.pk} was already decided ({appeal.status}): evidence can no longer "
        "be added.",
        code="already_decided",
        extra={"status": appeal.status},
    )


def appeal_evidence_add(
    *, appeal: Appeal, by: User, file: IO[bytes], size: int, filename: str = ""
) -> AppealEvidence:
    """A regional manager of the branch's region attaches a file to an undecided appeal:
    a JPEG, PNG or WebP photo (a CCTV still; stored only as re-encoded copies) or a PDF
    (a receipt, a letter; checked by its magic bytes and size), at most
    EVIDENCE_FILES_MAX per appeal. The items' text references stay as they are.

    Raises PermissionDenied for anyone else, Conflict (`already_decided`) once head
    office has decided, and EvidenceRejected (a ValidationError naming `file`) for a
    file refused or one too many. A failure anywhere leaves neither a row nor a file.
    """
    if not _manages(by, appeal.visit):
        raise PermissionDenied("Only a regional manager of the visit's region adds evidence.")
    # The cheap refusals first, so a decided or full appeal costs no decoding.
    if appeal.status != Appeal.Status.SUBMITTED:
        raise _not_open(appeal)
    evidence_count_check(count=appeal.evidence_files.count())
    prepared = evidence_file_prepare(file=file, size=size, filename=filename, allow_pdf=True)

    evidence_id = uuid.uuid4()
    with evidence_files_kept_with_row() as written, transaction.atomic():
        # Under the appeal's lock (as appeal_decide takes it): a decision or a second
        # upload cannot slip in between the checks and the row. The files are
        # written after every check, so a refusal writes none.
        appeal = Appeal.objects.select_for_update(of=("self",)).get(pk=appeal.pk)
        if appeal.status != Appeal.Status.SUBMITTED:
            raise _not_open(appeal)
        evidence_count_check(count=appeal.evidence_files.count())
        names = evidence_files_write(
            folder=appeal_evidence_folder(appeal),
            evidence_id=evidence_id,
            prepared=prepared,
            written=written,
        )
        return AppealEvidence.objects.create(
            id=evidence_id,
            appeal=appeal,
            uploaded_by=by,
            filename=prepared.filename,
            content_type=prepared.content_type,
            size_bytes=prepared.size_bytes,
            width=prepared.width,
            height=prepared.height,
            file_name=names["pdf"] if prepared.is_pdf else names["full"],
            thumb_name="" if prepared.is_pdf else names["thumb"],
        )
