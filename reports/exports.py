"""The comparison table as CSV and XLSX files, one row per branch.

Built from the same Comparison the JSON is, so the three can never disagree.
Pure: no database access and no HTTP, only bytes and a file name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from checklists.languages import pick
from reports.labels import labels_for
from reports.periods import RANGE_DASH
from reports.selectors.comparison import (
    BPMP_FAILURE_CLASSES,
    VIEWS,
    Comparison,
    ComparisonRow,
)
from reports.stats import Interval

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_FORMATS = ("csv", "xlsx")

SCORE_FORMAT = "0.0"
CHANGE_FORMAT = "+0.0;-0.0;0.0"
WHOLE_FORMAT = "0"


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[ComparisonRow], object]
    number_format: str | None = None  # None: text
    width: int = 10


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _end(interval: Interval | None, end: str) -> Decimal | None:
    return None if interval is None else getattr(interval, end)


def comparison_columns(
    comparison: Comparison, *, view: str | None = None, lang: str = "en"
) -> list[Column]:
    """Rank, branch, region, visits, small sample, score and its 90 % interval, band,
    previous score and interval, change and whether it is significant, then the score
    columns of one `view` (see reports.selectors.comparison.VIEWS), or without one of
    all five: sections, RATER, areas, key factors, BPMP classes (followed by the basic
    and punishment failures).

    Sections and RATER dimensions are headed in both languages, as they always were;
    areas, factors ("F12 兴趣") and BPMP classes in `lang`, the request's."""
    columns = [
        Column("Rank", lambda r: r.rank, WHOLE_FORMAT, 6),
        Column("Branch code", lambda r: r.branch_code, None, 14),
        Column("Branch name (zh-Hans)", lambda r: r.name_zh, None, 24),
        Column("Branch name (en)", lambda r: r.name_en, None, 28),
        Column("Region", lambda r: r.region, None, 10),
        Column("Visits", lambda r: r.visits, WHOLE_FORMAT, 7),
        Column("Small sample", lambda r: _yes_no(r.small_sample), None, 8),
        Column("Score", lambda r: r.score, SCORE_FORMAT, 7),
        Column("Score 90% CI low", lambda r: _end(r.interval, "low"), SCORE_FORMAT, 9),
        Column("Score 90% CI high", lambda r: _end(r.interval, "high"), SCORE_FORMAT, 9),
        Column("Band", lambda r: r.band, None, 9),
        Column("Previous score", lambda r: r.previous_score, SCORE_FORMAT, 9),
        Column("Previous 90% CI low", lambda r: _end(r.previous_interval, "low"), SCORE_FORMAT, 9),
        Column(
            "Previous 90% CI high", lambda r: _end(r.previous_interval, "high"), SCORE_FORMAT, 9
        ),
        Column("Change", lambda r: r.change, CHANGE_FORMAT, 8),
        Column("Change significant", lambda r: _yes_no(r.change_significant), None, 8),
    ]
    lenses = VIEWS.values() if view is None else [VIEWS[view]]
    for lens in lenses:
        both = lens in ("sections", "dimensions")
        columns += [
            Column(
                f"{h.title_zh} {h.title_en}" if both else pick(lang, h.title_zh, h.title_en),
                # Default arguments bind each one now; a closure would see only the last.
                lambda r, lens=lens, code=h.code: getattr(r, lens)[code],
                SCORE_FORMAT,
                14 if lens in ("sections", "factors") else 12,
            )
            for h in getattr(comparison, lens)
        ]
        if lens == "bpmp":
            t = labels_for(lang)
            columns += [
                Column(
                    t[f"bpmp_failures_{h.code}"],
                    lambda r, code=h.code: r.bpmp_failures[code],
                    WHOLE_FORMAT,
                    12,
                )
                for h in comparison.bpmp
                if h.code in BPMP_FAILURE_CLASSES
            ]
    return columns


def export_filename(comparison: Comparison, extension: str) -> str:
    # An ASCII name: a range label's en dash would need RFC 5987 encoding in the header.
    period = comparison.period.label.replace(RANGE_DASH, "_")
    return f"comparison-{comparison.checklist}-{period}.{extension}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def comparison_csv(comparison: Comparison, *, view: str | None = None, lang: str = "en") -> Export:
    """UTF-8 with a byte-order mark, which is what makes Excel read the Chinese names right."""
    columns = comparison_columns(comparison, view=view, lang=lang)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([c.header for c in columns])
    for row in comparison.rows:
        writer.writerow([_text(c.value(row)) for c in columns])
    return Export(
        content=("\ufeff" + buffer.getvalue()).encode("utf-8"),
        content_type=CSV_CONTENT_TYPE,
        filename=export_filename(comparison, "csv"),
    )


def comparison_xlsx(comparison: Comparison, *, view: str | None = None, lang: str = "en") -> Export:
    """One sheet: bold, frozen header row; scores as numbers with one decimal."""
    columns = comparison_columns(comparison, view=view, lang=lang)
    # Write-only streams rows to the file, so 10,000 branches stay cheap.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=comparison.period.label.replace(RANGE_DASH, " to ")[:31])
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(
            column.width, min(len(column.header) + 2, 40)
        )
    sheet.freeze_panes = "A2"

    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.header)
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    for row in comparison.rows:
        cells = []
        for column in columns:
            value = column.value(row)
            cell = WriteOnlyCell(sheet, value=value)
            if column.number_format and isinstance(value, int | Decimal):
                cell.number_format = column.number_format
            cells.append(cell)
        sheet.append(cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return Export(
        content=buffer.getvalue(),
        content_type=XLSX_CONTENT_TYPE,
        filename=export_filename(comparison, "xlsx"),
    )


def comparison_export(
    comparison: Comparison, fmt: str, *, view: str | None = None, lang: str = "en"
) -> Export:
    if fmt == "csv":
        return comparison_csv(comparison, view=view, lang=lang)
    if fmt == "xlsx":
        return comparison_xlsx(comparison, view=view, lang=lang)
    raise ValueError(f"format must be one of {EXPORT_FORMATS}, got {fmt!r}")
