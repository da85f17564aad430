"""Reads of appeals, scoped by role and shaped for the API and the pages.

A regional manager never learns who visited or when: what they read of a visit is
its id, its period (the month) and its scores; head office also gets the date and
the shopper.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role, shows_shopper_identity
from accounts.scope import scope_of
from appeals.models import Appeal, AppealEvidence, AppealItem
from audits.models import Answer, Visit
from audits.selectors.evidence import evidence_row
from audits.selectors.scope import visits_visible_to
from checklists.models import Item


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """Appeals of the branches the user sees; none for shoppers and reviewers (not their work)."""
    if user.role not in {Role.REGIONAL_MANAGER, Role.HEAD_OFFICE, Role.ADMIN} and not (
        user.is_superuser
    ):
        return Appeal.objects.none()
    return (
        scope_of(user)
        .filter(Appeal.objects.all(), region="branch__region")
        .select_related(
            "visit__checklist_version",
            "visit__shopper",
            "branch__region",
            "submitted_by",
            "decided_by",
        )
        .prefetch_related("items__correction", "evidence_files__uploaded_by")
    )


def appealable_visits(user) -> QuerySet[Visit]:
    """Approved visits of the user's regions still inside the appeal window, newest approval first."""
    if user.role != Role.REGIONAL_MANAGER:
        return Visit.objects.none()
    since = timezone.now() - dt.timedelta(days=settings.APPEAL_WINDOW_DAYS)
    return (
        visits_visible_to(user)
        .filter(status=Visit.Status.APPROVED, reviewed_at__gte=since)
        .order_by("-reviewed_at", "id")
    )


def visit_period(visit: Visit) -> str:
    """The month of the visit ("2026-10"): all of its timing a regional manager reads."""
    return visit.visited_on.strftime("%Y-%m")


def visit_summary(visit: Visit, *, viewer) -> dict:
    data = {
        "id": visit.id,
        "period": visit_period(visit),
        "score": visit.score,
        "band": visit.band or None,
        "status": visit.status,
    }
    if shows_shopper_identity(viewer):
        data["visited_on"] = visit.visited_on
        data["shopper"] = visit.shopper.username
    return data


def _answer(answer: Answer | None) -> dict | None:
    if answer is None:
        return None
    return {"value": answer.value, "na": answer.na, "score": answer.score, "failed": answer.failed}


def _correction(item: AppealItem) -> dict | None:
    c = item.correction
    if c is None:
        return None
    return {
        "id": c.id,
        "old_value": c.old_value,
        "old_na": c.old_na,
        "old_score": c.old_score,
        "new_value": c.new_value,
        "new_na": c.new_na,
        "new_score": c.new_score,
        "old_visit_score": c.old_visit_score,
        "new_visit_score": c.new_visit_score,
        "corrected_at": c.corrected_at,
    }


def appeal_trail(appeal: Appeal) -> list[dict]:
    """Every step of the appeal, oldest first: submitted, each amendment, decided."""
    steps = [
        {"at": appeal.created_at, "step": "submitted", "by": appeal.submitted_by.username},
    ]
    for item in appeal.items.all():
        if item.correction is not None:
            c = item.correction
            steps.append(
                {
                    "at": c.corrected_at,
                    "step": "amended",
                    "by": appeal.decided_by.username if appeal.decided_by else "",
                    "item_code": item.item_code,
                    "old_visit_score": c.old_visit_score,
                    "new_visit_score": c.new_visit_score,
                }
            )
    if appeal.decided_at is not None:
        steps.append(
            {
                "at": appeal.decided_at,
                "step": appeal.status,
                "by": appeal.decided_by.username if appeal.decided_by else "",
                "reason": appeal.decision_reason,
            }
        )
    return steps


def appeal_detail(appeal: Appeal, *, viewer) -> dict:
    visit = appeal.visit
    items = list(appeal.items.all())
    texts = {
        i.code: i
        for i in Item.objects.filter(
            version_id=visit.checklist_version_id, code__in=[i.item_code for i in items]
        )
    }
    answers = {
        a.item_code: a for a in visit.answers.filter(item_code__in=[i.item_code for i in items])
    }
    return {
        "id": appeal.id,
        "status": appeal.status,
        "branch": {
            "id": appeal.branch_id,
            "code": appeal.branch.code,
            "name_zh": appeal.branch.name_zh,
            "name_en": appeal.branch.name_en,
            "region": appeal.branch.region.code,
        },
        "visit": visit_summary(visit, viewer=viewer),
        "submitted_by": appeal.submitted_by.username,
        "created_at": appeal.created_at,
        "items": [
            {
                "item_code": item.item_code,
                "text_zh": texts[item.item_code].text_zh if item.item_code in texts else "",
                "text_en": texts[item.item_code].text_en if item.item_code in texts else "",
                "answer_type": (
                    texts[item.item_code].answer_type if item.item_code in texts else ""
                ),
                "category": item.category,
                "argument": item.argument,
                "evidence": item.evidence,
                "outcome": item.outcome or None,
                "new_value": item.new_value,
                "new_na": item.new_na,
                "answer": _answer(answers.get(item.item_code)),
                "correction": _correction(item),
            }
            for item in items
        ],
        "decision": (
            {
                "reason": appeal.decision_reason,
                "decided_by": appeal.decided_by.username if appeal.decided_by else None,
                "decided_at": appeal.decided_at,
            }
            if appeal.decided_at
            else None
        ),
        "evidence_files": [appeal_evidence_row(e) for e in appeal.evidence_files.all()],
        "trail": appeal_trail(appeal),
    }


def appeal_evidence_row(evidence: AppealEvidence) -> dict:
    """An evidence file as the API and the page show it, with its URLs (a PDF has no thumb)."""
    return evidence_row(
        evidence, url=reverse("appeal-evidence-file", args=[evidence.appeal_id, evidence.pk])
    )


def appeal_evidence_list(appeal: Appeal) -> QuerySet[AppealEvidence]:
    return appeal.evidence_files.select_related("uploaded_by")


def appeal_evidence_names() -> set[str]:
    """Every storage name of every appeal's evidence: check_storage's list of files in use."""
    names: set[str] = set()
    for file_name, thumb_name in AppealEvidence.objects.values_list(
        "file_name", "thumb_name"
    ).iterator(chunk_size=2000):
        names.update(n for n in (file_name, thumb_name) if n)
    return names
