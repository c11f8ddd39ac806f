"""Tables as one formatted Excel workbook (.xlsx), for people who live in spreadsheets.

`build_workbook(settings, sheets)` writes a first sheet with the settings that produced the
numbers, then one sheet per table: a bold header row that stays in view (frozen) with a
filter, money as currency, shares as percents, counts with thousands separators, and
columns wide enough to read. Text cells go through `foundation.inputs.safe_cell`, so a name
such as `=HYPERLINK(...)` is shown as written, never run as a formula. Numbers stay numbers
(a spreadsheet can sum them), written with one format per kind:
- money: dollars and cents, the minus before the dollar sign ("-$1,234.50"): a spreadsheet
  column reads to the cent at every size, while the page's text drops cents from $100 up;
- amounts per task, per token or per 1k tokens: at least two decimals and up to ten, so a
  cost of $0.000000400 never shows as $0.00;
- percents: a share with one decimal ("12.3%"); a column in points (a discount of 20, a
  share % of 30) is stored as the share (0.2, 0.3), so a formula that multiplies by it works;
- a ratio of dollars to dollars (`*_per_usd`, net value per dollar spent) is a multiple
  ("2,968.2x"), not money.
A sheet may end with a TOTAL row: a SUM formula per summed column, stored with its value, so
the file reads the same in a spreadsheet and in a reader that does not calculate.
"""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import pandas as pd
import xlsxwriter
import xlsxwriter.utility

from foundation.inputs import safe_cell

# Excel number formats by kind of column ("points" is written as a share: see `_write`).
MONEY = '"$"#,##0.00;-"$"#,##0.00'
FORMATS = {
    "usd": MONEY,
    "usd_fine": '"$"#,##0.00########;-"$"#,##0.00########',  # cost per task: never $0.00
    "share": "0.0%",  # 0.123 -> 12.3%
    "count": "#,##0",
    "ratio": "#,##0.0",
    "multiple": '#,##0.0"x"',  # 2968.2x: dollars of value per dollar spent
    "date": "yyyy-mm-dd",
}
MONEY_BANDS = re.compile(r"(spend|value|net_value)_p\d+")  # the forecast's P10..P90 columns
MAX_WIDTH = 48
SHEET_NAME_LIMIT = 31  # Excel's own limit


@dataclass(frozen=True)
class Sheet:
    """One table: its rows, a header label per column, and a format kind per column
    (a key of FORMATS; columns without one are inferred from their names)."""

    name: str
    table: pd.DataFrame
    labels: Mapping[str, str] = field(default_factory=dict)
    kinds: Mapping[str, str] = field(default_factory=dict)
    totals: Sequence[str] = ()  # columns summed in a TOTAL row under the table (none: no row)


def column_kind(column: str) -> str | None:
    """The format a column's name implies: *_usd money (per task: six decimals), accuracy,
    share and floor as percents, *_pct and "... %" in points, tasks and tokens as counts."""
    name = column.lower()
    if "per_task_usd" in name or "per_successful_task_usd" in name or "per_1k" in name:
        return "usd_fine"
    if name.endswith("_per_usd"):
        return "multiple"
    if name.endswith("_usd") or name.startswith("cap usd") or MONEY_BANDS.fullmatch(name):
        return "usd"
    if name in ("accuracy", "share", "floor", "mean_accuracy", "min_accuracy") or name.startswith(
        ("prob_", "share ")
    ):
        return "points" if name.startswith("share ") else "share"
    if name.endswith("_pct") or " % " in name or name.endswith(" %"):
        return "points"
    if "tasks" in name or "tokens" in name or name == "classes_moved":
        return "count"
    if name == "roi":
        return "ratio"
    return None


def build_workbook(settings: Sequence[tuple], sheets: Sequence[Sheet]) -> bytes:
    """The .xlsx file: "Settings" first, then each sheet in order. A setting is (name, value)
    or (name, value, kind), the kind a key of FORMATS (a budget as "usd", a growth as
    "share"), so a number is stored as a number with its format, never as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "nan_inf_to_errors": False})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF7", "bottom": 1, "text_wrap": True})
    formats = {kind: book.add_format({"num_format": f}) for kind, f in FORMATS.items()}
    _settings_sheet(book, settings, header, formats)
    used: set[str] = {"Settings"}
    for sheet in sheets:
        _table_sheet(book, sheet, _unique(sheet.name, used), header, formats)
    book.close()
    return out.getvalue()


def _settings_sheet(book, settings, header, formats) -> None:
    ws = book.add_worksheet("Settings")
    ws.write_row(0, 0, ["Setting", "Value"], header)
    ws.freeze_panes(1, 0)
    for row, (name, value, *kind) in enumerate(settings, start=1):
        ws.write_string(row, 0, str(safe_cell(name)))
        _write(ws, row, 1, value, kind[0] if kind else None, formats)
    width = max([len(str(setting[0])) for setting in settings] + [10])
    ws.set_column(0, 0, min(width + 2, MAX_WIDTH))
    ws.set_column(1, 1, MAX_WIDTH)


def _table_sheet(book, sheet: Sheet, name: str, header, formats) -> None:
    ws = book.add_worksheet(name)
    columns = list(sheet.table.columns)
    ws.write_row(0, 0, [str(safe_cell(sheet.labels.get(c, c))) for c in columns], header)
    ws.freeze_panes(1, 0)
    kinds = [sheet.kinds.get(c) or column_kind(str(c)) for c in columns]
    for row, record in enumerate(sheet.table.itertuples(index=False), start=1):
        for col, value in enumerate(record):
            _write(ws, row, col, value, kinds[col], formats)
    if columns:
        ws.autofilter(0, 0, max(len(sheet.table), 1), len(columns) - 1)
    if sheet.totals:
        _total_row(ws, sheet, kinds, book.add_format({"bold": True, "top": 1}), formats)
    for col, column in enumerate(columns):
        label = str(sheet.labels.get(column, column))
        texts = sheet.table[column].map(lambda v: len(str(v)) if isinstance(v, str) else 12)
        width = max([len(label) * 0.9, 10, *texts.tolist()[:500]])
        ws.set_column(col, col, min(width + 2, MAX_WIDTH))


def _total_row(ws, sheet: Sheet, kinds: list, bold, formats) -> None:
    """TOTAL under the table (outside its filter): =SUM of each summed column, with the sum
    stored as the formula's value."""
    row, rows = len(sheet.table) + 1, len(sheet.table)
    ws.write_string(row, 0, "TOTAL", bold)
    for col, column in enumerate(sheet.table.columns):
        if column not in sheet.totals:
            continue
        total = float(pd.to_numeric(sheet.table[column], errors="coerce").fillna(0).sum())
        letter = xlsxwriter.utility.xl_col_to_name(col)
        number = book_format(formats, kinds[col])
        ws.write_formula(row, col, f"=SUM({letter}2:{letter}{rows + 1})", number, total)


def book_format(formats, kind: str | None):
    return formats.get(kind) if kind else None


def _write(ws, row: int, col: int, value: Any, kind: str | None, formats) -> None:
    """A number with its format, a date as a date, text made safe, an empty cell for none."""
    if value is None or value is pd.NA or value is pd.NaT or _nan(value):
        ws.write_blank(row, col, None)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, int | float) and kind == "points":
        ws.write_number(row, col, float(value) / 100, formats["share"])  # 20 points -> 20.0%
    elif isinstance(value, int | float):
        ws.write_number(row, col, float(value), formats.get(kind) if kind else None)
    elif hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        _write(ws, row, col, value.item(), kind, formats)
    elif isinstance(value, datetime | date | pd.Timestamp):
        moment = (
            value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
        )
        ws.write_datetime(row, col, moment.replace(tzinfo=None), formats["date"])
    else:
        ws.write_string(row, col, str(safe_cell(value)))


def _nan(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


def _unique(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts: no []:*?/\\ characters, 31 characters, not used yet."""
    clean = "".join("-" if ch in "[]:*?/\\" else ch for ch in name).strip("'") or "Sheet"
    clean = clean[:SHEET_NAME_LIMIT]
    candidate, number = clean, 2
    while candidate.lower() in {u.lower() for u in used}:
        suffix = f" ({number})"
        candidate, number = clean[: SHEET_NAME_LIMIT - len(suffix)] + suffix, number + 1
    used.add(candidate)
    return candidate
