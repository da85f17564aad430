"""The report pages: a branch scorecard, the branch comparison, the visits behind a
heatmap cell, and the score drivers.

Thin views over the same selectors as the API. The scorecard page is the PDF's
own HTML (render_scorecard_html) with a bar of links put in front, so the web
and the PDF cannot drift apart, charts included.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import F, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe

from accounts.permissions import SeesReports
from accounts.roles import shows_shopper_identity
from accounts.scope import scope_of
from audits.models import Answer, Region, Visit, VisitScore
from audits.selectors.scope import branches_visible_to
from checklists.languages import language_for, pick
from checklists.models import Checklist, ChecklistVersion
from front.bad_request import bad_request, error_text
from front.changes import change_direction, signed_change
from front.partials import render_page
from front.report_links import next_period, page_url, period_query
from front.views.access import require
from reports.charts import format_interval, format_score, heatmap, trend_chart
from reports.labels import labels_for
from reports.periods import Period, PeriodError, previous
from reports.scorecard_render import render_scorecard_html
from reports.selectors import (
    mean_score,
    published_version,
    report_branches,
    report_region,
    report_visit_filter,
)
from reports.selectors.comparison import (
    DEFAULT_VIEW,
    VIEWS,
    Comparison,
    ComparisonRow,
    comparison_view,
    reader_comparison,
)
from reports.selectors.drivers import reader_drivers
from reports.selectors.scorecard import (
    report_checklist_default,
    report_period,
    scorecard_checklist,
    scorecard_data,
    visits_trend,
)

_BODY_TAG = re.compile(r"<body\b[^>]*>")


@login_required
@require_safe
def scorecard_page(request, pk: int):
    require(SeesReports, request)
    branch = get_object_or_404(branches_visible_to(request.user), pk=pk)
    code = request.GET.get("checklist", "").strip()
    try:
        period = report_period(user=request.user, params=request.GET)
        checklist = scorecard_checklist(branch=branch, period=period, code=code or None)
        lang = language_for(request, fallback=checklist.language)
        card = scorecard_data(branch=branch, checklist=checklist, period=period, lang=lang)
    except PeriodError as error:
        return bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return bad_request(" ".join(error.messages))

    other_lang = "en" if lang == "zh-Hans" else "zh-Hans"
    before, after = previous(period), next_period(period)
    # Nothing to show for a period that has not started yet.
    show_next = after is not None and after.start <= timezone.localdate()
    same = {"checklist": code, "lang": lang}
    bar = render_to_string(
        "front/scorecard_bar.html",
        {
            "lang": lang,
            "pdf_url": page_url("scorecard-pdf", branch.pk, **period_query(period), **same),
            "other_lang": other_lang,
            "other_lang_url": page_url(
                "scorecard-page",
                branch.pk,
                **period_query(period),
                checklist=code,
                lang=other_lang,
            ),
            "previous_label": before.label,
            "previous_url": page_url("scorecard-page", branch.pk, **period_query(before), **same),
            "next_label": after.label if show_next else "",
            "next_url": page_url("scorecard-page", branch.pk, **period_query(after), **same)
            if show_next
            else "",
            "comparison_url": page_url(
                "comparison-page", **period_query(period), checklist=checklist.code
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


def _page_checklist(user, *, region: Region | None, period: Period, code: str) -> Checklist:
    """The checklist named by `code`, else the one a report page opens with. Raises ValidationError."""
    if code:
        checklist = Checklist.objects.filter(code=code).first()
        if checklist is None:
            raise ValidationError({"checklist": f"Unknown checklist {code!r}."})
        return checklist
    checklist = report_checklist_default(branches=report_branches(user, region), period=period)
    if checklist is None:
        raise ValidationError({"checklist": "No checklist has been published yet."})
    return checklist


@dataclass(frozen=True)
class _Selection:
    """What a report page (comparison, drivers) is asked for, and the query that names it."""

    period: Period
    region: Region | None
    checklist: Checklist

    @property
    def query(self) -> dict[str, str]:
        query = {**period_query(self.period), "checklist": self.checklist.code}
        if self.region is not None:
            query["region"] = self.region.code
        return query


def _selection(request) -> _Selection:
    """`period`, `region` and `checklist` of a report page. Raises PeriodError or ValidationError."""
    user = request.user
    period = report_period(user=user, params=request.GET)
    region = report_region(user, request.GET.get("region", "").strip() or None)
    checklist = _page_checklist(
        user, region=region, period=period, code=request.GET.get("checklist", "").strip()
    )
    return _Selection(period=period, region=region, checklist=checklist)


def _filter_choices(user) -> dict:
    """The checklists and regions a report page's filter form offers."""
    scope = scope_of(user)
    return {
        "checklists": Checklist.objects.filter(versions__status=ChecklistVersion.Status.PUBLISHED)
        .distinct()
        .order_by("code"),
        "regions": scope.filter(Region.objects.order_by("code"), region="pk"),
        # Only a company-wide reader may leave the region out.
        "all_regions": scope.company_wide,
    }


# The league table's sortable columns, each with the direction a first click sorts it in.
LEAGUE_SORTS = {"rank": "asc", "name": "asc", "score": "desc", "visits": "desc", "change": "desc"}
SEARCH_MAX_LENGTH = 100


def league_order(params) -> tuple[str, str]:
    """`sort` and `dir` of the league table; by default by rank. Raises ValidationError."""
    sort = params.get("sort", "").strip() or "rank"
    if sort not in LEAGUE_SORTS:
        raise ValidationError({"sort": f"Must be one of {', '.join(LEAGUE_SORTS)}; got {sort!r}."})
    direction = params.get("dir", "").strip() or LEAGUE_SORTS[sort]
    if direction not in ("asc", "desc"):
        raise ValidationError({"dir": f"Must be asc or desc; got {direction!r}."})
    return sort, direction


def sort_league(
    rows: list[ComparisonRow], *, sort: str, direction: str, lang: str
) -> list[ComparisonRow]:
    """The rows sorted on one column.

    Rows without a value there (no rank, no score, no change) stay last, in the
    selector's order, whichever the direction; ties keep the selector's order
    (rank, then branch code), so a sort never shuffles equal rows.
    """

    def value(row: ComparisonRow):
        if sort == "name":
            return pick(lang, row.name_zh, row.name_en).casefold()
        return getattr(row, sort)

    valued = [row for row in rows if value(row) is not None]
    valued.sort(key=value, reverse=direction == "desc")  # a reversed sort is still stable
    return valued + [row for row in rows if value(row) is None]


def search_league(rows: list[ComparisonRow], q: str) -> list[ComparisonRow]:
    """Rows whose code, Chinese or English name contains `q`, ignoring case."""
    needle = q.casefold()
    if not needle:
        return rows
    return [
        row
        for row in rows
        if any(needle in text.casefold() for text in (row.branch_code, row.name_zh, row.name_en))
    ]


@login_required
@require_safe
def comparison_page(request):
    require(SeesReports, request)
    user = request.user
    lang = language_for(request, fallback="zh-Hans")
    q = " ".join(request.GET.get("q", "").split())[:SEARCH_MAX_LENGTH]
    try:
        sort, direction = league_order(request.GET)
        lens = comparison_view(request.GET.get("view"))
        selected = _selection(request)
        period, region, checklist = selected.period, selected.region, selected.checklist
        # The page shows one lens, out of the reader's kept table of all five.
        comparison = reader_comparison(
            user=user, checklist=checklist, period=period, region=region, lenses=(lens,)
        )
    except PeriodError as error:
        return bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return bad_request(error_text(error))

    t = labels_for(lang)
    query = selected.query
    # How the table is shown, carried by every link that stays on this page.
    view = {"lang": lang, "q": q}
    if (sort, direction) != ("rank", LEAGUE_SORTS["rank"]):
        view.update(sort=sort, dir=direction)
    # The heatmap's lens; the exports carry it too, so a download has the columns shown.
    lens_query = {} if lens == DEFAULT_VIEW else {"view": lens}
    view.update(lens_query)
    shown = sort_league(
        search_league(list(comparison.rows), q), sort=sort, direction=direction, lang=lang
    )
    # Rows carry the region's code (the API's and the exports' key); people read its name.
    region_names = {
        each.code: pick(lang, each.name_zh, each.name_en) for each in Region.objects.all()
    }
    rows = [
        {
            "row": row,
            "region": region_names.get(row.region, row.region),
            "name": pick(lang, row.name_zh, row.name_en),
            "other_name": pick("en" if lang == "zh-Hans" else "zh-Hans", row.name_zh, row.name_en),
            "score": format_score(row.score),
            "interval": format_interval(row.interval),
            "band_label": t.get(f"band_{row.band}", "") if row.band else "",
            "previous_score": format_score(row.previous_score),
            "change": signed_change(row.change),
            "change_direction": change_direction(row.change),
            "url": page_url("scorecard-page", row.branch_id, **query, lang=lang),
        }
        for row in shown
    ]

    def heading(key: str, label: str, spoken: str = "") -> dict:
        """A sortable column heading: a link that sorts by the column, or turns the sort round."""
        current = key == sort
        flipped = "asc" if direction == "desc" else "desc"
        return {
            "key": key,
            "label": label,
            "spoken": spoken,
            "numeric": key != "name",
            "url": page_url(
                "comparison-page",
                **query,
                **{**view, "sort": key, "dir": flipped if current else LEAGUE_SORTS[key]},
            ),
            "title": t["sort_by"],
            "arrow": ("▲" if direction == "asc" else "▼") if current else "",
            "aria_sort": ("ascending" if direction == "asc" else "descending") if current else "",
        }

    headers = [
        heading("rank", "#", t["rank"]),
        heading("name", t["branch"]),
        {"label": t["region"]},
        heading("visits", t["visits"]),
        heading("score", t["score"]),
        {"label": t["interval_short"], "numeric": True},
        {"label": ""},
        heading("change", t["change"]),
    ]
    attribute = VIEWS[lens]
    headings = getattr(comparison, attribute)
    names = [pick(lang, h.title_zh, h.title_en) for h in headings]
    if lens == "sections":
        # Numbered like the key above the chart: long section names are cut to the cell.
        columns = [f"{number}. {name}" for number, name in enumerate(names, start=1)]
    elif lens == "factors":
        columns = [name.split(" ", 1)[0] for name in names]  # "F12": the key names it in full
    elif lens == "bpmp":
        # "Reward": the cell is too narrow for "…: delighters shown"; the legend says it.
        columns = [re.split("[:：]", name, maxsplit=1)[0] for name in names]
    else:
        columns = names
    chart = heatmap(
        [
            (
                f"{row.branch_code} {pick(lang, row.name_zh, row.name_en)}",
                [getattr(row, attribute).get(h.code) for h in headings],
            )
            for row in shown
        ],
        columns=columns,
        expected=comparison.expected,
        tolerance=comparison.tolerance,
        # A section cell opens the visits behind it; a branch without a visit has none to
        # show. The other lenses have no such page.
        links=[
            [
                page_url(
                    "report-visits-page",
                    branch=row.branch_id,
                    section=h.code,
                    **query,
                    lang=lang,
                )
                if row.visits
                else None
                for h in headings
            ]
            for row in shown
        ]
        if lens == "sections"
        else None,
    )
    views = [
        {
            "key": key,
            "label": t[f"view_{key}"],
            "current": key == lens,
            "url": page_url(
                "comparison-page",
                **query,
                **{**view, "view": "" if key == DEFAULT_VIEW else key},
            ),
        }
        for key in VIEWS
    ]
    sorted_by = next(each for each in headers if each.get("key") == sort)
    sorted_by = sorted_by["spoken"] or sorted_by["label"]
    search_result = t["search_result"].format(shown=len(rows), total=len(comparison.rows))
    # Said by a screen reader when htmx has replaced the table (the page's live region).
    if lang == "zh-Hans":
        status = f"{search_result}，按{sorted_by}{'升序' if direction == 'asc' else '降序'}排列。"
    else:
        status = f"{search_result}, sorted by {sorted_by}, {'ascending' if direction == 'asc' else 'descending'}."
    following = next_period(period)
    company_wide = scope_of(user).company_wide
    trend_title = t[
        "trend_region" if region is not None else "trend_company" if company_wide else "trend_scope"
    ]
    # Sorting or searching with htmx replaces the league table and what follows it
    # (#league), and the few bits of the filter card that name the query; the page's
    # template has them as partials, "htmx" the answer that carries them all.
    return render_page(
        request,
        "front/comparison.html",
        {
            "lang": lang,
            "t": t,
            "comparison": comparison,
            "region_name": pick(lang, region.name_zh, region.name_en) if region else "",
            "title": pick(lang, comparison.title_zh, comparison.title_en),
            "rows": rows,
            "headers": headers,
            "q": q,
            "sort": sort,
            "direction": direction,
            "search_result": search_result,
            "status": status,
            "no_match": t["no_match"].format(q=q),
            "clear_search_url": page_url("comparison-page", **query, **{**view, "q": ""}),
            "small_sample_legend": t["small_sample_legend"].format(
                n=comparison.small_sample_visits
            ),
            "sections": names,
            "lens": lens,
            "lens_title": t["sections"] if lens == "sections" else t[f"view_{lens}"],
            "views": views,
            "columns": columns,
            # Sections are the checklist's: shown even before any is scored, as they always were.
            "has_scores": lens == "sections"
            or any(
                value is not None for row in shown for value in getattr(row, attribute).values()
            ),
            "averages": _average_rows(
                comparison, attribute=attribute, lang=lang, t=t, everything=company_wide
            ),
            "factors_hint": t["factors_hint"].format(
                checklists=", ".join(comparison.factor_checklists) or t["not_available"]
            ),
            # heatmap() escapes every text it draws.
            "heatmap": mark_safe(chart),
            # So does trend_chart(); its numbers only.
            "trend": mark_safe(
                trend_chart(
                    visits_trend(
                        user=user, checklist=checklist, period=period, region=region, lang=lang
                    ),
                    expected=comparison.expected,
                    tolerance=comparison.tolerance,
                    label=trend_title,
                )
            ),
            "trend_title": trend_title,
            "period": period,
            "period_value": period.label if period.kind != "range" else "",
            **_filter_choices(user),
            "csv_url": page_url("report-comparison", **query, format="csv", **lens_query),
            "xlsx_url": page_url("report-comparison", **query, format="xlsx", **lens_query),
            "drivers_url": page_url("drivers-page", **query, lang=lang),
            "previous_url": page_url(
                "comparison-page", **{**query, **period_query(previous(period))}, **view
            ),
            "next_url": page_url("comparison-page", **{**query, **period_query(following)}, **view)
            if following
            else "",
        },
        partial="htmx",
    )


def _average_rows(
    comparison: Comparison, *, attribute: str, lang: str, t: dict, everything: bool
) -> list[dict]:
    """The averages under the heatmap: of the whole table, then of each region when it has several.

    The whole table is the company for head office, a regional manager's regions
    for them; with a region chosen it is that region, named as such.
    """
    if not comparison.averages:
        return []
    headings = getattr(comparison, attribute)
    regions = {each.code: each for each in Region.objects.all()}

    def region_label(code: str) -> str:
        region = regions.get(code)
        name = pick(lang, region.name_zh, region.name_en) if region else code
        return t["average_of"].format(name=name)

    whole, *by_region = comparison.averages
    if comparison.region is not None:
        label = region_label(comparison.region)
    else:
        label = t["company_avg"] if everything else t["scope_avg"]
    shown = [(label, whole)]
    if comparison.region is None and len(by_region) > 1:
        shown += [(region_label(each.region), each) for each in by_region]
    return [
        {
            "label": label,
            "scores": [format_score(getattr(average, attribute).get(h.code)) for h in headings],
        }
        for label, average in shown
    ]


def _branch_parameter(params) -> int:
    raw = params.get("branch", "").strip()
    if not raw:
        raise ValidationError({"branch": "Required: the id of the branch."})
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        raise ValidationError({"branch": f"Must be a branch id (a whole number); got {raw!r}."})
    return int(raw)


@login_required
@require_safe
def report_visits_page(request):
    """The approved visits behind one branch × section cell of the comparison's heatmap.

    A regional manager never learns which shopper visited or when: the page shows
    them no shopper and no date, lists the visits by score rather than in time
    order, and refuses `from`/`to` ranges, which could be narrowed to a single day;
    months and quarters only.
    """
    require(SeesReports, request)
    user = request.user
    lang = language_for(request, fallback="zh-Hans")
    params = request.GET
    shows_dates = shows_shopper_identity(user)
    try:
        branch_id = _branch_parameter(params)
    except ValidationError as error:
        return bad_request(error_text(error))
    branch = get_object_or_404(branches_visible_to(user), pk=branch_id)
    try:
        period = report_period(user=user, params=params)
        checklist = _page_checklist(
            user,
            region=branch.region,
            period=period,
            code=params.get("checklist", "").strip(),
        )
        version = published_version(checklist)
        code = params.get("section", "").strip()
        section = version.sections.filter(code=code).first() if code else None
        if code and section is None:
            raise ValidationError(
                {"section": f"Unknown section {code!r} of checklist {checklist.code!r}."}
            )
    except PeriodError as error:
        return bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return bad_request(error_text(error))

    t = labels_for(lang)
    visits = Visit.objects.filter(
        report_visit_filter(
            user, checklist=checklist, start=period.start, end=period.end, region=None
        ),
        branch=branch,
    ).prefetch_related(
        Prefetch(
            "scores",
            queryset=VisitScore.objects.filter(
                kind=VisitScore.Kind.SECTION, key=section.code if section else ""
            ),
            to_attr="section_scores",
        ),
        Prefetch(
            "answers",
            queryset=Answer.objects.filter(critical_failure=True)
            .select_related("item")
            .order_by("item__section__position", "item__position", "item_code"),
            to_attr="critical_answers",
        ),
    )
    if shows_dates:
        visits = visits.order_by("visited_on", "started_at", "pk")
    else:
        # By score: no order that follows the calendar. The id is random (uuid4).
        visits = visits.order_by(F("score").desc(nulls_last=True), "pk")
    rows = []
    section_scores: list[Decimal] = []
    visit_scores: list[Decimal] = []
    for number, each in enumerate(visits, start=1):
        section_score = each.section_scores[0].score if each.section_scores else None
        if section_score is not None:
            section_scores.append(section_score)
        if each.score is not None:
            visit_scores.append(each.score)
        rows.append(
            {
                "number": number,
                # Not even put in the context for a regional manager.
                "date": each.visited_on if shows_dates else None,
                "score": format_score(each.score),
                "band": each.band or "none",
                "band_label": t.get(f"band_{each.band}", "") if each.band else "",
                "section_score": format_score(section_score),
                "critical": [
                    pick(lang, answer.item.text_zh, answer.item.text_en) or answer.item_code
                    for answer in each.critical_answers
                ],
            }
        )

    query = {**period_query(period), "checklist": checklist.code}
    section_title = pick(lang, section.title_zh, section.title_en) if section else ""
    return render(
        request,
        "front/report_visits.html",
        {
            "lang": lang,
            "t": t,
            "branch": branch,
            "branch_name": pick(lang, branch.name_zh, branch.name_en),
            "checklist_title": pick(lang, checklist.title_zh, checklist.title_en),
            "period": period,
            "section": section,
            "section_title": section_title,
            "shows_dates": shows_dates,
            "rows": rows,
            "mean_section": format_score(
                mean_score(sum(section_scores, Decimal(0)), len(section_scores))
            ),
            "mean_score": format_score(
                mean_score(sum(visit_scores, Decimal(0)), len(visit_scores))
            ),
            "scorecard_url": page_url("scorecard-page", branch.pk, **query, lang=lang),
            "comparison_url": page_url("comparison-page", **query, lang=lang),
        },
    )


# Correlations over fewer branches than this are anecdotes (the drivers selector's caveat).
ANECDOTAL_BRANCHES = 20


@login_required
@require_safe
def drivers_page(request):
    """The score drivers of reports.selectors.drivers, with the caveats that go with them."""
    require(SeesReports, request)
    user = request.user
    lang = language_for(request, fallback="zh-Hans")
    try:
        selected = _selection(request)
        period, region, checklist = selected.period, selected.region, selected.checklist
        drivers = reader_drivers(user=user, checklist=checklist, period=period, region=region)
    except PeriodError as error:
        return bad_request(f"{error.field}: {error.message}")
    except ValidationError as error:
        return bad_request(error_text(error))

    t = labels_for(lang)
    query = selected.query
    items = [
        {
            "code": item.code,
            "text": pick(lang, item.text_zh, item.text_en),
            "section": pick(lang, item.section.title_zh, item.section.title_en),
            "critical": item.critical,
            "answers": item.answers,
            "branches": item.branches,
            "average": format_score(item.average),
            "failure_rate": _percent(item.failure_rate),
            "correlation": "" if item.correlation is None else f"{item.correlation:+.3f}",
            "points_to_gain": "—" if item.points_to_gain is None else f"{item.points_to_gain:.2f}",
        }
        for item in drivers.items
    ]
    following = next_period(period)
    return render(
        request,
        "front/drivers.html",
        {
            "lang": lang,
            "t": t,
            "drivers": drivers,
            "items": items,
            "title": pick(lang, checklist.title_zh, checklist.title_en),
            "checklist": checklist.code,
            "region": drivers.region,
            "period": period,
            "period_value": period.label if period.kind != "range" else "",
            **_filter_choices(user),
            "basis": t["drivers_basis"].format(visits=drivers.visits, branches=drivers.branches),
            "few_branches": t["drivers_few_branches"].format(n=drivers.branches)
            if 0 < drivers.branches < ANECDOTAL_BRANCHES
            else "",
            "comparison_url": page_url("comparison-page", **query, lang=lang),
            "api_url": page_url("report-drivers", **query),
            "previous_label": previous(period).label,
            "previous_url": page_url(
                "drivers-page", **{**query, **period_query(previous(period))}, lang=lang
            ),
            "next_url": page_url("drivers-page", **{**query, **period_query(following)}, lang=lang)
            if following
            else "",
        },
    )


def _percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'))}%"
