"""Turn a ``ScorecardData`` into the scorecard's HTML.

This is the half of scorecard rendering that web views share with the PDF:
it builds the charts, picks the wording and renders the template. It does
not import WeasyPrint (``reports.pdf`` does), so a web page that shows a
scorecard does not pay for loading the PDF engine.

The stylesheet is inlined into the document (``css`` in the context) rather
than linked: WeasyPrint then needs no URL fetching at all, and a saved HTML
copy of a scorecard stays self-contained.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from reports.charts import (
    area_bars,
    format_interval,
    format_score,
    radar_chart,
    section_bars,
    trend_chart,
)
from reports.labels import labels_for
from reports.scorecard_data import ScorecardData, SectionRow

TEMPLATE_NAME = "reports/scorecard.html"
CSS_PATH = Path(__file__).resolve().parent / "static" / "reports" / "scorecard.css"


def scorecard_css() -> SafeString:
    """Return the scorecard stylesheet, ready to put inside ``<style>``.

    Read on every call (it is a few kilobytes) so a changed stylesheet shows
    up without restarting the worker.
    """
    # Our own file, never user input, so it is safe to emit unescaped.
    return mark_safe(CSS_PATH.read_text(encoding="utf-8"))


def build_charts(card: ScorecardData, labels: dict[str, str]) -> dict[str, SafeString]:
    """Draw every chart the scorecard shows, keyed by name.

    Charts for data the period does not have are left out, so the template
    can test ``charts.sections`` instead of repeating the emptiness rules.
    """
    charts: dict[str, SafeString] = {}
    # The SVG builders escape every piece of text they emit, so their output is safe.
    if any(point.score is not None for point in card.trend):
        charts["trend"] = mark_safe(
            trend_chart(
                card.trend,
                expected=card.expected,
                tolerance=card.tolerance,
                label=labels.get("trend", ""),
            )
        )
    if card.sections:
        charts["sections"] = mark_safe(section_bars(card.sections, labels=labels))
    if card.has_visits and card.dimensions:
        charts["radar"] = mark_safe(
            radar_chart(card.dimensions, label=labels.get("rater_profile", ""))
        )
    if card.has_visits and card.areas:
        charts["areas"] = mark_safe(area_bars(card.areas, label=labels.get("areas", "")))
    if card.has_visits and card.bpmp:
        charts["bpmp"] = mark_safe(
            section_bars(card.bpmp, labels=labels, kind="bpmp", label=labels["bpmp_profile"])
        )
    return charts


# Above this many key factors the profile is printed in two halves side by side, so
# 26 factors take a third of a page rather than most of one.
FACTOR_COLUMN_ROWS = 8


def factor_lines(card: ScorecardData) -> list[tuple[SectionRow, ...]]:
    """The key-factor profile's table lines: one factor each, or above FACTOR_COLUMN_ROWS
    the first half's factors down the left and the second half's down the right.

    One table of paired rows rather than two tables side by side: WeasyPrint squeezes
    tables laid out in a flex row.
    """
    rows = card.factors
    if len(rows) <= FACTOR_COLUMN_ROWS:
        return [(row,) for row in rows]
    half = (len(rows) + 1) // 2
    left, right = rows[:half], rows[half:]
    return [(row, *right[i : i + 1]) for i, row in enumerate(left)]


def _change_from_previous(card: ScorecardData) -> tuple[str | None, str]:
    """Return the signed change against the previous period and its direction.

    Only the immediately preceding period counts: comparing with an older
    one would silently stretch "vs previous period" over a gap.
    """
    if card.score is None or len(card.trend) < 2 or card.trend[-2].score is None:
        return None, "none"
    change = Decimal(card.score) - Decimal(card.trend[-2].score)
    text = format_score(abs(change))
    if text == "0.0":
        return "±0.0", "flat"
    if change > 0:
        return f"+{text}", "up"
    return f"−{text}", "down"


def scorecard_context(card: ScorecardData, *, inline_css: bool = True) -> dict[str, Any]:
    """Build the template context: the card, its wording, charts and (if inlined) CSS."""
    labels = labels_for(card.lang)
    change, change_direction = _change_from_previous(card)
    return {
        "card": card,
        "t": labels,
        "charts": build_charts(card, labels),
        "css": scorecard_css() if inline_css else "",
        "band_label": labels.get(f"band_{card.band}", "") if card.band else "",
        "change": change,
        "change_direction": change_direction,
        "interval": format_interval(card.interval),
        "small_sample_note": labels["small_sample_note"].format(n=card.small_sample_visits),
        "plans_more": labels["plans_more"].format(
            n=card.action_plans.more_open if card.action_plans else 0
        ),
        "plans_previous": labels["plans_previous"].format(
            period=card.action_plans.previous_label if card.action_plans else ""
        ),
        "factor_lines": factor_lines(card),
        "factor_halves": range(2 if len(card.factors) > FACTOR_COLUMN_ROWS else 1),
    }


def render_scorecard_html(card: ScorecardData, *, inline_css: bool = True) -> str:
    """Render the scorecard as one self-contained HTML document.

    Without `inline_css` the document has no stylesheet: the PDF renderer adds
    the one it parsed once (reports.pdf.render_scorecard_pdf).
    """
    return render_to_string(TEMPLATE_NAME, scorecard_context(card, inline_css=inline_css))
