"""The rows of one register sheet -> contract records, monthly invoices and problems.

Row kinds, decided by content: a *contract* row names a contract/PO number, a vendor, a WBS
element or a description; a *continuation* row names none of them but carries amounts (a media
channel under its campaign, a second invoice line): its amounts add to the contract above; a
*totals* row starts with a totals word (``Total``, ``TOTAL excluding…``, ``Summe``) and is left out,
its amounts cross-checked against the lines above it; a *heading* row holds only a label in the
contract-number column (``Golf``, ``FEES/MISCELLANEOUS``) and names the section of the rows below;
a repeated header row is skipped. Anything else (legends, notes) is counted in one info problem.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from loaders.base import Problem
from loaders.contracts.aliases import TOTAL_WORDS
from loaders.contracts.layout import Layout, header_currency, header_key, role_of
from loaders.values import is_empty, parse_date_column, parse_number

TEXT_ROLES = (
    "contract_id",
    "po_number",
    "vendor",
    "wbs",
    "description",
    "type",
    "method",
    "status",
    "department",
    "project",
    "currency",
)
MAX_TOTAL_WORDS = 3
TOLERANCE = 0.005


@dataclass
class Contract:
    row_number: int
    cells: dict[str, object]  # role -> raw cell
    money: dict[str, float | None]
    months: dict[int, float] = field(default_factory=dict)  # month group index -> amount
    section: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class SheetResult:
    contracts: list[Contract]
    problems: list[Problem]
    rejected: int = 0


def _text(cell) -> str:
    if is_empty(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _is_total(row: list) -> bool:
    first = next((c for c in row if not is_empty(c)), None)
    if not isinstance(first, str):
        return False
    words = header_key(first).split()
    return bool(words) and words[0] in TOTAL_WORDS and len(words) <= MAX_TOTAL_WORDS


class _Reader:
    """State while walking one sheet top to bottom."""

    def __init__(self, rows: list[list], sheet: str, layout: Layout):
        self.rows, self.sheet, self.layout = rows, sheet, layout
        self.result = SheetResult([], [])
        self.section: str | None = None
        self.segment: dict[str, float] = {}
        self.sheet_sums: dict[str, float] = {}
        self.notes = 0
        self.repeated_headers = 0

    def cell(self, row: list, role: str):
        column = self.layout.roles.get(role)
        return row[column] if column is not None and column < len(row) else None

    def number(self, row: list, column: int, row_number: int) -> float | None:
        cell = row[column] if column < len(row) else None
        try:
            return parse_number(cell)
        except ValueError:
            self.result.problems.append(
                Problem("not a number; left empty.", "warning", row_number, self.layout.labels[column], str(cell))
            )
            return None

    def has_numbers(self, row: list) -> bool:
        """Does any money or invoice cell of the row hold a number (a legend's words do not)?"""
        columns = [*self.layout.money_columns.values(), *(c for g in self.layout.months for c in (*g.total, *g.parts))]
        for column in columns:
            try:
                if column < len(row) and parse_number(row[column]) is not None:
                    return True
            except ValueError:
                continue
        return False

    def amounts(self, row: list, row_number: int) -> tuple[dict[str, float | None], dict[int, float]]:
        money = {r: self.number(row, c, row_number) for r, c in self.layout.money_columns.items()}
        months = {}
        for i, group in enumerate(self.layout.months):
            totals = [v for c in group.total if (v := self.number(row, c, row_number)) is not None]
            parts = [v for c in group.parts if (v := self.number(row, c, row_number)) is not None]
            if totals or parts:
                months[i] = sum(totals) if totals else sum(parts)
        return money, months

    def read(self) -> SheetResult:
        for index in range(self.layout.first_data_row, len(self.rows)):
            row = self.rows[index]
            if all(is_empty(c) for c in row):
                continue
            self.row(row, index + 1)
        if self.notes:
            self.result.problems.append(
                Problem(
                    f"sheet {self.sheet}: {self.notes} row(s) hold only notes outside the register's columns "
                    "(legends, comments); they are not contracts.",
                    "info",
                )
            )
        if self.repeated_headers:
            self.result.problems.append(
                Problem(f"sheet {self.sheet}: {self.repeated_headers} repeated header row(s) skipped.", "info")
            )
        return self.result

    def row(self, row: list, number: int) -> None:
        if _is_total(row):
            self.total(row, number)
            return
        ident = {r: _text(self.cell(row, r)) for r in ("contract_id", "po_number", "vendor", "wbs", "description")}
        if any(role_of(v) == r for r, v in ident.items() if v):
            self.repeated_headers += 1
            return
        if not any(ident.values()) and not self.has_numbers(row):
            self.notes += any(not is_empty(c) for i, c in enumerate(row) if i not in self.layout.roles.values())
            return
        money, months = self.amounts(row, number)
        has_amounts = any(v is not None for v in money.values()) or bool(months)
        label = ident["contract_id"] or ident["po_number"]
        is_id = lambda text: bool(re.search(r"\d", text))  # noqa: E731
        if label and not is_id(label) and not (ident["vendor"] or ident["description"] or has_amounts):
            self.section = label
            return
        if any(ident.values()):
            self.contract(row, number, money, months)
        else:
            self.continuation(number, money, months)

    def contract(self, row: list, number: int, money: dict, months: dict) -> None:
        cells = {r: self.cell(row, r) for r in (*TEXT_ROLES, "start", "finish", "value")}
        extra = {
            self.layout.labels[c]: _text(row[c])
            for c in range(len(row))
            if c < len(self.layout.labels)
            and self.layout.labels[c]
            and c not in self.layout.roles.values()
            and not any(c in (*g.total, *g.parts) for g in self.layout.months)
            and _text(row[c])
        }
        self.result.contracts.append(Contract(number, cells, money, dict(months), self.section, extra))
        self.add_to_sums(money)

    def continuation(self, number: int, money: dict, months: dict) -> None:
        if not self.result.contracts:
            self.result.problems.append(
                Problem(
                    "the row carries amounts but no contract, PO, vendor or description above it names what "
                    "they belong to; it was not loaded.",
                    "error",
                    number,
                )
            )
            self.result.rejected += 1
            return
        target = self.result.contracts[-1]
        for role, value in money.items():
            if value is not None:
                target.money[role] = (target.money.get(role) or 0.0) + value
        for i, value in months.items():
            target.months[i] = target.months.get(i, 0.0) + value
        self.add_to_sums(money)

    def add_to_sums(self, money: dict) -> None:
        for role, value in money.items():
            if value is not None:
                self.segment[role] = self.segment.get(role, 0.0) + value
                self.sheet_sums[role] = self.sheet_sums.get(role, 0.0) + value

    def total(self, row: list, number: int) -> None:
        """A totals row: left out, and each amount it states compared with the lines above it
        (since the previous totals row that stated amounts, else since the top of the sheet)."""
        stated = {r: self.number(row, c, number) for r, c in self.layout.money_columns.items()}
        stated = {r: v for r, v in stated.items() if v is not None}
        for role, value in stated.items():
            label = self.layout.labels[self.layout.roles[role]]
            sums = [self.segment.get(role, 0.0), self.sheet_sums.get(role, 0.0)]
            if any(abs(value - s) <= TOLERANCE * max(1.0, abs(value)) for s in sums):
                self.result.problems.append(
                    Problem(
                        f"totals row left out; its {label} {value:,.2f} equals the sum of the lines above it.",
                        "info",
                        number,
                        label,
                        _text(row[self.layout.roles[role]]),
                    )
                )
            else:
                self.result.problems.append(
                    Problem(
                        f"totals row left out; its {label} {value:,.2f} differs from the sum of the lines above "
                        f"it ({sums[0]:,.2f}).",
                        "warning",
                        number,
                        label,
                        _text(row[self.layout.roles[role]]),
                    )
                )
        if stated:
            self.segment = {}


def read_sheet(rows: list[list], sheet: str, layout: Layout) -> SheetResult:
    """Walk one sheet's data rows (see the module docstring)."""
    return _Reader(rows, sheet, layout).read()


def parse_dates(contracts: list[Contract], role: str, label: str) -> tuple[list, list[Problem]]:
    """One date column of a sheet, read with one day/month order (decided from the column)."""
    column = parse_date_column([c.cells.get(role) for c in contracts])
    problems, values = [], []
    for i, (contract, value) in enumerate(zip(contracts, column.values, strict=True)):
        if i in column.errors or (value is not None and not 1900 <= value.year <= 2200):
            problems.append(
                Problem(
                    "not a date; left empty.", "warning", contract.row_number, label, _text(contract.cells.get(role))
                )
            )
            value = None
        values.append(None if value is None else value.date())
    return values, problems


def sheet_year(sheet: str, layout: Layout, starts: list) -> tuple[int | None, str]:
    """The year of month headers that name none: the sheet's name when it is a year, else a year in
    the headers, else the most common start year of its contracts."""
    if re.fullmatch(r"\s*(19|20)\d\d\s*", sheet):
        return int(sheet), f"the sheet's name {sheet}"
    for label in layout.labels:
        if found := re.search(r"\b((?:19|20)\d\d)\b", label):
            return int(found[1]), f"the header {label!r}"
    years = Counter(d.year for d in starts if d is not None)
    if years:
        year = years.most_common(1)[0][0]
        return year, f"the most common start year of its contracts ({year})"
    return None, ""


def month_periods(layout: Layout, year: int | None) -> list:
    """First day of the month of each month group; the year rolls over after December."""
    import datetime as dt

    periods, current = [], year
    previous = 0
    for group in layout.months:
        if group.year is not None:
            current = group.year
        elif current is not None and group.month < previous:
            current += 1
        previous = group.month
        periods.append(None if current is None else dt.date(current, group.month, 1))
    return periods


def row_currency(contract: Contract, fallback: str | None) -> str | None:
    """The contract's currency column (a code or a symbol), else a symbol or code written in its
    value cell (``1 250 000,00 €``), else the sheet's."""
    stated = _text(contract.cells.get("currency"))
    if stated:
        return header_currency([stated]) or stated.upper()[:3]
    value = contract.cells.get("value")
    return (header_currency([value]) if isinstance(value, str) else None) or fallback
