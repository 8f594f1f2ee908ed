"""Shared pieces of the people-and-capacity loaders: reading sheets, finding a header by its
aliases, reading cells, and the ``Parsed`` whose loaded rows are allocations plus capacity."""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass

import pandas as pd

from loaders.base import Parsed, Problem, Refused
from loaders.tabular import read_delimited, read_workbook
from loaders.values import is_empty, normalize_header, parse_date, parse_number

SOURCE = "resources"
HEADER_SEARCH_ROWS = 30
HOURS_PER_DAY = 8.0  # the calendar this app assumes when a file says nothing else (40 h / 5 days)

PERSON_COLUMNS = ("project_id", "resource", "email", "role", "team")  # whose row it is, in both tables
ALLOCATION_COLUMNS = ("row_number", *PERSON_COLUMNS, "task_name", "start", "finish", "percent", "hours", "origin")
CAPACITY_COLUMNS = (
    "row_number",
    *PERSON_COLUMNS,
    "period_start",
    "period_finish",
    "hours",
    "points",
    "resource_type",
    "max_units",
    "headcount",
    "sprint",
    "origin",
)


@dataclass
class ResourcesParsed(Parsed):
    """A resources upload: its loaded rows are allocation rows plus capacity rows."""

    @property
    def rows_loaded(self) -> int:
        return sum(len(self.tables.get(name, ())) for name in ("allocations", "capacity"))


def sheets_of(data: bytes, file_name: str) -> dict[str, list[list]]:
    """Sheet name -> rows for a workbook (.xlsx, or .xls BIFF8 read by calamine); one sheet named
    after the file for delimited text."""
    if data[:4] == b"PK\x03\x04":
        return read_workbook(data, file_name)
    if data[:8] == bytes.fromhex("d0cf11e0a1b11ae1"):
        from python_calamine import CalamineWorkbook

        try:
            wb = CalamineWorkbook.from_filelike(io.BytesIO(data))
        except Exception as err:  # calamine's own error types
            raise Refused(f"{file_name}: this .xls workbook cannot be read ({err}). Save it as .xlsx.") from None
        return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    return {file_name: read_delimited(data)[0]}


def text(cell) -> str:
    return "" if is_empty(cell) else str(cell).strip()


def header_roles(header: list, aliases: dict[str, str]) -> dict[str, int]:
    """Role -> column index for a header row (first column wins for a role)."""
    found: dict[str, int] = {}
    for index, cell in enumerate(header):
        role = aliases.get(normalize_header(text(cell)))
        if role and role not in found:
            found[role] = index
    return found


def find_header(rows: list[list], aliases: dict[str, str], accept) -> tuple[int, dict[str, int]] | None:
    """The first row within HEADER_SEARCH_ROWS whose roles satisfy ``accept(roles)``."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        roles = header_roles(row, aliases)
        if roles and accept(roles):
            return index, roles
    return None


def cell(row: list, index: int | None):
    return row[index] if index is not None and index < len(row) else ""


def read_number(value, problems: list[Problem], row_number: int, column: str) -> float | None:
    try:
        return parse_number(value)
    except ValueError:
        problems.append(Problem(f"'{value}' is not a number; left empty.", "warning", row_number, column, str(value)))
        return None


def read_date(value, problems: list[Problem], row_number: int, column: str, order: str | None) -> dt.date | None:
    try:
        stamp = parse_date(value, order)
    except ValueError:
        problems.append(Problem(f"'{value}' is not a date; left empty.", "warning", row_number, column, str(value)))
        return None
    return None if stamp is None else stamp.date()


def date_order(values: list) -> str | None:
    """DMY when some numeric date can only be read day-first, else MDY (MS Project's default)."""
    for value in values:
        parts = re.findall(r"\d+", value) if isinstance(value, str) else []
        if len(parts) >= 3 and len(parts[0]) <= 2 and int(parts[0]) > 12:
            return "DMY"
    return None


def frame(records: list[dict], columns: tuple[str, ...]) -> pd.DataFrame:
    out = pd.DataFrame(records, columns=list(columns))
    for col in ("start", "finish", "period_start", "period_finish"):
        if col in out:
            out[col] = pd.to_datetime(out[col]).dt.date if len(out) else out[col]
    return out


_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        (
            ("jan", "january", "janvier", "januar", "enero"),
            ("feb", "february", "février", "februar", "febrero"),
            ("mar", "march", "mars", "märz", "marzo"),
            ("apr", "april", "avril", "abril"),
            ("may", "mai", "mayo"),
            ("jun", "june", "juin", "juni", "junio"),
            ("jul", "july", "juillet", "juli", "julio"),
            ("aug", "august", "août", "agosto"),
            ("sep", "sept", "september", "septembre", "septiembre"),
            ("oct", "october", "octobre", "oktober", "octubre"),
            ("nov", "november", "novembre", "noviembre"),
            ("dec", "december", "décembre", "dezember", "diciembre"),
        )
    )
    for name in names
}
_MONTH_WORD = re.compile(r"^([^\W\d_]+)\.?[\s\-'’/.,]*(\d{2}|\d{4})$")
_MONTH_ISO = re.compile(r"^(\d{4})[-/.](\d{1,2})$")


def month_of(value) -> dt.date | None:
    """A month column header -> its first day: ``Jul '16``, ``Jan-26``, ``January 2026``, ``2026-01``,
    or a date cell."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    if isinstance(value, dt.date):
        return value.replace(day=1)
    label = text(value).casefold()
    if m := _MONTH_ISO.match(label):
        year, month = int(m[1]), int(m[2])
        return dt.date(year, month, 1) if 1 <= month <= 12 else None
    if (m := _MONTH_WORD.match(label)) and m[1] in _MONTHS:
        year = int(m[2]) + (2000 if len(m[2]) == 2 else 0)
        return dt.date(year, _MONTHS[m[1]], 1)
    return None
