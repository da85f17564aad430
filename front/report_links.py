"""Links between report pages: a page's URL with its query, and the periods links name."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.urls import reverse

from reports.periods import Period, date_range, month, quarter


def page_url(name: str, *args, **query) -> str:
    """reverse(name) with the non-empty query parameters."""
    query = {key: value for key, value in query.items() if value}
    return reverse(name, args=args) + (f"?{urlencode(query)}" if query else "")


def period_query(period: Period) -> dict[str, str]:
    """The query parameters that name `period` (report_period reads them back)."""
    if period.kind == "range":
        return {"from": period.start.isoformat(), "to": period.end.isoformat()}
    return {"period": period.label}


def next_period(period: Period) -> Period | None:
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
