"""Operational figures: what shoppers record beside the scores, summarised per branch.

A "number" item (seconds until greeted, minutes in the queue, days until a
written reply) is scored through its thresholds, and the reports show that
score; this report shows the number itself. For one checklist and one period,
over the approved visits of a branch (or of the branches in the caller's
scope, or one region), every number item of the checklist versions those
visits used gets:

- count: the answers with a number (N/A and unanswered left out);
- mean and median; the median of an even count is the mean of the middle two;
- p90, the 90th percentile by nearest rank: the smallest recorded value that
  at least 90 % of the values are at or below ("nine customers in ten were
  greeted within 25 seconds"), always a value somebody recorded;
- min and max;
- the distribution: how many values fall in each of the item's threshold bands,
  the bands that score it, placed exactly as scoring places them (the first
  band a value falls in, checklists.scoring.threshold_band), and how many fall
  in none (scored 0);
- the same for the branch's region and for the whole company, pooled over all
  their visits, for comparison.

Weight-0 items (a call's length) are listed too, marked as not scored: they
are figures only, never drivers.

A descriptive choice (options without scores: the complainant type the shopper
played) is the second kind of figure. Per option, over the same visits:

- visits: how many approved visits chose it (0 for an option nobody chose);
- mean_score: the mean overall score of those visits, None without one, so
  head office sees which complainant type a branch handles worst;
- the same for the region and for the company.

Options are those of the describing version (below), in its order; an answer
naming an option that version no longer has is left out of every count.

Every number a person reads is rounded half-up to one decimal; means and
medians are worked out exactly (fractions) first. Only aggregates over a
period leave this module: never a visit's own value, its date or its shopper.

Items are described (label, unit, bands) by the newest checklist version the
company's visits used in the period, so a branch, its region and the company
are always counted against the same bands. The company-wide numbers are the
same for every scorecard of the period, so they are memoised in the cache
under a stamp of what they read (reports.selectors.company_stamp).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.core.cache import cache
from django.db.models import Count, Q

from accounts.scope import Scope
from audits.models import Answer, Branch, Region, User, Visit
from checklists.languages import pick
from checklists.models import AnswerType, Checklist, ChecklistVersion, Item
from checklists.rules import item_rule
from checklists.scoring import Threshold, number_as_fraction, round_half_up, threshold_band
from reports.labels import labels_for
from reports.periods import Period
from reports.selectors import (
    company_stamp,
    items_of_versions,
    items_used,
    published_version,
    report_visit_filter,
    score_sum,
    versions_used,
)

COMPANY_CACHE_SECONDS = 3600


@dataclass(frozen=True)
class Band:
    """One threshold band of a number item, as it scores: the values it takes and their score."""

    label: str  # "≤ 10", "> 10, ≤ 30", "> 60"; language-neutral but for "any value"
    min: Decimal | None
    max: Decimal | None
    score: Decimal


@dataclass(frozen=True)
class FigureStats:
    """The numbers recorded for one item over a period's visits; all None without one.

    `bands` counts the values per band of the item, in the item's band order;
    `outside` those in no band.
    """

    count: int
    mean: Decimal | None = None
    median: Decimal | None = None
    p90: Decimal | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    bands: tuple[int, ...] = ()
    outside: int = 0


@dataclass(frozen=True)
class Figure:
    """One number item: the scope's figures, with the region's and the company's beside them."""

    code: str
    label: str
    unit: str  # "" when the checklist gives none
    scored: bool  # False for a weight-0 item: recorded, never moves a score
    bands: tuple[Band, ...]
    stats: FigureStats
    region: FigureStats | None  # None when the scope is not within one region
    company: FigureStats

    @property
    def distribution(self) -> tuple[tuple[Band, int], ...]:
        """The scope's count in each band, paired with the band, for templates."""
        return tuple(zip(self.bands, self.stats.bands, strict=True))


@dataclass(frozen=True)
class Option:
    """One option of a descriptive choice, worded in the language asked for."""

    value: str
    label: str


@dataclass(frozen=True)
class OptionStats:
    """The visits that chose one option, and the mean of their overall scores."""

    visits: int
    mean_score: Decimal | None = None  # None when none of them has a score


@dataclass(frozen=True)
class ChoiceStats:
    """What shoppers chose on one descriptive choice over a period's visits.

    `options` in the item's option order, an option nobody chose with 0 visits;
    `count` the visits that chose any of them.
    """

    count: int
    options: tuple[OptionStats, ...]


@dataclass(frozen=True)
class ChoiceRow:
    """One option beside its counts in the scope, the region and the company, for templates."""

    option: Option
    stats: OptionStats
    region: OptionStats | None
    company: OptionStats


@dataclass(frozen=True)
class ChoiceFigure:
    """One descriptive choice: the scope's choices, with the region's and the company's beside them."""

    code: str
    label: str
    options: tuple[Option, ...]
    stats: ChoiceStats
    region: ChoiceStats | None  # None when the scope is not within one region
    company: ChoiceStats

    @property
    def rows(self) -> tuple[ChoiceRow, ...]:
        regions = self.region.options if self.region else (None,) * len(self.options)
        return tuple(
            ChoiceRow(option=option, stats=mine, region=region, company=company)
            for option, mine, region, company in zip(
                self.options, self.stats.options, regions, self.company.options, strict=True
            )
        )


@dataclass(frozen=True)
class Figures:
    period: Period
    checklist: str
    version: int
    lang: str
    branch: Branch | None
    region: str | None  # the region compared against
    visits: int  # approved visits in the scope
    items: tuple[Figure, ...]
    choices: tuple[ChoiceFigure, ...] = ()


# --- arithmetic: pure --------------------------------------------------------------------


def _one_decimal(value: Fraction) -> Decimal:
    return round_half_up(value, 1)


def figure_stats(values: Iterable[Fraction], thresholds: Sequence[Threshold]) -> FigureStats:
    """Count, mean, median, 90th percentile (nearest rank), extremes and band counts of `values`."""
    ordered = sorted(values)
    n = len(ordered)
    if not n:
        return FigureStats(count=0, bands=(0,) * len(thresholds))
    middle = n // 2
    median = ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2
    counts = [0] * len(thresholds)
    outside = 0
    for value in ordered:
        index = threshold_band(thresholds, value)
        if index is None:
            outside += 1
        else:
            counts[index] += 1
    return FigureStats(
        count=n,
        mean=_one_decimal(sum(ordered, Fraction(0)) / n),
        median=_one_decimal(median),
        # Nearest rank: the ⌈0.9·n⌉-th smallest value (integers, so no float rounds the rank).
        p90=_one_decimal(ordered[math.ceil(Fraction(9, 10) * n) - 1]),
        min=_one_decimal(ordered[0]),
        max=_one_decimal(ordered[-1]),
        bands=tuple(counts),
        outside=outside,
    )


@dataclass(frozen=True)
class Tally:
    """The visits that chose one option: how many, how many have a score, the sum of those."""

    visits: int = 0
    scored: int = 0
    total: Decimal = Decimal(0)

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            visits=self.visits + other.visits,
            scored=self.scored + other.scored,
            total=self.total + other.total,
        )


def choice_stats(options: Sequence[str], tallies: Mapping[str, Tally]) -> ChoiceStats:
    """Visits and mean visit score per option of `options` (values), from their tallies."""
    counted = [tallies.get(value, Tally()) for value in options]
    return ChoiceStats(
        count=sum(tally.visits for tally in counted),
        options=tuple(
            OptionStats(
                visits=tally.visits,
                mean_score=_one_decimal(Fraction(tally.total) / tally.scored)
                if tally.scored
                else None,
            )
            for tally in counted
        ),
    )


def _bound(value: Decimal) -> str:
    # "10", "2.5": a bound as the checklist wrote it, without trailing zeros.
    text = f"{value.normalize():f}"
    return "0" if text == "-0" else text


def band_labels(thresholds: Sequence[Threshold], *, any_value: str) -> tuple[str, ...]:
    """How each band reads, given that the first band a value falls in takes it.

    A band open below starts above the highest top of the earlier bands open
    below ("≤ 10" then "≤ 30" reads "≤ 10", "> 10, ≤ 30"); a band open above
    ends below the lowest floor of the earlier bands open above. A band open
    on both sides, with nothing before it to narrow it, takes `any_value`.
    """
    labels = []
    for index, threshold in enumerate(thresholds):
        earlier = thresholds[:index]
        low, low_sign = threshold.min, "≥"
        if low is None:
            tops = [t.max for t in earlier if t.min is None and t.max is not None]
            if tops:
                low, low_sign = max(tops), ">"
        high, high_sign = threshold.max, "≤"
        if high is None:
            floors = [t.min for t in earlier if t.max is None and t.min is not None]
            if floors:
                high, high_sign = min(floors), "<"
        if low is None and high is None:
            labels.append(any_value)
        elif low is None:
            labels.append(f"{high_sign} {_bound(high)}")
        elif high is None:
            labels.append(f"{low_sign} {_bound(low)}")
        elif low_sign == "≥" and high_sign == "≤":
            labels.append(f"{_bound(low)}–{_bound(high)}")
        else:
            labels.append(f"{low_sign} {_bound(low)}, {high_sign} {_bound(high)}")
    return tuple(labels)


# --- reads -------------------------------------------------------------------------------


def _numbers(answers: Q) -> Iterable[tuple[str, str, Fraction]]:
    """(region code, item code, value) of every number answered in `answers` (a filter on Answer).

    Active branches only, as every report. A value that is not a finite number
    (a hand-edited row) is skipped rather than failing the report.
    """
    rows = (
        Answer.objects.filter(
            answers, item__answer_type=AnswerType.NUMBER, na=False, visit__branch__active=True
        )
        .values_list("visit__branch__region__code", "item_code", "value")
        .order_by()
    )
    for region, code, value in rows:
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        if isinstance(value, float) and not math.isfinite(value):
            continue
        yield region, code, number_as_fraction(value)


def _choices(answers: Q, codes: Collection[str]) -> Iterable[tuple[str, str, str, Tally]]:
    """(region code, item code, option, tally) of the choices `codes` answered in `answers`.

    Summed in the database per region, item and option (one answer per visit and
    item, so answers count visits). Active branches only, as every report; a
    value that is not an option's name (a hand-edited row) is skipped.
    """
    rows = (
        Answer.objects.filter(
            answers,
            item_code__in=codes,
            item__answer_type=AnswerType.CHOICE,
            na=False,
            visit__branch__active=True,
        )
        .values("visit__branch__region__code", "item_code", "value")
        .annotate(visits=Count("pk"), scored=Count("visit__score"), total=score_sum("visit__score"))
        .order_by()
    )
    for row in rows:
        if isinstance(row["value"], str):
            yield (
                row["visit__branch__region__code"],
                row["item_code"],
                row["value"],
                Tally(visits=row["visits"], scored=row["scored"], total=row["total"] or Decimal(0)),
            )


def _option_values(item: Item) -> tuple[str, ...]:
    return tuple(option["value"] for option in item.options)


def _option(option: Mapping, lang: str) -> Option:
    label = option.get("label") or {}
    return Option(
        value=option["value"],
        label=pick(lang, label.get("zh-Hans", ""), label.get("en", "")) or option["value"],
    )


def _choice_stats_by_code(
    tallies: Mapping[str, Mapping[str, Tally]], items: Iterable[Item]
) -> dict[str, ChoiceStats]:
    return {
        item.code: choice_stats(_option_values(item), tallies.get(item.code, {})) for item in items
    }


def _add(into: dict[str, dict[str, Tally]], code: str, value: str, tally: Tally) -> None:
    options = into.setdefault(code, {})
    options[value] = options.get(value, Tally()) + tally


@dataclass(frozen=True)
class _Company:
    """The company-wide part of a period's figures: the same for every branch."""

    items: tuple[Item, ...]  # the number items of the versions the company's visits used
    thresholds: dict[str, tuple[Threshold, ...]]
    company: dict[str, FigureStats]
    regions: dict[str, dict[str, FigureStats]]  # region code → item code → stats
    choice_items: tuple[Item, ...]  # the descriptive choices of those versions
    choices: dict[str, ChoiceStats]
    choice_regions: dict[str, dict[str, ChoiceStats]]  # region code → item code → stats


def _company(*, checklist: Checklist, period: Period, fallback) -> _Company:
    in_period = report_visit_filter(
        Scope.company(), checklist=checklist, start=period.start, end=period.end, region=None
    )
    every = items_of_versions(versions_used(in_period), fallback=fallback)
    items = tuple(item for item in every if item.answer_type == AnswerType.NUMBER)
    choice_items = tuple(item for item in every if item.is_descriptive_choice)
    thresholds = {
        item.code: item_rule(item, section_code=item.section.code).thresholds for item in items
    }
    pooled: dict[str, list[Fraction]] = {}
    by_region: dict[str, dict[str, list[Fraction]]] = {}
    answers = report_visit_filter(
        Scope.company(),
        checklist=checklist,
        start=period.start,
        end=period.end,
        region=None,
        via="visit__",
    )
    for region, code, value in _numbers(answers):
        pooled.setdefault(code, []).append(value)
        by_region.setdefault(region, {}).setdefault(code, []).append(value)
    chosen: dict[str, dict[str, Tally]] = {}
    chosen_by_region: dict[str, dict[str, dict[str, Tally]]] = {}
    for region, code, value, tally in _choices(answers, [item.code for item in choice_items]):
        _add(chosen, code, value, tally)
        _add(chosen_by_region.setdefault(region, {}), code, value, tally)
    return _Company(
        items=items,
        thresholds=thresholds,
        company={code: figure_stats(pooled.get(code, ()), thresholds[code]) for code in thresholds},
        regions={
            region: {
                code: figure_stats(values, thresholds[code])
                for code, values in codes.items()
                if code in thresholds
            }
            for region, codes in by_region.items()
        },
        choice_items=choice_items,
        choices=_choice_stats_by_code(chosen, choice_items),
        choice_regions={
            region: _choice_stats_by_code(codes, choice_items)
            for region, codes in chosen_by_region.items()
        },
    )


def company_figures(*, checklist: Checklist, period: Period, fallback) -> _Company:
    """The company's and every region's figures of the period, memoised in the cache.

    A month-end batch asks this for every scorecard of the period; the key
    carries the report change stamps of the checklist's months and a stamp of
    the active branches, so any change to them makes a new key.
    """
    stamp = company_stamp(checklist_ids=[checklist.pk], start=period.start, end=period.end)
    # The shape's version in the key: a cached _Company of an older shape is never read.
    key = f"company-figures-2:{fallback.pk}:{stamp}"
    found = cache.get(key)
    if found is None:
        found = _company(checklist=checklist, period=period, fallback=fallback)
        cache.set(key, found, COMPANY_CACHE_SECONDS)
    return found


def operational_figures(
    *,
    user: User,
    checklist: Checklist,
    period: Period,
    lang: str,
    branch: Branch | None = None,
    region: Region | None = None,
    version: ChecklistVersion | None = None,
) -> Figures:
    """The figures of every number item and descriptive choice, for `branch`, else `region`,
    else the caller's scope.

    The caller checks that `branch` and `region` are the caller's to see
    (reports.selectors.report_branch, report_region). The region compared
    against is the branch's, else `region`; none for a wider scope. See the
    module docstring for what each number means. `version`: the checklist's
    published version, when the caller has read it already.
    """
    version = version or published_version(checklist)
    if branch is not None:
        region = branch.region
    visits = report_visit_filter(
        user,
        checklist=checklist,
        start=period.start,
        end=period.end,
        region=None if branch is not None else region,
    ) & Q(branch__active=True)
    if branch is not None:
        visits &= Q(branch=branch)
    answers = report_visit_filter(
        user,
        checklist=checklist,
        start=period.start,
        end=period.end,
        region=None if branch is not None else region,
        via="visit__",
    )
    if branch is not None:
        answers &= Q(visit__branch=branch)

    company = company_figures(checklist=checklist, period=period, fallback=version)
    used = {item.code for item in items_used(visits=visits, fallback=version)}
    values: dict[str, list[Fraction]] = {}
    for _, code, value in _numbers(answers):
        values.setdefault(code, []).append(value)

    any_value = labels_for(lang)["figures_band_any"]
    region_stats = company.regions.get(region.code, {}) if region is not None else None
    figures = []
    for item in company.items:
        if item.code not in used:
            continue
        thresholds = company.thresholds[item.code]
        labels = band_labels(thresholds, any_value=any_value)
        none = FigureStats(count=0, bands=(0,) * len(thresholds))
        figures.append(
            Figure(
                code=item.code,
                label=pick(lang, item.text_zh, item.text_en),
                unit=pick(lang, item.unit_zh, item.unit_en),
                scored=item.weight > 0,
                bands=tuple(
                    Band(label=label, min=t.min, max=t.max, score=t.score)
                    for label, t in zip(labels, thresholds, strict=True)
                ),
                stats=figure_stats(values.get(item.code, ()), thresholds),
                region=None if region_stats is None else region_stats.get(item.code, none),
                company=company.company[item.code],
            )
        )
    chosen: dict[str, dict[str, Tally]] = {}
    for _, code, value, tally in _choices(answers, [item.code for item in company.choice_items]):
        _add(chosen, code, value, tally)
    region_choices = company.choice_regions.get(region.code, {}) if region is not None else None
    choices = []
    for item in company.choice_items:
        if item.code not in used:
            continue
        values = _option_values(item)
        choices.append(
            ChoiceFigure(
                code=item.code,
                label=pick(lang, item.text_zh, item.text_en),
                options=tuple(_option(option, lang) for option in item.options),
                stats=choice_stats(values, chosen.get(item.code, {})),
                region=None
                if region_choices is None
                else region_choices.get(item.code, choice_stats(values, {})),
                company=company.choices[item.code],
            )
        )
    return Figures(
        period=period,
        checklist=checklist.code,
        version=version.number,
        lang=lang,
        branch=branch,
        region=region.code if region is not None else None,
        visits=Visit.objects.filter(visits).count(),
        items=tuple(figures),
        choices=tuple(choices),
    )
