"""Where a contract register's table sits on a sheet: the header row found by content (not assumed
on row 1), the sub-header rows under it (two-row headers: ``Fechas Estimadas`` over ``Inicio`` /
``Fin``; a month over ``Net Billable … Total invoice val £ … Inv #``), which column plays which
role, the monthly invoice column groups, the currency the headers name and a project id written
in a preamble above the table (``ID: LTV_str``)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field

from loaders.contracts.aliases import (
    INVOICE_NOT_WORDS,
    INVOICE_PART_WORDS,
    INVOICE_TOTAL_WORDS,
    PROJECT_ID_LABELS,
    ROLE_ALIASES,
)
from loaders.values import MONTHS, is_empty, normalize_header, parse_number

MONEY_ROLES = ("value", "invoiced", "remaining", "committed")
IDENTITY_ROLES = ("contract_id", "po_number", "vendor", "wbs", "description")
HEADER_SCAN_ROWS = 40
_SYMBOLS = {"£": "GBP", "€": "EUR", "$": "USD", "¥": "JPY", "₹": "INR", "₩": "KRW", "₽": "RUB"}
_CODES = re.compile(r"\b(GBP|EUR|USD|CAD|AUD|CHF|JPY|INR|CLP|MXN|BRL|COP|PEN|ARS|SEK|NOK|DKK|PLN|NZD|ZAR)\b")
_ROLE_OF_ALIAS: dict[str, str] = {}
for _role, _aliases in ROLE_ALIASES.items():
    for _alias in _aliases:
        _ROLE_OF_ALIAS.setdefault(_alias, _role)  # an alias listed twice keeps its first role


def header_key(text) -> str:
    """Header text -> comparison key: ``Total Invoiced \\nto date (Jan-Dec 2021)`` -> ``total invoiced to date``."""
    key = normalize_header(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", str(text)))
    key = re.sub(r"[£€$¥#:*?.]", " ", key)
    return re.sub(r"\s+", " ", key).strip(" /")


# a sniff asks for every cell of a file's first rows, and weekly snapshots repeat them
@functools.lru_cache(maxsize=16384, typed=True)
def role_of(text) -> str | None:
    """The role a header names: an alias exactly, or a two-or-more-word alias followed by more words."""
    key = header_key(text)
    if not key:
        return None
    if key in _ROLE_OF_ALIAS:
        return _ROLE_OF_ALIAS[key]
    cut = key.rfind(" ")
    while cut > 0:  # the longest leading words that are an alias of two or more words
        head = key[:cut]
        if " " in head and head in _ROLE_OF_ALIAS:
            return _ROLE_OF_ALIAS[head]
        cut = key.rfind(" ", 0, cut)
    return None


def month_of(cell) -> tuple[int | None, int] | None:
    """A month column header -> (year or None, month): ``January``, ``Jan-26``, ``2026-01``, a date."""
    if isinstance(cell, dt.date):
        return cell.year, cell.month
    if not isinstance(cell, str):
        return None
    words = header_key(cell).replace("/", " ").split()
    if not words:
        return None
    if len(words) == 2 and all(w.isdigit() for w in words):
        year, month = (words[0], words[1]) if len(words[0]) == 4 else (words[1], words[0])
        if len(year) == 4 and 1 <= int(month) <= 12:
            return int(year), int(month)
        return None
    if words[0] not in MONTHS or len(words) > 2:
        return None
    if len(words) == 1:
        return None, MONTHS[words[0]]
    if words[1].isdigit() and len(words[1]) in (2, 4):
        year = int(words[1])
        return (2000 + year if year < 100 else year), MONTHS[words[0]]
    return None


@dataclass
class MonthGroup:
    """One month's invoice columns: ``total`` columns (the invoice value) and ``parts`` that add
    up to it where the total is blank; ``year`` None when the header names none."""

    column: int
    year: int | None
    month: int
    total: list[int] = field(default_factory=list)
    parts: list[int] = field(default_factory=list)


@dataclass
class Layout:
    header_row: int  # 0-based index of the header row
    first_data_row: int
    labels: list[str]  # per column, the header text as shown (two rows joined with " / ")
    roles: dict[str, int]  # role -> column
    duplicates: dict[int, str]  # column -> role another column already plays
    months: list[MonthGroup]
    currency: str | None
    project_id: str | None

    @property
    def money_columns(self) -> dict[str, int]:
        return {r: c for r, c in self.roles.items() if r in MONEY_ROLES}


def _text(cell) -> str:
    return "" if is_empty(cell) else str(cell).strip()


def _score(row: list) -> set[str]:
    return {r for r in (role_of(c) for c in row if isinstance(c, str)) if r}


def looks_like_header(row: list) -> bool:
    roles = _score(row)
    return bool(roles & set(MONEY_ROLES)) and bool(roles & set(IDENTITY_ROLES)) and len(roles) >= 3


def _is_number(cell) -> bool:
    try:
        return parse_number(cell) is not None
    except ValueError:
        return False


def _is_subheader(row: list, top: list) -> bool:
    """A row of labels under the header: two or more text cells, no numbers, and nothing under
    the header's identity columns (a data row always names its contract, vendor or description)."""
    filled = [c for c in row if not is_empty(c)]
    if len(filled) < 2 or not all(isinstance(c, str) and not _is_number(c) for c in filled):
        return False
    identity = {i for i, cell in enumerate(top) if isinstance(cell, str) and role_of(cell) in IDENTITY_ROLES}
    return not any(not is_empty(row[i]) for i in identity if i < len(row))


def find_layout(rows: list[list]) -> Layout | None:
    """The table on a sheet, or None when no row in the first 40 reads as a contract header
    (a money column, an identity column and at least three roles)."""
    best, best_score = None, 0
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        if not _score(row):  # a blank or title row above a header is not the header
            continue
        extended = row + (rows[i + 1] if i + 1 < len(rows) and _is_subheader(rows[i + 1], row) else [])
        if looks_like_header(extended) and len(_score(extended)) > best_score:
            best, best_score = i, len(_score(extended))
    if best is None:
        return None
    subs = []
    for row in rows[best + 1 : best + 3]:
        if not _is_subheader(row, rows[best]):
            break
        subs.append(row)
    return _layout(rows, best, subs)


def _layout(rows: list[list], at: int, subs: list[list]) -> Layout:
    top = rows[at]
    width = max(len(top), *(len(s) for s in subs)) if subs else len(top)
    cell = lambda row, c: _text(row[c]) if c < len(row) else ""  # noqa: E731
    labels, roles, duplicates, months = [], {}, {}, []
    group: MonthGroup | None = None
    for c in range(width):
        head = top[c] if c < len(top) else ""
        under = [cell(s, c) for s in subs if cell(s, c)]
        shown = head.strftime("%b %Y") if isinstance(head, dt.date) else _text(head)
        labels.append(" / ".join(t for t in (shown, *under) if t))
        month = month_of(head)
        if month is not None:
            group = MonthGroup(c, *month)
            months.append(group)
        elif _text(head):
            group = None
        if group is not None:
            _add_to_group(group, c, under)
            continue
        role = role_of(head) or next((r for r in map(role_of, under) if r), None)
        if role is None:
            continue
        if role in roles:
            duplicates[c] = role
        else:
            roles[role] = c
    for g in months:
        if not g.total and not g.parts:
            g.total.append(g.column)
    header_cells = [_text(c) for row in [top, *subs] for c in row if isinstance(c, str)]
    return Layout(
        at,
        at + 1 + len(subs),
        labels,
        roles,
        duplicates,
        months,
        header_currency(header_cells),
        preamble_project(rows[:at]),
    )


def _add_to_group(group: MonthGroup, column: int, under: list[str]) -> None:
    """File the column under its month by its first sub-header (accruals, ``Inv #`` and notes are
    neither an invoice total nor a part of one)."""
    key = header_key(under[0]) if under else ""
    if not key or any(word in key for word in INVOICE_NOT_WORDS):
        return
    if any(word in key for word in INVOICE_PART_WORDS):
        group.parts.append(column)
    elif any(key == w or key.startswith(w + " ") or (" " in w and w in key) for w in INVOICE_TOTAL_WORDS):
        group.total.append(column)


def header_currency(cells: list[str]) -> str | None:
    """The first currency the header cells name, by symbol (``Total invoice val £``) or ISO code."""
    for text in cells:
        for symbol, code in _SYMBOLS.items():
            if symbol in text:
                return code
        if found := _CODES.search(text):
            return found[1]
    return None


def preamble_project(rows: list[list]) -> str | None:
    """A project id written above the table: a label cell (``ID:``, ``Project ID:``) and its value."""
    for row in rows:
        cells = [_text(c) for c in row]
        for i, text in enumerate(cells):
            if text.endswith(":") and header_key(text) in PROJECT_ID_LABELS:
                value = next((v for v in cells[i + 1 :] if v), "")
                if value:
                    return value
    return None
