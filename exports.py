"""Excel exports of what a page shows, safe against formula injection.

:func:`to_excel` writes one sheet per frame with xlsxwriter. Numbers stay numbers and dates stay
dates (so the workbook opens in Excel or LibreOffice with the same numbers); every text cell is
written as a string, never as a formula, and text that a spreadsheet would read as a formula or
a DDE call (starting with ``=`` ``+`` ``-`` ``@``, or a tab or carriage return) additionally gets
Excel's *quote prefix* flag, the same flag a leading apostrophe sets when typed: the cell shows
the text exactly as written and stays text when someone edits it.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import pandas as pd
import xlsxwriter

DANGEROUS_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def is_dangerous(text: str) -> bool:
    """True when a spreadsheet could treat ``text`` as a formula (OWASP CSV-injection rule)."""
    return text.startswith(DANGEROUS_PREFIXES) or text.lstrip(" ").startswith(DANGEROUS_PREFIXES[:4])


def _sheet_name(name: str, used: set[str]) -> str:
    base = _BAD_SHEET_CHARS.sub(" ", str(name)).strip("' ")[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.casefold() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.casefold())
    return candidate


def to_excel(frames: dict[str, pd.DataFrame], percent_columns=()) -> bytes:
    """Frames -> .xlsx bytes, one sheet per frame (sheet names cleaned and made unique).

    A bold frozen header row with an autofilter; numbers as numbers (NaN/inf left blank), dates and
    timestamps as dates, booleans as booleans, everything else as text with formula escaping.
    Columns named in ``percent_columns`` hold ratios (−0.134) and keep a percent format (−13.4%):
    the cell's value stays the ratio, so sums and formulas still work.
    """
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    header_fmt = workbook.add_format({"bold": True, "bottom": 1})
    header_quoted = workbook.add_format({"bold": True, "bottom": 1, "quote_prefix": True})
    quoted = workbook.add_format({"quote_prefix": True})
    date_fmt = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_fmt = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    number_fmt = workbook.add_format({"num_format": "#,##0.00"})
    percent_fmt = workbook.add_format({"num_format": "0.0%"})
    percent = set(percent_columns)
    used: set[str] = set()
    for name, frame in frames.items():
        sheet = workbook.add_worksheet(_sheet_name(name, used))
        frame = frame.reset_index(drop=True)
        for col, title in enumerate(frame.columns):
            text = str(title)
            sheet.write_string(0, col, text, header_quoted if is_dangerous(text) else header_fmt)
            width = max([len(text), *(len(str(v)) for v in frame.iloc[:200, col].tolist())], default=8)
            sheet.set_column(col, col, min(max(width + 2, 8), 60))
        numbers = [percent_fmt if title in percent else number_fmt for title in frame.columns]
        for row, values in enumerate(frame.itertuples(index=False, name=None), start=1):
            for col, value in enumerate(values):
                _write(sheet, row, col, value, quoted, date_fmt, datetime_fmt, numbers[col])
        if len(frame.columns):
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    if not frames:
        workbook.add_worksheet("Empty")
    workbook.close()
    return buffer.getvalue()


def _write(sheet, row, col, value, quoted, date_fmt, datetime_fmt, number_fmt) -> None:
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float) or (hasattr(value, "dtype") and pd.api.types.is_number(value)):
        number = float(value)
        if math.isfinite(number):
            integer = number.is_integer() and number_fmt.num_format != "0.0%"
            sheet.write_number(row, col, number, None if integer else number_fmt)
    elif isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        is_date = stamp == stamp.normalize()
        sheet.write_datetime(row, col, stamp.to_pydatetime(), date_fmt if is_date else datetime_fmt)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, dt.datetime(value.year, value.month, value.day), date_fmt)
    else:
        text = str(value)
        sheet.write_string(row, col, text, quoted if is_dangerous(text) else None)


def to_csv(frame: pd.DataFrame) -> bytes:
    """A frame as UTF-8 CSV; text a spreadsheet would run as a formula gets a leading ``'``."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(lambda v: "'" + v if isinstance(v, str) and is_dangerous(v) else v)
    return safe.to_csv(index=False).encode("utf-8")
