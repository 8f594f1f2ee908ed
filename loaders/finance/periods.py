"""Periods as finance people write them -> the first day of a month.

:func:`parse_month` reads calendar months (``Jan-26``, ``2026-01``, ``01/2026``, Excel dates and
serials ...). :func:`parse_period` adds the fiscal spellings, which need the fiscal-year start
month (``fy_start``, 1 = January) and, for a bare period number, the fiscal year of the row:

* ``P01``, ``P1``, ``Per. 3``, ``001/2024``, ``2024/001``, ``2024-P01``, ``P01 2024`` -> fiscal period
  *n* = the *n*-th month of the fiscal year (SAP special periods 13–16 fold into period 12);
* ``FY24 Q1``, ``Q1 FY24``, ``Q1 2024``, ``2024-Q1`` -> the first month of that quarter;
* ``FY24``, ``FY 2024``, ``2024`` (a fiscal-year column) -> the first month of that fiscal year.

A fiscal year is named by the calendar year it ends in (FY2024 with an April start runs
April 2023 – March 2024); with a January start it is the calendar year. ``granularity`` tells
whether a month, a quarter or a whole year was read (the caller says so in an info problem).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

import pandas as pd

from loaders.values import MONTHS, check_date_window, is_empty

_ISO_MONTH = re.compile(r"^(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_MONTH_YEAR_NUM = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_YYYYMM = re.compile(r"^(\d{4})(\d{2})$")
_NAME_YEAR = re.compile(r"^([^\W\d_]+)\.?[\s\-./']*(\d{4}|\d{2})$")
_YEAR_NAME = re.compile(r"^(\d{4})[\s\-./]*([^\W\d_]+)\.?$")
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
EXCEL_EPOCH = dt.date(1899, 12, 30)


def parse_month(cell) -> dt.date | None:
    """A month as finance people write it -> the first day of that month (``None`` when empty).

    Grammar: ``datetime``/``date`` values (Excel dates); Excel serial numbers 20000–80000;
    ``2026-01``, ``2026/1``, ``2026-01-15`` (time part allowed), ``01/2026``, ``202601``;
    ``Jan-26``, ``Jan 2026``, ``January 2026``, ``Sept. 26``, ``2026 Jan`` with month names in
    the languages of :data:`loaders.values.MONTHS` (two-digit years are 20xx);
    ``dd/mm/yyyy`` or ``mm/dd/yyyy`` when one part is 1 (a period is written as its first day) or
    above 12. Anything else raises ``ValueError``.
    """
    if isinstance(cell, dt.datetime | pd.Timestamp):
        return _in_window(dt.date(cell.year, cell.month, 1), cell)
    if isinstance(cell, dt.date):
        return _in_window(cell.replace(day=1), cell)
    if isinstance(cell, bool):
        raise ValueError(f"not a month: {cell!r}")
    if isinstance(cell, int | float):
        if cell != cell:
            return None
        if 20000 <= cell <= 80000:
            day = EXCEL_EPOCH + dt.timedelta(days=int(cell))
            return _in_window(day.replace(day=1), cell)
        if float(cell).is_integer() and 190001 <= cell <= 210012 and 1 <= int(cell) % 100 <= 12:
            return _in_window(dt.date(int(cell) // 100, int(cell) % 100, 1), cell)
        raise ValueError(f"not a month: {cell!r}")
    if is_empty(cell):
        return None
    text = str(cell).strip()
    year = month = None
    if m := _ISO_MONTH.match(text):
        year, month = _year4(m[1]), int(m[2])
    elif m := _MONTH_YEAR_NUM.match(text):
        month, year = int(m[1]), _year4(m[2])
    elif m := _YYYYMM.match(text):
        year, month = _year4(m[1]), int(m[2])
    elif m := _NAME_YEAR.match(text):
        month, year = _month_name(m[1]), _year4(m[2])
    elif m := _YEAR_NAME.match(text):
        year, month = _year4(m[1]), _month_name(m[2])
    elif m := _DMY.match(text):
        a, b, year = int(m[1]), int(m[2]), _year4(m[3])
        if a == 1 or a > 12:
            month = b
        elif b == 1 or b > 12:
            month = a
        else:
            raise ValueError(f"ambiguous date {text!r}: write the month as 2026-03 or Mar-26")
    if month is None or year is None:
        raise ValueError(f"not a month: {text!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {text!r}")
    return _in_window(dt.date(year, month, 1), text)


def _in_window(month: dt.date, text) -> dt.date:
    """``month`` when its first day lies in :func:`loaders.values.date_window`, else ``ValueError``
    (``0001-01`` is a placeholder, not the year 1 and not 2001)."""
    check_date_window(pd.Timestamp(month), text)
    return month


_NAMES: dict[int, list[str]] = {}  # month -> its words in MONTHS
for _word, _month in MONTHS.items():
    _NAMES.setdefault(_month, []).append(_word)


def _month_name(text: str) -> int | None:
    """A month word -> 1..12: a name or abbreviation of :data:`loaders.values.MONTHS`, or the
    start of one (``Augu``, ``Septemb``); a word that only begins like one (``Marketing``,
    ``Junior``, ``General``) is not a month."""
    key = text.casefold().rstrip(".")
    if key in MONTHS:
        return MONTHS[key]
    month = MONTHS.get(key[:3]) if len(key) > 3 else None
    return month if month and any(name.startswith(key) for name in _NAMES[month]) else None


def month_without_year(cell) -> int | None:
    """``January``, ``Jan``, ``févr.``, ``Mär`` (a month name with no year) -> 1..12, else None."""
    if not isinstance(cell, str):
        return None
    text = cell.strip()
    if not text or not re.fullmatch(r"[^\W\d_]+\.?", text):
        return None
    return _month_name(text)


_FISCAL_PERIOD = re.compile(
    r"^(?:(?:p|per|period|periode|período|periodo|période)\.?\s*(\d{1,3})(?:\s*[/\-. ]\s*(?:fy)?\s*(\d{2}|\d{4}))?"
    r"|(\d{3})[/.\-](\d{4})|(\d{4})[/.\-]\s*p?(\d{3})|(\d{4})[/.\-]p(\d{1,2}))$",
    re.I,
)
_QUARTER = re.compile(
    r"^(?:fy\s*'?(\d{2}|\d{4})[\s\-/]*q([1-4])|q([1-4])[\s\-/]*(?:fy\s*'?)?(\d{2}|\d{4})|(\d{4})[\s\-/]*q([1-4]))$",
    re.I,
)
_FISCAL_YEAR = re.compile(r"^(?:fy|gj|ej|ex|ae)?\s*'?(\d{2}|\d{4})$", re.I)


def fiscal_year_start(year: int, fy_start: int) -> dt.date:
    """The first month of fiscal year ``year`` (named by the calendar year it ends in)."""
    return dt.date(year if fy_start == 1 else year - 1, fy_start, 1)


def fiscal_month(year: int, number: int, fy_start: int) -> dt.date:
    """Fiscal period ``number`` (1-based month of the fiscal year) of fiscal year ``year``."""
    first = fiscal_year_start(year, fy_start)
    index = first.month - 1 + min(number, 12) - 1
    return dt.date(first.year + index // 12, index % 12 + 1, 1)


def _year4(text: str) -> int:
    """A year as written: two digits are 20xx; four digits are taken as written (``0001`` is year 1)."""
    value = int(text)
    return value + 2000 if len(text.strip()) <= 2 else value


def parse_fiscal_year(cell) -> int | None:
    """``2024``, ``FY24``, ``FY 2024``, 2024.0 -> 2024 (None when empty); else ValueError."""
    if is_empty(cell):
        return None
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if float(cell).is_integer() and 1900 <= cell <= 2200:
            return int(cell)
        raise ValueError(f"not a fiscal year: {cell!r}")
    text = str(cell).strip()
    match = _FISCAL_YEAR.match(text) or re.match(r"^(\d{4})\s*[/\-]\s*\d{2,4}$", text)  # "2023/24" ends in 2024
    if not match:
        raise ValueError(f"not a fiscal year: {cell!r}")
    if "/" in text or "-" in text:
        start = int(match[1])
        return start + 1
    year = _year4(match[1])
    if not 1900 <= year <= 2200:
        raise ValueError(f"not a fiscal year: {cell!r}")
    return year


def parse_period(cell, *, fy_start: int = 1, fiscal_year: int | None = None) -> tuple[dt.date | None, str]:
    """One period cell -> (first day of the month, granularity ``month`` | ``quarter`` | ``year``).

    ``fiscal_year`` is the row's fiscal year, for a bare ``P01``. Raises ``ValueError`` when the
    cell is not a period (or a fiscal period without a year)."""
    if isinstance(cell, str) and (text := cell.strip()):
        if match := _FISCAL_PERIOD.match(text):
            groups = match.groups()
            number, year = next(
                ((int(groups[i]), groups[j]) for i, j in ((0, 1), (2, 3), (5, 4), (7, 6)) if groups[i]), (0, None)
            )
            year = _year4(year) if year else fiscal_year
            if year is None:
                raise ValueError(f"the fiscal period {text!r} has no fiscal year (add a fiscal-year column)")
            if not 1 <= number <= 16:
                raise ValueError(f"not a fiscal period: {text!r}")
            return _in_window(fiscal_month(year, number, fy_start), text), "month"
        if match := _QUARTER.match(text):
            g = match.groups()
            year, quarter = (g[0], g[1]) if g[0] else (g[3], g[2]) if g[2] else (g[4], g[5])
            return _in_window(fiscal_month(_year4(year), 3 * (int(quarter) - 1) + 1, fy_start), text), "quarter"
        if re.fullmatch(r"(?i)fy\s*'?\d{2}(\d{2})?", text):
            return _in_window(fiscal_year_start(parse_fiscal_year(text), fy_start), text), "year"
    return parse_month(cell), "month"


def last_day(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])
