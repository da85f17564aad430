"""The review desk's visit page: a submitted visit with its evidence, and the reviewer's decision.

A thin view: the page reads the visit through the selectors and acts only
through the review services (audits.services.review), which lock the visit,
check the input and say what went wrong. Their errors are shown on the page
with a 400; the view adds no rule of its own, only the tick that confirms the
withdrawal of an approval (a page's safeguard against a slip, not a rule of the
service).
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.permissions import IsReviewer
from audits.models import Review, Visit, VisitScore
from audits.selectors.review import (
    correction_item,
    review_queue,
    review_trail,
    visit_corrections,
)
from audits.selectors.scope import visits_visible_to
from audits.services.review import visit_answer_correct, visit_approval_withdraw, visit_review
from backend.errors import Conflict, validation_errors
from checklists.languages import language_for, pick
from checklists.selectors import checklist_tree
from front.answers import form_value, value_choices, value_text
from front.views.access import require

DECISIONS = {
    "approve": Review.Decision.APPROVE,
    "return": Review.Decision.RETURN,
    "reject": Review.Decision.REJECT,
}
# The per-question boxes of the return form: name prefix + question code.
QUESTION_NOTE = "qnote-"
# The action of the form an approved visit shows (rejects it, through visit_approval_withdraw).
WITHDRAW = "withdraw_approval"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Review visit",
        "queue": "Review queue",
        "next": "Next in queue",
        "no_next": "No other visit is waiting.",
        "branch": "Branch",
        "shopper": "Shopper",
        "visited": "Visited",
        "duration": "Duration",
        "submitted": "Submitted",
        "revision": "Revision",
        "status": "Status",
        "checklist": "Checklist",
        "channel_branch": "In branch",
        "channel_phone": "Phone call",
        "channel_written": "Written",
        "score": "Score",
        "band": "Band",
        "confidence": "Confidence",
        "flagged": "flagged",
        "checks_pending": "checks pending",
        "critical_failure": "critical item failed",
        "not_in_review": "This visit is {status}: it is no longer waiting for review, so it cannot be decided or corrected here.",
        "answers": "Answers",
        "section_score": "Section score",
        "na": "N/A",
        "unanswered": "Not answered",
        "yes": "Yes",
        "no": "No",
        "failed": "failed",
        "critical": "critical",
        "points": "score",
        "gain": "pts to gain",
        "weight": "weight",
        "shopper_comment": "Shopper's comment",
        "visit_comment": "Visit comment",
        "no_comment": "No comment.",
        "photos": "Photos",
        "no_photos": "No photos.",
        "not_received": "not received yet",
        "taken": "taken",
        "no_time": "no capture time",
        "outside_visit": "outside the visit",
        "see_photos": "see the photos",
        "checks": "Automatic checks",
        "failed_checks": "Failed checks",
        "all_passed": "Every check passed.",
        "pending_note": "The checks have not run yet.",
        "passed_checks": "Passed checks",
        "penalty": "penalty",
        "decision": "Decision",
        "approve": "Approve",
        "approve_note": "Note (optional)",
        "approve_confirm": "Approve this visit?",
        "return": "Return to the shopper",
        "return_note": "General note to the shopper",
        "return_hint": "Say what to fix here or in the boxes under the questions (at least one).",
        "question_note": "Note on this question (return)",
        "reject": "Reject",
        "reject_reason": "Reason for the rejection (required)",
        "correct": "Correct this answer",
        "new_value": "New value",
        "choose": "— choose —",
        "reason": "Reason (required)",
        "save_correction": "Save correction",
        "corrections": "Corrections",
        "corrected": "{question}: {old} → {new} (score {old_score} → {new_score}; visit {old_visit} → {new_visit}) by {who}: {reason}",
        "appeals": "Appeals",
        "appealed": "Appeal {number} on {items} by {who}, {at}: {status}",
        "appeal_decided": " by {who}, {at}: {reason}",
        "appeal_submitted": "awaiting a decision",
        "appeal_upheld": "upheld",
        "appeal_partially_upheld": "partly upheld",
        "appeal_rejected": "rejected",
        "reviews": "Reviews",
        "reviewed": "{decision} by {who}, {at} (revision {revision})",
        "review_note": ": {note}",
        "decided_approve": "Approved",
        "decided_return": "Returned to the shopper",
        "decided_reject": "Rejected",
        "decided_withdrawal": "Approval withdrawn (rejected)",
        "withdraw": "Withdraw approval",
        "withdraw_hint": "The visit becomes rejected and leaves the reports at once. Action plans its approval opened stay with their owners.",
        "withdraw_reason": "Why the approval is withdrawn (required)",
        "withdraw_confirm": "I confirm: reject this approved visit",
        "withdraw_unconfirmed": "Tick the box to confirm the withdrawal.",
        "still_withdrawable": "Its approval can still be withdrawn: see “Withdraw approval”.",
        "errors": "Nothing was saved:",
        "shortcuts": "Keyboard",
        "key_approve": "approve",
        "key_return": "return notes",
        "key_reject": "reject reason",
        "key_next": "next in queue",
        "key_escape": "leave a text box",
        "done_approve": "Visit approved.",
        "done_return": "Visit returned to the shopper.",
        "done_reject": "Visit rejected.",
        "done_correct": "Answer to {question} corrected.",
        "done_withdraw_approval": "Approval withdrawn: the visit is rejected and no longer counted in the reports.",
        "status_incomplete": "incomplete (photos missing)",
        "status_submitted": "submitted",
        "status_returned": "returned to the shopper",
        "status_approved": "approved",
        "status_rejected": "rejected",
        "band_below": "Below expectation",
        "band_meets": "Meets expectation",
        "band_exceeds": "Exceeds expectation",
        "check_location_missing": "No location",
        "check_location_far": "Far from the branch",
        "check_location_inaccurate": "Vague location",
        "check_visit_too_short": "Visit too short",
        "check_visit_outside_window": "Outside the agreed dates or hours",
        "check_photo_time_outside_visit": "Photos taken outside the visit",
        "check_photo_reused": "Photo used in another visit",
        "check_answers_identical": "Identical answers",
        "ev_distance": "Distance from the branch",
        "ev_limit": "Limit",
        "ev_visit_position": "Phone's position",
        "ev_branch_position": "Branch's position",
        "ev_accuracy": "Accuracy",
        "ev_lasted": "Lasted",
        "ev_minimum": "Minimum",
        "ev_visited": "Visited",
        "ev_window": "Agreed dates",
        "ev_hours": "Agreed hours",
        "ev_allowed": "Photos accepted between",
        "ev_slack_label": "Allowance either side",
        "min": "min",
        "s": "s",
        "ev_photo_taken": "Photo taken",
        "ev_without_time": "Photos without a capture time",
        "ev_same_as": "Same picture as a photo of visit",
        "ev_bits": "bits apart",
        "ev_count": "Scale answers",
        "ev_values": "Values",
    },
    "zh-Hans": {
        "title": "审核暗访",
        "queue": "审核队列",
        "next": "队列中的下一条",
        "no_next": "没有其他待审核的暗访。",
        "branch": "网点",
        "shopper": "神秘顾客",
        "visited": "暗访时间",
        "duration": "时长",
        "submitted": "提交时间",
        "revision": "版本",
        "status": "状态",
        "checklist": "检查表",
        "channel_branch": "到店",
        "channel_phone": "电话",
        "channel_written": "书面",
        "score": "得分",
        "band": "等级",
        "confidence": "可信度",
        "flagged": "存疑",
        "checks_pending": "检查未完成",
        "critical_failure": "否决项未达标",
        "not_in_review": "该暗访的状态为“{status}”，已不在待审核状态，不能在此审核或更正。",
        "answers": "作答",
        "section_score": "分项得分",
        "na": "不适用",
        "unanswered": "未作答",
        "yes": "是",
        "no": "否",
        "failed": "未达标",
        "critical": "否决项",
        "points": "得分",
        "gain": "可提升分数",
        "weight": "权重",
        "shopper_comment": "神秘顾客评语",
        "visit_comment": "暗访评语",
        "no_comment": "无评语。",
        "photos": "照片",
        "no_photos": "没有照片。",
        "not_received": "尚未上传",
        "taken": "拍摄于",
        "no_time": "无拍摄时间",
        "outside_visit": "不在暗访时间内",
        "see_photos": "查看照片",
        "checks": "自动检查",
        "failed_checks": "未通过的检查",
        "all_passed": "全部检查均已通过。",
        "pending_note": "自动检查尚未运行。",
        "passed_checks": "已通过的检查",
        "penalty": "扣分",
        "decision": "审核决定",
        "approve": "通过",
        "approve_note": "备注（可选）",
        "approve_confirm": "确认通过该暗访？",
        "return": "退回神秘顾客",
        "return_note": "给神秘顾客的总体说明",
        "return_hint": "在此处或在各题下方的输入框中说明需要修改的内容（至少填写一处）。",
        "question_note": "本题说明（退回时）",
        "reject": "驳回",
        "reject_reason": "驳回原因（必填）",
        "correct": "更正此答案",
        "new_value": "新答案",
        "choose": "— 请选择 —",
        "reason": "更正原因（必填）",
        "save_correction": "保存更正",
        "corrections": "更正记录",
        "corrected": "{question}：{old} → {new}（得分 {old_score} → {new_score}；暗访 {old_visit} → {new_visit}），{who}：{reason}",
        "appeals": "申诉记录",
        "appealed": "申诉 {number}（{items}），{who}，{at}：{status}",
        "appeal_decided": "，{who}，{at}：{reason}",
        "appeal_submitted": "待裁决",
        "appeal_upheld": "支持",
        "appeal_partially_upheld": "部分支持",
        "appeal_rejected": "驳回",
        "reviews": "审核记录",
        "reviewed": "{decision}，{who}，{at}（版本 {revision}）",
        "review_note": "：{note}",
        "decided_approve": "通过",
        "decided_return": "退回神秘顾客",
        "decided_reject": "驳回",
        "decided_withdrawal": "撤销通过（驳回）",
        "withdraw": "撤销通过",
        "withdraw_hint": "该暗访将改为驳回，并立即从报表中移除。因通过而开启的整改计划仍由其负责人处理。",
        "withdraw_reason": "撤销通过的原因（必填）",
        "withdraw_confirm": "我确认：驳回这条已通过的暗访",
        "withdraw_unconfirmed": "请勾选以确认撤销通过。",
        "still_withdrawable": "仍可撤销通过：见“撤销通过”。",
        "errors": "未保存：",
        "shortcuts": "快捷键",
        "key_approve": "通过",
        "key_return": "退回说明",
        "key_reject": "驳回原因",
        "key_next": "下一条",
        "key_escape": "离开输入框",
        "done_approve": "已通过该暗访。",
        "done_return": "已退回神秘顾客。",
        "done_reject": "已驳回该暗访。",
        "done_correct": "已更正 {question} 的答案。",
        "done_withdraw_approval": "已撤销通过：该暗访已驳回，不再计入报表。",
        "status_incomplete": "未完成（照片缺失）",
        "status_submitted": "已提交",
        "status_returned": "已退回",
        "status_approved": "已通过",
        "status_rejected": "已驳回",
        "band_below": "低于期望",
        "band_meets": "满足期望",
        "band_exceeds": "超出期望",
        "check_location_missing": "没有位置信息",
        "check_location_far": "距离网点过远",
        "check_location_inaccurate": "位置不精确",
        "check_visit_too_short": "暗访时间过短",
        "check_visit_outside_window": "不在约定的日期或时段内",
        "check_photo_time_outside_visit": "照片拍摄时间不在暗访期间",
        "check_photo_reused": "照片与其他暗访重复",
        "check_answers_identical": "答案完全相同",
        "ev_distance": "与网点的距离",
        "ev_limit": "上限",
        "ev_visit_position": "手机位置",
        "ev_branch_position": "网点位置",
        "ev_accuracy": "精度",
        "ev_lasted": "持续",
        "ev_minimum": "最短",
        "ev_visited": "暗访日期",
        "ev_window": "约定日期",
        "ev_hours": "约定时段",
        "ev_allowed": "照片可接受的时间",
        "ev_slack_label": "前后宽限",
        "min": "分钟",
        "s": "秒",
        "ev_photo_taken": "照片拍摄于",
        "ev_without_time": "无拍摄时间的照片",
        "ev_same_as": "与另一暗访的照片相同",
        "ev_bits": "位差异",
        "ev_count": "量表题数量",
        "ev_values": "取值",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS["zh-Hans" if lang == "zh-Hans" else "en"]


# --- the queue around this visit ------------------------------------------------------


def _queue_ids() -> list:
    return list(review_queue().values_list("pk", flat=True))


def _following(ids: list, current) -> list:
    """The queue as seen from `current`: the visits after it, then those before it."""
    if current in ids:
        at = ids.index(current)
        return ids[at + 1 :] + ids[:at]
    return ids


def _next_after_action(before: list, current):
    """The visit that followed `current` and is still waiting; else the head of the queue."""
    now = [pk for pk in _queue_ids() if pk != current]
    waiting = set(now)
    for pk in _following(before, current):
        if pk in waiting:
            return pk
    return now[0] if now else None


def _page_url(name: str, *args, query: dict) -> str:
    return reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")


# --- showing answers and evidence -----------------------------------------------------


def _local(moment: dt.datetime | str | None) -> dt.datetime | None:
    if moment is None:
        return None
    if isinstance(moment, str):
        try:
            moment = dt.datetime.fromisoformat(moment)
        except ValueError:
            return None
    return timezone.localtime(moment) if timezone.is_aware(moment) else moment


def _duration(seconds: float, t: dict) -> str:
    minutes, rest = divmod(abs(round(seconds)), 60)
    if minutes and rest:
        return f"{minutes} {t['min']} {rest} {t['s']}"
    return f"{minutes} {t['min']}" if minutes else f"{rest} {t['s']}"


def _answer_text(item: dict, answer, scales: dict, t: dict) -> str:
    if answer is None:
        return t["unanswered"]
    if answer.na:
        return t["na"]
    return value_text(item, answer.value, scales, t)


def _check_facts(check, t: dict, photo_numbers: dict) -> list[tuple[str, str]]:
    """The numbers behind a check, as (label, text) rows; unknown checks show their evidence as stored."""
    ev = check.evidence or {}
    code = check.code

    def metres(value) -> str:
        return f"{float(value):,.0f} m"

    def position(lat, lng) -> str:
        return f"{float(lat):.5f}, {float(lng):.5f}"

    def when(value) -> str:
        moment = _local(value)
        return f"{moment:%Y-%m-%d %H:%M:%S}" if moment else str(value)

    def photo_name(photo_id) -> str:
        number = photo_numbers.get(str(photo_id))
        return f"#{number}" if number else str(photo_id)[:8]

    try:
        if code == "location_far":
            return [
                (t["ev_distance"], metres(ev["distance_m"])),
                (t["ev_limit"], metres(ev["limit_m"])),
                (t["ev_visit_position"], position(ev["visit_lat"], ev["visit_lng"])),
                (t["ev_branch_position"], position(ev["branch_lat"], ev["branch_lng"])),
            ]
        if code == "location_inaccurate":
            return [
                (t["ev_accuracy"], f"± {metres(ev['accuracy_m'])}"),
                (t["ev_limit"], metres(ev["limit_m"])),
            ]
        if code == "visit_too_short":
            return [
                (t["ev_lasted"], _duration(ev["seconds"], t)),
                (t["ev_minimum"], _duration(ev["min_seconds"], t)),
            ]
        if code == "visit_outside_window":
            rows = [
                (t["ev_visited"], f"{ev['visited_on']} {ev['local_start']}–{ev['local_end']}"),
                (t["ev_window"], f"{ev['window_from']} – {ev['window_to']}"),
            ]
            if ev.get("time_from") or ev.get("time_to"):
                rows.append(
                    (t["ev_hours"], f"{ev.get('time_from') or '…'}–{ev.get('time_to') or '…'}")
                )
            return rows
        if code == "photo_time_outside_visit":
            earliest, latest = when(ev["earliest"]), when(ev["latest"])
            if earliest[:10] == latest[:10]:
                latest = latest[11:]  # the same day: its date once
            rows = [
                (t["ev_allowed"], f"{earliest} – {latest}"),
                (t["ev_slack_label"], f"± {float(ev['slack_minutes']):.0f} {t['min']}"),
            ]
            rows += [
                (f"{t['ev_photo_taken']} {photo_name(o['photo'])}", when(o["taken_at"]))
                for o in ev.get("outside", [])
            ]
            if ev.get("without_time"):
                rows.append(
                    (
                        t["ev_without_time"],
                        ", ".join(photo_name(p) for p in ev["without_time"]),
                    )
                )
            return rows
        if code == "photo_reused":
            return [
                (
                    f"{photo_name(m['photo'])} · {t['ev_same_as']}",
                    f"{m['other_visit']} ({m['distance']} {t['ev_bits']})",
                )
                for m in ev.get("matches", [])
            ]
        if code == "answers_identical":
            return [
                (t["ev_count"], str(ev["count"])),
                (t["ev_values"], ", ".join(str(v) for v in ev["values"])),
            ]
        if code == "location_missing":
            return []
    except (KeyError, TypeError, ValueError):
        pass  # evidence of an older shape: shown as stored
    return [(str(key), str(value)) for key, value in ev.items()]


def _reused_visit_links(check, query: dict) -> list[tuple[str, str]]:
    if check.code != "photo_reused":
        return []
    others = sorted({m.get("other_visit") for m in (check.evidence or {}).get("matches", [])})
    return [
        (str(pk), _page_url("review-visit-page", pk, query=query))
        for pk in others
        if pk and Visit.objects.filter(pk=pk).exists()
    ]


def _photo_rows(visit: Visit, items: dict, outside: set[str]) -> list[dict]:
    rows = []
    for number, photo in enumerate(visit.photos.order_by("created_at", "id"), start=1):
        url = reverse("visit-photo", args=[visit.pk, photo.pk])
        item = items.get(photo.item_code)
        rows.append(
            {
                "id": str(photo.pk),
                "number": number,
                "question": photo.item_code,
                "question_text": item["text"] if item else "",
                "received": photo.received,
                "thumb_url": f"{url}?size=thumb",
                "full_url": f"{url}?size=full",
                "taken_at": _local(photo.taken_at),
                "outside": str(photo.pk) in outside,
            }
        )
    return rows


def _form_text(answer) -> str:
    """The stored answer as the correction form's field shows it (the inverse of front.answers.form_value)."""
    if answer is None or answer.na or answer.value is None:
        return ""
    if isinstance(answer.value, bool):
        return "true" if answer.value else "false"
    return str(answer.value)


def _appeal_lines(visit: Visit, t: dict) -> list[str]:
    """Each appeal of the visit and its decision, so the trail holds a rejected one too.

    An upheld item is also among the corrections (it changed an answer); a rejected
    appeal changes nothing and would otherwise leave no trace on this page.
    """
    lines = []
    appeals = visit.appeals.select_related("submitted_by", "decided_by").prefetch_related("items")
    for appeal in appeals.order_by("created_at", "id"):
        line = t["appealed"].format(
            number=appeal.pk,
            items=", ".join(item.item_code for item in appeal.items.all()),
            who=appeal.submitted_by.username,
            at=_local(appeal.created_at).strftime("%Y-%m-%d %H:%M"),
            status=t.get(f"appeal_{appeal.status}", appeal.status),
        )
        if appeal.decided_at is not None:
            line += t["appeal_decided"].format(
                who=appeal.decided_by.username if appeal.decided_by else "—",
                at=_local(appeal.decided_at).strftime("%Y-%m-%d %H:%M"),
                reason=appeal.decision_reason,
            )
        lines.append(line)
    return lines


def _review_lines(visit: Visit, t: dict) -> list[str]:
    """Each review of the visit with its note, so a withdrawn approval shows who withdrew it and why."""
    lines = []
    for row in review_trail(visit=visit):
        line = t["reviewed"].format(
            decision=t["decided_withdrawal" if row["withdrawal"] else f"decided_{row['decision']}"],
            who=row["reviewer"],
            at=_local(row["at"]).strftime("%Y-%m-%d %H:%M"),
            revision=row["revision"],
        )
        if row["note"]:
            line += t["review_note"].format(note=row["note"])
        lines.append(line)
    return lines


def _context(request, visit: Visit, *, lang: str, query: dict, errors=None, form=None) -> dict:
    t = _labels(lang)
    tree = checklist_tree(visit.checklist_version, lang=lang)
    scales = tree["scales"]
    items = {item["code"]: item for section in tree["sections"] for item in section["items"]}
    answers = {a.item_code: a for a in visit.answers.all()}
    section_scores = {
        row.key: row.score for row in visit.scores.filter(kind=VisitScore.Kind.SECTION)
    }
    checks = list(visit.checks.order_by("-penalty", "code"))
    outside = {
        str(o.get("photo"))
        for c in checks
        if c.code == "photo_time_outside_visit" and not c.passed
        for o in (c.evidence or {}).get("outside", [])
    }
    photos = _photo_rows(visit, items, outside)
    photo_numbers = {p["id"]: p["number"] for p in photos}
    form = form or {}
    note_values = form.get("question_notes", {})

    sections = []
    for section in tree["sections"]:
        rows = []
        for item in section["items"]:
            answer = answers.get(item["code"])
            rows.append(
                {
                    "item": item,
                    "answer": answer,
                    "text": _answer_text(item, answer, scales, t),
                    "is_photo": item["answer_type"] == "photo",
                    "photos": [p for p in photos if p["question"] == item["code"]],
                    "note": note_values.get(item["code"], ""),
                    "note_name": f"{QUESTION_NOTE}{item['code']}",
                    "choices": value_choices(item, scales, t),
                    "current": _form_text(answer),
                    "correct_open": form.get("question") == item["code"],
                }
            )
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "score": section_scores.get(section["code"]),
                "rows": rows,
            }
        )

    before = _queue_ids()
    following = [pk for pk in _following(before, visit.pk) if pk != visit.pk]
    next_url = _page_url("review-visit-page", following[0], query=query) if following else ""
    failed = [c for c in checks if not c.passed]
    other_lang = "en" if lang == "zh-Hans" else "zh-Hans"
    corrections = []
    for c in visit_corrections(visit=visit):
        row = correction_item(c)
        item = items.get(row["question"], {"answer_type": "text", "options": [], "unit": ""})

        def shown(value, na, item=item):
            return t["na"] if na else "—" if value is None else value_text(item, value, scales, t)

        corrections.append(
            t["corrected"].format(
                question=row["question"],
                old=shown(row["old_value"], row["old_na"]),
                new=shown(row["new_value"], row["new_na"]),
                old_score=row["old_score"] if row["old_score"] is not None else "—",
                new_score=row["new_score"] if row["new_score"] is not None else "—",
                old_visit=row["old_visit_score"] if row["old_visit_score"] is not None else "—",
                new_visit=row["new_visit_score"] if row["new_visit_score"] is not None else "—",
                who=row["corrected_by"],
                reason=row["reason"],
            )
        )
    return {
        "lang": lang,
        "t": t,
        "visit": visit,
        "in_review": visit.status == Visit.Status.SUBMITTED,
        "withdrawable": visit.status == Visit.Status.APPROVED,
        "status_text": t.get(f"status_{visit.status}", visit.status),
        "not_in_review": t["not_in_review"].format(
            status=t.get(f"status_{visit.status}", visit.status)
        ),
        "band_text": t.get(f"band_{visit.band}", "") if visit.band else "",
        "branch_name": pick(lang, visit.branch.name_zh, visit.branch.name_en),
        "branch_other_name": pick(other_lang, visit.branch.name_zh, visit.branch.name_en),
        "checklist_title": tree["title"],
        "channel": visit.checklist.channel,
        "channel_text": t[f"channel_{visit.checklist.channel}"],
        "started": _local(visit.started_at),
        "ended": _local(visit.ended_at),
        "duration": _duration((visit.ended_at - visit.started_at).total_seconds(), t),
        "sections": sections,
        "photos": photos,
        "failed_checks": [
            {
                "check": c,
                "title": t.get(f"check_{c.code}", c.code),
                "facts": _check_facts(c, t, photo_numbers),
                "links": _reused_visit_links(c, query),
            }
            for c in failed
        ],
        "passed_checks": [
            {"check": c, "title": t.get(f"check_{c.code}", c.code)} for c in checks if c.passed
        ],
        "corrections": corrections,
        "reviews": _review_lines(visit, t),
        "appeals": _appeal_lines(visit, t),
        "next_url": next_url,
        "queue_url": _page_url("review-queue-page", query=query),
        "errors": errors or {},
        "error_action": form.get("action", ""),
        "form": form,
    }


# --- the page -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def review_visit_page(request, pk):
    require(IsReviewer, request)
    visit = get_object_or_404(visits_visible_to(request.user), pk=pk)
    lang = language_for(request, fallback=visit.checklist.language)
    explicit = request.GET.get("lang", "").strip()
    query = {"lang": explicit} if explicit else {}
    t = _labels(lang)

    if request.method == "POST":
        action = request.POST.get("action", "")
        form = {"action": action}
        before = _queue_ids()
        try:
            if action in DECISIONS:
                notes = {
                    key.removeprefix(QUESTION_NOTE): value
                    for key, value in request.POST.items()
                    if key.startswith(QUESTION_NOTE)
                }
                form.update(note=request.POST.get("note", ""), question_notes=notes)
                visit_review(
                    visit=visit,
                    reviewer=request.user,
                    decision=DECISIONS[action],
                    note=request.POST.get("note", ""),
                    # Only a return sends notes per question to the shopper.
                    question_notes=notes if action == "return" else None,
                )
                following = _next_after_action(before, visit.pk)
                if following is None:
                    # The queue page shows no messages: one left here would surface later.
                    return redirect(_page_url("review-queue-page", query=query))
                messages.success(request, t[f"done_{action}"])
                return redirect(_page_url("review-visit-page", following, query=query))
            if action == "correct":
                question = request.POST.get("question", "")
                item = visit.checklist_version.items.filter(code=question).first()
                form.update(question=question, reason=request.POST.get("reason", ""))
                visit_answer_correct(
                    visit=visit,
                    reviewer=request.user,
                    question=question,
                    value=form_value(
                        item.answer_type if item else "", request.POST.get("value", "")
                    ),
                    na=request.POST.get("na") == "on",
                    reason=request.POST.get("reason", ""),
                )
                messages.success(request, t["done_correct"].format(question=question))
                url = _page_url("review-visit-page", visit.pk, query=query)
                return redirect(f"{url}#q-{question}")
            if action == WITHDRAW:
                form.update(note=request.POST.get("note", ""))
                if request.POST.get("confirm") == "on":
                    visit_approval_withdraw(
                        visit=visit, reviewer=request.user, reason=request.POST.get("note", "")
                    )
                    # Back to this visit, not on through the queue: it was never in it, and
                    # the reviewer sees it rejected with the reason in its trail.
                    messages.success(request, t[f"done_{WITHDRAW}"])
                    return redirect(_page_url("review-visit-page", visit.pk, query=query))
                errors = {"confirm": [t["withdraw_unconfirmed"]]}
            else:
                errors = {"action": [f"Unknown action {action!r}."]}
        except ValidationError as error:
            errors = validation_errors(error)
        except Conflict as conflict:
            errors = {"status": [conflict.message]}
        visit.refresh_from_db()
        context = _context(request, visit, lang=lang, query=query, errors=errors, form=form)
        response = render(request, "front/review_visit.html", context, status=400)
    else:
        response = render(
            request, "front/review_visit.html", _context(request, visit, lang=lang, query=query)
        )
    response["Content-Language"] = lang
    return response
