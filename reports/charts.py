"""SVG charts for the branch scorecard, drawn by hand.

The same markup is embedded in the PDF (WeasyPrint's own SVG renderer) and in
web pages (the browser's), so the charts only use what both draw the same
way: rect, line, polyline, polygon, circle and text with ``text-anchor``, every
size in user units, colours as solid hex values, and the font named on the
root element (the CJK font also carries the Latin glyphs, so mixed labels
are drawn in one face). No ``dominant-baseline``, no CSS classes for styling,
no external resources.

Text width cannot be measured without loading the font, so label layout uses
a conservative estimate (``_text_width``); long section labels wrap onto a
second line, and other long labels are cut with an ellipsis rather than
allowed to run into the plot.

Output is deterministic: coordinates are rounded to 0.1 and nothing depends
on dict order or the clock, so the same input gives byte-identical SVG (handy
for caching and for tests).
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal
from html import escape

from reports.periods import RANGE_DASH
from reports.scorecard_data import NamedScore, SectionRow, TrendPoint
from reports.stats import Interval

# The scorecard's compact subset of Noto Sans CJK SC first (the PDF renderer loads it,
# see reports.scorecard_fonts), the full system font for any character it lacks; a
# browser showing the web page has neither vendored font and goes on down the list.
FONT_FAMILY = "Scorecard Sans SC, Noto Sans CJK SC, sans-serif"

# One palette for every chart so the PDF reads as one document.
INK = "#1f2933"
MUTED = "#6b7785"
GRID = "#dde3ea"
TRACK = "#eef2f6"
PRIMARY = "#1f4e79"
PRIMARY_LIGHT = "#c7d6e8"
REGION = "#d9822b"
COMPANY = "#3f4a56"
BAND_FILL = "#e3f1e7"
BAND_LINE = "#4f9a68"
MISSING = "#9aa5b1"

NO_SCORE = "—"


# --- small helpers -----------------------------------------------------------


def _n(value: float) -> str:
    """Format a coordinate: one decimal at most, never "-0"."""
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def format_score(score: Decimal | None) -> str:
    """Format a score the way the scorecard prints it: one decimal, or a dash."""
    if score is None:
        return NO_SCORE
    return str(Decimal(score).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def format_interval(interval: Interval | None) -> str:
    """Format a 90 % interval as "76.1–88.7", or "" when there is none."""
    if interval is None:
        return ""
    return f"{format_score(interval.low)}{RANGE_DASH}{format_score(interval.high)}"


def _clamp_score(score: Decimal | None) -> float:
    """A 0–100 float for plotting; a missing score plots at 0."""
    if score is None:
        return 0.0
    return min(100.0, max(0.0, float(score)))


def _text_width(text: str, size: float) -> float:
    """Estimate the drawn width of ``text`` at font ``size``.

    Wide (CJK) characters are one em; Latin averages a little over half an
    em in Noto Sans. Overestimating slightly is the safe side: a label that
    is cut too early looks fine, one that overlaps the bars does not.
    """
    width = 0.0
    for char in text:
        if unicodedata.east_asian_width(char) in ("W", "F"):
            width += 1.0
        elif char == " ":
            width += 0.28
        elif char.isupper() or char in "mwMW%":
            width += 0.68
        else:
            width += 0.56
    return width * size


def _fit(text: str, size: float, max_width: float) -> str:
    """Cut ``text`` with an ellipsis so it fits ``max_width``."""
    if _text_width(text, size) <= max_width:
        return text
    while text and _text_width(text + "…", size) > max_width:
        text = text[:-1]
    return text.rstrip() + "…"


def _break_after(char: str) -> bool:
    """Whether a line may break after ``char``: a space, or a CJK character or punctuation."""
    return char == " " or unicodedata.east_asian_width(char) in ("W", "F")


def _wrap(text: str, size: float, max_width: float, *, lines: int = 2) -> list[str]:
    """Break ``text`` into at most ``lines`` lines that fit ``max_width``.

    Breaks after a space or a CJK character, never inside a Latin word (unless
    the word alone is too long); only a text too long for every line is cut,
    with an ellipsis on its last line.
    """
    result: list[str] = []
    rest = text.strip()
    while rest and len(result) < lines - 1 and _text_width(rest, size) > max_width:
        end = 1
        while end < len(rest) and _text_width(rest[: end + 1].rstrip(), size) <= max_width:
            end += 1
        breaks = [i for i in range(1, end + 1) if _break_after(rest[i - 1])]
        cut = breaks[-1] if breaks else end
        result.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        result.append(_fit(rest, size, max_width))
    return result


def _text(
    x: float,
    y: float,
    content: str,
    *,
    size: float = 11,
    anchor: str = "start",
    fill: str = INK,
    weight: str | None = None,
    css_class: str | None = None,
) -> str:
    attrs = [f'x="{_n(x)}"', f'y="{_n(y)}"', f'font-size="{_n(size)}"', f'fill="{fill}"']
    if anchor != "start":
        attrs.append(f'text-anchor="{anchor}"')
    if weight:
        attrs.append(f'font-weight="{weight}"')
    if css_class:
        attrs.append(f'class="{css_class}"')
    return f"<text {' '.join(attrs)}>{escape(content)}</text>"


def _line(
    x1: float,
    y1: float,
    x2: float,
    y2: float,
    *,
    stroke: str,
    width: float = 1,
    dash: str | None = None,
) -> str:
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
        f'stroke="{stroke}" stroke-width="{_n(width)}"{dash_attr}/>'
    )


def _rect(
    x: float,
    y: float,
    w: float,
    h: float,
    *,
    fill: str,
    rx: float = 0,
    css_class: str | None = None,
) -> str:
    rx_attr = f' rx="{_n(rx)}"' if rx else ""
    class_attr = f' class="{css_class}"' if css_class else ""
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0))}" height="{_n(h)}"'
        f'{rx_attr} fill="{fill}"{class_attr}/>'
    )


def _points(coords: Sequence[tuple[float, float]]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in coords)


def _svg(
    width: int, height: int, body: Sequence[str], *, kind: str, role: str = "img", label: str = ""
) -> str:
    """Wrap chart elements in a root ``<svg>`` with an explicit size.

    Explicit width/height (not just a viewBox) because WeasyPrint sizes an
    inline SVG from them; the viewBox lets a web page scale it down. A chart
    with links inside is a "group" rather than an "img", whose children
    assistive technology would not reach. `label` names the chart to them.
    """
    named = f' aria-label="{escape(label)}"' if label else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'font-family="{FONT_FAMILY}" role="{role}"{named}>' + "".join(body) + "</svg>"
    )


# --- trend -------------------------------------------------------------------


def trend_chart(
    points: Sequence[TrendPoint], *, expected: Decimal, tolerance: Decimal, label: str = ""
) -> str:
    """Draw the score over the last periods against the expected band.

    Periods without a score leave a gap in the line instead of being joined
    across: a line through a month nobody visited would claim a trend we do
    not know. The expected band is drawn because a branch that sits just
    inside it for months is a different story from one that just crossed it.
    """
    width, height = 680, 184
    left, right, top, bottom = 34, 60, 22, 28
    plot_w = width - left - right
    plot_h = height - top - bottom
    base = height - bottom

    def y_of(score: float) -> float:
        return base - score / 100 * plot_h

    body: list[str] = []

    low = max(0.0, float(expected - tolerance))
    high = min(100.0, float(expected + tolerance))
    body.append(
        _rect(
            left,
            y_of(high),
            plot_w,
            y_of(low) - y_of(high),
            fill=BAND_FILL,
            css_class="expected-band",
        )
    )

    for tick in (0, 25, 50, 75, 100):
        y = y_of(tick)
        body.append(
            _line(
                left, y, left + plot_w, y, stroke=GRID if tick else MUTED, width=1 if tick else 1.2
            )
        )
        body.append(_text(left - 6, y + 3.5, str(tick), size=9, anchor="end", fill=MUTED))

    y_expected = y_of(_clamp_score(expected))
    body.append(
        _line(left, y_expected, left + plot_w, y_expected, stroke=BAND_LINE, width=1.2, dash="5 3")
    )
    band_text = f"{format_score(expected)} ± {format_score(tolerance)}"
    body.append(
        _text(left + plot_w + 6, y_expected + 3.5, band_text, size=9, fill=BAND_LINE, weight="bold")
    )

    count = len(points)
    step = plot_w / max(count, 1)
    xs = [left + step * (i + 0.5) for i in range(count)]
    last = count - 1

    # Consecutive scored periods form one polyline; a None ends the run.
    runs: list[list[tuple[float, float]]] = []
    current: list[tuple[float, float]] = []
    for x, point in zip(xs, points, strict=True):
        if point.score is None:
            if current:
                runs.append(current)
            current = []
        else:
            current.append((x, y_of(_clamp_score(point.score))))
    if current:
        runs.append(current)
    for run in runs:
        if len(run) > 1:
            body.append(
                f'<polyline class="trend-line" points="{_points(run)}" fill="none" '
                f'stroke="{PRIMARY}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"/>'
            )

    for i, (x, point) in enumerate(zip(xs, points, strict=True)):
        is_current = i == last
        label_weight = "bold" if is_current else None
        body.append(
            _text(
                x,
                base + 17,
                point.label,
                size=10,
                anchor="middle",
                fill=INK if is_current else MUTED,
                weight=label_weight,
            )
        )
        if point.score is None:
            body.append(
                _text(
                    x,
                    base - 6,
                    NO_SCORE,
                    size=10,
                    anchor="middle",
                    fill=MISSING,
                    css_class="trend-missing",
                )
            )
            continue
        y = y_of(_clamp_score(point.score))
        radius = 5.5 if is_current else 4
        body.append(
            f'<circle class="trend-dot" cx="{_n(x)}" cy="{_n(y)}" r="{_n(radius)}" '
            f'fill="{PRIMARY}" stroke="#ffffff" stroke-width="1.5"/>'
        )
        body.append(
            _text(
                x,
                y - 10,
                format_score(point.score),
                size=11 if is_current else 10,
                anchor="middle",
                fill=INK,
                weight="bold" if is_current else None,
            )
        )

    return _svg(width, height, body, kind="trend", label=label)


# --- sections ----------------------------------------------------------------


def _diamond(cx: float, cy: float, r: float, *, fill: str) -> str:
    corners = [(cx, cy - r), (cx + r, cy), (cx, cy + r), (cx - r, cy)]
    return f'<polygon points="{_points(corners)}" fill="{fill}" stroke="#ffffff" stroke-width="1"/>'


def section_bars(
    rows: Sequence[SectionRow],
    *,
    labels: Mapping[str, str],
    kind: str = "sections",
    label: str | None = None,
) -> str:
    """Draw one bar per section for the branch, with region and company markers.

    The same chart serves other rows read against the same two averages (the
    BPMP classes): `kind` names its class (``chart-<kind>``), `label` its
    title for assistive technology (``labels["sections"]`` by default).

    A bar plus two markers (rather than three grouped bars) keeps the
    branch's own number the dominant shape while the comparison stays one
    glance away. The legend reads ``labels["this_branch"]``,
    ``labels["region_avg"]`` and ``labels["company_avg"]``, so
    ``labels_for(lang)`` can be passed as is.
    """
    width = 680
    # The label column grows with the longest label, within limits, so short
    # Chinese labels do not leave a hole; longer ones wrap onto a second line,
    # and the rows grow to hold two lines.
    longest = max((_text_width(row.label, 11) for row in rows), default=0)
    label_w = min(270, max(120, math.ceil(longest) + 6))
    labels_lines = [_wrap(row.label, 11, label_w - 4) for row in rows]
    value_w = 46
    row_h = 34 if any(len(lines) > 1 for lines in labels_lines) else 26
    legend_h = 28
    axis_h = 18
    height = legend_h + row_h * max(len(rows), 1) + axis_h
    x0 = label_w + 10
    x1 = width - value_w
    track_w = x1 - x0

    def x_of(score: Decimal | None) -> float:
        return x0 + _clamp_score(score) / 100 * track_w

    body: list[str] = []

    # Legend, laid out left to right from estimated text widths.
    legend_y = 12
    lx = x0
    branch_text = labels.get("this_branch", "This branch")
    body.append(_rect(lx, legend_y - 5, 16, 10, fill=PRIMARY, rx=2))
    body.append(_text(lx + 22, legend_y + 4, branch_text, size=10, fill=INK))
    lx += 22 + _text_width(branch_text, 10) + 18
    region_text = labels.get("region_avg", "Region average")
    body.append(_diamond(lx + 6, legend_y, 6, fill=REGION))
    body.append(_text(lx + 17, legend_y + 4, region_text, size=10, fill=INK))
    lx += 17 + _text_width(region_text, 10) + 18
    company_text = labels.get("company_avg", "Company average")
    body.append(_line(lx + 5, legend_y - 7, lx + 5, legend_y + 7, stroke=COMPANY, width=3))
    body.append(_text(lx + 14, legend_y + 4, company_text, size=10, fill=INK))

    top = legend_h
    bottom = top + row_h * len(rows)
    for tick in (0, 25, 50, 75, 100):
        x = x0 + tick / 100 * track_w
        body.append(_line(x, top, x, bottom, stroke=GRID))
        body.append(_text(x, bottom + 13, str(tick), size=9, anchor="middle", fill=MUTED))

    for i, (row, lines) in enumerate(zip(rows, labels_lines, strict=True)):
        cy = top + row_h * i + row_h / 2
        # Lines 13 apart, the block centred on the bar.
        first = cy + 4 - 6.5 * (len(lines) - 1)
        for n, line in enumerate(lines):
            body.append(_text(label_w, first + 13 * n, line, size=11, anchor="end", fill=INK))
        body.append(_rect(x0, cy - 7, track_w, 14, fill=TRACK, rx=2))
        if row.score is not None:
            body.append(
                _rect(
                    x0,
                    cy - 7,
                    x_of(row.score) - x0,
                    14,
                    fill=PRIMARY,
                    rx=2,
                    css_class="section-bar",
                )
            )
        if row.company_avg is not None:
            cx = x_of(row.company_avg)
            body.append(_line(cx, cy - 10, cx, cy + 10, stroke=COMPANY, width=3))
        if row.region_avg is not None:
            body.append(_diamond(x_of(row.region_avg), cy, 6.5, fill=REGION))
        body.append(
            _text(
                x1 + 8,
                cy + 4,
                format_score(row.score),
                size=11,
                fill=INK if row.score is not None else MISSING,
                weight="bold",
            )
        )

    title = labels.get("sections", "") if label is None else label
    return _svg(width, height, body, kind=kind, label=title)


# --- RATER radar -------------------------------------------------------------


def radar_chart(axes: Sequence[NamedScore], *, label: str = "") -> str:
    """Draw the five-axis RATER profile, first axis at the top, clockwise.

    A dimension with no score is plotted at the centre with a hollow marker
    and a dash, so a missing dimension is visibly missing rather than
    looking like a real zero.
    """
    width, height = 380, 270
    cx, cy = width / 2, 140
    radius = 86
    count = max(len(axes), 3)

    def vertex(i: int, value: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / count
        r = radius * value / 100
        return cx + r * math.cos(angle), cy + r * math.sin(angle)

    body: list[str] = []
    for ring in (25, 50, 75, 100):
        ring_points = [vertex(i, ring) for i in range(count)]
        stroke = MUTED if ring == 100 else GRID
        body.append(
            f'<polygon class="radar-ring" points="{_points(ring_points)}" fill="none" stroke="{stroke}" stroke-width="1"/>'
        )
    for i in range(count):
        x, y = vertex(i, 100)
        body.append(_line(cx, cy, x, y, stroke=GRID))
    for ring in (25, 50, 75, 100):
        _, y = vertex(0, ring)
        body.append(_text(cx + 3, y - 2, str(ring), size=8, fill=MUTED))

    shape = [vertex(i, _clamp_score(axis.score)) for i, axis in enumerate(axes)]
    if shape:
        body.append(
            f'<polygon class="radar-shape" points="{_points(shape)}" fill="{PRIMARY}" fill-opacity="0.18" '
            f'stroke="{PRIMARY}" stroke-width="2" stroke-linejoin="round"/>'
        )
    for (x, y), axis in zip(shape, axes, strict=True):
        if axis.score is None:
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="#ffffff" stroke="{MISSING}" stroke-width="1.5"/>'
            )
        else:
            body.append(
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{PRIMARY}" stroke="#ffffff" stroke-width="1"/>'
            )

    for i, axis in enumerate(axes):
        x, y = vertex(i, 114)
        dx = x - cx
        if abs(dx) < 1:
            anchor = "middle"
        elif dx > 0:
            anchor = "start"
        else:
            anchor = "end"
        # Name above value. The top label is lifted clear of the ring scale
        # printed along its axis; labels below the centre hang under their point.
        if anchor == "middle" and y < cy:
            name_y = y - 18
        elif y <= cy:
            name_y = y - 4
        else:
            name_y = y + 10
        room = width - x - 4 if anchor == "start" else x - 4 if anchor == "end" else width
        body.append(
            _text(
                x,
                name_y,
                _fit(axis.label, 11, room),
                size=11,
                anchor=anchor,
                fill=INK,
                css_class="radar-label",
            )
        )
        body.append(
            _text(
                x,
                name_y + 14,
                format_score(axis.score),
                size=11,
                anchor=anchor,
                fill=PRIMARY if axis.score is not None else MISSING,
                weight="bold",
            )
        )

    return _svg(width, height, body, kind="radar", label=label)


# --- areas -------------------------------------------------------------------


def area_bars(axes: Sequence[NamedScore], *, label: str = "") -> str:
    """Draw one labelled bar per service-standard area (procedure, people, environment).

    The label sits above its bar rather than beside it so the bars keep the
    full width of the narrow column next to the radar.
    """
    width = 280
    row_h = 62
    top = 10
    height = top + row_h * max(len(axes), 1) + 18
    x0, x1 = 0, width - 50
    track_w = x1 - x0

    body: list[str] = []
    bottom = top + row_h * len(axes)
    for tick in (0, 25, 50, 75, 100):
        x = x0 + tick / 100 * track_w
        body.append(_line(x, top + 16, x, bottom, stroke=GRID))
        anchor = "start" if tick == 0 else "end" if tick == 100 else "middle"
        body.append(_text(x, bottom + 13, str(tick), size=9, anchor=anchor, fill=MUTED))

    for i, axis in enumerate(axes):
        y = top + row_h * i
        body.append(_text(x0, y + 14, _fit(axis.label, 11, width), size=11, fill=INK))
        body.append(_rect(x0, y + 22, track_w, 20, fill=TRACK, rx=2))
        if axis.score is not None:
            bar_w = _clamp_score(axis.score) / 100 * track_w
            body.append(_rect(x0, y + 22, bar_w, 20, fill=PRIMARY, rx=2, css_class="area-bar"))
        body.append(
            _text(
                x1 + 8,
                y + 37,
                format_score(axis.score),
                size=12,
                fill=INK if axis.score is not None else MISSING,
                weight="bold",
            )
        )

    return _svg(width, height, body, kind="areas", label=label)


# --- heatmap -----------------------------------------------------------------

# Red well below the expectation, pale at it, green well above: the scorecard's band colours.
_HEAT_LOW = (0xC0, 0x39, 0x2B)
_HEAT_MID = (0xF7, 0xF1, 0xDE)
_HEAT_HIGH = (0x2F, 0x85, 0x5A)
# How far below the bottom of the expected band a score must fall to be full red.
_HEAT_LOW_SPAN = 25


def _mix(a: tuple[int, int, int], b: tuple[int, int, int], share: float) -> str:
    return "#" + "".join(f"{round(x + (y - x) * share):02x}" for x, y in zip(a, b, strict=True))


def _heat(score: Decimal, expected: Decimal, tolerance: Decimal) -> tuple[str, float]:
    """A cell's colour and how far it is from the pale midpoint (0–1)."""
    value, centre = float(score), float(expected)
    if value <= centre:
        share = (centre - value) / (float(tolerance) + _HEAT_LOW_SPAN)
        share = min(1.0, max(0.0, share))
        return _mix(_HEAT_MID, _HEAT_LOW, share), share
    share = min(1.0, (value - centre) / max(100.0 - centre, 1.0))
    return _mix(_HEAT_MID, _HEAT_HIGH, share), share


def heatmap(
    rows: Sequence[tuple[str, Sequence[Decimal | None]]],
    *,
    columns: Sequence[str],
    expected: Decimal,
    tolerance: Decimal,
    links: Sequence[Sequence[str | None]] | None = None,
) -> str:
    """Draw a rows × columns grid of scores (branches × sections), coloured against the expectation.

    Colours are centred on the expected score rather than on 0–100, because
    the question a head office asks of the grid is "where are we short of our
    own standard?". Every cell also prints its number, so the grid still
    reads in grey print and for colour-blind readers. A missing score is a
    grey cell with a dash. Column labels are cut to the cell width; the page
    around the chart names the sections in full.

    `links`, for a web page, gives a URL (or None) per row and column: such a
    cell becomes an SVG ``<a>`` (class ``heat-link``) titled with its row,
    column and score. Without it the chart is exactly the printable one.
    """
    longest = max((_text_width(label, 11) for label, _ in rows), default=0)
    label_w = min(240, max(100, math.ceil(longest) + 10))
    count = max(len(columns), 1)
    cell_w = min(110.0, max(48.0, (680 - label_w) / count))
    row_h = 24
    header_h = 28
    legend_h = 36
    # Wide enough for the legend's five swatches too, however few the columns.
    legend_w = 64 * 4 + 23 + _text_width("100.0", 9) + 2
    width = math.ceil(label_w + max(cell_w * count + 2, legend_w))
    height = header_h + row_h * max(len(rows), 1) + legend_h

    body: list[str] = []
    column_names = list(columns)
    for j, column in enumerate(columns):
        x = label_w + cell_w * (j + 0.5)
        body.append(
            _text(x, header_h - 9, _fit(column, 10, cell_w - 6), size=10, anchor="middle", fill=INK)
        )

    for i, (label, scores) in enumerate(rows):
        y = header_h + row_h * i
        body.append(
            _text(
                label_w - 8, y + row_h / 2 + 4, _fit(label, 11, label_w - 12), size=11, anchor="end"
            )
        )
        for j in range(len(columns)):
            score = scores[j] if j < len(scores) else None
            x = label_w + cell_w * j
            if score is None:
                fill, strength = TRACK, 0.0
            else:
                fill, strength = _heat(score, expected, tolerance)
            cell = _rect(
                x + 1, y + 1, cell_w - 2, row_h - 2, fill=fill, css_class="heat-cell"
            ) + _text(
                x + cell_w / 2,
                y + row_h / 2 + 4,
                format_score(score),
                size=10.5,
                anchor="middle",
                fill=MISSING if score is None else "#ffffff" if strength > 0.55 else INK,
            )
            row_links = links[i] if links is not None and i < len(links) else ()
            href = row_links[j] if j < len(row_links) else None
            if href:
                title = f"{label} · {column_names[j]}: {format_score(score)}"
                cell = (
                    f'<a href="{escape(href)}" class="heat-link">'
                    f"<title>{escape(title)}</title>{cell}</a>"
                )
            body.append(cell)

    # Legend: swatches at telling scores, so the colours can be read back as numbers.
    legend_y = header_h + row_h * len(rows) + 14
    low = max(Decimal(0), expected - tolerance - _HEAT_LOW_SPAN)
    marks = [low, expected - tolerance, expected, expected + tolerance, Decimal(100)]
    x = label_w
    for mark in marks:
        mark = min(Decimal(100), max(Decimal(0), mark))
        fill, _ = _heat(mark, expected, tolerance)
        body.append(_rect(x, legend_y, 18, 12, fill=fill))
        body.append(_text(x + 23, legend_y + 10, format_score(mark), size=9, fill=MUTED))
        x += 64
    return _svg(width, height, body, kind="heatmap", role="img" if links is None else "group")
