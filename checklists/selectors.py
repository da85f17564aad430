"""Reads of checklists: which versions a caller may use, and a version's full tree."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from django.db.models import Count, QuerySet

from accounts.roles import Role, configures
from checklists.languages import pick
from checklists.models import ChecklistVersion

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


@cache
def scale_labels() -> dict:
    return json.loads((LIBRARY_DIR / "scales.json").read_text(encoding="utf-8"))


def checklist_versions_for(user) -> QuerySet[ChecklistVersion]:
    """Versions the caller may use.

    Head office, reviewers and admins see every version, drafts included.
    Everyone else sees published versions only: shoppers and regional managers
    never work from a draft.
    """
    versions = ChecklistVersion.objects.select_related("checklist").annotate(
        item_count=Count("items", distinct=True)
    )
    if configures(user) or user.role == Role.REVIEWER:
        return versions.order_by("checklist__code", "-number")
    return versions.filter(status=ChecklistVersion.Status.PUBLISHED).order_by(
        "checklist__code", "-number"
    )


def checklist_tree(version: ChecklistVersion, *, lang: str) -> dict:
    """The whole checklist in one dict, texts in `lang`, as the phone app needs it."""
    checklist = version.checklist
    scales = {
        name: [
            {"value": s["value"], "label": s["label"].get(lang) or s["label"]["en"]} for s in levels
        ]
        for name, levels in scale_labels().items()
    }
    sections = []
    for section in version.sections.prefetch_related("items").order_by("position", "id"):
        items = []
        for item in section.items.all():
            items.append(
                {
                    "code": item.code,
                    "text": pick(lang, item.text_zh, item.text_en),
                    "help": pick(lang, item.help_zh, item.help_en),
                    "good_practice": pick(lang, item.good_practice_zh, item.good_practice_en),
                    "answer_type": item.answer_type,
                    "weight": str(item.weight),
                    "critical": item.critical,
                    "required": item.required,
                    "allow_na": item.allow_na,
                    "photo_required": item.photo_required,
                    "comment_on_failure": item.comment_on_failure,
                    "unit": pick(lang, item.unit_zh, item.unit_en),
                    "tags": {
                        "rater": item.rater or None,
                        "area": item.area or None,
                        "factor": item.factor,
                        "bpmp": item.bpmp or None,
                    },
                    "thresholds": item.thresholds,
                    "options": [
                        {
                            "value": o["value"],
                            "label": (o.get("label") or {}).get(lang)
                            or (o.get("label") or {}).get("en", o["value"]),
                            # An unscored choice (e.g. the complainant's type) has no option scores.
                            "score": None if o.get("score") is None else str(o["score"]),
                        }
                        for o in item.options
                    ],
                }
            )
        sections.append(
            {
                "code": section.code,
                "title": pick(lang, section.title_zh, section.title_en),
                "weight": str(section.weight),
                "items": items,
            }
        )
    return {
        "id": version.id,
        "checklist": checklist.code,
        "channel": checklist.channel,
        "version": version.number,
        "status": version.status,
        "language": lang,
        "title": pick(lang, checklist.title_zh, checklist.title_en),
        "description": pick(lang, checklist.description_zh, checklist.description_en),
        "expected_score": str(version.expected_score),
        "tolerance": str(version.tolerance),
        "published_at": version.published_at.isoformat() if version.published_at else None,
        "scales": scales,
        "sections": sections,
    }
