"""Reads behind head office's reports, shared by the comparison and the drivers analysis.

Reports read the numbers stored when a visit was scored (Visit.score, VisitScore,
Answer.score/failed/gain) and never re-score answers, so a report always agrees
with the visit pages and with the scorecards.

The reader (`user`) of every report is scoped by accounts.scope: a user, or a
Scope itself (Scope.company() for the system's company-wide numbers).
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    DecimalField,
    Expression,
    F,
    Func,
    Max,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Cast, Coalesce, Round

from accounts.scope import scope_of
from audits.models import Branch, Region, Visit
from audits.selectors.report_stamps import report_stamps
from audits.selectors.rollups import rollup_days
from audits.selectors.scope import branches_visible_to
from checklists.models import Checklist, ChecklistVersion, Item
from checklists.scoring import round_ratio
from reports.stats import TENTHS

T = TypeVar("T")


@dataclass(frozen=True)
class Heading:
    """A column of a report: a section or a RATER dimension, named in both languages."""

    code: str
    title_zh: str
    title_en: str


# The wording scorecards use, so the reports name dimensions the same way.
DIMENSION_TITLES: dict[str, tuple[str, str]] = {
    "reliability": ("信赖度", "Reliability"),
    "assurance": ("专业度", "Assurance"),
    "tangibles": ("有形度", "Tangibles"),
    "empathy": ("同理度", "Empathy"),
    "responsiveness": ("反应度", "Responsiveness"),
}


def rows_of(queryset: QuerySet) -> list[tuple]:
    """The tuples of a values_list() queryset, on PostgreSQL straight from the driver.

    psycopg already gives ints for counts and exact Decimals for numeric sums;
    Django's per-value converters, which would build each again, cost a third of
    a company-wide report reading a quarter of a million roll-up rows. SQLite
    sums need them (its decimals come back as floats), as does a queryset whose
    columns Django would reorder, so those go through Django.
    """
    query = queryset.query
    # The SQL's columns in order: Django 5.2 keeps a values_list()'s own (query.selected).
    selected = (
        list(query.selected)
        if query.selected
        else [*query.extra_select, *query.values_select, *query.annotation_select]
    )
    if connection.vendor != "postgresql" or selected != list(queryset._fields or ()):
        return list(queryset)
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def score_sum(field: str, *, places: int = 1, **extra) -> Sum:
    """Sum of a score column, exact at any size.

    Means are taken as Sum / Count and divided in Python rather than with Avg:
    PostgreSQL's avg() truncates repeating decimals and SQLite's is a float, and
    either can tip a mean of exactly x.x5 the wrong way when it is rounded half-up.
    The wide output field is needed because the source field (4 digits) cannot
    hold a sum, and Django would refuse to quantize one into it on SQLite.
    """
    return Sum(field, output_field=DecimalField(max_digits=20, decimal_places=places), **extra)


@contextmanager
def cycle_collection_paused() -> Iterator[None]:
    """Hold Python's cycle collector while a report builds its rows.

    A company-wide table allocates a few hundred thousand objects (rows, their
    dicts, Decimals), none in a reference cycle, and every few thousand
    allocations the collector would walk them and every object the process
    holds: about a quarter of a 10,000-branch comparison's time. Reference
    counting still frees everything; cycles made meanwhile are collected after.
    Process-wide, so it is only re-enabled by the call that disabled it.
    """
    disabled_here = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if disabled_here:
            gc.enable()


def units_sum(value: str | Expression, *, places: int = 1, summed: bool = True, **extra) -> Cast:
    """The sum of a decimal column (or expression) in units of its last place, as an integer.

    Tenths of a score (`places` 1), hundredths of a square or a gain (2); the
    value itself when not `summed`. Exact on both databases (a SQLite float a
    hair off its decimal is rounded back first), and far cheaper than numeric
    sums: at 10,000 branches PostgreSQL's numeric aggregates spill to disk
    where integer ones fit in memory, and Python divides integers faster than
    Decimals (tenths_mean). Cast after summing too, as PostgreSQL sums
    bigints into a numeric.
    """
    expression = F(value) if isinstance(value, str) else value
    whole = Cast(Round(expression * 10**places), output_field=BigIntegerField())
    return Cast(Sum(whole, **extra), output_field=BigIntegerField()) if summed else whole


def rollup_sums(
    rows: QuerySet,
    *,
    keys: Sequence[str],
    counts: Sequence[str] = (),
    units: Mapping[str, int] | None = None,
    one_row: bool = False,
) -> QuerySet:
    """values_list(*keys, *counts, *units) of roll-up rows: per key, the sum of each count
    column and of each decimal column in units of its last place (units_sum; `units` maps
    a column to its places).

    Summed per key, unless `one_row`: rows that hold each key once (one_row_per_key, of one
    checklist) are read as they are, from the report index alone; grouping a company-wide
    month's 260,000 rows cost PostgreSQL several times more (it spilled to disk).
    """
    units = units or {}
    # Named apart from the columns they sum: Django refuses an annotation named as a field.
    unit_names = [f"{column}_units" for column in units]
    if one_row:
        return (
            rows.annotate(
                **{
                    f"{column}_units": units_sum(column, places=places, summed=False)
                    for column, places in units.items()
                }
            )
            .values_list(*keys, *counts, *unit_names)
            .order_by()
        )
    return (
        rows.values(*keys)
        .annotate(
            **{f"{column}_sum": Coalesce(Sum(column), 0) for column in counts},
            **{
                f"{column}_units": units_sum(column, places=places)
                for column, places in units.items()
            },
        )
        .values_list(*keys, *(f"{column}_sum" for column in counts), *unit_names)
        .order_by()
    )


def from_units(units: int | None, places: int = 1) -> Decimal | None:
    """The decimal a units_sum stands for: 8523 tenths → Decimal("852.3")."""
    return None if units is None else Decimal(units).scaleb(-places)


def tenths_mean(tenths: int | None, count: int) -> Decimal | None:
    """mean_score of `count` scores summing to `tenths` tenths: rounded half-up in integers.

    As exact as mean_score (the integer ratio is rounded as it is), at a
    fraction of its cost; a report of 10,000 branches takes 150,000 means.
    """
    if not count or tenths is None:
        return None
    if tenths < 0:
        return round_ratio(tenths, 10 * count)
    rounded = (2 * tenths + count) // (2 * count)
    return TENTHS[rounded] if rounded <= 1000 else Decimal(rounded).scaleb(-1)


# Scores and their sums carry one or two decimals, so 34 digits hold any quotient
# to far more places than a half-up decision at the first decimal needs (below).
_MEAN_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
_TENTH = Decimal("0.1")


def mean_score(total: Decimal | None, count: int) -> Decimal | None:
    """The mean of `count` scores summing to `total`, rounded half-up to one decimal.

    Exact, in the decimal module's C arithmetic (reports round hundreds of
    thousands of means): when the exact mean is a tie (x.x5) it has two
    decimals and the division is exact; otherwise, for a total with d ≤ 6
    decimals, it lies at least 1 / (20 · count · 10^d) from any tie, far more
    than the 34-digit quotient can be off, so rounding that quotient decides
    the same way as rounding the exact ratio (tests/test_mean_score.py).
    """
    if not count or total is None:
        return None
    return _MEAN_CONTEXT.divide(total, count).quantize(_TENTH, context=_MEAN_CONTEXT)


def company_stamp(*, checklist_ids: Collection[int], start: dt.date, end: dt.date) -> str:
    """A digest of what a company-wide report of the checklists from `start` to `end` reads.

    The report change stamps of the checklists' months (audits.models.ReportStamp,
    bumped in the transaction of every change to what an approved visit shows)
    and the active branches (count, sums of ids and region ids, the latest edit,
    since branches are edited in the admin, outside the services that bump
    stamps): approving, withdrawing or re-scoring a visit, or moving, renaming or
    closing a branch, gives a new stamp. Two small queries, neither of which
    reads a visit; for cache keys of memoised company-wide numbers, which read
    approved visits only.
    """
    stamps = report_stamps(checklist_ids=checklist_ids, start=start, end=end)
    branches = Branch.objects.filter(active=True).aggregate(
        count=Count("pk"), ids=Sum("pk"), regions=Sum("region_id"), edited=Max("updated_at")
    )
    return hashlib.sha256(
        repr(
            (
                sorted(checklist_ids),
                start,
                end,
                stamps,
                branches["count"],
                int(branches["ids"] or 0),
                int(branches["regions"] or 0),
                branches["edited"],
            )
        ).encode()
    ).hexdigest()


def published_version(checklist: Checklist) -> ChecklistVersion:
    """The checklist's latest published version: its expectation, sections and items head the report.

    Raises ValidationError naming `checklist` when nothing has been published yet.
    """
    version = (
        checklist.versions.filter(status=ChecklistVersion.Status.PUBLISHED)
        .order_by("-number")
        .first()
    )
    if version is None:
        raise ValidationError({"checklist": f"{checklist.code!r} has no published version yet."})
    return version


def versions_used(visits: Q) -> QuerySet:
    """The checklist versions `visits` (a filter on Visit) were scored against, as a subquery."""
    return Visit.objects.filter(visits).values("checklist_version")


def union_by_code(rows: Iterable[tuple[int, str, T]]) -> list[T]:
    """One entry per code out of several versions' (number, code, entry) rows.

    `rows` come newest version first, each version's in its own order. The
    newest version's order is kept; an entry only older versions have is placed
    after the entry it followed there; each code keeps the newest version's
    entry (its wording).
    """
    by_version: dict[int, list[tuple[str, T]]] = {}
    for number, code, entry in rows:
        by_version.setdefault(number, []).append((code, entry))
    codes: list[str] = []
    entries: list[T] = []
    for number in sorted(by_version, reverse=True):
        after = -1  # index in `codes` of the last entry of this version already placed
        for code, entry in by_version[number]:
            if code in codes:
                after = codes.index(code)
                continue
            after += 1
            codes.insert(after, code)
            entries.insert(after, entry)
    return entries


def items_used(*, visits: Q, fallback: ChecklistVersion) -> list[Item]:
    """Every item (any answer type) of the versions `visits` used, one per code, in checklist order.

    What a past period's item table and drivers list: the items its visits were
    actually asked, so publishing a version with a new item never adds a row to
    a period scored against older versions, and an item a newer version dropped
    keeps its row. Ordered and worded as union_by_code says; with no visits,
    the `fallback` version's items. One query; each item's section is loaded.
    """
    return items_of_versions(versions_used(visits), fallback=fallback)


def items_of_versions(versions, *, fallback: ChecklistVersion) -> list[Item]:
    """items_used for versions given directly (ids or a subquery, e.g. out of the roll-ups)."""
    rows = [
        (item.version_number, item.code, item)
        for item in Item.objects.filter(version__in=versions)
        .select_related("section")
        .annotate(version_number=F("version__number"))
        .order_by("-version__number", "section__position", "position", "id")
    ]
    if not rows:
        return list(
            Item.objects.filter(version=fallback)
            .select_related("section")
            .order_by("section__position", "position", "id")
        )
    return union_by_code(rows)


def report_region(user, code: str | None) -> Region | None:
    """The region a report is narrowed to, checked against what the caller may see.

    Raises ValidationError for an unknown region and PermissionDenied for one
    outside a regional manager's regions: asking for it explicitly is a mistake
    worth a 403 rather than a silently empty table.
    """
    if not code:
        return None
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ValidationError({"region": f"Unknown region {code!r}."})
    if not scope_of(user).includes_region(region.pk):
        raise PermissionDenied(f"Region {code!r} is outside your regions.")
    return region


def report_branch(user, code: str | None, *, region: Region | None = None) -> Branch | None:
    """The branch a report is narrowed to, checked as report_region checks a region.

    Raises ValidationError naming `branch` for an unknown or inactive branch, or one
    outside `region` when both are given, and PermissionDenied for one outside a
    regional manager's regions.
    """
    if not code:
        return None
    branch = Branch.objects.filter(code=code, active=True).select_related("region").first()
    if branch is None:
        raise ValidationError({"branch": f"Unknown branch {code!r}."})
    if not branches_visible_to(user).filter(pk=branch.pk).exists():
        raise PermissionDenied(f"Branch {code!r} is outside your regions.")
    if region is not None and branch.region_id != region.pk:
        raise ValidationError({"branch": f"Branch {code!r} is not in region {region.code!r}."})
    return branch


def report_branches(user, region: Region | None) -> QuerySet[Branch]:
    """Active branches in the caller's scope, narrowed to `region` when given."""
    branches = branches_visible_to(user).filter(active=True)
    if region is not None:
        branches = branches.filter(region=region)
    # Only what a report row shows: at 10,000 branches the addresses add up.
    return branches.only("id", "code", "name_zh", "name_en", "region__code").order_by("code")


def report_rollup_filter(
    user,
    *,
    checklist: Checklist | Sequence[Checklist],
    start: dt.date,
    end: dt.date,
    region: Region | None,
    more: Sequence[tuple[dt.date, dt.date]] = (),
) -> Q:
    """report_visit_filter for the roll-ups (audits.models.VisitRollup, ScoreRollup).

    The same days, checklist and scope; a roll-up holds approved visits only.
    Whole months are read from month rows, the days at the edges from day rows
    (audits.selectors.rollups.rollup_days). Shaped for their report indexes
    (checklist, grain, day); as with the visits, rows of inactive branches are
    left for the caller to drop. Several (start, end) ranges may be given in
    `more`, for a report that reads two periods at once; several checklists may be given.
    """
    days = rollup_days(start, end)
    for other_start, other_end in more:
        days |= rollup_days(other_start, other_end)
    # Several checklists in one condition (the factor columns' ten), so the report index
    # is read once for all of them.
    condition = (
        Q(checklist=checklist) if isinstance(checklist, Checklist) else Q(checklist__in=checklist)
    ) & days
    if region is not None:
        return condition & Q(
            BranchAmong(Branch.objects.filter(region=region).order_by().values("pk"))
        )
    scope = scope_of(user)
    if scope.company_wide:
        return condition
    return condition & Q(BranchAmong(branches_visible_to(scope).order_by().values("pk")))


class BranchAmong(Func):
    """A roll-up row's branch is one of `branches` (a queryset of branch ids).

    On PostgreSQL spelt ``branch_id = ANY(ARRAY(subquery))``, not ``IN (subquery)``:
    the planner turns IN into a join that reads the whole company's rows of the
    period from the report index and drops all but a region's (its estimate of a
    month's rows is several times short, as day rows dominate the statistics);
    over an array it probes the roll-ups' unique index, which leads with the
    branch, once per branch. One region's item sums at 10,000 branches: 100 →
    21 ms (bench/README.md). Elsewhere a plain IN.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, branches: QuerySet) -> None:
        super().__init__(F("branch"), Subquery(branches))

    def as_sql(self, compiler, connection, **extra):
        branch, branch_params = compiler.compile(self.source_expressions[0])
        among, among_params = compiler.compile(self.source_expressions[1])
        return f"{branch} IN {among}", (*branch_params, *among_params)

    def as_postgresql(self, compiler, connection, **extra):
        branch, branch_params = compiler.compile(self.source_expressions[0])
        among, among_params = compiler.compile(self.source_expressions[1])
        return f"{branch} = ANY(ARRAY{among})", (*branch_params, *among_params)


def report_visit_filter(
    user,
    *,
    checklist: Checklist,
    start: dt.date,
    end: dt.date,
    region: Region | None,
    via: str = "",
) -> Q:
    """Approved visits of `checklist` from `start` to `end` (inclusive), in the caller's scope.

    `via` is the path to the visit from the model being filtered ("visit__" for
    VisitScore and Answer), so every report selects visits the same way.
    Shaped for the `visit_report_period` index (checklist, status, visited_on).
    Head office without a region filter gets no branch join at all; whether a
    branch is still active is left to the caller, which drops rows of branches
    not in report_branches(): 10,000 branch ids in an IN list would cost more.
    """
    condition = Q(
        **{
            f"{via}checklist": checklist,
            f"{via}status": Visit.Status.APPROVED,
            f"{via}visited_on__range": (start, end),
        }
    )
    if region is not None:
        return condition & Q(**{f"{via}branch__region": region})
    scope = scope_of(user)
    if scope.company_wide:
        return condition
    return condition & Q(**{f"{via}branch__in": branches_visible_to(scope).values("pk")})
