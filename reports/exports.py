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

from reports.periods import RANGE_DASH
from reports.selectors.comparison import Comparison, ComparisonRow
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


def comparison_columns(comparison: Comparison) -> list[Column]:
    """Rank, branch, region, visits, small sample, score and its 90 % interval, band,
    previous score and interval, change and whether it is significant, sections, RATER."""
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
    # Default arguments bind each code now; a closure would see only the last one.
    columns += [
        Column(
            f"{s.title_zh} {s.title_en}", lambda r, code=s.code: r.sections[code], SCORE_FORMAT, 14
        )
        for s in comparison.sections
    ]
    columns += [
        Column(
            f"{d.title_zh} {d.title_en}",
            lambda r, code=d.code: r.dimensions[code],
            SCORE_FORMAT,
            12,
        )
        for d in comparison.dimensions
    ]
    return columns


def export_filename(comparison: Comparison, extension: str) -> str:
    # An ASCII name: a range label's en dash would need RFC 5987 encoding in the header.
    period = comparison.period.label.replace(RANGE_DASH, "_")
    return f"comparison-{comparison.checklist}-{period}.{extension}"


def _text(value: object) -> str:
    return "" if value is None else str(value)


def comparison_csv(comparison: Comparison) -> Export:
    """UTF-8 with a byte-order mark, which is what makes Excel read the Chinese names right."""
    columns = comparison_columns(comparison)
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


def comparison_xlsx(comparison: Comparison) -> Export:
    """One sheet: bold, frozen header row; scores as numbers with one decimal."""
    columns = comparison_columns(comparison)
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


def comparison_export(comparison: Comparison, fmt: str) -> Export:
    if fmt == "csv":
        return comparison_csv(comparison)
    if fmt == "xlsx":
        return comparison_xlsx(comparison)
    raise ValueError(f"format must be one of {EXPORT_FORMATS}, got {fmt!r}")
