"""Turning a stored ChecklistVersion into the pure scoring module's rules."""

from __future__ import annotations

from decimal import Decimal

from checklists.models import ChecklistVersion, Item
from checklists.scoring import ChecklistRules, ItemRule, SectionRule, Threshold


def _optional_decimal(value) -> Decimal | None:
    return None if value in (None, "") else Decimal(str(value))


def item_rule(item: Item, *, section_code: str) -> ItemRule:
    return ItemRule(
        code=item.code,
        section=section_code,
        answer_type=item.answer_type,
        weight=item.weight,
        critical=item.critical,
        thresholds=tuple(
            Threshold(
                score=Decimal(str(t["score"])),
                min=_optional_decimal(t.get("min")),
                max=_optional_decimal(t.get("max")),
            )
            for t in item.thresholds
        ),
        options=tuple((o["value"], Decimal(str(o["score"]))) for o in item.options),
        rater=item.rater or None,
        area=item.area or None,
        factor=item.factor,
    )


def version_rules(version: ChecklistVersion) -> tuple[ChecklistRules, dict[str, Item]]:
    """The scoring rules of a version, and its items by code."""
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
