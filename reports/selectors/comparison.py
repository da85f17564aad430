"""Head office's branch comparison: a league table and a branch × section heatmap.

Besides sections, the heatmap has four more lenses (VIEWS): the RATER
dimensions, the reference's three service-standard areas, the 26 key factors
across every checklist that tags them, and the reference's BPMP classes
(basic, performance, motivation = reward, punishment) of the compared checklist.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce

from audits.models import Answer, ItemRollup, Region, ScoreRollup, Visit, VisitRollup, VisitScore
from audits.selectors.rollups import one_row_per_key
from checklists.models import Checklist, ChecklistVersion, Item, Section
from checklists.scoring import (
    AREAS,
    BPMP_CLASSES,
    RATER_DIMENSIONS,
    SCORED_TYPES,
    band,
)
from reports.labels import area_titles, bpmp_titles, key_factor_titles
from reports.periods import Period, previous
from reports.selectors import (
    DIMENSION_TITLES,
    Heading,
    company_stamp,
    cycle_collection_paused,
    items_of_versions,
    items_used,
    mean_score,
    published_version,
    report_branches,
    report_rollup_filter,
    report_visit_filter,
    rollup_sums,
    rows_of,
    tenths_mean,
    union_by_code,
    units_sum,
    versions_used,
)
from reports.selectors.memo import COMPANY, MemoKey, memoised, reader_key
from reports.stats import Interval, reading_of_units, significant_change

# The heatmap's lenses: a `view` parameter's values, each naming the headings of
# Comparison and the scores of ComparisonRow / ComparisonAverage it shows.
VIEWS: dict[str, str] = {
    "sections": "sections",
    "rater": "dimensions",
    "areas": "areas",
    "factors": "factors",
    "bpmp": "bpmp",
}
DEFAULT_VIEW = "sections"
# The BPMP classes whose failures the lens counts: a missing basic or a punishment is
# what drives customers away. A reward item never fails (checklists.scoring.is_bonus),
# and a performance item is read by its score.
BPMP_FAILURE_CLASSES: tuple[str, ...] = ("basic", "punishment")


def comparison_view(raw: str | None) -> str:
    """A `view` parameter: one of VIEWS, sections when empty. Raises ValidationError naming `view`."""
    view = (raw or "").strip() or DEFAULT_VIEW
    if view not in VIEWS:
        raise ValidationError({"view": f"Must be one of {', '.join(VIEWS)}; got {view!r}."})
    return view


@dataclass(frozen=True)
class ComparisonRow:
    """One branch; `rank` is None when the branch has no scored visit in the period,
    or is a small sample (scored from fewer than the comparison's small_sample_visits)."""

    rank: int | None
    branch_id: int
    branch_code: str
    name_zh: str
    name_en: str
    region: str
    visits: int
    score: Decimal | None
    band: str | None
    previous_score: Decimal | None
    change: Decimal | None
    small_sample: bool
    interval: Interval | None  # 90 % confidence interval of `score`
    previous_interval: Interval | None
    change_significant: bool
    sections: dict[str, Decimal | None] = field(default_factory=dict)
    dimensions: dict[str, Decimal | None] = field(default_factory=dict)
    areas: dict[str, Decimal | None] = field(default_factory=dict)
    # By factor number ("12"), over every checklist that tags key factors.
    factors: dict[str, Decimal | None] = field(default_factory=dict)
    # By BPMP class: the mean score of the scored answers to the items of the class.
    # For the reward class that is the share of delighters shown, never a failure.
    bpmp: dict[str, Decimal | None] = field(default_factory=dict)
    # Failed answers of the BPMP_FAILURE_CLASSES the checklist has; None without an answer.
    bpmp_failures: dict[str, int | None] = field(default_factory=dict)


@dataclass(frozen=True)
class ComparisonAverage:
    """The mean of the branches' column scores: of every row (`region` None) or of one region's.

    Each branch with a score counts once, whatever its number of visits, as on
    the scorecard's "region / company average"; taken over the rounded scores the
    table shows, so the average of a column is the one a reader works out.
    """

    region: str | None
    sections: dict[str, Decimal | None]
    dimensions: dict[str, Decimal | None]
    areas: dict[str, Decimal | None]
    factors: dict[str, Decimal | None]
    bpmp: dict[str, Decimal | None]


@dataclass(frozen=True)
class Comparison:
    period: Period
    previous: Period
    checklist: str
    version: int
    title_zh: str
    title_en: str
    expected: Decimal
    tolerance: Decimal
    region: str | None
    small_sample_visits: int
    sections: tuple[Heading, ...]
    dimensions: tuple[Heading, ...]
    areas: tuple[Heading, ...]
    factors: tuple[Heading, ...]  # the factors scored in the period, by number
    factor_checklists: tuple[str, ...]  # codes of the checklists the factor columns cover
    bpmp: tuple[Heading, ...]  # the BPMP classes of the items the period's visits were asked
    rows: tuple[ComparisonRow, ...]
    averages: tuple[ComparisonAverage, ...]  # every row first, then each region's


def competition_ranks(scores: Sequence[Decimal | None]) -> list[int | None]:
    """Standard competition ranking ("1, 2, 2, 4"), highest score first; None stays unranked.

    Ranked on the rounded score the table shows, so two branches that both show
    85.0 never get different ranks.
    """
    ranked = sorted((s for s in scores if s is not None), reverse=True)
    first_place: dict[Decimal, int] = {}
    for position, score in enumerate(ranked, start=1):
        first_place.setdefault(score, position)
    return [None if s is None else first_place[s] for s in scores]


class _Branch(NamedTuple):
    pk: int
    code: str
    name_zh: str
    name_en: str
    region_code: str


Columns = dict[int, dict[str, dict[str, Decimal | None]]]
# Of the comparison's checklist; factors are read from every checklist that tags them.
_COLUMN_KINDS = [VisitScore.Kind.SECTION, VisitScore.Kind.DIMENSION, VisitScore.Kind.AREA]
_KINDS = [*_COLUMN_KINDS, VisitScore.Kind.FACTOR]
_NO_COLUMNS: dict[str, dict[str, Decimal | None]] = {kind: {} for kind in _KINDS}
# The score kind each of the checklist's own lenses reads.
_LENS_KINDS = {
    "sections": VisitScore.Kind.SECTION,
    "rater": VisitScore.Kind.DIMENSION,
    "areas": VisitScore.Kind.AREA,
}


def _any_of(conditions: list[Q]) -> Q:
    # Q() with no children matches everything: with no checklist, nothing.
    return Q(*conditions, _connector=Q.OR) if conditions else Q(pk__in=[])


class _Totals(NamedTuple):
    """One branch's visit sums of both periods, scores in units (reports.selectors.units_sum)."""

    visits: int
    total: int | None  # tenths
    scored: int
    squares: int | None  # hundredths
    previous_total: int | None
    previous_scored: int
    previous_squares: int | None


# The roll-ups' names for the same sums: Django refuses an annotation named as a field.
_ROLLUP_TOTALS = ("visit_count", "total", "scored_count", *_Totals._fields[3:])
_NO_TOTALS = _Totals(0, None, 0, None, None, 0, None)


def _totals(queryset: QuerySet) -> dict[int, _Totals]:
    """Per branch, the _Totals out of (branch, *_Totals) rows."""
    return {branch: _Totals(*sums) for branch, *sums in rows_of(queryset)}


@dataclass(frozen=True)
class _Sums:
    """What the comparison sums, per branch, wherever it reads it from.

    totals: visits, total, scored, squares of the period and previous_total,
    previous_scored, previous_squares of the one before; columns: the mean
    section, RATER dimension and area scores of the period, and its mean factor
    scores over `factor_checklists`; versions: a subquery of
    the versions the period's visits were scored against; items: the items of
    those versions (items_used); bpmp: per branch and BPMP class, the period's
    scored answers to the class's items, how many failed and the sum of their scores.
    """

    totals: dict[int, _Totals]
    columns: Columns
    versions: QuerySet
    items: list[Item]
    bpmp: dict[int, dict[str, tuple[int, int, Decimal | None]]]


def bpmp_classes(items: list[Item]) -> dict[str, str]:
    """The BPMP class of each scored item tagged with one, by item code.

    Classes come from the newest version the period's visits used (items_used),
    as the drivers name items; untagged items are in no class.
    """
    return {
        item.code: item.bpmp for item in items if item.bpmp and item.answer_type in SCORED_TYPES
    }


def _bpmp_class(classes: dict[str, str]) -> Case:
    """A row's BPMP class out of its item code, so the database groups by class."""
    codes: dict[str, list[str]] = {}
    for code, klass in classes.items():
        codes.setdefault(klass, []).append(code)
    return Case(
        *(When(item_code__in=each, then=Value(klass)) for klass, each in codes.items()),
        output_field=CharField(),
    )


def _bpmp_sums(rows) -> dict[int, dict[str, tuple[int, int, Decimal | None]]]:
    sums: dict[int, dict[str, tuple[int, int, Decimal | None]]] = {}
    for branch, klass, count, failures, total in rows:
        sums.setdefault(branch, {})[klass] = (count, failures, total)
    return sums


def _lens(means: dict[str, Decimal | None], headings: tuple[Heading, ...]) -> dict:
    """A row's scores under `headings`, None where the branch has none."""
    return {h.code: means.get(h.code) for h in headings} if headings else {}


def _columns(rows) -> Columns:
    """Per branch, kind and key, the mean score, out of (branch, kind, key, count, tenths) rows."""
    columns: Columns = {}
    for branch, kind, key, count, total in rows:
        own = columns.get(branch)
        if own is None:  # not setdefault: one dict per branch, not per row
            own = columns[branch] = {kind: {} for kind in _KINDS}
        own[kind][key] = tenths_mean(total, count)
    return columns


def _score_rows(
    user, *, checklists: list[Checklist], kinds: list[str], period: Period, region
) -> list[tuple]:
    """(branch, kind, key, count, tenths) of the `kinds` of score roll-ups of `checklists`.

    One query (rollup_sums), none without checklists or kinds.
    """
    if not checklists or not kinds:
        return []
    rows = ScoreRollup.objects.filter(
        report_rollup_filter(
            user, checklist=checklists, start=period.start, end=period.end, region=region
        ),
        kind__in=kinds,
    )
    return rows_of(
        rollup_sums(
            rows,
            keys=("branch", "kind", "key"),
            counts=("count",),
            units={"total": 1},
            # A calendar month of one checklist holds each branch's key once.
            one_row=len(checklists) == 1 and one_row_per_key(period.start, period.end),
        )
    )


def _sums_from_rollups(
    user,
    *,
    checklist: Checklist,
    kinds: list[str],
    factor_checklists: list[Checklist],
    bpmp: bool,
    period: Period,
    before: Period,
    region,
    version: ChecklistVersion,
):
    """The sums out of the roll-ups (audits.models.VisitRollup, ScoreRollup): three queries.

    A range of days is the sum of its days; the roll-ups hold the same exact
    decimal sums the visits give, so every mean, interval and rank is the same.
    """
    current = Q(day__gte=period.start)
    earlier = Q(day__lte=before.end)
    in_period = report_rollup_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    # Each period's own whole months and edges: a month row may straddle the two.
    both_periods = report_rollup_filter(
        user,
        checklist=checklist,
        start=period.start,
        end=period.end,
        region=region,
        more=[(before.start, before.end)],
    )
    totals = _totals(
        VisitRollup.objects.filter(both_periods)
        .values("branch")
        .annotate(
            # Named apart from the columns they sum: Django refuses a name it has as a field.
            visit_count=Coalesce(Sum("visits", filter=current), 0),
            total=units_sum("score_total", filter=current),
            scored_count=Coalesce(Sum("scored", filter=current), 0),
            squares=units_sum("score_squares", places=2, filter=current),
            previous_total=units_sum("score_total", filter=earlier),
            previous_scored=Coalesce(Sum("scored", filter=earlier), 0),
            previous_squares=units_sum("score_squares", places=2, filter=earlier),
        )
        .values_list("branch", *_ROLLUP_TOTALS)
        .order_by()
    )
    columns = _columns(
        [
            *_score_rows(user, checklists=[checklist], kinds=kinds, period=period, region=region),
            *_score_rows(
                user,
                checklists=factor_checklists,
                kinds=[VisitScore.Kind.FACTOR],
                period=period,
                region=region,
            ),
        ]
    )
    versions = VisitRollup.objects.filter(in_period).values("checklist_version")
    items = items_of_versions(versions, fallback=version) if bpmp else []
    classes = bpmp_classes(items)
    sums_by_class = (
        _bpmp_sums(
            rows_of(
                ItemRollup.objects.filter(in_period, item_code__in=list(classes))
                .annotate(bpmp_class=_bpmp_class(classes))
                .values("branch", "bpmp_class")
                .annotate(
                    answer_count=Coalesce(Sum("answers"), 0),
                    failure_count=Coalesce(Sum("failures"), 0),
                    total=units_sum("score_total"),
                )
                .values_list("branch", "bpmp_class", "answer_count", "failure_count", "total")
                .order_by()
            )
        )
        if classes
        else {}
    )
    return _Sums(totals=totals, columns=columns, versions=versions, items=items, bpmp=sums_by_class)


def _sums_from_visits(
    user,
    *,
    checklist: Checklist,
    kinds: list[str],
    factor_checklists: list[Checklist],
    bpmp: bool,
    period: Period,
    before: Period,
    region,
    version: ChecklistVersion,
):
    """The same sums straight from the visits: the baseline the roll-ups are checked against."""
    current = Q(visited_on__gte=period.start)
    earlier = Q(visited_on__lte=before.end)
    both_periods = report_visit_filter(
        user, checklist=checklist, start=before.start, end=period.end, region=region
    )
    totals = _totals(
        Visit.objects.filter(both_periods)
        .values("branch")
        .annotate(
            # visited_on rather than id: it is in the report index, so PostgreSQL
            # can count without reading the table.
            visits=Count("visited_on", filter=current),
            total=units_sum("score", filter=current),
            scored=Count("score", filter=current),
            # For the intervals: a stored score has one decimal, its square two.
            squares=units_sum(F("score") * F("score"), places=2, filter=current),
            previous_total=units_sum("score", filter=earlier),
            previous_scored=Count("score", filter=earlier),
            previous_squares=units_sum(F("score") * F("score"), places=2, filter=earlier),
        )
        .values_list("branch", *_Totals._fields)
        .order_by()
    )

    def scores(each: Checklist) -> Q:
        return report_visit_filter(
            user, checklist=each, start=period.start, end=period.end, region=region, via="visit__"
        )

    columns = (
        _columns(
            VisitScore.objects.filter(
                (scores(checklist) & Q(kind__in=kinds))
                | (
                    Q(kind=VisitScore.Kind.FACTOR)
                    & _any_of([scores(each) for each in factor_checklists])
                )
            )
            .values("visit__branch", "kind", "key")
            .annotate(count=Count("score"), total=units_sum("score"))
            .values_list("visit__branch", "kind", "key", "count", "total")
            .order_by()
        )
        if kinds or factor_checklists
        else {}
    )
    in_period = report_visit_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    versions = versions_used(in_period)
    items = items_used(visits=in_period, fallback=version) if bpmp else []
    classes = bpmp_classes(items)
    sums_by_class = (
        _bpmp_sums(
            Answer.objects.filter(scores(checklist), score__isnull=False)
            .filter(item_code__in=list(classes))
            .annotate(bpmp_class=_bpmp_class(classes))
            .values("visit__branch", "bpmp_class")
            .annotate(
                count=Count("score"),
                failures=Count("score", filter=Q(failed=True)),
                total=units_sum("score"),
            )
            .values_list("visit__branch", "bpmp_class", "count", "failures", "total")
            .order_by()
        )
        if classes
        else {}
    )
    return _Sums(totals=totals, columns=columns, versions=versions, items=items, bpmp=sums_by_class)


def section_headings(*, versions: QuerySet, fallback: ChecklistVersion) -> tuple[Heading, ...]:
    """The section columns of a period: the sections of the `versions` its visits used.

    Taken from the visits rather than from the latest published version, so
    publishing a version with a new section never adds an empty column to a
    period scored against older versions, and a section a newer version dropped
    keeps its column while the period still has its scores.

    The union of those versions' sections, by code: in the newest version's
    order, each section only older versions have placed after the section it
    followed there; titles from the newest version that has the section. With
    no visits in the period, the `fallback` version's sections. One query
    (`versions` is a subquery of version ids).
    """
    rows = [
        (number, code, Heading(code, title_zh, title_en))
        for number, code, title_zh, title_en in Section.objects.filter(version__in=versions)
        .order_by("-version__number", "position", "id")
        .values_list("version__number", "code", "title_zh", "title_en")
    ]
    if not rows:
        return tuple(
            Heading(s.code, s.title_zh, s.title_en)
            for s in fallback.sections.order_by("position", "id")
        )
    return tuple(union_by_code(rows))


def branch_comparison(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None = None,
    lenses: Collection[str] | None = None,
) -> Comparison:
    """Every active branch in the caller's scope, with its score for `period` and its rank.

    - visits: approved visits of `checklist` in the period;
    - score: mean of those visits' stored scores, rounded half-up to one decimal;
      band: that rounded score against the latest published version's expectation;
    - previous_score and change (score − previous score) against previous(period);
    - interval, previous_interval: the 90 % confidence intervals of the two
      scores, from the visits' scores (reports.stats); change_significant when
      the two periods' intervals do not overlap, both from enough visits;
    - small_sample: scored from fewer than settings.SMALL_SAMPLE_VISITS visits;
    - rank: standard competition ranking over branches with a score that are not
      small samples; small samples follow, unranked, best score first; branches
      without a score come last;
    - sections / dimensions / areas: means of the visits' stored section, RATER
      and service-standard-area scores, keyed by section code (the sections of
      the versions the period's visits used, see section_headings), by RATER
      dimension and by area (all three, null where nothing was scored);
    - factors: means of the stored key-factor scores of the approved visits of
      every checklist that tags key factors (factor_checklists), not only of
      `checklist`, keyed by factor number; the columns are the factors any
      branch in the table has a score for;
    - bpmp: per BPMP class of the scored items the period's visits were asked
      (items_used; untagged items are in no class), the mean score of the
      approved visits' scored answers to the class's items, as in the drivers
      report; for the reward (motivation) class that is the share of delighters
      shown, which never counts a failure; bpmp_failures: how many of those
      answers failed, for the BPMP_FAILURE_CLASSES only;
    - averages: the branches' mean column scores, over every row and per
      region (comparison_averages).

    `lenses` (VIEWS keys) names the heatmap lenses to work out; the others come
    back empty (no headings, empty column dicts, no factor checklists), and their
    sums are not read: a page shows one lens, and league tables (the regional
    home, action plans) none. None: all five, as the API's JSON carries them.

    Sorted as ranked above, then by branch code. Read from the roll-ups
    (audits.models.VisitRollup, ScoreRollup, ItemRollup), which hold the exact
    sums of the approved visits' scores and squares, so the numbers equal those
    computed from the visits (comparison_from_visits). The same nine queries
    whatever the number of branches (ten for a period without visits, one fewer
    for a checklist without BPMP tags): the version, the checklists that tag key
    factors, the sections and the items of the versions the period's visits
    used (and the version's own when there are none), the branches, the sums of
    both periods in one pass (conditional aggregates over the range from the
    previous period's start, which the report index answers on its own), the
    section/dimension/area/factor sums grouped by branch, and the item sums
    grouped by branch and BPMP class; with fewer lenses, only the queries they
    need (three for none: the version, the branches and the visit sums).
    """
    return _comparison(
        user=user,
        checklist=checklist,
        period=period,
        region=region,
        lenses=lenses,
        sums=_sums_from_rollups,
    )


def comparison_from_visits(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None = None,
    lenses: Collection[str] | None = None,
) -> Comparison:
    """branch_comparison computed from the visits instead of the roll-ups.

    Not for pages: the baseline that tests (tests/test_rollups_property.py) and
    bench/ hold the roll-ups against. Equal to branch_comparison whenever the
    roll-ups match the visits (manage.py rebuild_rollups --check).
    """
    return _comparison(
        user=user,
        checklist=checklist,
        period=period,
        region=region,
        lenses=lenses,
        sums=_sums_from_visits,
    )


@cycle_collection_paused()
def _comparison(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None,
    lenses: Collection[str] | None,
    sums: Callable[..., _Sums],
) -> Comparison:
    wanted = set(VIEWS if lenses is None else lenses)
    if unknown := wanted - set(VIEWS):
        raise ValueError(f"unknown comparison lenses {sorted(unknown)}; known: {list(VIEWS)}")
    version = published_version(checklist)
    before = previous(period)
    minimum = settings.SMALL_SAMPLE_VISITS
    # Plain tuples: 10,000 model instances would cost more than the sums' queries.
    branches = [
        _Branch(*row)
        for row in rows_of(
            report_branches(user, region).values_list(
                "pk", "code", "name_zh", "name_en", "region__code"
            )
        )
    ]
    factor_checklists = key_factor_checklists() if "factors" in wanted else []
    found = sums(
        user,
        checklist=checklist,
        kinds=[kind for lens, kind in _LENS_KINDS.items() if lens in wanted],
        factor_checklists=factor_checklists,
        bpmp="bpmp" in wanted,
        period=period,
        before=before,
        region=region,
        version=version,
    )
    totals, columns = found.totals, found.columns
    sections = (
        section_headings(versions=found.versions, fallback=version) if "sections" in wanted else ()
    )
    dimensions = (
        tuple(Heading(code, *DIMENSION_TITLES[code]) for code in RATER_DIMENSIONS)
        if "rater" in wanted
        else ()
    )
    titles = area_titles()
    areas = tuple(Heading(code, *titles[code]) for code in AREAS) if "areas" in wanted else ()
    factors = factor_headings(
        key
        for branch in branches
        for key in columns.get(branch.pk, {}).get(VisitScore.Kind.FACTOR, {})
    )
    present = set(bpmp_classes(found.items).values())
    class_titles = bpmp_titles()
    classes = tuple(Heading(c, *class_titles[c]) for c in BPMP_CLASSES if c in present)

    sums = [totals.get(branch.pk, _NO_TOTALS) for branch in branches]
    scores = [tenths_mean(sum_.total, sum_.scored) for sum_ in sums]
    readings = [
        reading_of_units(sum_.scored, sum_.total, sum_.squares, minimum=minimum) for sum_ in sums
    ]
    ranks = competition_ranks(
        [None if now.small_sample else score for score, now in zip(scores, readings, strict=True)]
    )

    rows = []
    for branch, rank, score, now, sum_ in zip(branches, ranks, scores, readings, sums, strict=True):
        previous_score = tenths_mean(sum_.previous_total, sum_.previous_scored)
        then = reading_of_units(
            sum_.previous_scored, sum_.previous_total, sum_.previous_squares, minimum=minimum
        )
        own = columns.get(branch.pk, _NO_COLUMNS)
        by_class = found.bpmp.get(branch.pk, {})
        rows.append(
            ComparisonRow(
                rank=rank,
                branch_id=branch.pk,
                branch_code=branch.code,
                name_zh=branch.name_zh,
                name_en=branch.name_en,
                region=branch.region_code,
                visits=sum_.visits,
                score=score,
                band=band(score, expected=version.expected_score, tolerance=version.tolerance),
                previous_score=previous_score,
                # The difference of the two numbers shown, so the table adds up.
                change=None if score is None or previous_score is None else score - previous_score,
                small_sample=now.small_sample,
                interval=now.interval,
                previous_interval=then.interval,
                change_significant=significant_change(now, then),
                # A lens not asked for is an empty dict, without a comprehension's call per row.
                sections=_lens(own["section"], sections),
                dimensions=_lens(own["dimension"], dimensions),
                areas=_lens(own["area"], areas),
                factors=_lens(own["factor"], factors),
                bpmp={
                    c.code: tenths_mean(by_class[c.code][2], by_class[c.code][0])
                    if c.code in by_class
                    else None
                    for c in classes
                }
                if classes
                else {},
                bpmp_failures={
                    c.code: by_class[c.code][1] if c.code in by_class else None
                    for c in classes
                    if c.code in BPMP_FAILURE_CLASSES
                }
                if classes
                else {},
            )
        )
    # Ranked branches by rank, then small samples by score, then branches without one.
    rows.sort(
        key=lambda r: (
            0 if r.rank is not None else 1 if r.score is not None else 2,
            r.rank or 0,
            -(r.score or 0),
            r.branch_code,
        )
    )

    return Comparison(
        period=period,
        previous=before,
        checklist=checklist.code,
        version=version.number,
        title_zh=checklist.title_zh,
        title_en=checklist.title_en,
        expected=version.expected_score,
        tolerance=version.tolerance,
        region=region.code if region else None,
        small_sample_visits=minimum,
        sections=sections,
        dimensions=dimensions,
        areas=areas,
        factors=factors,
        factor_checklists=tuple(each.code for each in factor_checklists),
        bpmp=classes,
        rows=tuple(rows),
        averages=comparison_averages(rows),
    )


def comparison_key(
    *,
    checklist: Checklist,
    period: Period,
    reader: str = COMPANY,
    version: ChecklistVersion | None = None,
) -> MemoKey:
    """The name and stamp under which `reader`'s comparison (memo.reader_key) of
    `checklist` in `period` is kept.

    The stamp is of what the table reads (the report change stamps of this and
    the previous period's months, of the checklist and of every checklist that
    tags key factors, and the active branches: reports.selectors.company_stamp);
    the name carries the published version, whose expectation bands the scores,
    and the small-sample threshold: an approved, withdrawn or re-scored visit, a
    branch edited or a new version makes a new key. Three small queries, none of
    which reads a roll-up. `version`: the published version, when the caller has it.
    """
    stamp = company_stamp(
        checklist_ids=compared_checklist_ids(checklist),
        start=previous(period).start,
        end=period.end,
    )
    version_id = (version or published_version(checklist)).pk
    return MemoKey(
        name=(
            f"comparison:{reader}:{version_id}:{period.start}:{period.end}:"
            f"{settings.SMALL_SAMPLE_VISITS}"
        ),
        stamp=stamp,
    )


def kept_comparison(
    memo: MemoKey, *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Comparison:
    """All five lenses of `user`'s comparison (narrowed to `region`), kept in the cache
    under `memo` (comparison_key of the user's reader_key).

    Head office opens the company's every morning and a month-end batch reads it
    for every scorecard: at 10,000 branches the roll-ups give it in about a
    second, the cache in about a tenth of that.
    """
    return memoised(
        memo,
        lambda: branch_comparison(user=user, checklist=checklist, period=period, region=region),
    )


def reader_comparison(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None = None,
    lenses: Collection[str] | None = None,
) -> Comparison:
    """branch_comparison as a report page or the API reads it for `user`: the same table.

    All five lenses of the reader's scope (narrowed to `region`) are kept in the
    cache (kept_comparison), and narrowed to `lenses` (lenses_only) on the way
    out: a page shows one lens at a time, and the reader's other lenses are then
    kept already.
    """
    reader = reader_key(user, region)
    if reader is None:
        return branch_comparison(
            user=user, checklist=checklist, period=period, region=region, lenses=lenses
        )
    memo = comparison_key(checklist=checklist, period=period, reader=reader)
    full = kept_comparison(memo, user=user, checklist=checklist, period=period, region=region)
    return lenses_only(full, lenses)


def lenses_only(comparison: Comparison, lenses: Collection[str] | None) -> Comparison:
    """`comparison` with only `lenses` (VIEWS keys; None: all five), the others empty.

    Equal to what branch_comparison gives when asked for those lenses alone.
    """
    if lenses is None or set(VIEWS) <= set(lenses):
        return comparison
    dropped = [VIEWS[lens] for lens in VIEWS if lens not in lenses]
    scores: dict[str, dict] = {name: {} for name in dropped}
    headings: dict[str, tuple] = {name: () for name in dropped}
    if "factors" in dropped:
        headings["factor_checklists"] = ()
    row_scores = {**scores, **({"bpmp_failures": {}} if "bpmp" in dropped else {})}
    return replace(
        comparison,
        **headings,
        rows=tuple(_changed(row, row_scores) for row in comparison.rows),
        averages=tuple(_changed(average, scores) for average in comparison.averages),
    )


def _changed(record, changes: dict):
    """dataclasses.replace(record, **changes) for a frozen dataclass of plain attributes.

    replace runs the generated __init__, one object.__setattr__ per field: on a
    company's 10,000 rows that took as long as reading them from the cache.
    """
    copy = object.__new__(type(record))
    copy.__dict__.update(record.__dict__, **changes)
    return copy


def key_factor_checklists() -> list[Checklist]:
    """Every checklist with a version that tags an item with a key factor, by code. One query."""
    return list(
        Checklist.objects.filter(versions__items__factor__isnull=False)
        .distinct()
        .order_by("code")
        .only("id", "code")
    )


def compared_checklist_ids(checklist: Checklist) -> set[int]:
    """The checklists a comparison of `checklist` reads: itself, and every checklist that
    tags key factors (its factor columns). What its memo and cache keys must stamp."""
    return {checklist.pk, *(each.pk for each in key_factor_checklists())}


def factor_headings(keys) -> tuple[Heading, ...]:
    """The factor columns: the factor numbers among `keys` (roll-up keys, "12"), in order,
    named from the checklist library ("F12 兴趣")."""
    titles = key_factor_titles()
    numbers = sorted({int(key) for key in keys})
    return tuple(Heading(str(n), *titles.get(n, (f"F{n:02}", f"F{n:02}"))) for n in numbers)


def _mean_present(present: list[Decimal]) -> Decimal | None:
    """The exact mean of the scores present, rounded half-up to one decimal; None without one."""
    return mean_score(sum(present, Decimal(0)), len(present))


def _average(region: str | None, rows: Sequence[ComparisonRow]) -> ComparisonAverage:
    columns: dict[str, dict[str, Decimal | None]] = {}
    # VIEWS names each lens's attribute, on ComparisonRow and ComparisonAverage alike.
    for lens in VIEWS.values():
        # One attribute read per row and lens, then one pass per column over plain
        # dicts: at 10,000 rows a read per row and column cost as much as the rows did.
        scores = [getattr(row, lens) for row in rows]
        columns[lens] = {
            code: _mean_present([score for each in scores if (score := each[code]) is not None])
            for code in scores[0]
        }
    return ComparisonAverage(region=region, **columns)


def comparison_averages(rows: Sequence[ComparisonRow]) -> tuple[ComparisonAverage, ...]:
    """The average of every row (the company's, or a regional manager's regions'), then of
    each region's rows, by region code. Only rows the caller may see go in, so an average
    never tells a regional manager anything about another region. None without rows."""
    if not rows:
        return ()
    by_region: dict[str, list[ComparisonRow]] = {}
    for row in rows:
        by_region.setdefault(row.region, []).append(row)
    return (
        _average(None, rows),
        *(_average(code, by_region[code]) for code in sorted(by_region)),
    )
