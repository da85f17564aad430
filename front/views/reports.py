"""The report pages: a branch scorecard and the branch comparison.

Thin views over the same selectors as the API. The scorecard page is the PDF's
own HTML (render_scorecard_html) with a bar of links put in front, so the web
and the PDF cannot drift apart, charts included.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from audits.models import Region
from audits.roles import SeesReports
from audits.selectors.scope import branches_visible_to
from checklists.languages import language_for, pick
from checklists.models import Checklist, ChecklistVersion
from front.views.access import require
from reports.charts import format_interval, format_score, heatmap
from reports.labels import labels_for
from reports.periods import Period, PeriodError, date_range, month, parse_period, previous, quarter
from reports.scorecard_render import render_scorecard_html
from reports.selectors import report_branches, report_region
from reports.selectors.comparison import branch_comparison
from reports.selectors.scorecard import (
    last_complete_month,
    report_checklist_default,
    scorecard_checklist,
    scorecard_data,
    trend_window,
)

_BODY_TAG = re.compile(r"<body\b[^>]*>")


def _page_period(params) -> Period:
    """`period`, or `from`/`to`, or by default the last complete month. Raises PeriodError."""
    if not any(params.get(name, "").strip() for name in ("period", "from", "to")):
        return last_complete_month()
    period = parse_period(
        params.get("period"), date_from=params.get("from"), date_to=params.get("to")
    )
    trend_window(period)  # a period whose trend would reach before year 1 is refused here
    return period


def _period_query(period: Period) -> dict[str, str]:
    if period.kind == "range":
        return {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return {"period": period.label}


def _following(period: Period) -> Period | None:
    """The period after `period`, of the same kind (the inverse of periods.previous); None after year 9999."""
    try:
        start = period.end + dt.timedelta(days=1)
        if period.kind == "month":
            return month(start.year, start.month)
        if period.kind == "quarter":
            return quarter(start.year, (start.month - 1) // 3 + 1)
        return date_range(start, start + dt.timedelta(days=period.days - 1))
    except (ValueError, OverflowError):
        return None


def _url(name: str, *args, **query) -> str:
    query = {key: value for key, value in query.items() if value}
    return reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")


def _bad_request(message: str) -> HttpResponse:
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


@login_required
def scorecard_page(request, pk: int):
    require(SeesReports, request)
    branch = get_object_or_404(branches_visible_to(request.user), pk=pk)
    code = request.GET.get("checklist", "").strip()
    try:
        period = _page_period(request.GET)
        checklist = scorecard_checklist(branch=branch, period=period, code=code or None)
        lang = language_for(request, fallback=checklist.language)
        card = scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)
    except PeriodError as error:
        return _bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return _bad_request(" ".join(error.messages))

    other_lang = "en" if lang == "zh-Hans" else "zh-Hans"
    before, after = previous(period), _following(period)
    # Nothing to show for a period that has not started yet.
    show_next = after is not None and after.start <= timezone.localdate()
    same = {"checklist": code, "lang": lang}
    bar = render_to_string(
        "front/scorecard_bar.html",
        {
            "lang": lang,
            "pdf_url": _url("scorecard-pdf", branch.pk, **_period_query(period), **same),
            "other_lang": other_lang,
            "other_lang_url": _url(
                "scorecard-page",
                branch.pk,
                **_period_query(period),
                checklist=code,
                lang=other_lang,
            ),
            "previous_label": before.label,
            "previous_url": _url("scorecard-page", branch.pk, **_period_query(before), **same),
            "next_label": after.label if show_next else "",
            "next_url": _url("scorecard-page", branch.pk, **_period_query(after), **same)
            if show_next
            else "",
            "comparison_url": _url(
                "comparison-page", **_period_query(period), checklist=checklist.code
            ),
        },
        request=request,
    )
    document = render_scorecard_html(card)
    # The bar goes right after <body>; the document is ours, so it always has one.
    page = _BODY_TAG.sub(lambda tag: tag.group(0) + bar, document, count=1)
    response = HttpResponse(page)
    # The card's language: LocaleMiddleware would otherwise name the one it activated
    # for the request (the site's default, en), whatever language the card is in.
    response["Content-Language"] = lang
    return response


@login_required
def comparison_page(request):
    require(SeesReports, request)
    user = request.user
    lang = language_for(request, fallback="zh-Hans")
    try:
        period = _page_period(request.GET)
        region = report_region(user, request.GET.get("region", "").strip() or None)
        code = request.GET.get("checklist", "").strip()
        if code:
            checklist = Checklist.objects.filter(code=code).first()
            if checklist is None:
                raise ValidationError({"checklist": f"Unknown checklist {code!r}."})
        else:
            checklist = report_checklist_default(
                branches=report_branches(user, region), period=period
            )
            if checklist is None:
                raise ValidationError({"checklist": "No checklist has been published yet."})
        comparison = branch_comparison(user=user, checklist=checklist, period=period, region=region)
    except PeriodError as error:
        return _bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return _bad_request(" ".join(error.messages))

    t = labels_for(lang)
    query = {**_period_query(period), "checklist": checklist.code}
    if region is not None:
        query["region"] = region.code
    rows = [
        {
            "row": row,
            "name": pick(lang, row.name_zh, row.name_en),
            "other_name": pick("en" if lang == "zh-Hans" else "zh-Hans", row.name_zh, row.name_en),
            "score": format_score(row.score),
            "interval": format_interval(row.interval),
            "band_label": t.get(f"band_{row.band}", "") if row.band else "",
            "change": _signed(row.change),
            "change_direction": _direction(row.change),
            "url": _url("scorecard-page", row.branch_id, **query, lang=lang),
        }
        for row in comparison.rows
    ]
    sections = [pick(lang, s.title_zh, s.title_en) for s in comparison.sections]
    chart = heatmap(
        [
            (
                f"{row.branch_code} {pick(lang, row.name_zh, row.name_en)}",
                [row.sections.get(s.code) for s in comparison.sections],
            )
            for row in comparison.rows
        ],
        # Numbered like the key above the chart: long section names are cut to the cell.
        columns=[f"{number}. {name}" for number, name in enumerate(sections, start=1)],
        expected=comparison.expected,
        tolerance=comparison.tolerance,
    )
    following = _following(period)
    regions = Region.objects.order_by("code")
    if not user.sees_everything:
        regions = user.regions.order_by("code")
    return render(
        request,
        "front/comparison.html",
        {
            "lang": lang,
            "t": t,
            "comparison": comparison,
            "title": pick(lang, comparison.title_zh, comparison.title_en),
            "rows": rows,
            "small_sample_legend": t["small_sample_legend"].format(
                n=comparison.small_sample_visits
            ),
            "sections": sections,
            # heatmap() escapes every text it draws.
            "heatmap": mark_safe(chart),
            "period": period,
            "period_value": period.label if period.kind != "range" else "",
            "checklists": Checklist.objects.filter(
                versions__status=ChecklistVersion.Status.PUBLISHED
            )
            .distinct()
            .order_by("code"),
            "regions": regions,
            "csv_url": _url("report-comparison", **query, format="csv"),
            "xlsx_url": _url("report-comparison", **query, format="xlsx"),
            "previous_url": _url(
                "comparison-page", **{**query, **_period_query(previous(period))}, lang=lang
            ),
            "next_url": _url("comparison-page", **{**query, **_period_query(following)}, lang=lang)
            if following
            else "",
        },
    )


def _signed(change) -> str:
    if change is None:
        return ""
    text = format_score(abs(change))
    if text == "0.0":
        return "±0.0"
    return f"+{text}" if change > 0 else f"−{text}"


def _direction(change) -> str:
    if change is None or format_score(abs(change)) == "0.0":
        return "flat"
    return "up" if change > 0 else "down"
