"""What the home page shows a regional manager: their regions' league tables, their
action plans and their appeals, for the last complete month.

Built for front.views.home from the selectors the report, plan and appeal pages
use, so the counts and ranks here are the ones those pages show. Nothing here
names a visit, its date or its shopper: a regional manager learns neither.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import get_language

from accounts.scope import scope_of
from actions.models import ActionPlan
from actions.selectors import action_plans_visible_to, overdue_condition
from appeals.models import Appeal
from appeals.selectors import appeals_visible_to
from audits.models import Region, User
from audits.selectors.scope import branches_visible_to
from checklists.languages import normalise_language, pick
from checklists.models import Checklist
from front.changes import signed_change
from front.report_links import page_url, period_query
from reports.charts import format_score
from reports.labels import labels_for
from reports.periods import Period
from reports.selectors.comparison import branch_comparison
from reports.selectors.scorecard import (
    last_complete_month,
    period_label,
    report_checklist_default,
)

# Plans still waiting on someone: what the action plan list shows by default ("active").
_ACTIVE_PLANS = [
    ActionPlan.Status.OPEN,
    ActionPlan.Status.SUBMITTED,
    ActionPlan.Status.SENT_BACK,
    ActionPlan.Status.REOPENED,
    ActionPlan.Status.ACCEPTED,
]

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "regions": "Your regions",
        "league": "League table",
        "league_note": "Ranked on {checklist}, {period}. Small samples are listed, not ranked.",
        "full_comparison": "Full table and section heatmap",
        "drivers": "Score drivers",
        "zip": "All scorecards (ZIP)",
        "no_branches": "No branches to show.",
        "no_checklist": "No checklist has been published yet.",
        "action_plans": "Action plans",
        "open_plans": "in progress",
        "overdue_plans": "overdue",
        "all_plans": "All action plans",
        "appeals": "Appeals",
        "open_appeals": "waiting for head office",
        "all_appeals": "All appeals",
        "new_appeal": "New appeal",
        "rank": "Rank",
        "branch": "Branch",
        "visits": "Visits",
        "score": "Score",
        "change": "Change",
        "small_sample": "small sample",
    },
    "zh-Hans": {
        "regions": "我的区域",
        "league": "网点排名",
        "league_note": "检查表：{checklist}；评估周期：{period}。样本不足的网点列出，但不参与排名。",
        "full_comparison": "完整排名与分项热力图",
        "drivers": "得分驱动因素",
        "zip": "全部评分卡（ZIP）",
        "no_branches": "没有可显示的网点。",
        "no_checklist": "尚未发布任何检查表。",
        "action_plans": "整改计划",
        "open_plans": "进行中",
        "overdue_plans": "已逾期",
        "all_plans": "全部整改计划",
        "appeals": "申诉",
        "open_appeals": "等待总部裁定",
        "all_appeals": "全部申诉",
        "new_appeal": "新建申诉",
        "rank": "排名",
        "branch": "网点",
        "visits": "暗访",
        "score": "得分",
        "change": "较上期",
        "small_sample": "样本不足",
    },
}


def _regions(user: User, lang: str, *, period: Period, checklist: Checklist | None) -> list[dict]:
    """Each of the manager's regions with its league table for `period`."""
    regions = []
    for region in scope_of(user).filter(Region.objects.order_by("code"), region="pk"):
        entry = {
            "name": pick(lang, region.name_zh, region.name_en),
            "code": region.code,
            "zip_url": page_url("region-scorecards-zip", region.pk, **period_query(period)),
            "rows": [],
        }
        if checklist is not None:
            query = {**period_query(period), "checklist": checklist.code}
            # Ranks and scores only: no heatmap lens.
            comparison = branch_comparison(
                user=user, checklist=checklist, period=period, region=region, lenses=()
            )
            entry["rows"] = [
                {
                    "rank": row.rank,
                    "small_sample": row.small_sample,
                    "name": pick(lang, row.name_zh, row.name_en),
                    "code": row.branch_code,
                    "url": page_url("branch-page", row.branch_id, **query, lang=lang),
                    "visits": row.visits,
                    "score": format_score(row.score),
                    "band": row.band or "none",
                    "change": signed_change(row.change),
                }
                for row in comparison.rows
            ]
            entry["comparison_url"] = page_url(
                "comparison-page", **query, region=region.code, lang=lang
            )
            entry["drivers_url"] = page_url("drivers-page", **query, region=region.code, lang=lang)
        regions.append(entry)
    return regions


def regional_manager_home(request: HttpRequest) -> dict:
    """The home page's context for a regional manager, in the page's (active) language."""
    user = request.user
    lang = normalise_language(get_language() or "") or "en"
    words = LABELS[lang]
    period = last_complete_month()
    checklist = report_checklist_default(branches=branches_visible_to(user), period=period)
    plans = action_plans_visible_to(user).filter(status__in=_ACTIVE_PLANS)
    plans_url = reverse("action-plans-page")
    return {
        "rm": {
            "w": words,
            "t": labels_for(lang),
            "period": period_label(period, lang),
            "league_note": words["league_note"].format(
                checklist=pick(lang, checklist.title_zh, checklist.title_en) if checklist else "",
                period=period_label(period, lang),
            ),
            "has_checklist": checklist is not None,
            "regions": _regions(user, lang, period=period, checklist=checklist),
            "open_plans": plans.count(),
            "overdue_plans": plans.filter(overdue_condition()).count(),
            "open_plans_url": f"{plans_url}?show=active",
            "overdue_plans_url": f"{plans_url}?show=overdue",
            "open_appeals": appeals_visible_to(user).filter(status=Appeal.Status.SUBMITTED).count(),
            "appeals_url": reverse("appeals-page"),
            "new_appeal_url": reverse("appeal-new-page"),
        }
    }
