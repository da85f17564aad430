"""Scoring rules for mystery-shopper visits, in one pure module.

Every number a client sees (visit score, band, section, RATER dimension, area and
factor scores, "points to gain") comes from here, so the API, the reports and the
exports cannot disagree. There are no Django imports and no database access, which
keeps the rules testable on their own and reusable from Celery jobs, scripts and
recalculation migrations alike.

Arithmetic is done with ``fractions.Fraction`` so results are exact; values are
rounded (half-up) only as they leave the module, so that a mean of exactly 62.35
shows as 62.4 no matter how it was reached.

Two rules come from the reference's BPMP classes (basic, performance, motivation,
punishment). A failed critical item (a basic or punishment item the checklist
marks as a knock-out) caps its section at the pass mark. A reward ("motivation")
item is a bonus: a delighter, not a requirement, so it counts in a mean only when
it lifts that mean and it never fails.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

PASS_MARK: int = 50
# The product's choice, not the reference's ("caps or zeroes"): a knock-out caps its
# section at the pass mark instead of zeroing it, so a section that failed one basic
# still ranks above one that failed everything.
KNOCKOUT_CAP: int = PASS_MARK
RATER_DIMENSIONS: tuple[str, ...] = (
    "reliability",
    "assurance",
    "tangibles",
    "empathy",
    "responsiveness",
)
AREAS: tuple[str, ...] = ("procedure", "people", "environment")
ANSWER_TYPES: tuple[str, ...] = (
    "yes_no",
    "scale5",
    "scale6",
    "number",
    "choice",
    "text",
    "datetime",
    "photo",
)
SCORED_TYPES: frozenset[str] = frozenset({"yes_no", "scale5", "scale6", "number", "choice"})
FACTOR_MIN: int = 1
FACTOR_MAX: int = 26
BANDS: tuple[str, ...] = ("below", "meets", "exceeds")
BPMP_CLASSES: tuple[str, ...] = ("basic", "performance", "motivation", "punishment")
REWARD_CLASS: str = "motivation"

_HUNDRED = Fraction(100)
_SCALE_TOPS = {"scale5": 5, "scale6": 6}
# What <input type="datetime-local"> sends: a local date-time with no zone, since a
# shopper writes down the clock on the wall (when the call started, when the letter came).
_LOCAL_DATETIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?", re.ASCII)


def _decimal(value: object, what: str) -> Decimal:
    """Return ``value`` as a finite Decimal.

    Floats are refused because rules (weights, threshold bounds, scores) come from
    DecimalFields; a float here would mean a binary approximation slipped in.
    """
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{what} must be a Decimal, got {value!r}")
    result = Decimal(value)
    if not result.is_finite():
        raise ValueError(f"{what} must be finite, got {value!r}")
    return result


def _score_decimal(value: object, what: str) -> Decimal:
    result = _decimal(value, what)
    if not 0 <= result <= 100:
        raise ValueError(f"{what} must be from 0 to 100, got {value!r}")
    return result


def _weight_decimal(value: object, what: str) -> Decimal:
    result = _decimal(value, what)
    if result < 0:
        raise ValueError(f"{what} must not be negative, got {value!r}")
    return result


@dataclass(frozen=True, kw_only=True)
class Threshold:
    """One band of a "number" item: values from ``min`` to ``max`` (inclusive) earn ``score``.

    A missing bound is open-ended.
    """

    score: Decimal
    min: Decimal | None = None
    max: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "score", _score_decimal(self.score, "threshold score"))
        for name in ("min", "max"):
            bound = getattr(self, name)
            if bound is not None:
                object.__setattr__(self, name, _decimal(bound, f"threshold {name}"))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"threshold min {self.min} is greater than max {self.max}")


@dataclass(frozen=True, kw_only=True)
class ItemRule:
    """How one checklist item is scored and which section and tags it counts towards.

    ``options`` is stored as a tuple of (option value, score) pairs so rules stay
    hashable; a Mapping is accepted and normalised. Either every option has a
    score or none has: a choice without scores is recorded but unscored, like
    text. ``thresholds`` only matter for "number" items and ``options`` only for
    "choice" items. ``critical`` and the tags have no effect on unscored items.
    ``bpmp`` is the item's BPMP class; a reward item that is not critical is a
    bonus (see ``is_bonus``).
    """

    code: str
    section: str
    answer_type: str
    weight: Decimal = Decimal(1)
    critical: bool = False
    thresholds: tuple[Threshold, ...] = ()
    options: tuple[tuple[str, Decimal | None], ...] = ()
    rater: str | None = None
    area: str | None = None
    factor: int | None = None
    bpmp: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError(f"item code must be a non-empty string, got {self.code!r}")
        if not isinstance(self.section, str) or not self.section:
            raise ValueError(f"item {self.code}: section must be a non-empty string")
        if self.answer_type not in ANSWER_TYPES:
            raise ValueError(
                f"item {self.code}: answer type {self.answer_type!r} is not one of {ANSWER_TYPES}"
            )
        object.__setattr__(
            self, "weight", _weight_decimal(self.weight, f"item {self.code}: weight")
        )
        thresholds = tuple(self.thresholds)
        if not all(isinstance(threshold, Threshold) for threshold in thresholds):
            raise ValueError(f"item {self.code}: thresholds must be Threshold instances")
        object.__setattr__(self, "thresholds", thresholds)
        object.__setattr__(self, "options", _normalise_options(self.code, self.options))
        if self.rater is not None and self.rater not in RATER_DIMENSIONS:
            raise ValueError(
                f"item {self.code}: rater {self.rater!r} is not one of {RATER_DIMENSIONS}"
            )
        if self.area is not None and self.area not in AREAS:
            raise ValueError(f"item {self.code}: area {self.area!r} is not one of {AREAS}")
        if self.factor is not None and (
            isinstance(self.factor, bool)
            or not isinstance(self.factor, int)
            or not FACTOR_MIN <= self.factor <= FACTOR_MAX
        ):
            raise ValueError(
                f"item {self.code}: factor must be an integer from {FACTOR_MIN} to "
                f"{FACTOR_MAX}, got {self.factor!r}"
            )
        if self.bpmp is not None and self.bpmp not in BPMP_CLASSES:
            raise ValueError(f"item {self.code}: bpmp {self.bpmp!r} is not one of {BPMP_CLASSES}")

    @property
    def is_bonus(self) -> bool:
        """A reward item adds to a score when present and is never held against a visit.

        A critical item is a requirement whatever its tag, so it is never a bonus
        (publishing refuses a critical reward item; this keeps older data scorable).
        """
        return self.bpmp == REWARD_CLASS and not self.critical


def _normalise_options(
    code: str, options: Mapping[str, Decimal | None] | Iterable[tuple[str, Decimal | None]]
) -> tuple[tuple[str, Decimal | None], ...]:
    pairs = options.items() if isinstance(options, Mapping) else options
    normalised: list[tuple[str, Decimal | None]] = []
    seen: set[str] = set()
    for key, score in pairs:
        if not isinstance(key, str):
            raise ValueError(f"item {code}: option values must be strings, got {key!r}")
        if key in seen:
            raise ValueError(f"item {code}: option {key!r} is listed twice")
        seen.add(key)
        if score is not None:
            score = _score_decimal(score, f"item {code}: option {key!r} score")
        normalised.append((key, score))
    # Half-scored options would make some answers count and others vanish from the mean.
    if len({score is None for _, score in normalised}) > 1:
        raise ValueError(f"item {code}: either every option has a score or none has")
    return tuple(normalised)


@dataclass(frozen=True)
class SectionRule:
    code: str
    weight: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code:
            raise ValueError(f"section code must be a non-empty string, got {self.code!r}")
        object.__setattr__(
            self, "weight", _weight_decimal(self.weight, f"section {self.code}: weight")
        )


@dataclass(frozen=True, kw_only=True)
class ChecklistRules:
    """Everything needed to score a visit against one checklist version.

    ``items`` are in checklist order; that order is the order of
    ``VisitResult.critical_failures``. The band is judged on the visit score
    against ``expected`` ± ``tolerance``.
    """

    sections: tuple[SectionRule, ...]
    items: tuple[ItemRule, ...]
    expected: Decimal
    tolerance: Decimal

    def __post_init__(self) -> None:
        sections = tuple(self.sections)
        items = tuple(self.items)
        if not all(isinstance(section, SectionRule) for section in sections):
            raise ValueError("sections must be SectionRule instances")
        if not all(isinstance(item, ItemRule) for item in items):
            raise ValueError("items must be ItemRule instances")
        section_codes = [section.code for section in sections]
        _reject_duplicates("section", section_codes)
        _reject_duplicates("item", [item.code for item in items])
        for item in items:
            if item.section not in section_codes:
                raise ValueError(f"item {item.code}: section {item.section!r} is not in the rules")
        object.__setattr__(self, "sections", sections)
        object.__setattr__(self, "items", items)
        object.__setattr__(self, "expected", _decimal(self.expected, "expected"))
        object.__setattr__(self, "tolerance", _weight_decimal(self.tolerance, "tolerance"))


def _reject_duplicates(kind: str, codes: list[str]) -> None:
    seen: set[str] = set()
    for code in codes:
        if code in seen:
            raise ValueError(f"{kind} code {code!r} is used twice")
        seen.add(code)


@dataclass(frozen=True)
class AnswerInput:
    """One answer from a shopper; ``na`` marks the item as not applicable (value ignored)."""

    code: str
    value: object = None
    na: bool = False


@dataclass(frozen=True, kw_only=True)
class ItemResult:
    """Outcome for one item; everything is None/False when it was not scored.

    ``gain`` is how many visit-score points fixing this item (scoring 100) would
    add, so reports can sum it per item across visits. A bonus item is never
    ``failed`` and its gain is 0: a missing delighter is nothing to fix.
    """

    code: str
    score: Decimal | None
    failed: bool
    critical_failure: bool
    gain: Decimal | None


@dataclass(frozen=True, kw_only=True)
class VisitResult:
    """All scores of one visit, rounded for display and storage.

    The dicts only hold keys that have a score: sections in checklist order,
    dimensions and areas in the order of RATER_DIMENSIONS and AREAS, factors
    ascending. ``items`` holds every item of the checklist, in checklist order.
    """

    score: Decimal | None
    band: str | None
    sections: dict[str, Decimal]
    dimensions: dict[str, Decimal]
    areas: dict[str, Decimal]
    factors: dict[int, Decimal]
    items: dict[str, ItemResult]
    critical_failures: tuple[str, ...]


def round_ratio(numerator: int, denominator: int, places: int = 1) -> Decimal:
    """numerator / denominator (> 0), rounded half-up (away from zero) to `places` decimals.

    In integers: reports round hundreds of thousands of means (sum / count) and
    building a Fraction for each costs more than the rest of the report.
    """
    scale = 10**places
    magnitude = (2 * abs(numerator) * scale + denominator) // (2 * denominator)
    return Decimal(-magnitude if numerator < 0 else magnitude).scaleb(-places)


def round_half_up(value: Fraction | Decimal | int, places: int) -> Decimal:
    """Round exactly, half away from zero, to `places` decimals."""
    # Decimal.quantize would round the Decimal *approximation* of a Fraction like
    # 1/3; rounding the exact ratio keeps the half-up decision exact.
    numerator, denominator = (value, 1) if isinstance(value, int) else value.as_integer_ratio()
    return round_ratio(numerator, denominator, places)


def round_score(x: Fraction | Decimal) -> Decimal:
    """Round a score exactly, half-up (away from zero), to one decimal place."""
    return round_half_up(x, 1)


def _round_gain(x: Fraction) -> Decimal:
    return round_half_up(x, 2)


def number_as_fraction(value: int | float | Decimal) -> Fraction:
    """A number answer's value, exactly: what thresholds and the figures reports compare."""
    # A float arrives from JSON and stands for the decimal the shopper typed, so
    # read it through its shortest repr: 0.1 must meet a threshold "max 0.1",
    # which the binary value 0.1000000000000000055... would not.
    if isinstance(value, float):
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


_DATETIME_PROBLEM = "must be a local date and time as YYYY-MM-DDTHH:MM (seconds optional)"


def _is_local_datetime(value: object) -> bool:
    # The pattern fixes the shape; fromisoformat then refuses 2026-02-30 or 25:00.
    if not isinstance(value, str) or not _LOCAL_DATETIME.fullmatch(value):
        return False
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _value_problem(rule: ItemRule, value: object) -> str | None:
    answer_type = rule.answer_type
    if value is None:
        return "needs a value (leave the answer out or mark it N/A instead)"
    if answer_type == "yes_no":
        return None if isinstance(value, bool) else "must be true or false"
    if answer_type in _SCALE_TOPS:
        top = _SCALE_TOPS[answer_type]
        # bool is a subclass of int, but True as "1 out of 5" is always a client bug.
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            return f"must be an integer from 1 to {top}"
        return None
    if answer_type == "number":
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
            return "must be a number"
        if isinstance(value, float) and not math.isfinite(value):
            return "must be a finite number"
        if isinstance(value, Decimal) and not value.is_finite():
            return "must be a finite number"
        return None
    if answer_type == "choice":
        keys = [key for key, _ in rule.options]
        if not keys:
            return "has no options to choose from"
        if not isinstance(value, str) or value not in keys:
            return "must be one of: " + ", ".join(repr(key) for key in keys)
        return None
    if answer_type == "text":
        return None if isinstance(value, str) else "must be a string"
    if answer_type == "datetime":
        return None if _is_local_datetime(value) else _DATETIME_PROBLEM
    # "photo": the shape of a photo reference belongs to the upload layer, and
    # photos are never scored, so any non-empty value is acceptable here.
    return None


def check_value(rule: ItemRule, value: object) -> None:
    """Raise ValueError naming the problem if ``value`` is not a valid answer to ``rule``.

    The API validator calls this so that shoppers get the same verdict as scoring.
    ``None`` is rejected: "unanswered" and "N/A" are decided before a value is checked.
    """
    problem = _value_problem(rule, value)
    if problem is not None:
        raise ValueError(f"{rule.code}: {problem}")


def threshold_band(thresholds: Sequence[Threshold], number: Fraction) -> int | None:
    """The index of the band of `thresholds` that scores `number`: the first it falls in.

    None when it falls in none (scored 0). Shared with the figures report, which
    counts a number item's answers per band, so the two can never place a value apart.
    """
    for index, threshold in enumerate(thresholds):
        if (threshold.min is None or number >= threshold.min) and (
            threshold.max is None or number <= threshold.max
        ):
            return index
    return None


def _exact_item_score(rule: ItemRule, value: object) -> Fraction | None:
    """Score a value already accepted by check_value, exactly."""
    answer_type = rule.answer_type
    if answer_type == "yes_no":
        return _HUNDRED if value else Fraction(0)
    if answer_type in _SCALE_TOPS:
        assert isinstance(value, int)
        return Fraction(value - 1, _SCALE_TOPS[answer_type] - 1) * _HUNDRED
    if answer_type == "number":
        assert isinstance(value, int | float | Decimal)
        index = threshold_band(rule.thresholds, number_as_fraction(value))
        return Fraction(0) if index is None else Fraction(rule.thresholds[index].score)
    if answer_type == "choice":
        option_score = dict(rule.options)[value]
        return None if option_score is None else Fraction(option_score)
    return None


def item_score(rule: ItemRule, value: object) -> Decimal | None:
    """Score one answer from 0 to 100 (rounded to one decimal); None when unscored.

    Text, date-times, photos and choices without option scores are unscored.

    Raises ValueError when the value does not fit the item (see check_value).
    """
    check_value(rule, value)
    exact = _exact_item_score(rule, value)
    return None if exact is None else round_score(exact)


def band(score: Decimal | None, *, expected: Decimal, tolerance: Decimal) -> str | None:
    """Place a score against the client's expectation; the edges themselves "meet" it."""
    if score is None:
        return None
    # Decimals compare exactly, and expected ± tolerance (a few digits each) is exact
    # in any context: no Fraction needed, which a league table asks 10,000 times.
    if score < expected - tolerance:
        return "below"
    if score > expected + tolerance:
        return "exceeds"
    return "meets"


_Key = TypeVar("_Key")


def _lifted_mean(
    required: Iterable[tuple[_Key, Fraction, Fraction]],
    bonus: Iterable[tuple[_Key, Fraction, Fraction]],
) -> tuple[Fraction | None, tuple[_Key, ...]]:
    """The weighted mean of (key, weight, value) members, lifted by the bonus members.

    Every required member counts; a bonus member counts only when it raises the
    mean, so the result is the highest mean over the required members plus any
    selection of bonus members. Taking bonus members best first while each one is
    above the running mean reaches that maximum: each one taken is above the mean
    it joins, so the mean stays below every member taken, and the first one that
    fails to lift it leaves no better one behind. Without required members there is
    no mean to lift, and a bonus member counts when it scores above 0: an absent
    delighter adds nothing, so bonus members at 0 alone make no score, and otherwise
    the best of them is the mean. Zero weights opt out; None when nothing carries
    weight. Returns the mean and the bonus keys that count, best first. The weights
    are Fractions already (see ``score_visit``): converting each one again here, per
    mean, was a fifth of the scoring.
    """
    sums = _WeightedSum()
    for _, weight, value in required:
        sums.add(weight, value)
    counted: list[_Key] = []
    # sorted() is stable, so equal bonus values are taken in checklist order.
    candidates = sorted((m for m in bonus if m[1] > 0), key=lambda m: m[2], reverse=True)
    for key, weight, value in candidates:
        if not sums.raised_by(value):
            break
        sums.add(weight, value)
        counted.append(key)
    mean = sums.mean()
    return (None, ()) if mean is None else (mean, tuple(counted))


class _WeightedSum:
    """Σ weight and Σ weight × value of Fractions, exactly, as integers reduced only at the end.

    Fraction arithmetic would reduce every partial sum by a gcd: two thirds of an
    upload's scoring. Numerators over running denominators give the same values.
    """

    __slots__ = ("weight_n", "weight_d", "total_n", "total_d")

    def __init__(self) -> None:
        self.weight_n, self.weight_d = 0, 1
        self.total_n, self.total_d = 0, 1

    def add(self, weight: Fraction, value: Fraction) -> None:
        self.weight_n, self.weight_d = _sum_of(
            self.weight_n, self.weight_d, weight.numerator, weight.denominator
        )
        self.total_n, self.total_d = _sum_of(
            self.total_n,
            self.total_d,
            weight.numerator * value.numerator,
            weight.denominator * value.denominator,
        )

    def raised_by(self, value: Fraction) -> bool:
        """value > the mean so far (0 before any weight); every denominator is > 0."""
        if self.weight_n == 0:
            return value > 0
        return (
            value.numerator * self.total_d * self.weight_n
            > self.total_n * self.weight_d * value.denominator
        )

    def mean(self) -> Fraction | None:
        """Σ weight × value / Σ weight; None when nothing carries weight."""
        if self.weight_n == 0:
            return None
        return Fraction(self.total_n * self.weight_d, self.total_d * self.weight_n)


def _sum_of(a_n: int, a_d: int, b_n: int, b_d: int) -> tuple[int, int]:
    """a_n/a_d + b_n/b_d as a numerator and denominator, not reduced (one shared when equal)."""
    if a_d == b_d:
        return a_n + b_n, a_d
    return a_n * b_d + b_n * a_d, a_d * b_d


def _sections_mean(
    scores: Mapping[str, Fraction], weights: Mapping[str, Fraction], required: set[str]
) -> tuple[Fraction | None, set[str]]:
    """The visit mean of section scores, sections outside ``required`` being bonuses.

    Returns the mean and the sections that count in it.
    """
    required_members = [
        (code, weights[code], score) for code, score in scores.items() if code in required
    ]
    bonus_members = [
        (code, weights[code], score) for code, score in scores.items() if code not in required
    ]
    mean, counted_bonus = _lifted_mean(required_members, bonus_members)
    counted = {code for code, weight, _ in required_members if weight > 0}
    return mean, counted | set(counted_bonus)


def _index_answers(rules: ChecklistRules, answers: Iterable[AnswerInput]) -> dict[str, AnswerInput]:
    # Duplicates are refused rather than "last one wins" so that the result can
    # never depend on the order answers arrive in.
    known = {item.code for item in rules.items}
    by_code: dict[str, AnswerInput] = {}
    for answer in answers:
        if not isinstance(answer, AnswerInput):
            raise ValueError(f"answers must be AnswerInput instances, got {answer!r}")
        if answer.code not in known:
            raise ValueError(f"answer for unknown item {answer.code!r}")
        if answer.code in by_code:
            raise ValueError(f"more than one answer for item {answer.code!r}")
        by_code[answer.code] = answer
    return by_code


_Tag = TypeVar("_Tag", str, int)


def _tag_means(
    items: Iterable[ItemRule],
    scores: Mapping[str, Fraction],
    weights: Mapping[str, Fraction],
    tag_of: Callable[[ItemRule], _Tag | None],
) -> dict[_Tag, Fraction]:
    required: dict[_Tag, list[tuple[str, Fraction, Fraction]]] = {}
    bonus: dict[_Tag, list[tuple[str, Fraction, Fraction]]] = {}
    for item in items:
        tag = tag_of(item)
        if tag is not None and item.code in scores:
            group = bonus if item.is_bonus else required
            group.setdefault(tag, []).append((item.code, weights[item.code], scores[item.code]))
    means: dict[_Tag, Fraction] = {}
    for tag in [*required, *(tag for tag in bonus if tag not in required)]:
        mean, _ = _lifted_mean(required.get(tag, ()), bonus.get(tag, ()))
        if mean is not None:
            means[tag] = mean
    return means


def score_visit(rules: ChecklistRules, answers: Iterable[AnswerInput]) -> VisitResult:
    """Score a whole visit: items, sections, visit, band, tags, critical failures and gains.

    Unanswered items (no answer, or value None without N/A) and N/A items are left
    out of every average; whether required items were answered is checked elsewhere.
    Bonus items count in a mean only where they lift it (see ``_lifted_mean``), at
    every level: section, visit, dimension, area and factor. A section with no
    required item scored is itself a bonus to the visit. A failed critical item caps
    its section at KNOCKOUT_CAP.
    Raises ValueError for answers to unknown items, duplicate answers and invalid values.
    """
    answers_by_code = _index_answers(rules, answers)

    scores: dict[str, Fraction] = {}
    for item in rules.items:
        answer = answers_by_code.get(item.code)
        if answer is None or answer.na or answer.value is None:
            continue
        check_value(item, answer.value)
        exact = _exact_item_score(item, answer.value)
        if exact is not None:
            scores[item.code] = exact

    critical_failures = tuple(
        item.code
        for item in rules.items
        if item.critical and item.code in scores and scores[item.code] < PASS_MARK
    )
    knocked_out = {item.section for item in rules.items if item.code in critical_failures}

    # The weights as exact Fractions once, for every mean and gain below.
    item_weights = {item.code: Fraction(item.weight) for item in rules.items}
    section_weights = {section.code: Fraction(section.weight) for section in rules.sections}
    required_members: dict[str, list[tuple[str, Fraction, Fraction]]] = {
        section.code: [] for section in rules.sections
    }
    bonus_members: dict[str, list[tuple[str, Fraction, Fraction]]] = {
        section.code: [] for section in rules.sections
    }
    for item in rules.items:
        if item.code in scores:
            members = bonus_members if item.is_bonus else required_members
            members[item.section].append((item.code, item_weights[item.code], scores[item.code]))

    # Section means before knock-outs: the visit uses them unless a critical item
    # failed, and the gains are defined on them.
    plain_sections: dict[str, Fraction] = {}
    counted_items: dict[str, set[str]] = {}
    for section in rules.sections:
        required = required_members[section.code]
        mean, counted_bonus = _lifted_mean(required, bonus_members[section.code])
        counted_items[section.code] = {code for code, weight, _ in required if weight > 0}
        counted_items[section.code].update(counted_bonus)
        if mean is not None:
            plain_sections[section.code] = mean

    # A knocked-out section is capped, not zeroed: a section that failed one basic
    # still ranks above one that failed everything. With no weighted score there is
    # nothing to cap, and a failed critical item must always show in its section: 0.
    section_scores: dict[str, Fraction] = {}
    for section in rules.sections:
        if section.code in knocked_out:
            plain = plain_sections.get(section.code)
            section_scores[section.code] = (
                Fraction(0) if plain is None else min(plain, Fraction(KNOCKOUT_CAP))
            )
        elif section.code in plain_sections:
            section_scores[section.code] = plain_sections[section.code]

    # A section scored on bonus items alone is a bonus to the visit: it counts only
    # if it lifts the visit. A knocked-out section always counts.
    required_sections = {
        code
        for code, members in required_members.items()
        if any(weight > 0 for _, weight, _ in members)
    }
    visit, _ = _sections_mean(section_scores, section_weights, required_sections | knocked_out)

    # Gains ignore knock-outs: they are worked out on the plain sections, with each
    # item's share of the weight that counted. A bonus item has nothing to gain.
    _, counted_sections = _sections_mean(plain_sections, section_weights, required_sections)
    counted_section_weight = sum((section_weights[code] for code in counted_sections), Fraction(0))
    counted_item_weight = {
        section: sum((item_weights[code] for code in codes), Fraction(0))
        for section, codes in counted_items.items()
    }
    gains: dict[str, Fraction] = {}
    for item in rules.items:
        if item.code not in scores:
            continue
        if (
            item.is_bonus
            or item.section not in counted_sections
            or counted_item_weight[item.section] == 0
            or counted_section_weight == 0
        ):
            effective_weight = Fraction(0)
        else:
            effective_weight = (item_weights[item.code] / counted_item_weight[item.section]) * (
                section_weights[item.section] / counted_section_weight
            )
        gains[item.code] = effective_weight * (_HUNDRED - scores[item.code])

    dimension_means = _tag_means(rules.items, scores, item_weights, lambda item: item.rater)
    area_means = _tag_means(rules.items, scores, item_weights, lambda item: item.area)
    factor_means = _tag_means(rules.items, scores, item_weights, lambda item: item.factor)

    visit_score = None if visit is None else round_score(visit)
    return VisitResult(
        score=visit_score,
        # Banded on the rounded score so the band never contradicts the score shown.
        band=band(visit_score, expected=rules.expected, tolerance=rules.tolerance),
        sections={code: round_score(score) for code, score in section_scores.items()},
        dimensions={
            name: round_score(dimension_means[name])
            for name in RATER_DIMENSIONS
            if name in dimension_means
        },
        areas={name: round_score(area_means[name]) for name in AREAS if name in area_means},
        factors={factor: round_score(factor_means[factor]) for factor in sorted(factor_means)},
        items={
            item.code: ItemResult(
                code=item.code,
                score=round_score(scores[item.code]) if item.code in scores else None,
                failed=(
                    item.code in scores and scores[item.code] < PASS_MARK and not item.is_bonus
                ),
                critical_failure=item.code in critical_failures,
                gain=_round_gain(gains[item.code]) if item.code in gains else None,
            )
            for item in rules.items
        },
        critical_failures=critical_failures,
    )
