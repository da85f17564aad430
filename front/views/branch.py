"""The branch page: one branch's score history, profile, visits, action plans and appeals.

A thin view: the numbers come from the scorecard's own selector (scorecard_data),
so the page, the scorecard and its PDF always agree; the visits from
reports.selectors.branch_visits, which leaves out who visited and when for a
regional manager; plans and appeals from their apps' selectors.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_safe

from accounts.permissions import IsReviewer, SeesReports
from accounts.roles import Role, shows_shopper_identity
from actions.roles import SeesActionPlans
from actions.selectors import action_plan_list, is_overdue
from appeals.models import Appeal
from appeals.roles import WorksOnAppeals
from appeals.selectors import appeals_visible_to, visit_period
from audits.models import Branch, User
from audits.selectors.scope import branches_visible_to
from checklists.languages import language_for
from checklists.models import Checklist, ChecklistVersion
from front.bad_request import bad_request, error_text
from front.report_links import next_period, page_url, period_query
from front.views import action_plans as action_plan_pages
from front.views import appeals as appeal_pages
from front.views.access import require
from reports.charts import format_interval, format_score
from reports.labels import labels_for
from reports.periods import Period, PeriodError, last_n, previous
from reports.scorecard_render import build_charts
from reports.selectors.branch_visits import branch_period_visits
from reports.selectors.scorecard import (
    TREND_PERIODS,
    period_label,
    report_period,
    scorecard_checklist,
    scorecard_data,
)

# The page lists the head of each list; the plan and appeal pages have the rest.
LIST_ROWS = 20

# The page's own wording; the scorecard's (reports.labels) covers the rest.
LABELS: dict[str, dict[str, str]] = {
    "en": {
        "title": "Branch",
        "history": "Score history",
        "history_note": "The last six periods; each links to its scorecard.",
        "scorecard": "Scorecard",
        "profile": "Profile",
        "visits_title": "Approved visits",
        "visits_by_date": "In order of visit date.",
        "visits_by_score": "Highest score first. Visit dates, times and shoppers are not shown.",
        "visit_date": "Date",
        "shopper": "Shopper",
        "open_visit": "Open",
        "none_critical": "—",
        "action_plans": "Action plans",
        "all_action_plans": "All action plans",
        "no_action_plans": "No action plans for this branch.",
        "appeals": "Appeals",
        "all_appeals": "All appeals",
        "new_appeal": "New appeal",
        "no_appeals": "No appeals for this branch.",
        "reason": "Reason",
        "status": "Status",
        "month": "Month",
        "due": "Due",
        "overdue": "overdue",
        "visit_score": "Visit score",
        "show": "Show",
        "period_input": "Period (2026-10 or 2026-Q3)",
        "next_period": "Next period",
        "comparison": "Region comparison",
        "other_language": "中文",
        "rank_of": "{rank} of {size}",
    },
    "zh-Hans": {
        "title": "网点",
        "history": "历史得分",
        "history_note": "近六个评估周期；可打开每期的评分卡。",
        "scorecard": "评分卡",
        "profile": "服务画像",
        "visits_title": "已审核的暗访",
        "visits_by_date": "按暗访日期排列。",
        "visits_by_score": "按得分从高到低排列；不显示暗访日期、时间与神秘顾客。",
        "visit_date": "暗访日期",
        "shopper": "神秘顾客",
        "open_visit": "查看",
        "none_critical": "—",
        "action_plans": "整改计划",
        "all_action_plans": "全部整改计划",
        "no_action_plans": "该网点暂无整改计划。",
        "appeals": "申诉",
        "all_appeals": "全部申诉",
        "new_appeal": "新建申诉",
        "no_appeals": "该网点暂无申诉。",
        "reason": "原因",
        "status": "状态",
        "month": "月份",
        "due": "截止",
        "overdue": "已逾期",
        "visit_score": "暗访得分",
        "show": "查看",
        "period_input": "评估周期（2026-10 或 2026-Q3）",
        "next_period": "下一期",
        "comparison": "区域网点对比",
        "other_language": "English",
        "rank_of": "第 {rank} / {size} 名",
    },
}


def _words(table: dict[str, dict[str, str]], lang: str) -> dict[str, str]:
    return table["zh-Hans" if lang == "zh-Hans" else "en"]


def branch_in_scope(user: User, pk: int) -> Branch:
    """The branch, if the user may see it.

    An unknown id is a 404; a branch that exists outside the user's scope is a
    403, which tells a regional manager plainly that another region's branch is
    not theirs rather than pretending it does not exist.
    """
    branch = branches_visible_to(user).filter(pk=pk).first()
    if branch is not None:
        return branch
    if Branch.objects.filter(pk=pk).exists():
        raise PermissionDenied("This branch is outside your regions.")
    raise Http404("No such branch.")


def _allows(permission: type, request: HttpRequest) -> bool:
    return permission().has_permission(request, None)


def _history(branch: Branch, period: Period, card, *, code: str, lang: str) -> list[dict]:
    """The trend's periods, newest first, each with the scorecard's score and its links.

    The scores are the card's own trend points (scorecard_data computed them):
    last_n gives the same periods in the same order, so the two zip together.
    """
    rows = []
    periods = last_n(period, TREND_PERIODS)
    for each, point in zip(periods, card.trend, strict=True):
        query = {**period_query(each), "checklist": code}
        rows.append(
            {
                "label": period_label(each, lang),
                "score": format_score(point.score),
                "current": each == period,
                "page_url": page_url("branch-page", branch.pk, **query, lang=lang),
                "scorecard_url": page_url("scorecard-page", branch.pk, **query, lang=lang),
                "pdf_url": page_url("scorecard-pdf", branch.pk, **query, lang=lang),
            }
        )
    return rows[::-1]


def _visit_rows(request: HttpRequest, branch, checklist, period, lang: str) -> list[dict]:
    t = labels_for(lang)
    opens_visits = _allows(IsReviewer, request)
    rows = []
    for each in branch_period_visits(
        viewer=request.user, branch=branch, checklist=checklist, period=period, lang=lang
    ):
        rows.append(
            {
                "visit": each,
                "score": format_score(each.score),
                "band": each.band or "none",
                "band_label": t.get(f"band_{each.band}", "") if each.band else "",
                "url": reverse("review-visit-page", args=[each.id]) if opens_visits else "",
            }
        )
    return rows


def _plan_rows(user: User, branch: Branch, lang: str) -> list[dict]:
    words = _words(action_plan_pages.LABELS, lang)  # as the plans' own pages word them
    return [
        {
            "id": plan.pk,
            "url": reverse("action-plan-page", args=[plan.pk]),
            "reason": words.get(plan.reason, plan.reason),
            "status": plan.status,
            "status_text": words.get(plan.status, plan.status),
            # The plan's month, never its visit: what a regional manager may be told.
            "month": plan.period,
            "due_date": plan.due_date,
            "overdue": is_overdue(plan),
        }
        for plan in action_plan_list(user=user, branch_id=branch.pk)[:LIST_ROWS]
    ]


def _appeal_rows(user: User, branch: Branch, lang: str) -> list[dict]:
    words = _words(appeal_pages.LABELS, lang)  # as the appeals' own pages word them
    appeals = list(
        appeals_visible_to(user).filter(branch=branch).order_by("-created_at", "-id")[:LIST_ROWS]
    )
    appeals.sort(key=lambda appeal: appeal.status != Appeal.Status.SUBMITTED)  # open ones first
    return [
        {
            "id": appeal.pk,
            "url": reverse("appeal-page", args=[appeal.pk]),
            "status": appeal.status,
            "status_text": words.get(f"status_{appeal.status}", appeal.status),
            # The visit's month only, as the appeal pages show it to everyone in a list.
            "month": visit_period(appeal.visit),
            "score": format_score(appeal.visit.score),
        }
        for appeal in appeals
    ]


@login_required
@require_safe
def branch_page(request: HttpRequest, pk: int) -> HttpResponse:
    require(SeesReports, request)
    user = request.user
    branch = branch_in_scope(user, pk)
    code = request.GET.get("checklist", "").strip()
    try:
        period = report_period(user=user, params=request.GET)
        checklist = scorecard_checklist(branch=branch, period=period, code=code or None)
        lang = language_for(request, fallback="zh-Hans")
        card = scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)
    except PeriodError as error:
        return bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return bad_request(error_text(error))

    t = labels_for(lang)
    words = _words(LABELS, lang)
    # Reviewers read reports but have no part in plans or appeals (their pages refuse them).
    sees_plans = _allows(SeesActionPlans, request)
    sees_appeals = _allows(WorksOnAppeals, request)
    query = {**period_query(period), "checklist": checklist.code}
    before, after = previous(period), next_period(period)
    # Nothing to show for a period that has not started yet.
    show_next = after is not None and after.start <= timezone.localdate()
    other_lang = "en" if lang == "zh-Hans" else "zh-Hans"
    rank_region = (
        words["rank_of"].format(rank=card.rank_region, size=card.region_size)
        if card.rank_region
        else ""
    )
    rank_company = (
        words["rank_of"].format(rank=card.rank_company, size=card.company_size)
        if card.rank_company
        else ""
    )
    response = render(
        request,
        "front/branch.html",
        {
            "lang": lang,
            "t": t,
            "w": words,
            "branch": branch,
            "card": card,
            "charts": build_charts(card, t),
            "score": format_score(card.score),
            "band_label": t.get(f"band_{card.band}", "") if card.band else "",
            "interval": format_interval(card.interval),
            "small_sample_note": t["small_sample_note"].format(n=card.small_sample_visits),
            "rank_region": rank_region,
            "rank_company": rank_company,
            "period": period,
            "period_value": period.label if period.kind != "range" else "",
            "checklist": checklist,
            "checklists": Checklist.objects.filter(
                versions__status=ChecklistVersion.Status.PUBLISHED
            )
            .distinct()
            .order_by("code"),
            "history": _history(branch, period, card, code=checklist.code, lang=lang),
            "shows_identity": shows_shopper_identity(user),
            "visits": _visit_rows(request, branch, checklist, period, lang),
            "sees_plans": sees_plans,
            "plans": _plan_rows(user, branch, lang) if sees_plans else [],
            "sees_appeals": sees_appeals,
            "appeals": _appeal_rows(user, branch, lang) if sees_appeals else [],
            "plans_url": reverse("action-plans-page"),
            "appeals_url": reverse("appeals-page"),
            "new_appeal_url": reverse("appeal-new-page")
            if user.role == Role.REGIONAL_MANAGER
            else "",
            "scorecard_url": page_url("scorecard-page", branch.pk, **query, lang=lang),
            "pdf_url": page_url("scorecard-pdf", branch.pk, **query, lang=lang),
            "comparison_url": page_url(
                "comparison-page", **query, region=branch.region.code, lang=lang
            ),
            "previous_label": period_label(before, lang),
            "previous_url": page_url(
                "branch-page", branch.pk, **{**query, **period_query(before)}, lang=lang
            ),
            "next_label": period_label(after, lang) if show_next else "",
            "next_url": page_url(
                "branch-page", branch.pk, **{**query, **period_query(after)}, lang=lang
            )
            if show_next
            else "",
            "other_lang": other_lang,
            "other_lang_url": page_url("branch-page", branch.pk, **query, lang=other_lang),
        },
    )
    # The page's language may be the ?lang= one rather than the one Django activated.
    response["Content-Language"] = lang
    return response
