"""Reads behind a branch scorecard: everything it shows, as one ScorecardData.

Like every report, the scorecard reads the numbers stored when each visit was
scored (Visit.score, VisitScore, Answer.score/failed/gain) and never re-scores,
so it agrees with the comparison, the drivers report and the visit pages.

Only approved visits count. Ranks come from branch_comparison (the league
table), read company-wide whoever asks: a stored scorecard PDF is served to
every viewer, so nothing in it may depend on the viewer's scope.
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q
from django.utils import timezone

from accounts.roles import shows_shopper_identity
from accounts.scope import Scope
from audits.models import Answer, AnswerCorrection, Branch, Photo, Region, User, Visit, VisitScore
from audits.storage import private_storage
from checklists.languages import pick
from checklists.models import Channel, Checklist, ChecklistVersion, Item
from checklists.scoring import AREAS, RATER_DIMENSIONS, SCORED_TYPES, band, round_score
from reports.labels import labels_for
from reports.periods import (
    RANGE_DASH,
    Period,
    PeriodError,
    last_n,
    month,
    parse_period,
    previous,
)
from reports.scorecard_data import (
    ActionPlans,
    FocusItem,
    ItemRow,
    NamedScore,
    PhotoEvidence,
    PlanRow,
    ScorecardData,
    SectionRow,
    TrendPoint,
)
from reports.scorecard_extras import PlanFact, PlanFacts, scorecard_extras
from reports.selectors import (
    items_used,
    mean_score,
    published_version,
    report_visit_filter,
    score_sum,
)
from reports.selectors.comparison import (
    Comparison,
    ComparisonAverage,
    ComparisonRow,
    comparison_key,
    competition_ranks,
    kept_comparison,
)
from reports.selectors.figures import operational_figures
from reports.stats import Sample, reading, significant_change

logger = logging.getLogger(__name__)

TREND_PERIODS = 6
FOCUS_ITEMS = 3
PHOTO_LIMIT = 3
COMMENT_LIMIT = 8
# Open action plans listed; a branch with more is told how many more. A card is
# a summary: the plan pages list them all.
PLAN_LIMIT = 6
# The reference's visit checklist: the default when a branch has no visit to go by.
DEFAULT_CHECKLIST_CODE = "standard-branch-visit"

_MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class League:
    """The company league table of a period with what every scorecard looks up in it.

    Indexed once per table rather than once per card: at 10,000 branches a
    scan of the rows per card costs more than the rest of the card's data.
    """

    comparison: Comparison
    rows: dict[int, ComparisonRow]  # by branch id; inactive branches are not in it
    regions: dict[str, tuple[ComparisonRow, ...]]  # by region code
    averages: dict[str | None, ComparisonAverage]  # None: the company's
    ranked: int  # rows with a company rank

    @classmethod
    def of(cls, comparison: Comparison) -> League:
        regions: dict[str, list[ComparisonRow]] = {}
        for row in comparison.rows:
            regions.setdefault(row.region, []).append(row)
        return cls(
            comparison=comparison,
            rows={row.branch_id: row for row in comparison.rows},
            regions={code: tuple(rows) for code, rows in regions.items()},
            averages={average.region: average for average in comparison.averages},
            ranked=sum(row.rank is not None for row in comparison.rows),
        )


# The last few league tables this process used, by cache key: a month-end batch
# renders every branch's card from one table, and unpickling 10,000 rows from
# the shared cache for each card would cost more than the card's own queries.
# The key names everything the table reads, so a kept table is never stale; it is
# used only while the shared cache still holds the same key (one cheap query).
_LEAGUES: dict[str, League] = {}
_LEAGUES_KEPT = 4
_LEAGUES_LOCK = threading.Lock()


def company_league(
    *, checklist: Checklist, period: Period, version: ChecklistVersion | None = None
) -> League:
    """The company-wide league table every scorecard of the period compares against.

    A month-end batch renders thousands of scorecards from the same table: the
    company's kept comparison (kept_comparison), indexed once, and kept in this
    process too while the shared cache still holds its key (comparison_key
    names everything the table reads, so a kept table is never stale). `version`:
    the checklist's published version, when the caller has read it already.
    """
    memo = comparison_key(checklist=checklist, period=period, version=version)
    key = memo.key
    league = _LEAGUES.get(key)
    # Only while the shared entry lives: a cleared or expired cache drops it everywhere.
    if league is not None and cache.has_key(key):
        return league
    league = League.of(
        kept_comparison(memo, user=Scope.company(), checklist=checklist, period=period)
    )
    with _LEAGUES_LOCK:  # gthread workers: two requests may store at once
        while len(_LEAGUES) >= _LEAGUES_KEPT:
            _LEAGUES.pop(next(iter(_LEAGUES)))
        _LEAGUES[key] = league
    return league


def last_complete_month(today: dt.date | None = None) -> Period:
    """The month before the current one: the default period of scorecards and report pages."""
    today = today or timezone.localdate()
    return previous(month(today.year, today.month))


def report_checklist_default(*, branches, period: Period) -> Checklist | None:
    """The checklist a report page opens with: the most approved visits at `branches` in the period.

    Else the reference's standard branch visit, else the first published checklist.
    """
    return (
        _most_visited(
            Visit.objects.filter(
                status=Visit.Status.APPROVED,
                branch__in=branches,
                visited_on__range=(period.start, period.end),
            )
        )
        or Checklist.objects.filter(code=DEFAULT_CHECKLIST_CODE).first()
        or Checklist.objects.filter(versions__status=ChecklistVersion.Status.PUBLISHED)
        .order_by("code")
        .first()
    )


def trend_window(period: Period) -> tuple[dt.date, dt.date]:
    """First and last day of the periods a scorecard shows: the trend's six, this one last.

    Raises PeriodError for a period so close to year 1 that the trend would
    reach before it.
    """
    try:
        return last_n(period, TREND_PERIODS)[0].start, period.end
    except (ValueError, OverflowError):
        field = "period" if period.kind != "range" else "from"
        raise PeriodError(
            field, f"too early: the trend reaches {TREND_PERIODS - 1} periods further back."
        ) from None


def report_period(*, user: User, params) -> Period:
    """The period a report page or a scorecard asks for, by query parameters.

    `period`, or `from`/`to`, or by default the last complete month; checked by
    report_period_check. Raises PeriodError naming the parameter to blame.
    """
    if not any(params.get(name, "").strip() for name in ("period", "from", "to")):
        return last_complete_month()
    period = parse_period(
        params.get("period"), date_from=params.get("from"), date_to=params.get("to")
    )
    trend_window(period)  # a period whose trend would reach before year 1 is refused here
    report_period_check(user=user, period=period)
    return period


def report_period_check(*, user: User, period: Period) -> None:
    """A regional manager reads months and quarters, never a date range.

    A range can be narrowed to one day, and a branch's visit count or score for
    that day tells when the shopper came; managers learn neither who nor when.
    """
    if period.kind == "range" and not shows_shopper_identity(user):
        raise PeriodError(
            "period",
            "reports are by month or quarter (period=2026-10 or 2026-Q3); "
            "date ranges are for head office.",
        )


def period_label(period: Period, lang: str, *, short: bool = False) -> str:
    """How a scorecard names a period: "2026年10月" / "Oct 2026", "2026年第3季度" / "Q3 2026".

    Written out here rather than with strftime so the wording does not depend on
    the server's locale. `short` drops the years of a date range, for chart axes.
    """
    start, end = period.start, period.end
    if period.kind == "month":
        return (
            f"{start.year}年{start.month}月"
            if lang == "zh-Hans"
            else f"{_MONTHS_EN[start.month - 1]} {start.year}"
        )
    if period.kind == "quarter":
        number = (start.month - 1) // 3 + 1
        return f"{start.year}年第{number}季度" if lang == "zh-Hans" else f"Q{number} {start.year}"
    if short:
        return f"{start:%m-%d}{RANGE_DASH}{end:%m-%d}"
    return f"{start.isoformat()}{RANGE_DASH}{end.isoformat()}"


def _approved(*, checklist: Checklist, start: dt.date, end: dt.date, via: str = "") -> Q:
    return Q(
        **{
            f"{via}checklist": checklist,
            f"{via}status": Visit.Status.APPROVED,
            f"{via}visited_on__range": (start, end),
        }
    )


def _most_visited(visits) -> Checklist | None:
    """The checklist with the most of `visits`; ties go to the lower code, so the pick is stable."""
    row = (
        visits.values("checklist")
        .annotate(visits=Count("pk"))
        .order_by("-visits", "checklist__code")
        .first()
    )
    return None if row is None else Checklist.objects.get(pk=row["checklist"])


def scorecard_checklist(*, branch: Branch, period: Period, code: str | None = None) -> Checklist:
    """The checklist a branch's scorecard reports on.

    `code` when given. Otherwise the checklist with the most approved visits at
    the branch in the period; failing that, in the trend window; failing that,
    the reference's standard branch visit; and for a company that has not loaded
    it, the checklist with the most approved visits company-wide in the period,
    then the first published one, so a branch nobody visited still gets a card.

    Raises ValidationError naming `checklist` for an unknown code, or when there
    is no published checklist at all.
    """
    if code:
        checklist = Checklist.objects.filter(code=code).first()
        if checklist is None:
            raise ValidationError({"checklist": f"Unknown checklist {code!r}."})
        return checklist
    approved = Visit.objects.filter(status=Visit.Status.APPROVED)
    window_start, _ = trend_window(period)
    chosen = (
        _most_visited(approved.filter(branch=branch, visited_on__range=(period.start, period.end)))
        or _most_visited(
            approved.filter(branch=branch, visited_on__range=(window_start, period.end))
        )
        or Checklist.objects.filter(code=DEFAULT_CHECKLIST_CODE).first()
        or _most_visited(approved.filter(visited_on__range=(period.start, period.end)))
        or Checklist.objects.filter(versions__status=ChecklistVersion.Status.PUBLISHED)
        .order_by("code")
        .first()
    )
    if chosen is None:
        raise ValidationError({"checklist": "No checklist has been published yet."})
    return chosen


def _per_period(periods: Sequence[Period]) -> dict:
    """Conditional aggregates of visit scores, one set per period: one query for a whole trend."""
    aggregates = {}
    for i, each in enumerate(periods):
        inside = Q(visited_on__range=(each.start, each.end))
        aggregates[f"total_{i}"] = score_sum("score", filter=inside)
        aggregates[f"scored_{i}"] = Count("score", filter=inside)
        aggregates[f"visits_{i}"] = Count("pk", filter=inside)
        aggregates[f"squares_{i}"] = score_sum(F("score") * F("score"), places=2, filter=inside)
    return aggregates


def _trend_points(sums: dict, periods: Sequence[Period], lang: str) -> tuple[TrendPoint, ...]:
    return tuple(
        TrendPoint(
            label=period_label(each, lang, short=True),
            score=mean_score(sums[f"total_{i}"], sums[f"scored_{i}"]),
        )
        for i, each in enumerate(periods)
    )


def visits_trend(
    *, user: User, checklist: Checklist, period: Period, region: Region | None, lang: str
) -> tuple[TrendPoint, ...]:
    """The mean visit score of each of the trend's periods, over the caller's branches
    (or `region`'s): the company's trend for head office, their regions' for a manager."""
    periods = last_n(period, TREND_PERIODS)
    sums = Visit.objects.filter(
        report_visit_filter(
            user, checklist=checklist, start=periods[0].start, end=periods[-1].end, region=region
        )
    ).aggregate(**_per_period(periods))
    return _trend_points(sums, periods, lang)


def _trend(
    *, branch: Branch, checklist: Checklist, periods: Sequence[Period], lang: str
) -> tuple[tuple[TrendPoint, ...], int, Sample, Sample]:
    """The branch's mean score in each period, this period's visit count, and the
    visit scores of this period and the one before (for the intervals).

    One query: conditional aggregates over the trend window.
    """
    sums = Visit.objects.filter(
        _approved(checklist=checklist, start=periods[0].start, end=periods[-1].end),
        branch=branch,
    ).aggregate(**_per_period(periods))
    points = _trend_points(sums, periods, lang)
    samples = [
        Sample(sums[f"scored_{i}"], sums[f"total_{i}"], sums[f"squares_{i}"])
        for i in range(len(periods))
    ]
    return points, sums[f"visits_{len(periods) - 1}"], samples[-1], samples[-2]


def _own_scores(*, branch: Branch, visits: Q) -> dict[str, dict[str, Decimal | None]]:
    """The branch's mean section, dimension and area scores over the period's visits."""
    own: dict[str, dict[str, Decimal | None]] = {kind: {} for kind in VisitScore.Kind.values}
    for row in (
        VisitScore.objects.filter(visits, visit__branch=branch)
        .values("kind", "key")
        .annotate(total=score_sum("score"), count=Count("score"))
        .order_by()
    ):
        own[row["kind"]][row["key"]] = mean_score(row["total"], row["count"])
    return own


def _ranks(rows: Sequence[ComparisonRow], branch: Branch) -> tuple[int | None, int]:
    """The branch's rank among `rows` and how many of them have a rank.

    Ranked on the rounded scores the league table shows, with its own ranking
    and leaving out its small samples, so a scorecard and the league table can
    never disagree.
    """
    ranks = competition_ranks([None if row.small_sample else row.score for row in rows])
    mine = next(
        (rank for row, rank in zip(rows, ranks, strict=True) if row.branch_id == branch.pk), None
    )
    return mine, sum(rank is not None for rank in ranks)


def _bpmp_and_factors(
    league: League, *, branch: Branch, lang: str
) -> tuple[tuple[SectionRow, ...], tuple[SectionRow, ...]]:
    """The card's BPMP rows and key-factor profile, out of the company league table's row
    for the branch: none for a branch the table leaves out (an inactive one), and none
    of either when the branch has no score in it.

    Averages are the table's: of the branches' rounded scores, each branch once, as
    the sections'.
    """
    mine = league.rows.get(branch.pk)
    if mine is None:
        return (), ()
    company = league.averages.get(None)
    region = league.averages.get(mine.region)
    bpmp = ()
    if any(score is not None for score in mine.bpmp.values()):
        bpmp = tuple(
            SectionRow(
                label=pick(lang, each.title_zh, each.title_en),
                score=mine.bpmp[each.code],
                region_avg=region.bpmp.get(each.code) if region else None,
                company_avg=company.bpmp.get(each.code) if company else None,
            )
            for each in league.comparison.bpmp
        )
    # Only the factors the branch has a score for: 26 rows of dashes would say nothing.
    factors = tuple(
        SectionRow(
            label=pick(lang, each.title_zh, each.title_en),
            score=mine.factors[each.code],
            region_avg=None,
            company_avg=company.factors.get(each.code) if company else None,
        )
        for each in league.comparison.factors
        if mine.factors.get(each.code) is not None
    )
    return bpmp, factors


def _items(*, visits: Q, fallback: ChecklistVersion) -> tuple[list[Item], dict[str, Item]]:
    """The item table's items, and every item by code (photo and text items too, for captions).

    The items of the versions the branch's `visits` (a filter on Visit) used,
    not of the latest published version, so publishing a version never changes
    a past card: the table is their scored items, in checklist order. A
    descriptive choice (the complainant type) has no score to show: the figures
    report it.
    """
    every = items_used(visits=visits, fallback=fallback)
    return [
        item
        for item in every
        if item.answer_type in SCORED_TYPES and not item.is_descriptive_choice
    ], {item.code: item for item in every}


def _item_rows_and_focus(
    *,
    branch: Branch,
    version: ChecklistVersion,
    period_visits: Q,
    visits: Q,
    scored_visits: int,
    lang: str,
) -> tuple[tuple[ItemRow, ...], tuple[FocusItem, ...], dict[str, Item]]:
    """The item table (critical failures first, then checklist order) and the focus items.

    Focus: the items that cost the most points, a point being what the average
    visit score would gain had the item been done right every time (the sum of
    the stored Answer.gain over the scored visits, as in the drivers report).
    The period's visits twice: `period_visits` filters Visit (whose versions
    name the rows), `visits` filters Answer and the like ("visit__" paths).
    """
    numbers = {
        row["item_code"]: row
        for row in Answer.objects.filter(visits, visit__branch=branch)
        .values("item_code")
        .annotate(
            total=score_sum("score"),
            answered=Count("score"),
            failures=Count("pk", filter=Q(failed=True)),
            critical_failures=Count("pk", filter=Q(critical_failure=True)),
            gain=score_sum("gain", places=2),
        )
        .order_by()
    }
    # Items an upheld appeal re-scored (recorded in audits as an AnswerCorrection from an
    # appeal): the card marks them, so a reader knows the number was contested and changed.
    appealed = dict(
        AnswerCorrection.objects.filter(
            visits, visit__branch=branch, source=AnswerCorrection.Source.APPEAL
        )
        .values("item_code")
        .annotate(visits=Count("visit", distinct=True))
        .order_by()
        .values_list("item_code", "visits")
    )
    items, by_code = _items(visits=period_visits & Q(branch=branch), fallback=version)
    rows: list[ItemRow] = []
    losses: list[tuple[Fraction, int, Item]] = []
    for position, item in enumerate(items):
        row = numbers.get(item.code, {})
        rows.append(
            ItemRow(
                code=item.code,
                label=pick(lang, item.text_zh, item.text_en),
                factor=item.factor,
                score=mean_score(row.get("total"), row.get("answered", 0)),
                answered=row.get("answered", 0),
                failures=row.get("failures", 0),
                critical=item.critical,
                critical_failures=row.get("critical_failures", 0),
                appealed=appealed.get(item.code, 0),
                scored=item.weight > 0,
            )
        )
        gain = row.get("gain")
        if gain and scored_visits:
            losses.append((Fraction(gain) / scored_visits, position, item))
    # Stable sort: within each group the checklist order stays.
    rows.sort(key=lambda r: r.critical_failures == 0)
    losses.sort(key=lambda loss: (-loss[0], loss[1]))
    focus = tuple(
        FocusItem(
            code=item.code,
            label=pick(lang, item.text_zh, item.text_en),
            points=round_score(points),
            good_practice=pick(lang, item.good_practice_zh, item.good_practice_en),
        )
        for points, _, item in losses[:FOCUS_ITEMS]
        if points > 0
    )
    return tuple(rows), focus, by_code


def _photos(
    *, branch: Branch, visits: Q, items: dict[str, Item], lang: str
) -> tuple[PhotoEvidence, ...]:
    """A few print-size photos of the period's visits, those of failed items first.

    Only print renditions are read: the original may carry EXIF and GPS, and
    at full size it would bloat the PDF. Captions name the item and the day,
    never who took the photo.
    """
    candidates = list(
        Photo.objects.filter(visits, visit__branch=branch, received_at__isnull=False)
        .exclude(print_name="")
        .select_related("visit")
        .order_by("-visit__visited_on", "created_at", "id")[:50]
    )
    if not candidates:
        return ()
    failed = set(
        Answer.objects.filter(
            visit__in={photo.visit_id for photo in candidates}, failed=True
        ).values_list("visit_id", "item_code")
    )
    candidates.sort(key=lambda photo: (photo.visit_id, photo.item_code) not in failed)
    evidence_label = labels_for(lang)["evidence"]
    storage = private_storage()
    photos: list[PhotoEvidence] = []
    for photo in candidates:
        try:
            with storage.open(photo.print_name, "rb") as file:
                data = file.read()
        except OSError:
            # A lost rendition costs one picture, not the whole scorecard.
            logger.warning("scorecard skipped photo %s: %s is missing", photo.pk, photo.print_name)
            continue
        item = items.get(photo.item_code)
        subject = pick(lang, item.text_zh, item.text_en) if item else evidence_label
        photos.append(
            PhotoEvidence(
                data_uri="data:image/jpeg;base64," + base64.b64encode(data).decode("ascii"),
                # The item only: a date would tell a regional manager when the visit was.
                caption=subject,
            )
        )
        if len(photos) == PHOTO_LIMIT:
            break
    return tuple(photos)


def _comments(
    *, branch: Branch, checklist: Checklist, period: Period, items: dict[str, Item], lang: str
) -> tuple[str, ...]:
    """The shoppers' own words: visit comments, then comments on failed items.

    Only the text: the shopper's name, and anything else that identifies them,
    stays out of a document that branch staff will read.
    """
    comments = [
        text.strip()
        for text in Visit.objects.filter(
            _approved(checklist=checklist, start=period.start, end=period.end), branch=branch
        )
        .exclude(comment="")
        .order_by("-visited_on", "started_at")
        .values_list("comment", flat=True)[:COMMENT_LIMIT]
        if text.strip()
    ]
    if len(comments) < COMMENT_LIMIT:
        for code, text in (
            Answer.objects.filter(
                _approved(checklist=checklist, start=period.start, end=period.end, via="visit__"),
                visit__branch=branch,
                failed=True,
            )
            .exclude(comment="")
            .order_by("-visit__visited_on", "item__section__position", "item__position")
            .values_list("item_code", "comment")[: COMMENT_LIMIT - len(comments)]
        ):
            item = items.get(code)
            label = pick(lang, item.text_zh, item.text_en) if item else code
            if text.strip():
                comments.append(
                    f"{label}：{text.strip()}" if lang == "zh-Hans" else f"{label}: {text.strip()}"
                )
    return tuple(comments)


def _plan_row(fact: PlanFact, *, status: str, status_label: str, lang: str, t) -> PlanRow:
    year, number = (int(part) for part in fact.month.split("-"))
    return PlanRow(
        month=period_label(month(year, number), lang),
        reason=t.get(f"plan_reason_{fact.reason}", fact.reason),
        items=("、" if lang == "zh-Hans" else "; ").join(fact.items),
        status=status,
        status_label=status_label,
        due_date=fact.due_date,
        overdue=fact.overdue,
    )


def _plan_outcome(fact: PlanFact) -> str:
    """What the visits after acceptance made of a plan: the question the card answers."""
    if fact.status == "verified":
        return "did_not_fix_verified" if fact.did_not_fix else "verified"
    return "did_not_fix" if fact.did_not_fix else "waiting"


def action_plans_worded(
    facts: PlanFacts | None, *, period: Period, lang: str
) -> ActionPlans | None:
    """The plans a hook reported (reports.scorecard_extras), worded in `lang`; None without one."""
    if facts is None:
        return None
    t = labels_for(lang)
    open_rows = tuple(
        _plan_row(
            fact,
            status=fact.status,
            status_label=t.get(f"plan_status_{fact.status}", fact.status),
            lang=lang,
            t=t,
        )
        for fact in facts.open[:PLAN_LIMIT]
    )
    previous_rows = []
    for fact in facts.previous:
        outcome = _plan_outcome(fact)
        previous_rows.append(
            _plan_row(
                fact, status=outcome, status_label=t[f"plan_outcome_{outcome}"], lang=lang, t=t
            )
        )
    return ActionPlans(
        open=open_rows,
        more_open=max(0, len(facts.open) - PLAN_LIMIT),
        previous=tuple(previous_rows),
        previous_label=period_label(previous(period), lang),
    )


def scorecard_data(
    *,
    branch: Branch,
    checklist: Checklist,
    period: Period,
    lang: str,
    now: dt.datetime | None = None,
    extras: dict[str, object] | None = None,
) -> ScorecardData:
    """Everything the scorecard of `branch` for `period` shows, in `lang`.

    - visits, score, band: approved visits of `checklist` at the branch in the
      period; the score is the mean of their stored scores, rounded half-up to
      one decimal, banded against the latest published version's expectation;
    - interval: the score's 90 % confidence interval; change_significant when
      it does not overlap the previous period's (reports.stats);
    - ranks: from the company-wide league table (branch_comparison), in the
      branch's region and in the company, ties sharing a rank; sizes count the
      branches that have a rank; none for a small sample (fewer scored visits
      than settings.SMALL_SAMPLE_VISITS), which is never ranked;
    - trend: the mean score in each of the last six periods, this one last;
    - sections: the branch's mean section scores against the region's and the
      company's average branch (means of the branches' section scores, so a
      branch visited five times does not weigh five times);
    - dimensions, areas: mean RATER and service-standard-area scores;
    - bpmp: the branch's BPMP class scores (the comparison's bpmp lens) against
      the region's and the company's average branch; factors: its key-factor
      scores over every checklist that tags them (the comparison's factors
      lens) against the company's average branch; both from the company
      comparison, so they are the league table's numbers;
    - items: every scored item of the versions the branch's visits in the
      period used (not the latest published version's, so publishing never
      changes a past card), critical failures first; focus: the three items
      that cost the most points, with the reference's good practice;
    - photos and comments as evidence, never naming the shopper;
    - figures: what shoppers measured on the number items (seconds until
      greeted…), aggregated over the period against the region and the company
      (reports.selectors.figures), never a visit's own value; choices: the
      same for the descriptive choices (the complainant type played), with
      the mean visit score of each option;
    - action_plans: the branch's plans, from the settings.SCORECARD_EXTRAS
      hooks (reports.scorecard_extras), whose answer `extras` is when the
      caller already has it (the cache key stamps the same answer it draws).
    """
    version = published_version(checklist)
    periods = last_n(period, TREND_PERIODS)
    region = branch.region
    trend, visit_count, sample, previous_sample = _trend(
        branch=branch, checklist=checklist, periods=periods, lang=lang
    )
    scored_visits = sample.count
    score = trend[-1].score
    minimum = settings.SMALL_SAMPLE_VISITS
    latest = reading(sample, minimum=minimum)
    prior = reading(previous_sample, minimum=minimum)

    league = company_league(checklist=checklist, period=period, version=version)
    comparison = league.comparison
    rank_region, region_size = _ranks(league.regions.get(region.code, ()), branch)
    mine = league.rows.get(branch.pk)
    rank_company, company_size = (mine.rank if mine else None), league.ranked
    company_average = league.averages.get(None)
    region_average = league.averages.get(region.code)

    t = labels_for(lang)
    sections: tuple[SectionRow, ...] = ()
    dimensions: tuple[NamedScore, ...] = ()
    areas: tuple[NamedScore, ...] = ()
    items: tuple[ItemRow, ...] = ()
    focus: tuple[FocusItem, ...] = ()
    bpmp: tuple[SectionRow, ...] = ()
    factors: tuple[SectionRow, ...] = ()
    photos: tuple[PhotoEvidence, ...] = ()
    comments: tuple[str, ...] = ()
    if visit_count:
        visits = _approved(checklist=checklist, start=period.start, end=period.end, via="visit__")
        own = _own_scores(branch=branch, visits=visits)
        # The company comparison's columns: the sections of the versions the period's
        # visits used, so publishing a new version never adds an empty row to a past card.
        sections = tuple(
            SectionRow(
                label=pick(lang, section.title_zh, section.title_en),
                score=own[VisitScore.Kind.SECTION].get(section.code),
                region_avg=region_average.sections.get(section.code) if region_average else None,
                company_avg=(
                    company_average.sections.get(section.code) if company_average else None
                ),
            )
            for section in comparison.sections
        )
        # A checklist without RATER or area tags gets no empty chart.
        if own[VisitScore.Kind.DIMENSION]:
            dimensions = tuple(
                NamedScore(
                    code=code,
                    label=t[f"dimension_{code}"],
                    score=own[VisitScore.Kind.DIMENSION].get(code),
                )
                for code in RATER_DIMENSIONS
            )
        if own[VisitScore.Kind.AREA]:
            areas = tuple(
                NamedScore(
                    code=code, label=t[f"area_{code}"], score=own[VisitScore.Kind.AREA].get(code)
                )
                for code in AREAS
            )
        items, focus, by_code = _item_rows_and_focus(
            branch=branch,
            version=version,
            period_visits=_approved(checklist=checklist, start=period.start, end=period.end),
            visits=visits,
            scored_visits=scored_visits,
            lang=lang,
        )
        bpmp, factors = _bpmp_and_factors(league, branch=branch, lang=lang)
        photos = _photos(branch=branch, visits=visits, items=by_code, lang=lang)
        comments = _comments(
            branch=branch, checklist=checklist, period=period, items=by_code, lang=lang
        )

    # Read company-wide, as the ranks are: the stored PDF is served to every viewer.
    figures = (
        operational_figures(
            user=Scope.company(),
            checklist=checklist,
            period=period,
            lang=lang,
            branch=branch,
            version=version,
        )
        if visit_count
        else None
    )

    if extras is None:
        extras = scorecard_extras(branch=branch, checklist=checklist, period=period, lang=lang)

    return ScorecardData(
        lang=lang,
        branch_name=pick(lang, branch.name_zh, branch.name_en),
        branch_code=branch.code,
        region_name=pick(lang, region.name_zh, region.name_en),
        address=pick(lang, branch.address_zh, branch.address_en),
        period_label=period_label(period, lang),
        checklist_title=pick(lang, checklist.title_zh, checklist.title_en),
        visit_count=visit_count,
        score=score,
        band=band(score, expected=version.expected_score, tolerance=version.tolerance),
        expected=version.expected_score,
        tolerance=version.tolerance,
        rank_region=rank_region,
        region_size=region_size,
        rank_company=rank_company,
        company_size=company_size,
        interval=latest.interval,
        small_sample=latest.small_sample,
        small_sample_visits=minimum,
        change_significant=significant_change(latest, prior),
        trend=trend,
        sections=sections,
        dimensions=dimensions,
        areas=areas,
        items=items,
        photos=photos,
        comments=comments,
        focus=focus,
        generated_at=now or timezone.now(),
        action_plans=action_plans_worded(extras.get("action_plans"), period=period, lang=lang),
        figures=figures.items if figures else (),
        choices=figures.choices if figures else (),
        bpmp=bpmp,
        factors=factors,
        channel_label=(
            "" if checklist.channel == Channel.BRANCH else t[f"channel_{checklist.channel}"]
        ),
    )
