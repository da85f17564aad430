"""Action plan pages: the list (overdue first) and one plan, with the regional manager's
form or head office's accept / send-back buttons.

Thin views over actions.selectors and actions.services, the same ones the API
uses: the services check the input and the state, and their errors are shown
on the page with a 400 (409 for a plan in the wrong state). The page shows the
same things to the same people as the API: a regional manager is told the
month, never the visit, so never who visited or when.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from accounts.roles import configures
from accounts.scope import manages_region
from actions.models import ActionPlan
from actions.roles import DecidesActionPlans, SeesActionPlans, SubmitsActionPlans
from actions.selectors import action_plan_detail, action_plan_list, action_plans_visible_to
from actions.services import (
    action_plan_accept,
    action_plan_evidence_add,
    action_plan_send_back,
    action_plan_submit,
)
from audits.services.evidence_files import EVIDENCE_FILES_MAX
from backend.errors import Conflict, validation_errors
from checklists.languages import language_for, pick
from front.views.access import require

# The list page shows the head of the list; the API pages through all of it.
LIST_ROWS = 200
# What the list shows: plans still in play (the default), overdue ones, or every plan.
SHOWS = ("active", "overdue", "all")

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Action plans",
        "plan": "Action plan",
        "intro": "Plans opened when an approved visit fails a critical item or a branch's month "
        "is below standard. Overdue plans first.",
        "show_active": "In progress",
        "show_overdue": "Overdue",
        "show_all": "All",
        "none": "No action plans here.",
        "back": "All action plans",
        "branch": "Branch",
        "reason": "Reason",
        "period": "Month",
        "status": "Status",
        "due": "Due",
        "no_due": "no due date yet",
        "overdue": "overdue",
        "did_not_fix": "did not fix",
        "items": "Items to fix",
        "failures": "failed {n}×",
        "due_on": "due {date}",
        "item_count": "{n} item(s) to fix",
        "critical": "critical",
        "score": "Period score",
        "standard": "standard",
        "visit": "Visit",
        "checked_by": "Checked by visit",
        "root_cause": "Root cause",
        "actions": "Actions",
        "owner": "Owner",
        "due_date": "Due date",
        "submit": "Submit the plan",
        "submit_hint": "Why it happened, what will be done, who does it and by when.",
        "owner_hint": "A name, e.g. the branch manager.",
        "decision": "Head office's decision",
        "accept": "Accept",
        "send_back": "Send back",
        "note": "Note to the regional manager",
        "head_office_note": "Head office's note",
        "errors": "Please correct the following:",
        "done_submit": "Plan submitted to head office.",
        "done_accept": "Plan accepted. The next approved visit will verify it.",
        "done_send_back": "Plan sent back to the regional manager.",
        "not_a_date": "Not a date; use YYYY-MM-DD.",
        "waiting_ho": "Waiting for head office.",
        "waiting_rm": "Waiting for the regional manager.",
        "waiting_visit": "Accepted: the next approved visit to the branch verifies it.",
        "closed": "Verified by a later visit: the items passed.",
        "critical_failure": "Critical item failed",
        "below_standard": "Month below standard",
        "open": "Open",
        "submitted": "Submitted",
        "sent_back": "Sent back",
        "accepted": "Accepted",
        "verified": "Verified",
        "reopened": "Reopened",
        "evidence": "Evidence photos",
        "evidence_none": "No photos attached.",
        "evidence_add": "Attach a photo",
        "evidence_hint": "JPEG, PNG or WebP, up to {mb} MB; at most {n} photos per plan.",
        "evidence_choose": "Choose a photo to attach.",
        "done_evidence": "Photo attached.",
    },
    "zh-Hans": {
        "title": "整改计划",
        "plan": "整改计划",
        "intro": "已通过审核的暗访出现否决项不合格，或网点当月得分低于标准时自动建立。逾期的排在最前。",
        "show_active": "进行中",
        "show_overdue": "已逾期",
        "show_all": "全部",
        "none": "暂无整改计划。",
        "back": "全部整改计划",
        "branch": "网点",
        "reason": "原因",
        "period": "月份",
        "status": "状态",
        "due": "截止",
        "no_due": "尚未填写截止日期",
        "overdue": "已逾期",
        "did_not_fix": "未解决",
        "items": "需整改的项目",
        "failures": "不合格 {n} 次",
        "due_on": "{date} 截止",
        "item_count": "{n} 个项目需整改",
        "critical": "否决项",
        "score": "当月得分",
        "standard": "标准",
        "visit": "暗访",
        "checked_by": "复查暗访",
        "root_cause": "根本原因",
        "actions": "整改措施",
        "owner": "负责人",
        "due_date": "截止日期",
        "submit": "提交整改计划",
        "submit_hint": "说明原因、措施、负责人和完成日期。",
        "owner_hint": "姓名，例如网点负责人。",
        "decision": "总部审核",
        "accept": "接受",
        "send_back": "退回",
        "note": "给区域经理的意见",
        "head_office_note": "总部意见",
        "errors": "请修改以下内容：",
        "done_submit": "整改计划已提交总部。",
        "done_accept": "已接受整改计划，下一次通过审核的暗访将进行复查。",
        "done_send_back": "已退回给区域经理。",
        "not_a_date": "不是有效日期，请用 YYYY-MM-DD。",
        "waiting_ho": "等待总部审核。",
        "waiting_rm": "等待区域经理填写。",
        "waiting_visit": "已接受：下一次通过审核的暗访将复查。",
        "closed": "已由后续暗访验证：项目合格。",
        "critical_failure": "否决项不合格",
        "below_standard": "当月得分低于标准",
        "open": "待填写",
        "submitted": "已提交",
        "sent_back": "已退回",
        "accepted": "已接受",
        "verified": "已验证",
        "reopened": "已重开",
        "evidence": "整改照片",
        "evidence_none": "未附照片。",
        "evidence_add": "添加照片",
        "evidence_hint": "JPEG、PNG 或 WebP 格式，不超过 {mb} MB；每个计划最多 {n} 张。",
        "evidence_choose": "请选择要添加的照片。",
        "done_evidence": "照片已添加。",
    },
}

_SUBMITTABLE = {ActionPlan.Status.OPEN, ActionPlan.Status.SENT_BACK, ActionPlan.Status.REOPENED}
_ACTIVE = [
    ActionPlan.Status.OPEN,
    ActionPlan.Status.SUBMITTED,
    ActionPlan.Status.SENT_BACK,
    ActionPlan.Status.REOPENED,
    ActionPlan.Status.ACCEPTED,
]


def _labels(lang: str) -> dict[str, str]:
    return LABELS["zh-Hans" if lang == "zh-Hans" else "en"]


def _page_lang(request: HttpRequest) -> str:
    return language_for(request, fallback="zh-Hans")


def _row(plan: ActionPlan, *, viewer, lang: str) -> dict:
    """A plan as the page shows it: the API's detail, with names in the page's language."""
    t = _labels(lang)
    row = action_plan_detail(plan, viewer=viewer)
    branch = row["branch"]
    row["branch_name"] = pick(lang, branch["name_zh"], branch["name_en"])
    row["reason_text"] = t[row["reason"]]
    row["status_text"] = t[row["status"]]
    row["url"] = reverse("action-plan-page", args=[plan.pk])
    due = row["due_date"]
    row["due_text"] = t["due_on"].format(date=due.isoformat()) if due else t["no_due"]
    row["items_text"] = t["item_count"].format(n=len(row["items"]))
    for item in row["items"]:
        item["text"] = pick(lang, item["text_zh"], item["text_en"])
        item["failures_text"] = t["failures"].format(n=item["failures"])
    return row


@login_required
@require_safe
def action_plans_page(request: HttpRequest) -> HttpResponse:
    require(SeesActionPlans, request)
    lang = _page_lang(request)
    t = _labels(lang)
    show = request.GET.get("show", "active")
    if show not in SHOWS:
        show = "active"
    plans = action_plan_list(user=request.user, overdue=show == "overdue")
    if show == "active":
        plans = plans.filter(status__in=_ACTIVE)
    rows = [_row(plan, viewer=request.user, lang=lang) for plan in plans[:LIST_ROWS]]
    tabs = [
        {"key": key, "label": t[f"show_{key}"], "url": f"?show={key}", "current": key == show}
        for key in SHOWS
    ]
    response = render(
        request,
        "front/action_plans.html",
        {"t": t, "lang": lang, "rows": rows, "tabs": tabs, "total": plans.count()},
    )
    response["Content-Language"] = lang
    return response


def _due_date(text: str) -> tuple[dt.date | None, bool]:
    """The form's due date, and whether what was typed is a date at all."""
    text = text.strip()
    if not text:
        return None, True
    try:
        return dt.date.fromisoformat(text), True
    except ValueError:
        return None, False


def _act(request: HttpRequest, plan: ActionPlan, action: str, t: dict) -> None:
    """Run the posted action through the services; raises their ValidationError or Conflict."""
    if action == "submit":
        require(SubmitsActionPlans, request)
        due, is_date = _due_date(request.POST.get("due_date", ""))
        try:
            action_plan_submit(
                plan=plan,
                user=request.user,
                root_cause=request.POST.get("root_cause", ""),
                actions=request.POST.get("actions", ""),
                owner=request.POST.get("owner", ""),
                due_date=due,
            )
        except ValidationError as error:
            errors = validation_errors(error)
            if not is_date:
                errors["due_date"] = [t["not_a_date"]]
            raise ValidationError(errors) from None
    elif action == "evidence":
        require(SubmitsActionPlans, request)
        upload = request.FILES.get("file")
        if upload is None:
            raise ValidationError({"file": [t["evidence_choose"]]})
        # The API's service: the same checks, limits and scope (PermissionDenied → 403).
        action_plan_evidence_add(
            plan=plan, user=request.user, file=upload, size=upload.size, filename=upload.name
        )
    elif action == "accept":
        require(DecidesActionPlans, request)
        action_plan_accept(plan=plan, user=request.user)
    elif action == "send_back":
        require(DecidesActionPlans, request)
        action_plan_send_back(plan=plan, user=request.user, note=request.POST.get("note", ""))
    else:
        raise ValidationError({"action": [f"Unknown action {action!r}."]})


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def action_plan_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(SeesActionPlans, request)
    plan = get_object_or_404(action_plans_visible_to(request.user), pk=pk)
    lang = _page_lang(request)
    t = _labels(lang)
    errors, form, status = None, {}, 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        # An upload leaves the plan's form as it was; only its own post refills it.
        form = {} if action == "evidence" else request.POST
        try:
            _act(request, plan, action, t)
        except ValidationError as error:
            errors, status = validation_errors(error), 400
        except Conflict as conflict:
            errors, status = {"status": [conflict.message]}, 409
        else:
            messages.success(request, t[f"done_{action}"])
            return redirect(reverse("action-plan-page", args=[plan.pk]))
        plan.refresh_from_db()
    user = request.user
    row = _row(plan, viewer=user, lang=lang)
    if row.get("visit"):  # head office only: action_plan_detail leaves it out for managers
        row["visit"]["url"] = reverse("review-visit-page", args=[row["visit"]["id"]])
    if row.get("checked_by_visit"):
        row["checked_by_visit"]["url"] = reverse(
            "review-visit-page", args=[row["checked_by_visit"]["id"]]
        )
    can_submit = plan.status in _SUBMITTABLE and manages_region(user, plan.branch.region_id)
    can_decide = plan.status == ActionPlan.Status.SUBMITTED and configures(user)
    response = render(
        request,
        "front/action_plan.html",
        {
            "t": t,
            "lang": lang,
            "plan": row,
            "errors": errors,
            "form": form,
            "can_submit": can_submit,
            "can_decide": can_decide,
            "can_add_evidence": can_submit and len(row["evidence"]) < EVIDENCE_FILES_MAX,
            "evidence_hint": t["evidence_hint"].format(
                mb=settings.PHOTO_MAX_BYTES // (1024 * 1024), n=EVIDENCE_FILES_MAX
            ),
            "list_url": reverse("action-plans-page"),
            "today": timezone.localdate().isoformat(),
        },
        status=status,
    )
    response["Content-Language"] = lang
    return response
