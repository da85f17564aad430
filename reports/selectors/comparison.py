"""Head office's branch comparison: a league table and a branch × section heatmap."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from audits.models import Region, ScoreRollup, Visit, VisitRollup, VisitScore
from checklists.models import Checklist, ChecklistVersion, Section
from checklists.scoring import RATER_DIMENSIONS, band
from reports.periods import Period, previous
from reports.selectors import (
    DIMENSION_TITLES,
    Heading,
    mean_score,
    published_version,
    report_branches,
    report_rollup_filter,
    report_visit_filter,
    score_sum,
    union_by_code,
    versions_used,
)
from reports.stats import Interval, Sample, reading, significant_change


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
    rows: tuple[ComparisonRow, ...]


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


Columns = dict[int, dict[str, dict[str, Decimal | None]]]
_COLUMN_KINDS = [VisitScore.Kind.SECTION, VisitScore.Kind.DIMENSION]


@dataclass(frozen=True)
class _Sums:
    """What the comparison sums, per branch, wherever it reads it from.

    totals: visits, total, scored, squares of the period and previous_total,
    previous_scored, previous_squares of the one before; columns: the mean
    section and RATER dimension scores of the period; versions: a subquery of
    the versions the period's visits were scored against.
    """

    totals: dict[int, dict]
    columns: Columns
    versions: QuerySet


def _columns(rows, *, branch: str) -> Columns:
    columns: Columns = {}
    for row in rows:
        own = columns.setdefault(row[branch], {"section": {}, "dimension": {}})
        own[row["kind"]][row["key"]] = mean_score(row["total"], row["count"])
    return columns


def _sums_from_rollups(user, *, checklist: Checklist, period: Period, before: Period, region):
    """The sums out of the daily roll-ups (audits.models.VisitRollup, ScoreRollup): three queries.

    A range of days is the sum of its days; the roll-ups hold the same exact
    decimal sums the visits give, so every mean, interval and rank is the same.
    """
    current = Q(day__gte=period.start)
    earlier = Q(day__lte=before.end)
    in_period = report_rollup_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region
    )
    both_periods = report_rollup_filter(
        user, checklist=checklist, start=before.start, end=period.end, region=region
    )
    totals = {
        row["branch"]: {**row, "visits": row["visit_count"], "scored": row["scored_count"]}
        for row in VisitRollup.objects.filter(both_periods)
        .values("branch")
        .annotate(
            # Named apart from the columns they sum: Django refuses a name it has as a field.
            visit_count=Coalesce(Sum("visits", filter=current), 0),
            total=score_sum("score_total", filter=current),
            scored_count=Coalesce(Sum("scored", filter=current), 0),
            squares=score_sum("score_squares", places=2, filter=current),
            previous_total=score_sum("score_total", filter=earlier),
            previous_scored=Coalesce(Sum("scored", filter=earlier), 0),
            previous_squares=score_sum("score_squares", places=2, filter=earlier),
        )
        .order_by()
    }
    columns = _columns(
        (
            {**row, "total": row["score_total"], "count": row["score_count"]}
            for row in ScoreRollup.objects.filter(in_period, kind__in=_COLUMN_KINDS)
            .values("branch", "kind", "key")
            .annotate(score_total=score_sum("total"), score_count=Coalesce(Sum("count"), 0))
            .order_by()
        ),
        branch="branch",
    )
    versions = VisitRollup.objects.filter(in_period).values("checklist_version")
    return _Sums(totals=totals, columns=columns, versions=versions)


def _sums_from_visits(user, *, checklist: Checklist, period: Period, before: Period, region):
    """The same sums straight from the visits: the baseline the roll-ups are checked against."""
    current = Q(visited_on__gte=period.start)
    earlier = Q(visited_on__lte=before.end)
    both_periods = report_visit_filter(
        user, checklist=checklist, start=before.start, end=period.end, region=region
    )
    totals = {
        row["branch"]: row
        for row in Visit.objects.filter(both_periods)
        .values("branch")
        .annotate(
            # visited_on rather than id: it is in the report index, so PostgreSQL
            # can count without reading the table.
            visits=Count("visited_on", filter=current),
            total=score_sum("score", filter=current),
            scored=Count("score", filter=current),
            # For the intervals: a stored score has one decimal, its square two.
            squares=score_sum(F("score") * F("score"), places=2, filter=current),
            previous_total=score_sum("score", filter=earlier),
            previous_scored=Count("score", filter=earlier),
            previous_squares=score_sum(F("score") * F("score"), places=2, filter=earlier),
        )
        .order_by()
    }
    scores = report_visit_filter(
        user, checklist=checklist, start=period.start, end=period.end, region=region, via="visit__"
    )
    columns = _columns(
        VisitScore.objects.filter(scores, kind__in=_COLUMN_KINDS)
        .values("visit__branch", "kind", "key")
        .annotate(total=score_sum("score"), count=Count("score"))
        .order_by(),
        branch="visit__branch",
    )
    versions = versions_used(
        report_visit_filter(
            user, checklist=checklist, start=period.start, end=period.end, region=region
        )
    )
    return _Sums(totals=totals, columns=columns, versions=versions)


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
    *, user, checklist: Checklist, period: Period, region: Region | None = None
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
    - sections / dimensions: means of the visits' stored section and RATER scores,
      keyed by section code (the sections of the versions the period's visits
      used, see section_headings) and by RATER dimension.

    Sorted as ranked above, then by branch code. Read from the daily roll-ups
    (audits.models.VisitRollup, ScoreRollup), which hold the exact sums of the
    approved visits' scores and squares, so the numbers equal those computed
    from the visits (comparison_from_visits). The same six queries whatever the
    number of branches (seven for a period without visits): the version, the
    sections of the versions the period's visits used (and the version's own
    when there are none), the branches, the sums of both periods in one pass
    (conditional aggregates over the range from the previous period's start,
    which the report index answers on its own), and the section/dimension
    sums grouped by branch.
    """
    return _comparison(
        user=user, checklist=checklist, period=period, region=region, sums=_sums_from_rollups
    )


def comparison_from_visits(
    *, user, checklist: Checklist, period: Period, region: Region | None = None
) -> Comparison:
    """branch_comparison computed from the visits instead of the roll-ups.

    Not for pages: the baseline that tests (tests/test_rollups_property.py) and
    bench/ hold the roll-ups against. Equal to branch_comparison whenever the
    roll-ups match the visits (manage.py rebuild_rollups --check).
    """
    return _comparison(
        user=user, checklist=checklist, period=period, region=region, sums=_sums_from_visits
    )


def _comparison(
    *,
    user,
    checklist: Checklist,
    period: Period,
    region: Region | None,
    sums: Callable[..., _Sums],
) -> Comparison:
    version = published_version(checklist)
    before = previous(period)
    minimum = settings.SMALL_SAMPLE_VISITS
    branches = list(report_branches(user, region))
    found = sums(user, checklist=checklist, period=period, before=before, region=region)
    totals, columns = found.totals, found.columns
    sections = section_headings(versions=found.versions, fallback=version)
    dimensions = tuple(Heading(code, *DIMENSION_TITLES[code]) for code in RATER_DIMENSIONS)

    samples: list[Sample] = []
    previous_samples: list[Sample] = []
    for branch in branches:
        row = totals.get(branch.pk, {})
        samples.append(Sample(row.get("scored", 0), row.get("total"), row.get("squares")))
        previous_samples.append(
            Sample(
                row.get("previous_scored", 0),
                row.get("previous_total"),
                row.get("previous_squares"),
            )
        )
    scores = [mean_score(sample.total, sample.count) for sample in samples]
    readings = [reading(sample, minimum=minimum) for sample in samples]
    ranks = competition_ranks(
        [None if now.small_sample else score for score, now in zip(scores, readings, strict=True)]
    )

    rows = []
    for branch, rank, score, now, previous_sample in zip(
        branches, ranks, scores, readings, previous_samples, strict=True
    ):
        previous_score = mean_score(previous_sample.total, previous_sample.count)
        then = reading(previous_sample, minimum=minimum)
        own = columns.get(branch.pk, {"section": {}, "dimension": {}})
        rows.append(
            ComparisonRow(
                rank=rank,
                branch_id=branch.pk,
                branch_code=branch.code,
                name_zh=branch.name_zh,
                name_en=branch.name_en,
                region=branch.region.code,
                visits=totals.get(branch.pk, {}).get("visits", 0),
                score=score,
                band=band(score, expected=version.expected_score, tolerance=version.tolerance),
                previous_score=previous_score,
                # The difference of the two numbers shown, so the table adds up.
                change=None if score is None or previous_score is None else score - previous_score,
                small_sample=now.small_sample,
                interval=now.interval,
                previous_interval=then.interval,
                change_significant=significant_change(now, then),
                sections={s.code: own["section"].get(s.code) for s in sections},
                dimensions={d.code: own["dimension"].get(d.code) for d in dimensions},
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
        rows=tuple(rows),
    )
