"""Report periods: a month, a quarter, or any from–to range of days.

Pure: no Django, so periods are trivial to test and every report (comparison,
drivers, scorecards, exports) reads the same `?period=` the same way.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Literal

PeriodKind = Literal["month", "quarter", "range"]

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
# Between the two dates of a range label; an en dash, as in "2026-10-01–2026-10-31".
RANGE_DASH = "\u2013"


class PeriodError(ValueError):
    """A period that cannot be read; `field` names the query parameter to blame."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    label: str
    kind: PeriodKind

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def month(year: int, number: int) -> Period:
    start = dt.date(year, number, 1)
    following = dt.date(year + number // 12, number % 12 + 1, 1)
    return Period(start, following - dt.timedelta(days=1), f"{year:04d}-{number:02d}", "month")


def quarter(year: int, number: int) -> Period:
    first = month(year, 3 * number - 2)
    last = month(year, 3 * number)
    return Period(first.start, last.end, f"{year:04d}-Q{number}", "quarter")


def date_range(start: dt.date, end: dt.date) -> Period:
    return Period(start, end, f"{start.isoformat()}{RANGE_DASH}{end.isoformat()}", "range")


def _iso_date(field: str, value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise PeriodError(field, f"{value!r} is not a date; use YYYY-MM-DD.") from None


def parse_period(period: str | None, *, date_from: str | None, date_to: str | None) -> Period:
    """Read `?period=2026-10`, `?period=2026-Q3`, or `?from=2026-10-01&to=2026-10-31`.

    Raises PeriodError (a ValueError) whose `field` is "period", "from" or "to".
    """
    period = (period or "").strip()
    date_from = (date_from or "").strip()
    date_to = (date_to or "").strip()
    if period and (date_from or date_to):
        raise PeriodError("period", "give either period or from/to, not both.")
    if period:
        if match := _MONTH.match(period):
            year, number = int(match[1]), int(match[2])
            if not 1 <= number <= 12 or year < 1:
                raise PeriodError("period", f"{period!r} has no month {number}; use 01 to 12.")
            return month(year, number)
        if match := _QUARTER.match(period):
            year = int(match[1])
            if year < 1:
                raise PeriodError("period", f"{period!r} has no year {year}.")
            return quarter(year, int(match[2]))
        raise PeriodError(
            "period", f"{period!r} is not a period; use a month (2026-10) or a quarter (2026-Q3)."
        )
    if not date_from and not date_to:
        raise PeriodError(
            "period", "required: a month (2026-10), a quarter (2026-Q3), or from and to dates."
        )
    if not date_from:
        raise PeriodError("from", "required together with to.")
    if not date_to:
        raise PeriodError("to", "required together with from.")
    start = _iso_date("from", date_from)
    end = _iso_date("to", date_to)
    if end < start:
        raise PeriodError("to", f"{end.isoformat()} is before from ({start.isoformat()}).")
    return date_range(start, end)


def previous(period: Period) -> Period:
    """The month or quarter before; for a range, as many days immediately before it."""
    if period.kind == "month":
        if period.start.month == 1:
            return month(period.start.year - 1, 12)
        return month(period.start.year, period.start.month - 1)
    if period.kind == "quarter":
        number = (period.start.month - 1) // 3 + 1
        if number == 1:
            return quarter(period.start.year - 1, 4)
        return quarter(period.start.year, number - 1)
    end = period.start - dt.timedelta(days=1)
    return date_range(end - dt.timedelta(days=period.days - 1), end)


def last_n(period: Period, n: int) -> list[Period]:
    """`n` consecutive periods of the same kind, oldest first, the last one `period`."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    periods = [period]
    while len(periods) < n:
        periods.append(previous(periods[-1]))
    return periods[::-1]
