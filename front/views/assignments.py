"""The assignments page: head office plans visits and cancels them; a regional manager
sees how many visits are planned per branch, never who visits or when.

A thin view. Reads go through audits.selectors.planning; writes through the
same services as the API (assignments_create, the service behind
POST /api/v1/assignments/bulk/, and assignment_cancel), which check every rule
(rotation, exclusions, windows, shoppers) and report every problem at once,
keyed by row (`assignments[2].branch`). The page puts each problem on the
branch it concerns and answers 400 (409 for an assignment no longer open);
like the API, a plan with any bad row saves nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from accounts.permissions import ManagesAssignments
from accounts.roles import shows_shopper_identity
from audits.models import Assignment
from audits.selectors.assignments import regions_visible_to
from audits.selectors.planning import (
    checklists_assigned,
    desk_assignments,
    plannable_branches,
    plannable_shoppers,
    plannable_versions,
    planned_visit_counts,
)
from audits.selectors.scope import assignments_visible_to
from audits.services.assignments import AssignmentSpec, assignment_cancel, assignments_create
from backend.errors import Conflict, validation_errors
from checklists.languages import language_for, pick
from front.templatetags.people import full_name
from front.views.access import require

PAGE_ROWS = 25
# The service's row keys: assignments[<index>].<field>.
ROW_KEY = re.compile(r"^assignments\[(\d+)\]\.(\w+)$")
# The planning form's per-branch shopper: name prefix + branch id.
ROW_SHOPPER = "shopper-"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Assignments",
        "plan": "Plan visits",
        "plan_hint": "Tick the branches, then choose the checklist, the window and the shopper. "
        "Every branch becomes one visit; if any row breaks a rule nothing is saved.",
        "checklist": "Checklist",
        "choose": "— choose —",
        "window_from": "Window from",
        "window_to": "Window to",
        "time_from": "Time from (optional)",
        "time_to": "Time to (optional)",
        "shopper_all": "Shopper for every branch",
        "shopper_row": "Shopper",
        "same_as_all": "— the shopper for every branch —",
        "scenario": "Scenario (optional)",
        "scenario_hint": 'e.g. "ask about opening a savings account".',
        "branches": "Branches",
        "submit_plan": "Plan visits",
        "list": "Planned visits",
        "filter": "Filter",
        "all": "All",
        "status": "Status",
        "region": "Region",
        "branch": "Branch",
        "window": "Window",
        "shopper": "Shopper",
        "cancel": "Cancel",
        "cancel_confirm": "Cancel this visit?",
        "none": "No assignments match.",
        "page": "Page {n} of {of}",
        "previous": "‹ Previous",
        "next": "Next ›",
        "count": "{n} assignment(s)",
        "errors": "Nothing was saved:",
        "rows_failed": "{n} of {of} branch(es) have problems; they are marked below.",
        "cancel_failed": "The visit was not cancelled:",
        "no_branches": "Tick at least one branch.",
        "no_checklist": "Choose a published checklist version.",
        "not_a_date": "Enter a date (YYYY-MM-DD).",
        "not_a_time": "Enter a time (HH:MM).",
        "no_shopper": "Choose a shopper for this branch, or one for every branch.",
        "not_an_id": "Not a valid choice.",
        "done_plan": "Planned {n} visit(s):{rows}",
        "done_cancel": "Cancelled: {row}.",
        "counts_intro": "How many visits are planned (open) for each branch of your regions. "
        "Who visits, and when, is known only to head office.",
        "planned": "Planned visits",
        "total": "Total",
        "no_branches_here": "No branches in your regions.",
        "field_branch": "Branch",
        "field_checklist_version": "Checklist",
        "field_shopper": "Shopper",
        "field_window_from": "Window from",
        "field_window_to": "Window to",
        "field_time_from": "Time from",
        "field_time_to": "Time to",
        "field_scenario": "Scenario",
        "open": "Open",
        "submitted": "Submitted",
        "closed": "Closed",
        "expired": "Expired",
        "cancelled": "Cancelled",
    },
    "zh-Hans": {
        "title": "暗访安排",
        "plan": "安排暗访",
        "plan_hint": "勾选网点，再选择检查表、时间窗口和神秘顾客。每个网点安排一次暗访；任何一行不符合规则，全部不保存。",
        "checklist": "检查表",
        "choose": "— 请选择 —",
        "window_from": "开始日期",
        "window_to": "结束日期",
        "time_from": "开始时间（可选）",
        "time_to": "结束时间（可选）",
        "shopper_all": "所有网点的神秘顾客",
        "shopper_row": "神秘顾客",
        "same_as_all": "— 与所有网点相同 —",
        "scenario": "情景（可选）",
        "scenario_hint": "例如“咨询开立储蓄账户”。",
        "branches": "网点",
        "submit_plan": "安排暗访",
        "list": "已安排的暗访",
        "filter": "筛选",
        "all": "全部",
        "status": "状态",
        "region": "区域",
        "branch": "网点",
        "window": "时间窗口",
        "shopper": "神秘顾客",
        "cancel": "取消",
        "cancel_confirm": "确认取消这次暗访？",
        "none": "没有符合条件的暗访安排。",
        "page": "第 {n} 页，共 {of} 页",
        "previous": "‹ 上一页",
        "next": "下一页 ›",
        "count": "共 {n} 条",
        "errors": "未保存：",
        "rows_failed": "{of} 个网点中有 {n} 个存在问题，已在下方标出。",
        "cancel_failed": "未取消：",
        "no_branches": "请至少勾选一个网点。",
        "no_checklist": "请选择一个已发布的检查表版本。",
        "not_a_date": "请输入日期（YYYY-MM-DD）。",
        "not_a_time": "请输入时间（HH:MM）。",
        "no_shopper": "请为该网点选择神秘顾客，或为所有网点选择一位。",
        "not_an_id": "无效的选项。",
        "done_plan": "已安排 {n} 次暗访：{rows}",
        "done_cancel": "已取消：{row}。",
        "counts_intro": "您所辖区域各网点已安排（待执行）的暗访次数。由谁、在何时暗访，只有总部知道。",
        "planned": "已安排的暗访",
        "total": "合计",
        "no_branches_here": "您所辖区域没有网点。",
        "field_branch": "网点",
        "field_checklist_version": "检查表",
        "field_shopper": "神秘顾客",
        "field_window_from": "开始日期",
        "field_window_to": "结束日期",
        "field_time_from": "开始时间",
        "field_time_to": "结束时间",
        "field_scenario": "情景",
        "open": "待执行",
        "submitted": "已提交",
        "closed": "已完成",
        "expired": "已过期",
        "cancelled": "已取消",
    },
}


def _labels(lang: str) -> dict[str, str]:
    return LABELS["zh-Hans" if lang == "zh-Hans" else "en"]


class PlansVisits(ManagesAssignments):
    """ManagesAssignments' rule for changes, applied to every method.

    The API lets anyone signed in read assignments (a shopper's phone lists its
    own); this page is the planning desk, so even reading it takes what planning
    through the API takes: head office, admins and regional managers.
    """

    def has_permission(self, request, view) -> bool:
        return super().has_permission(SimpleNamespace(user=request.user, method="POST"), view)


# --- reading the planning form --------------------------------------------------------


@dataclass
class Plan:
    """The planning form as posted: shared fields, one row per ticked branch."""

    branches: list[int] = field(default_factory=list)
    shoppers: dict[int, int | None] = field(default_factory=dict)  # per ticked branch
    values: dict[str, str] = field(default_factory=dict)  # as typed, to show again
    row_shoppers: dict[int, str] = field(default_factory=dict)  # as chosen, to show again
    errors: dict[str, list[str]] = field(default_factory=dict)  # the form's own, by field
    row_errors: dict[int, list[str]] = field(default_factory=dict)  # by branch id
    specs: list[AssignmentSpec] = field(default_factory=list)


def _id(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and 0 < int(text) < 2**63 else None


def _read_plan(post: QueryDict, t: dict[str, str]) -> Plan:
    """Turn the form into the bulk service's rows; only what a form can get wrong is checked here.

    Whether the rows break a rule (rotation, exclusion, past windows, inactive
    shoppers, drafts) is the service's to say.
    """
    names = ("checklist_version", "window_from", "window_to", "time_from", "time_to")
    plan = Plan(values={name: post.get(name, "").strip() for name in (*names, "shopper")})
    plan.values["scenario"] = post.get("scenario", "")
    for text in post.getlist("branch"):
        branch = _id(text)
        if branch is None:
            plan.errors.setdefault("branch", []).append(t["not_an_id"])
        elif branch not in plan.branches:
            plan.branches.append(branch)
    if not plan.branches and "branch" not in plan.errors:
        plan.errors["branch"] = [t["no_branches"]]

    version = _id(plan.values["checklist_version"])
    if version is None:
        plan.errors["checklist_version"] = [t["no_checklist"]]
    dates: dict[str, dt.date] = {}
    for name in ("window_from", "window_to"):
        try:
            dates[name] = dt.date.fromisoformat(plan.values[name])
        except ValueError:
            plan.errors[name] = [t["not_a_date"]]
    times: dict[str, dt.time | None] = {}
    for name in ("time_from", "time_to"):
        text = plan.values[name]
        try:
            times[name] = dt.time.fromisoformat(text) if text else None
        except ValueError:
            plan.errors[name] = [t["not_a_time"]]

    for_all = _id(plan.values["shopper"])
    for branch in plan.branches:
        chosen = post.get(f"{ROW_SHOPPER}{branch}", "").strip()
        plan.row_shoppers[branch] = chosen
        shopper = _id(chosen) if chosen else for_all
        plan.shoppers[branch] = shopper
        if shopper is None:
            plan.row_errors[branch] = [t["no_shopper"]]

    if plan.errors or plan.row_errors:
        return plan
    plan.specs = [
        AssignmentSpec(
            branch=branch,
            checklist_version=version,
            shopper=plan.shoppers[branch],
            scenario=plan.values["scenario"],
            window_from=dates["window_from"],
            window_to=dates["window_to"],
            time_from=times["time_from"],
            time_to=times["time_to"],
        )
        for branch in plan.branches
    ]
    return plan


def _place_service_errors(plan: Plan, errors: dict[str, list[str]], t: dict[str, str]) -> None:
    """Put each of the service's `assignments[i].field` problems on the branch of row i."""
    for key, problems in errors.items():
        match = ROW_KEY.match(key)
        if match is None or int(match.group(1)) >= len(plan.branches):
            plan.errors.setdefault("plan", []).extend(problems)
            continue
        branch, name = plan.branches[int(match.group(1))], match.group(2)
        if name == "branch":
            # The row is the branch: rotation and exclusion problems need no field named.
            plan.row_errors.setdefault(branch, []).extend(problems)
            continue
        label = t.get(f"field_{name}", name)
        plan.row_errors.setdefault(branch, []).extend(f"{label}: {p}" for p in problems)


# --- what the page shows --------------------------------------------------------------


def _branch_name(branch, lang: str) -> str:
    return f"{pick(lang, branch.name_zh, branch.name_en)} ({branch.code})"


def _shopper_name(user) -> str:
    name = full_name(user.first_name, user.last_name)
    return f"{name} ({user.username})" if name else user.username


def _window_text(assignment: Assignment) -> str:
    text = f"{assignment.window_from:%Y-%m-%d} – {assignment.window_to:%Y-%m-%d}"
    if assignment.time_from or assignment.time_to:
        start = f"{assignment.time_from:%H:%M}" if assignment.time_from else "…"
        end = f"{assignment.time_to:%H:%M}" if assignment.time_to else "…"
        text += f", {start}–{end}"
    return text


def _row_text(assignment: Assignment, lang: str) -> str:
    return (
        f"{_branch_name(assignment.branch, lang)} · {assignment.shopper.username} · "
        f"{_window_text(assignment)}"
    )


def _filters(request: HttpRequest) -> dict:
    status = request.GET.get("status", "")
    return {
        "status": status if status in Assignment.Status.values else "",
        "region": request.GET.get("region", "").strip(),
        "branch": _id(request.GET.get("branch", "")),
        "checklist": request.GET.get("checklist", "").strip(),
    }


def _desk_context(
    request: HttpRequest,
    *,
    lang: str,
    plan: Plan | None = None,
    cancel_errors: dict | None = None,
    cancel_target: int | None = None,
) -> dict:
    """Head office's page: the planning form (as posted, with its problems) and the list."""
    t = _labels(lang)
    user = request.user
    plan = plan or Plan()
    filters = _filters(request)
    paginator = Paginator(desk_assignments(user, **filters), PAGE_ROWS)
    page = paginator.get_page(request.GET.get("page"))
    rows = [
        {
            "id": a.pk,
            "branch": _branch_name(a.branch, lang),
            "region": pick(lang, a.branch.region.name_zh, a.branch.region.name_en),
            "checklist": f"{pick(lang, a.checklist_version.checklist.title_zh, a.checklist_version.checklist.title_en)}"
            f" v{a.checklist_version.number}",
            "window": _window_text(a),
            "shopper": _shopper_name(a.shopper),
            "status": a.status,
            "status_text": t.get(a.status, a.status),
            "can_cancel": a.status == Assignment.Status.OPEN,
            "errors": (cancel_errors or {}).get("status", []) if a.pk == cancel_target else [],
        }
        for a in page.object_list
    ]
    kept = {k: v for k, v in request.GET.items() if k != "page" and v}

    def page_url(number: int) -> str:
        return "?" + urlencode({**kept, "page": number})

    regions = []
    ticked = set(plan.branches)
    for branch in plannable_branches(user):
        region_name = pick(lang, branch.region.name_zh, branch.region.name_en)
        if not regions or regions[-1]["code"] != branch.region.code:
            regions.append({"code": branch.region.code, "name": region_name, "branches": []})
        regions[-1]["branches"].append(
            {
                "id": branch.pk,
                "name": pick(lang, branch.name_zh, branch.name_en),
                "code": branch.code,
                "ticked": branch.pk in ticked,
                "shopper": plan.row_shoppers.get(branch.pk, ""),
                "errors": plan.row_errors.get(branch.pk, []),
            }
        )
    return {
        "t": t,
        "lang": lang,
        "today": timezone.localdate().isoformat(),
        "versions": [
            {
                "id": str(v.pk),
                "label": f"{pick(lang, v.checklist.title_zh, v.checklist.title_en)} · "
                f"{v.checklist.code} v{v.number}",
            }
            for v in plannable_versions(user)
        ],
        "shoppers": [{"id": str(s.pk), "name": _shopper_name(s)} for s in plannable_shoppers()],
        "regions": regions,
        "form": plan.values,
        "form_errors": plan.errors,
        "failed_rows": len(plan.row_errors),
        "rows_failed": t["rows_failed"].format(n=len(plan.row_errors), of=len(plan.branches)),
        "cancel_errors": cancel_errors,
        "filters": filters,
        "statuses": [(s, t[s]) for s in Assignment.Status.values],
        "filter_regions": [
            (r.code, pick(lang, r.name_zh, r.name_en)) for r in regions_visible_to(user)
        ],
        "filter_branches": [(b.pk, _branch_name(b, lang)) for b in plannable_branches(user)],
        "filter_checklists": [
            (c.code, pick(lang, c.title_zh, c.title_en)) for c in checklists_assigned()
        ],
        "rows": rows,
        "page": page,
        "page_text": t["page"].format(n=page.number, of=paginator.num_pages),
        "count_text": t["count"].format(n=paginator.count),
        "previous_url": page_url(page.previous_page_number()) if page.has_previous() else "",
        "next_url": page_url(page.next_page_number()) if page.has_next() else "",
    }


def _counts_context(request: HttpRequest, *, lang: str) -> dict:
    """A regional manager's page: planned visits per branch, and nothing about who or when."""
    branches = list(planned_visit_counts(request.user))
    return {
        "t": _labels(lang),
        "lang": lang,
        "rows": [
            {
                "branch": pick(lang, b.name_zh, b.name_en),
                "code": b.code,
                "region": pick(lang, b.region.name_zh, b.region.name_en),
                "planned": b.planned,
            }
            for b in branches
        ],
        "total": sum(b.planned for b in branches),
    }


# --- the page -------------------------------------------------------------------------


def _render(
    request: HttpRequest, template: str, context: dict, *, status: int = 200
) -> HttpResponse:
    response = render(request, template, context, status=status)
    response["Content-Language"] = context["lang"]
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def assignments_page(request: HttpRequest) -> HttpResponse:
    require(PlansVisits, request)
    lang = language_for(request, fallback="zh-Hans")
    t = _labels(lang)
    user = request.user
    if not shows_shopper_identity(user):
        if request.method == "POST":
            # The forms name shoppers and dates, so the page offers them to head office only;
            # a regional manager plans through the API, which hides both from them.
            raise PermissionDenied("Regional managers see planned visits as counts only.")
        return _render(request, "front/assignment_counts.html", _counts_context(request, lang=lang))
    if request.method != "POST":
        return _render(request, "front/assignments.html", _desk_context(request, lang=lang))

    require(ManagesAssignments, request)
    here = request.get_full_path()
    if request.POST.get("action") == "cancel":
        assignment = get_object_or_404(
            assignments_visible_to(user), pk=_id(request.POST.get("assignment", "")) or 0
        )
        try:
            cancelled = assignment_cancel(assignment=assignment, cancelled_by=user)
        except ValidationError as error:
            errors, status = validation_errors(error), 400
        except Conflict as conflict:
            errors, status = {"status": [conflict.message]}, 409
        else:
            messages.success(request, t["done_cancel"].format(row=_row_text(cancelled, lang)))
            return redirect(here)
        context = _desk_context(
            request, lang=lang, cancel_errors=errors, cancel_target=assignment.pk
        )
        return _render(request, "front/assignments.html", context, status=status)

    plan = _read_plan(request.POST, t)
    if plan.specs:
        try:
            created = assignments_create(created_by=user, specs=plan.specs)
        except ValidationError as error:
            _place_service_errors(plan, validation_errors(error), t)
        else:
            stored = assignments_visible_to(user).in_bulk([a.pk for a in created])
            # One line per visit: the flash keeps line breaks (white-space: pre-line).
            listed = "".join(f"\n· {_row_text(stored[a.pk], lang)}" for a in created)
            messages.success(request, t["done_plan"].format(n=len(created), rows=listed))
            return redirect(here)
    context = _desk_context(request, lang=lang, plan=plan)
    return _render(request, "front/assignments.html", context, status=400)
