"""Turning checklist content into the pure scoring module's rules.

Two sources, one shape: a stored ChecklistVersion (what visits are scored
against) and a bundled library file (what the calibration tests probe). Both go
through the same helpers, and a test checks that a loaded library version scores
exactly like its file.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from decimal import Decimal

from checklists.models import ChecklistVersion, Item
from checklists.scoring import ChecklistRules, ItemRule, SectionRule, Threshold


def _optional_decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def _thresholds(stored: Iterable[Mapping]) -> tuple[Threshold, ...]:
    return tuple(
        Threshold(
            score=Decimal(str(t["score"])),
            min=_optional_decimal(t.get("min")),
            max=_optional_decimal(t.get("max")),
        )
        for t in stored
    )


def _options(stored: Iterable[Mapping]) -> tuple[tuple[str, Decimal | None], ...]:
    # An option without a score belongs to an unscored choice (the complainant type).
    return tuple((o["value"], _optional_decimal(o.get("score"))) for o in stored)


def item_rule(item: Item, *, section_code: str) -> ItemRule:
    return ItemRule(
        code=item.code,
        section=section_code,
        answer_type=item.answer_type,
        weight=item.weight,
        critical=item.critical,
        thresholds=_thresholds(item.thresholds),
        options=_options(item.options),
        rater=item.rater or None,
        area=item.area or None,
        factor=item.factor,
        bpmp=item.bpmp or None,
    )


# A published version never changes (checklists.services refuses edits), so its
# rules are built once per process instead of on every visit upload, where they
# cost a tenth of the request. Keyed by publication time as well as id, so a
# database that reuses an id (a test rolled back, a bench database made again)
# never finds another version's rules. Drafts are always read afresh.
_PUBLISHED_RULES: dict[tuple, tuple[ChecklistRules, dict[str, Item]]] = {}
_PUBLISHED_RULES_LIMIT = 256
_published_rules_lock = threading.Lock()


def version_rules(version: ChecklistVersion) -> tuple[ChecklistRules, dict[str, Item]]:
    """The scoring rules of a version, and its items by code.

    The items are shared between callers for a published version: read them, never change them.
    """
    if not version.is_published or version.published_at is None:
        return _version_rules_build(version)
    key = (version.pk, version.published_at)
    cached = _PUBLISHED_RULES.get(key)
    if cached is None:
        cached = _version_rules_build(version)
        with _published_rules_lock:
            if len(_PUBLISHED_RULES) >= _PUBLISHED_RULES_LIMIT:
                _PUBLISHED_RULES.clear()
            _PUBLISHED_RULES[key] = cached
    return cached


def _version_rules_build(version: ChecklistVersion) -> tuple[ChecklistRules, dict[str, Item]]:
    sections = list(version.sections.prefetch_related("items").order_by("position", "id"))
    items: dict[str, Item] = {}
    item_rules: list[ItemRule] = []
    for section in sections:
        for item in section.items.all():
            items[item.code] = item
            item_rules.append(item_rule(item, section_code=section.code))
    rules = ChecklistRules(
        sections=tuple(SectionRule(code=s.code, weight=s.weight) for s in sections),
        items=tuple(item_rules),
        expected=version.expected_score,
        tolerance=version.tolerance,
    )
    return rules, items


def library_rules(data: Mapping) -> ChecklistRules:
    """The scoring rules of a bundled library file, with the loader's defaults."""
    sections: list[SectionRule] = []
    item_rules: list[ItemRule] = []
    for s in data["sections"]:
        sections.append(SectionRule(code=s["code"], weight=Decimal(s.get("weight", "1"))))
        for i in s["items"]:
            tags = i.get("tags") or {}
            item_rules.append(
                ItemRule(
                    code=i["code"],
                    section=s["code"],
                    answer_type=i["answer_type"],
                    weight=Decimal(i.get("weight", "1")),
                    critical=i.get("critical", False),
                    thresholds=_thresholds(i.get("thresholds") or []),
                    options=_options(i.get("options") or []),
                    rater=tags.get("rater") or None,
                    area=tags.get("area") or None,
                    factor=tags.get("factor"),
                    bpmp=tags.get("bpmp") or None,
                )
            )
    return ChecklistRules(
        sections=tuple(sections),
        items=tuple(item_rules),
        expected=Decimal(data.get("expected_score", "80")),
        tolerance=Decimal(data.get("tolerance", "5")),
    )
