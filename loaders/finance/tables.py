"""Finding the table in a finance sheet: which rows are titles, which row (or two) is the header.

Sheets come from :mod:`loaders.tabular` (calamine for workbooks, sniffed delimiters and
encodings for text); merged cells are filled with their anchor's value, so a month merged over
``Budget | Actual`` heads both columns and a project merged down a block names every row.

The header is the row (among the first :data:`HEADER_SEARCH_ROWS`) whose cells name the most
roles (see :mod:`loaders.finance.columns`) or months; a second header row directly above or
below that carries measure words over/under month columns makes a two-row header
(``Jan-26`` over ``Budget | Actual``). Title rows above the header are kept: they may name the
currency (``Figures in USD``) or carry the file's own headline total.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from loaders.base import Refused
from loaders.finance.columns import AMOUNT_ROLES, currency_code, measure_word, role_of
from loaders.finance.periods import month_without_year, parse_month
from loaders.tabular import OpenWorkbook, read_delimited
from loaders.values import is_empty

HEADER_SEARCH_ROWS = 40
MEASURE_ROLES = (*AMOUNT_ROLES, "quantity", "quantity_budget", "quantity_actual", "quantity_forecast")


@dataclass
class Grid:
    """One sheet (or a delimited text file) as rows of cells."""

    sheet: str | None
    rows: list[list]
    delimiter: str | None = None
    encoding: str | None = None


@dataclass
class Header:
    """Where a table's header is and what its columns mean.

    ``first``/``last``: the header rows (0-based; equal for a one-row header); ``cells`` the
    column names shown to users; ``roles`` the role per column; ``months`` column -> (month date
    or None when written without a year, month number); ``measures`` column -> measure from a
    two-row header; ``currency`` named in a header or title cell."""

    first: int
    last: int
    cells: list[str]
    roles: list[str | None]
    months: dict[int, tuple[dt.date | None, int]] = field(default_factory=dict)
    measures: dict[int, str] = field(default_factory=dict)
    currency: str | None = None
    score: int = 0


def text(cell) -> str | None:
    """A cell as stripped text (None when empty); 1.0 -> '1', dates ISO."""
    if is_empty(cell):
        return None
    if isinstance(cell, float) and cell.is_integer():
        cell = int(cell)
    if isinstance(cell, dt.datetime | dt.date):
        return cell.isoformat()
    return str(cell).strip()


def read_grids(data: bytes, file_name: str, book: OpenWorkbook | None = None, head: int | None = None) -> list[Grid]:
    """Every sheet of a workbook (merged cells filled) or the one table of a text file. ``book``:
    the workbook already opened (a sniffer's ``Sample.workbook``), so its loaded sheets are reused.
    ``head``: only each sheet's first ``head`` rows (enough to sniff; a plan of 100,000 rows is not
    turned into rows twice)."""
    if data[:4] == b"PK\x03\x04":
        book = book or OpenWorkbook.readable(data, file_name)
        grids = []
        for name in book.sheet_names:
            sheet = book.sheet(name)
            rows = sheet.to_python(skip_empty_area=False, nrows=head)
            _fill_merged(rows, sheet.merged_cell_ranges or [])
            grids.append(Grid(name, rows))
        return grids
    if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        raise Refused(f"{file_name}: this is an old binary .xls workbook. Save it as .xlsx or .csv and upload again.")
    rows, encoding, delimiter = read_delimited(data)
    return [Grid(None, rows, delimiter, encoding)]


def _fill_merged(rows: list[list], ranges) -> None:
    for (r0, c0), (r1, c1) in ranges:
        if r0 >= len(rows) or c0 >= len(rows[r0]):
            continue
        anchor = rows[r0][c0]
        for r in range(r0, min(r1, len(rows) - 1) + 1):
            row = rows[r]
            for c in range(c0, min(c1, len(row) - 1) + 1):
                if is_empty(row[c]):
                    row[c] = anchor


_DAY_IN_DATE = re.compile(r"^\d{4}-\d{2}-(?!01\b)\d{2}\b")


def _month_of(cell) -> tuple[dt.date | None, int] | None:
    if isinstance(cell, str) and cell.strip().isdigit() and len(cell.strip()) != 6:
        return None  # a bare number in a text header is not a month (but "202601" is)
    if isinstance(cell, int | float) and not isinstance(cell, bool) and not 32874 <= cell <= 73051:
        return None  # an Excel serial heading a month column is 1990..2100; other numbers are amounts
    if isinstance(cell, dt.date) and cell.day != 1:
        return None  # a date in a data row, not a month heading a column
    if isinstance(cell, str) and _DAY_IN_DATE.match(cell.strip()):
        return None
    number = month_without_year(cell)
    if number:
        return None, number
    try:
        month = parse_month(cell)
    except ValueError:
        return None
    return (month, month.month) if month else None


def _is_amount(cell) -> bool:
    """A number that is not a year (a header row may hold "2026" or "FY 2026", not 35000)."""
    if isinstance(cell, str):
        cell = cell.strip()
        if not re.fullmatch(r"-?\d+(\.\d+)?", cell):
            return False
        cell = float(cell)
    return isinstance(cell, int | float) and not isinstance(cell, bool) and not (1900 <= cell <= 2100)


def _score(row: list) -> tuple[int, list[str | None], dict]:
    roles = [role_of(c) for c in row]
    months = {i: m for i, c in enumerate(row) if (m := _month_of(c))}
    dated = [m[0] for m in months.values() if m[0]]
    if len(set(dated)) < len(dated) or (months and any(_is_amount(c) for i, c in enumerate(row) if i not in months)):
        months = {}  # the same date twice, or dates beside amounts: a data row, not months heading columns
    distinct = {r for r in roles if r}
    measured = distinct & set(MEASURE_ROLES) or len(months) >= 2
    score = len(distinct) + (3 if len(months) >= 2 else 0)
    return (score if measured else 0), roles, months


def _forward(row: list) -> list:
    out, last = [], None
    for cell in row:
        if not is_empty(cell):
            last = cell
        out.append(cell if not is_empty(cell) else last)
    return out


def find_header(rows: list[list]) -> Header | None:
    """The header of the table in ``rows`` (see the module docstring), or None."""
    best = None
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        score, roles, months = _score(row)
        if score >= 2 and (best is None or score > best[0]):
            best = (score, index, roles, months)
    two_row = _two_row(rows, best[1] if best else None)
    if two_row:
        return two_row
    if best is None:
        return None
    score, index, roles, months = best
    cells = [text(c) or "" for c in rows[index]]
    for col in months:
        roles[col] = None
    return Header(index, index, cells, roles, months, {}, _header_currency(rows, index), score)


def _two_row(rows: list[list], index: int | None) -> Header | None:
    """A month row over (or under) a row of measure words, e.g. ``Jan-26`` merged over Budget | Actual."""
    starts = range(min(len(rows), HEADER_SEARCH_ROWS) - 1) if index is None else (index - 1, index)
    for top in starts:
        if top < 0 or top + 1 >= len(rows):
            continue
        upper, lower = _forward(rows[top]), rows[top + 1]
        for month_row, measure_row in ((upper, lower), (_forward(lower), rows[top])):
            months = {i: m for i, c in enumerate(month_row) if (m := _month_of(c))}
            measures = {i: w for i, c in enumerate(measure_row) if i in months and (w := measure_word(c))}
            if len(measures) >= 2:
                measure_row = _forward(measure_row) if measure_row is rows[top] else measure_row
                measures = {i: w for i, c in enumerate(measure_row) if i in months and (w := measure_word(c))}
                cells, roles = [], []
                for col in range(max(len(rows[top]), len(lower))):
                    names = [text(r[col]) for r in (rows[top], lower) if col < len(r)]
                    name = " ".join(n for n in names if n) if col in months else next((n for n in names if n), "")
                    cells.append(name or "")
                    roles.append(None if col in months else role_of(name))
                return Header(
                    top,
                    top + 1,
                    cells,
                    roles,
                    {c: months[c] for c in measures},
                    measures,
                    _header_currency(rows, top + 1),
                    10,
                )
    return None


def _header_currency(rows: list[list], last: int) -> str | None:
    for row in rows[: last + 1]:
        for cell in row:
            if isinstance(cell, str) and (code := currency_code(cell)) and len(cell) < 80:
                return code
    return None


def title_totals(rows: list[list], header: Header) -> list[tuple[int, float]]:
    """Numbers written next to a total word above the header (the file's own headline):
    (row number as the user sees it, value), e.g. ``Total | 30,000,000 | 9,000,000``."""
    from loaders.finance.totals import TOTAL_EXACT

    found = []
    for index, row in enumerate(rows[: header.first]):
        for col, cell in enumerate(row):
            if isinstance(cell, str) and TOTAL_EXACT.match(cell):
                numbers = [c for c in row[col + 1 :] if isinstance(c, int | float) and not isinstance(c, bool)]
                found += [(index + 1, float(v)) for v in numbers if v]
                break
    return found
