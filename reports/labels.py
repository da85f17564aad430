"""The scorecard's fixed wording in the two languages the product ships.

Kept as plain dictionaries rather than gettext catalogues: the scorecard's
language is chosen per branch (a Shanghai branch gets Chinese even when the
head-office user reading it works in English), so it must not depend on the
request's active language, and a dict is trivial to test for missing keys.
"""

from __future__ import annotations

import json
from functools import cache

from checklists.scoring import AREAS, BPMP_CLASSES
from checklists.selectors import LIBRARY_DIR

DEFAULT_LANG = "en"

LABELS: dict[str, dict[str, str]] = {
    "zh-Hans": {
        "title": "网点服务质量评分卡",
        "branch": "网点",
        "branch_code": "网点编号",
        "region": "区域",
        "address": "地址",
        "period": "评估周期",
        "checklist": "检查表",
        "channel": "渠道",
        "channel_phone": "电话（神秘来电）",
        "channel_written": "书面（信件、电子邮件或网上表单）",
        "channel_phone_short": "电话",
        "channel_written_short": "书面",
        "visits": "有效暗访次数",
        "overall_score": "综合得分",
        "expected": "期望值",
        "band_below": "低于期望",
        "band_meets": "满足期望",
        "band_exceeds": "超出期望",
        "rank_region": "区域排名",
        "rank_company": "全公司排名",
        "change": "较上期",
        "no_previous": "上期无数据",
        "interval": "90% 置信区间",
        "interval_short": "90% 区间",
        "single_visit": "仅一次暗访，无置信区间",
        "small_sample": "样本不足",
        "small_sample_note": "暗访少于 {n} 次，不参与排名",
        "significant": "变化显著",
        "not_significant": "变化不显著：两期区间重叠",
        "significance_legend": "加粗的变化为显著变化：本期与上期的 90% 置信区间不重叠。",
        "small_sample_legend": "本期暗访少于 {n} 次的网点为样本不足：列出，但不参与排名。",
        "trend": "得分趋势",
        "trend_note": "近六个评估周期；阴影为期望区间",
        "sections": "分项得分",
        "this_branch": "本网点",
        "region_avg": "区域平均",
        "company_avg": "全公司平均",
        "rater_profile": "RATER 服务质量五要素",
        "areas": "服务标准三大领域",
        "dimension_reliability": "信赖度",
        "dimension_assurance": "专业度",
        "dimension_tangibles": "有形度",
        "dimension_empathy": "同理度",
        "dimension_responsiveness": "反应度",
        "area_procedure": "程序",
        "area_people": "个人",
        "area_environment": "环境",
        "items": "检查项明细",
        "items_note": "否决项失分排在最前，其余按检查表顺序",
        "code": "编号",
        "factor": "关键因素",
        "item": "检查项",
        "score": "得分",
        "answered": "作答",
        "failed": "未达标",
        "critical": "否决项",
        "critical_failures": "否决项未达标",
        "evidence": "现场照片",
        "comments": "神秘顾客评语",
        "no_comments": "本期无评语。",
        "focus": "改进重点",
        "focus_note": "本期失分最多的三项",
        "points_lost": "失分",
        "points": "分",
        "good_practice": "良好做法",
        "no_focus": "本期没有失分项。",
        "no_visits": "本期无已审核的暗访记录",
        "no_visits_note": "本评估周期内该网点没有通过审核的暗访，因此不计算得分与排名。",
        "generated": "生成时间",
        # Action plans (filled through settings.SCORECARD_EXTRAS): wording as on the plan pages.
        "plans": "整改计划",
        "plans_note": "生成本评分卡时的状态",
        "plans_open": "未完成的整改计划",
        "plans_none_open": "没有未完成的整改计划。",
        "plans_more": "另有 {n} 项未列出。",
        "plans_previous": "上期（{period}）整改计划的复查",
        "plans_previous_none": "上期没有已接受的整改计划。",
        "plan_month": "月份",
        "plan_reason": "原因与项目",
        "plan_status": "状态",
        "plan_due": "截止日期",
        "plan_outcome": "复查结果",
        "plan_no_due": "未填写",
        "plan_overdue": "已逾期",
        "plan_reason_critical_failure": "否决项不合格",
        "plan_reason_below_standard": "当月得分低于标准",
        "plan_status_open": "待填写",
        "plan_status_submitted": "已提交，待总部审核",
        "plan_status_sent_back": "已退回",
        "plan_status_accepted": "已接受，待复查",
        "plan_status_reopened": "已重开：未解决",
        "plan_status_verified": "已验证",
        "plan_outcome_verified": "已由下次暗访验证",
        "plan_outcome_did_not_fix": "未解决：已重开",
        "plan_outcome_did_not_fix_verified": "曾未解决，现已验证",
        "plan_outcome_waiting": "待下次暗访复查",
        # The report pages: the comparison's league table, the visits behind a heatmap
        # cell, and the drivers analysis.
        "show": "查看",
        "all_regions": "全部区域",
        "rank": "排名",
        "name": "名称",
        "previous_score": "上期得分",
        "search": "搜索网点",
        "search_placeholder": "编号或名称",
        "search_result": "{shown} / {total} 个网点",
        "clear_search": "清除",
        "sort_by": "按此列排序",
        "no_match": "没有符合“{q}”的网点。",
        "heatmap_hint": "点击单元格，查看其背后的暗访。",
        "trend_company": "全公司趋势",
        "trend_scope": "所辖区域趋势",
        "trend_region": "区域趋势",
        "trend_hint": "最近六期已通过暗访的平均得分；阴影为预期区间。",
        "visits_title": "暗访明细",
        "visit_date": "暗访日期",
        "band": "等级",
        "visit_score": "暗访得分",
        "visits_by_date": "按暗访日期排列。",
        "visits_by_score": "按得分从高到低排列；不显示暗访日期与神秘顾客。",
        "visits_none": "本期该网点没有通过审核的暗访。",
        "open_scorecard": "查看评分卡",
        "back_to_comparison": "返回网点对比",
        "mean": "平均",
        "drivers_title": "得分驱动因素",
        "drivers_intro": "哪些检查项最能拉动综合得分，按可提升分数从高到低排列。",
        "average": "平均得分",
        "failure_rate": "未达标率",
        "correlation": "相关系数 r",
        "points_to_gain": "可提升分数",
        "answers": "作答次数",
        "branches_count": "网点数",
        "drivers_basis": "有得分的已审核暗访：{visits} 次；有得分的网点：{branches} 个。",
        "caveats": "解读须知",
        "caveat_causation": (
            "相关不等于因果：某项与高分同时出现，可能只是因为优秀网点样样做得好，"
            "而不是这一项本身拉高了得分。请结合“可提升分数”一起看，后者是算术而非推断。"
        ),
        "caveat_self": "综合得分本身包含该检查项，因此每一项的相关系数都略偏正，权重越大的项越明显。",
        "caveat_sample": (
            "样本量：网点或每个网点的暗访很少时，一次暗访就能让相关系数由正转负。"
            "请看每项的作答次数与网点数；少于约 20 个网点时，相关系数只能当作个例。"
        ),
        "caveat_critical": (
            "否决项的“可提升分数”不含否决效果：否决项失败会使整个分项归零，"
            "实际影响可能远大于此数。请单独查看否决项的未达标率。"
        ),
        "caveat_versions": (
            "可提升分数按每次暗访实际使用的检查表版本计算；只列出本期暗访所用版本中的检查项，"
            "按其中最新版本的措辞列出。"
        ),
        "drivers_few_branches": "有得分的网点仅 {n} 个，少于约 20 个：相关系数只能当作个例参考。",
        "no_correlation": "少于 3 个网点，或各网点之间没有差异",
        "drivers_none": "本期没有有得分的作答。",
        "not_available": "—",
        # The comparison's lenses (its `view`), and the averages under its heatmap.
        "view": "查看维度",
        "view_sections": "分项",
        "view_rater": "RATER",
        "view_areas": "三大领域",
        "view_factors": "关键因素",
        "view_bpmp": "BPMP",
        # The reference's BPMP classes (the comparison's bpmp lens and the scorecard).
        "bpmp_basic": "基本因素",
        "bpmp_performance": "绩效因素",
        "bpmp_motivation": "激励因素：惊喜展现率",
        "bpmp_punishment": "惩罚因素",
        "bpmp_failures_basic": "基本因素未达标",
        "bpmp_failures_punishment": "惩罚因素未达标",
        "bpmp_hint": (
            "各类检查项的平均得分。激励因素是惊喜项，得分即展现惊喜的比例，"
            "没有展现不算未达标；未标注 BPMP 的检查项不计入。"
        ),
        "bpmp_profile": "BPMP 因素",
        "bpmp_note": "基本·绩效·激励·惩罚；激励为惊喜展现率，不计未达标",
        "factor_profile": "关键因素概况",
        "factor_profile_note": "本期所有标注关键因素的检查表",
        "key_factors": "26个关键因素",
        "factors_hint": "涵盖所有标注关键因素的检查表：{checklists}。只列出本期有得分的因素。",
        "no_scores": "本期没有此维度的得分。",
        "scope_avg": "所辖区域平均",
        "average_of": "{name}平均",
        # Operational figures (reports.selectors.figures): the raw numbers shoppers record.
        "figures": "实测数据",
        "figures_note": "神秘顾客实际记录的数值（非得分）；区域与全公司为其全部暗访的汇总",
        "figures_count": "记录数",
        "figures_mean": "平均",
        "figures_median": "中位数",
        "figures_p90": "90% 分位",
        "figures_range": "最小–最大",
        "figures_region_mean": "区域平均",
        "figures_company_mean": "全公司平均",
        "figures_distribution": "分布",
        "figures_band_any": "任意数值",
        "figures_band_none": "不在任何区间",
        "figures_not_scored": "仅记录，不计分",
        "figures_none": "本期没有记录的数值。",
        # Descriptive choices (the complainant type played): visits and mean visit score per option.
        "choices_visits": "暗访数",
        "choices_mean_score": "暗访平均得分",
        "choices_region": "区域平均（暗访数）",
        "choices_company": "全公司平均（暗访数）",
        "choices_note": "按神秘顾客所选的一项统计本期已审核的暗访及其平均得分",
    },
    "en": {
        "title": "Branch service scorecard",
        "branch": "Branch",
        "branch_code": "Branch code",
        "region": "Region",
        "address": "Address",
        "period": "Period",
        "checklist": "Checklist",
        "channel": "Channel",
        "channel_phone": "Phone call (mystery call)",
        "channel_written": "Written (letter, e-mail or web form)",
        "channel_phone_short": "phone call",
        "channel_written_short": "written",
        "visits": "Visits",
        "overall_score": "Overall score",
        "expected": "Expected",
        "band_below": "Below expectation",
        "band_meets": "Meets expectation",
        "band_exceeds": "Exceeds expectation",
        "rank_region": "Rank in region",
        "rank_company": "Rank in company",
        "change": "vs previous period",
        "no_previous": "No previous score",
        "interval": "90% confidence interval",
        "interval_short": "90% interval",
        "single_visit": "One visit: no interval",
        "small_sample": "Small sample",
        "small_sample_note": "Fewer than {n} visits: not ranked",
        "significant": "Significant change",
        "not_significant": "Not significant: the intervals overlap",
        "significance_legend": (
            "Changes in bold are significant: this period's and the previous period's "
            "90% confidence intervals do not overlap."
        ),
        "small_sample_legend": (
            "Branches with fewer than {n} visits this period are a small sample: "
            "listed, not ranked."
        ),
        "trend": "Trend",
        "trend_note": "Last six periods; the shaded band is the expected range",
        "sections": "Sections",
        "this_branch": "This branch",
        "region_avg": "Region average",
        "company_avg": "Company average",
        "rater_profile": "RATER profile",
        "areas": "Service-standard areas",
        "dimension_reliability": "Reliability",
        "dimension_assurance": "Assurance",
        "dimension_tangibles": "Tangibles",
        "dimension_empathy": "Empathy",
        "dimension_responsiveness": "Responsiveness",
        "area_procedure": "Procedure",
        "area_people": "People",
        "area_environment": "Environment",
        "items": "Items",
        "items_note": "Critical failures first, then in checklist order",
        "code": "Code",
        "factor": "Factor",
        "item": "Item",
        "score": "Score",
        "answered": "Answered",
        "failed": "Failed",
        "critical": "Critical",
        "critical_failures": "Critical failures",
        "evidence": "Evidence",
        "comments": "Shoppers' comments",
        "no_comments": "No comments this period.",
        "focus": "What to work on",
        "focus_note": "The three items that cost the most points",
        "points_lost": "Points lost",
        "points": "pts",
        "good_practice": "Good practice",
        "no_focus": "No item lost points this period.",
        "no_visits": "No approved visits in this period",
        "no_visits_note": "No visit to this branch was approved in this period, so there is no score or rank.",
        "generated": "Generated",
        # Action plans (filled through settings.SCORECARD_EXTRAS): wording as on the plan pages.
        "plans": "Action plans",
        "plans_note": "As they stood when this card was generated",
        "plans_open": "Open plans",
        "plans_none_open": "No open action plans.",
        "plans_more": "{n} more not listed.",
        "plans_previous": "Last period's plans ({period}): checked by the next visit",
        "plans_previous_none": "No plan about the previous period was accepted.",
        "plan_month": "Month",
        "plan_reason": "Reason and items",
        "plan_status": "Status",
        "plan_due": "Due",
        "plan_outcome": "Outcome",
        "plan_no_due": "Not set",
        "plan_overdue": "Overdue",
        "plan_reason_critical_failure": "Critical item failed",
        "plan_reason_below_standard": "Month below standard",
        "plan_status_open": "Open",
        "plan_status_submitted": "Submitted to head office",
        "plan_status_sent_back": "Sent back",
        "plan_status_accepted": "Accepted, awaiting the next visit",
        "plan_status_reopened": "Reopened: did not fix",
        "plan_status_verified": "Verified",
        "plan_outcome_verified": "Verified by the next visit",
        "plan_outcome_did_not_fix": "Did not fix: reopened",
        "plan_outcome_did_not_fix_verified": "Did not fix at first; verified since",
        "plan_outcome_waiting": "Awaiting the next visit",
        # The report pages: the comparison's league table, the visits behind a heatmap
        # cell, and the drivers analysis.
        "show": "Show",
        "all_regions": "All regions",
        "rank": "Rank",
        "name": "Name",
        "previous_score": "Previous score",
        "search": "Search branches",
        "search_placeholder": "Code or name",
        "search_result": "{shown} of {total} branches",
        "clear_search": "Clear",
        "sort_by": "Sort by this column",
        "no_match": "No branch matches “{q}”.",
        "heatmap_hint": "Click a cell to see the visits behind it.",
        "trend_company": "Company trend",
        "trend_scope": "Your regions' trend",
        "trend_region": "Region trend",
        "trend_hint": "Mean score of the approved visits in the last six periods; the band is the expected range.",
        "visits_title": "Visits behind the score",
        "visit_date": "Date",
        "band": "Band",
        "visit_score": "Visit score",
        "visits_by_date": "In order of visit date.",
        "visits_by_score": "Highest score first; visit dates and shoppers are not shown.",
        "visits_none": "No visit to this branch was approved in this period.",
        "open_scorecard": "Open the scorecard",
        "back_to_comparison": "Back to the comparison",
        "mean": "Mean",
        "drivers_title": "Score drivers",
        "drivers_intro": "Which checklist items move the overall score most, by points to gain.",
        "average": "Average",
        "failure_rate": "Failure rate",
        "correlation": "Correlation r",
        "points_to_gain": "Points to gain",
        "answers": "Answers",
        "branches_count": "Branches",
        "drivers_basis": "Scored approved visits: {visits}; branches with a score: {branches}.",
        "caveats": "Read with care",
        "caveat_causation": (
            "Correlation is not causation: an item can go with high scores because good "
            "branches do everything well, not because the item itself lifts the score. "
            "Read it next to points to gain, which is arithmetic rather than inference."
        ),
        "caveat_self": (
            "The overall score contains the item itself, so every item leans a little towards "
            "a positive correlation, heavily weighted items more than light ones."
        ),
        "caveat_sample": (
            "Small samples: with a handful of branches, or of visits per branch, one visit can "
            "swing r from positive to negative. Check each item's answers and branches; read "
            "correlations on fewer than about 20 branches as anecdotes."
        ),
        "caveat_critical": (
            "Points to gain leave out critical knock-outs: a failed critical item zeroes its "
            "section, so fixing it can raise a score by far more. Look at the failure rate of "
            "critical items on its own."
        ),
        "caveat_versions": (
            "Gains follow the checklist version each visit was scored with; only the items of "
            "the versions this period's visits used are listed, named as in the newest of them."
        ),
        "drivers_few_branches": (
            "{n} branches with a score is fewer than about 20: read the correlations as anecdotes."
        ),
        "no_correlation": "Fewer than 3 branches, or no difference between them",
        "drivers_none": "No scored answers in this period.",
        "not_available": "—",
        "view": "View",
        "view_sections": "Sections",
        "view_rater": "RATER",
        "view_areas": "Areas",
        "view_factors": "Key factors",
        "view_bpmp": "BPMP",
        # The reference's BPMP classes (the comparison's bpmp lens and the scorecard).
        "bpmp_basic": "Basic",
        "bpmp_performance": "Performance",
        "bpmp_motivation": "Reward: delighters shown",
        "bpmp_punishment": "Punishment",
        "bpmp_failures_basic": "Basic failures",
        "bpmp_failures_punishment": "Punishment failures",
        "bpmp_hint": (
            "The mean score of each class's items. Reward items are delighters: their score "
            "is the share of delighters shown, and one not shown is never a failure. Items "
            "without a BPMP class are left out."
        ),
        "bpmp_profile": "BPMP classes",
        "bpmp_note": "Reward is the share of delighters shown, never a failure",
        "factor_profile": "Key-factor profile",
        "factor_profile_note": "Every checklist that tags key factors, this period",
        "key_factors": "The 26 key factors",
        "factors_hint": (
            "Across every checklist that tags the key factors: {checklists}. Only the factors "
            "scored in this period are listed."
        ),
        "no_scores": "No scores of this kind in this period.",
        "scope_avg": "Average of your regions",
        "average_of": "{name} average",
        "figures": "Figures",
        "figures_note": (
            "What shoppers measured (not scores); region and company pool all their visits"
        ),
        "figures_count": "Recorded",
        "figures_mean": "Mean",
        "figures_median": "Median",
        "figures_p90": "90th pct",
        "figures_range": "Min–max",
        "figures_region_mean": "Region mean",
        "figures_company_mean": "Company mean",
        "figures_distribution": "Distribution",
        "figures_band_any": "any value",
        "figures_band_none": "in no band",
        "figures_not_scored": "Recorded, not scored",
        "figures_none": "No figures were recorded this period.",
        "choices_visits": "Visits",
        "choices_mean_score": "Mean visit score",
        "choices_region": "Region mean (visits)",
        "choices_company": "Company mean (visits)",
        "choices_note": "The period's approved visits by the option the shopper chose, with their mean score",
    },
}


def labels_for(lang: str) -> dict[str, str]:
    """Return the wording for ``lang``, falling back to English.

    A copy, so a caller that adds keys for one render cannot change the
    wording of every later render in the process.
    """
    return dict(LABELS.get(lang, LABELS[DEFAULT_LANG]))


def area_titles() -> dict[str, tuple[str, str]]:
    """The three service-standard areas' names (zh-Hans, en), as the scorecard prints them."""
    zh, en = LABELS["zh-Hans"], LABELS["en"]
    return {code: (zh[f"area_{code}"], en[f"area_{code}"]) for code in AREAS}


def bpmp_titles() -> dict[str, tuple[str, str]]:
    """The four BPMP classes' names (zh-Hans, en); the reward class named as what its
    score means, the share of delighters shown."""
    zh, en = LABELS["zh-Hans"], LABELS["en"]
    return {code: (zh[f"bpmp_{code}"], en[f"bpmp_{code}"]) for code in BPMP_CLASSES}


@cache
def key_factor_titles() -> dict[int, tuple[str, str]]:
    """The 26 key factors' names (zh-Hans, en) by number, as "F12 …".

    Read from the checklist library's own 26-factor checklist, which a test pins
    to the reference's numbering and wording, so a report never words a factor
    differently from the checklist shoppers answer. The F-number is the item code
    customers quote ("F24").
    """
    data = json.loads((LIBRARY_DIR / "key-factors-26.json").read_text(encoding="utf-8"))
    titles: dict[int, tuple[str, str]] = {}
    for section in data["sections"]:
        for item in section["items"]:
            number = (item.get("tags") or {}).get("factor")
            if number is not None:
                code = f"F{number:02}"
                titles[number] = (
                    f"{code} {item['text']['zh-Hans']}",
                    f"{code} {item['text']['en']}",
                )
    return titles
