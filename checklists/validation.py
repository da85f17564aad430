"""Checks that a version's content can be scored, before it is published."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from checklists.models import AnswerType, Bpmp, ChecklistVersion


def _decimal(value, *, where: str, errors: dict) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.setdefault(where, []).append(f"{value!r} is not a number.")
        return None


def validate_version_content(version: ChecklistVersion) -> None:
    errors: dict[str, list[str]] = {}
    sections = list(version.sections.prefetch_related("items"))
    if not sections:
        errors["sections"] = ["A checklist version needs at least one section."]
    for section in sections:
        items = list(section.items.all())
        if not items:
            errors.setdefault(f"sections.{section.code}", []).append(
                "A section needs at least one item."
            )
        for item in items:
            where = f"items.{item.code}"
            if item.answer_type == AnswerType.NUMBER:
                if not item.thresholds:
                    errors.setdefault(where, []).append("A number item needs scoring thresholds.")
                for t in item.thresholds:
                    if "score" not in t:
                        errors.setdefault(where, []).append("Every threshold needs a score.")
                        continue
                    score = _decimal(t["score"], where=where, errors=errors)
                    if score is not None and not 0 <= score <= 100:
                        errors.setdefault(where, []).append("Threshold scores must be 0–100.")
                    for bound in ("min", "max"):
                        if t.get(bound) is not None:
                            _decimal(t[bound], where=where, errors=errors)
            unscored = item.answer_type in {AnswerType.TEXT, AnswerType.DATETIME, AnswerType.PHOTO}
            if item.answer_type == AnswerType.CHOICE:
                values = [o.get("value") for o in item.options]
                if len(values) < 2:
                    errors.setdefault(where, []).append("A choice item needs at least two options.")
                if len(set(values)) != len(values) or not all(
                    isinstance(v, str) and v for v in values
                ):
                    errors.setdefault(where, []).append(
                        "Option values must be unique, non-empty strings."
                    )
                # A choice is scored (every option has a score) or only recorded (none has).
                scored = [o.get("score") not in (None, "") for o in item.options]
                if any(scored) and not all(scored):
                    errors.setdefault(where, []).append(
                        "Give every option a score, or none for an unscored choice."
                    )
                unscored = not any(scored)
                for o in item.options:
                    if o.get("score") in (None, ""):
                        continue
                    score = _decimal(o.get("score"), where=where, errors=errors)
                    if score is not None and not 0 <= score <= 100:
                        errors.setdefault(where, []).append("Option scores must be 0–100.")
            if item.critical and unscored:
                errors.setdefault(where, []).append("An unscored item cannot be critical.")
            # A reward item is a bonus: it never fails, so it can neither knock a
            # section out nor ask for a comment on a failure.
            if item.bpmp == Bpmp.MOTIVATION and item.critical:
                errors.setdefault(where, []).append(
                    "A reward (motivation) item cannot be critical."
                )
            if item.bpmp == Bpmp.MOTIVATION and item.comment_on_failure:
                errors.setdefault(where, []).append(
                    "A reward (motivation) item never fails, so it cannot ask for a comment on failure."
                )
    if errors:
        raise ValidationError(errors)
