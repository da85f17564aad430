"""How a score's change against the previous period reads on a page."""

from __future__ import annotations

from reports.charts import format_score


def signed_change(change) -> str:
    """+2.5, −7.5 or ±0.0 (a real minus sign); empty when there is nothing to compare."""
    if change is None:
        return ""
    text = format_score(abs(change))
    if text == "0.0":
        return "±0.0"
    return f"+{text}" if change > 0 else f"−{text}"


def change_direction(change) -> str:
    """up, down or flat, as the page's arrows and colours name it."""
    if change is None or format_score(abs(change)) == "0.0":
        return "flat"
    return "up" if change > 0 else "down"
