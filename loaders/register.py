"""Portfolio register: one row per project (.csv or .xlsx).

Columns (matched after normalising case, spaces and underscores): ``project_id`` and ``name``
required; ``program, portfolio, manager, sponsor, currency, budget, jira_keys, stage`` optional;
any other column is kept in ``extra``.
"""

from __future__ import annotations

import json
import re

import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.tabular import read_delimited, read_workbook
from loaders.values import is_empty, normalize_header, parse_number

SOURCE = "register"
COLUMNS = (
    "project_id",
    "name",
    "program",
    "portfolio",
    "manager",
    "sponsor",
    "currency",
    "budget",
    "jira_keys",
    "stage",
)
ALIASES = {
    "project id": "project_id",
    "project": "project_id",
    "project name": "name",
    "project title": "name",
    "project manager name": "manager",
    "programme name": "program",
    "program name": "program",
    "name": "name",
    "programme": "program",
    "program": "program",
    "portfolio": "portfolio",
    "manager": "manager",
    "project manager": "manager",
    "pm": "manager",
    "sponsor": "sponsor",
    "currency": "currency",
    "budget": "budget",
    "jira keys": "jira_keys",
    "jira key": "jira_keys",
    "jira project keys": "jira_keys",
    "stage": "stage",
    "phase": "stage",
}
REQUIRED = ("project_id", "name")


_UNIT_IN_HEADER = re.compile(r"\s*[(\[]\s*([a-z]{3}|[$€£¥])\s*[)\]]\s*$")
_SCALE = {"k": 1e3, "tsd": 1e3, "m": 1e6, "mm": 1e6, "mn": 1e6, "mio": 1e6, "bn": 1e9, "b": 1e9, "mrd": 1e9}
_SYMBOLS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₫": "VND", "₩": "KRW", "₽": "RUB"}


def _canonical(header: list[str]) -> list[str | None]:
    """Canonical field per header; ``Budget (USD)`` and ``Budget [€]`` mean budget."""
    return [ALIASES.get(_UNIT_IN_HEADER.sub("", normalize_header(h))) for h in header]


def header_currency(header: str) -> str | None:
    """The currency a header names: ``Budget (USD)`` -> USD, ``Budget (€)`` -> EUR."""
    found = _UNIT_IN_HEADER.search(normalize_header(header))
    return None if not found else _SYMBOLS.get(found[1], found[1].upper())


def parse_budget(cell) -> tuple[float | None, str | None]:
    """A budget cell -> (amount, currency code from its symbol or code, if any). Accepts the
    scale suffixes people type: ``€ 2.5m`` -> (2500000.0, 'EUR'), ``750k`` -> 750000.0."""
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return parse_number(cell), None
    text = str(cell).strip()
    currency = next((code for sym, code in _SYMBOLS.items() if sym in text), None)
    code = re.search(r"\b([A-Z]{3})\b", text)
    currency = currency or (code[1] if code else None)
    scaled = re.fullmatch(
        r"(.*?\d)\s*(k|tsd|m|mm|mn|mio|bn|b|mrd)\.?", re.sub(r"\b[A-Z]{3}\b", "", text).strip(), re.IGNORECASE
    )
    if scaled:
        value = parse_number(scaled[1])
        return (None if value is None else value * _SCALE[scaled[2].lower()]), currency
    return parse_number(text), currency


def _is_register_header(header: list[str]) -> bool:
    found = set(_canonical(header))
    return set(REQUIRED) <= found and len(found & {"program", "portfolio", "manager", "jira_keys", "budget"}) >= 1


def sniff(sample: Sample) -> bool:
    if sample.is_zip:
        return any(_is_register_header(row) for row in sample.sheets.values())
    return bool(sample.csv_header) and _is_register_header(sample.csv_header)


def _rows(data: bytes, file_name: str) -> list[list]:
    if data[:4] == b"PK\x03\x04":
        for rows in read_workbook(data, file_name).values():
            first = next((r for r in rows if any(str(c).strip() for c in r)), [])
            if _is_register_header([str(c) for c in first]):
                return rows
        raise Refused(f"{file_name}: no sheet has the register columns project_id and name.")
    return read_delimited(data)[0]


def parse(data: bytes, file_name: str) -> Parsed:
    rows = _rows(data, file_name)
    start = next(i for i, r in enumerate(rows) if any(str(c).strip() for c in r))
    header = [str(c).strip() for c in rows[start]]
    problems: list[Problem] = []
    canonical = _distinct_roles(header, _canonical(header), problems)
    records, seen = [], {}
    rejected = blank = 0
    for offset, row in enumerate(rows[start + 1 :], start=start + 2):
        cells = [("" if c is None else c) for c in row]
        if all(is_empty(c) for c in cells):
            blank += 1
            continue
        if len(cells) > len(header) and any(not is_empty(c) for c in cells[len(header) :]):
            problems.append(
                Problem(
                    f"the row has {len(cells)} cells but the header has {len(header)}; fix the row and upload again.",
                    "error",
                    offset,
                )
            )
            rejected += 1
            continue
        record = _record(header, canonical, cells, offset, problems)
        if not record["project_id"]:
            problems.append(Problem("the row has no project_id; it was not loaded.", "error", offset, "project_id"))
            rejected += 1
            continue
        if record["project_id"] in seen:
            problems.append(
                Problem(
                    f"project_id {record['project_id']} already appears on row {seen[record['project_id']]}; "
                    "this row was not loaded.",
                    "error",
                    offset,
                    "project_id",
                    record["project_id"],
                )
            )
            rejected += 1
            continue
        seen[record["project_id"]] = offset
        records.append(record)
    if blank:  # loaded + rejected + skipped = the rows below the header
        problems.append(Problem(f"{blank} blank row(s) were skipped.", "info"))
    frame = pd.DataFrame(records, columns=[*COLUMNS, "extra"])
    if frame.empty:
        raise Refused(f"{file_name}: the register has no project rows.")
    return Parsed(SOURCE, "Portfolio register", {"projects": frame}, problems, rows_rejected=rejected)


def _distinct_roles(header: list[str], canonical: list[str | None], problems: list[Problem]) -> list[str | None]:
    """Each role read from its first column only: a later column naming the same role is kept as
    an extra column, with a warning."""
    out = list(canonical)
    for i, canon in enumerate(canonical):
        if canon is not None and canon in canonical[:i]:
            first = header[canonical.index(canon)]
            problems.append(
                Problem(
                    f"the column {header[i]!r} also means {canon}, which {first!r} already gives; it was kept as an "
                    "extra column.",
                    "warning",
                    1,
                    header[i],
                )
            )
            out[i] = None
    return out


def _record(header: list[str], canonical: list[str | None], cells: list, offset: int, problems: list[Problem]) -> dict:
    """One register row as a project record (``name`` defaults to the id, other columns go to
    ``extra`` as JSON); a budget that is not a number is left empty, a negative one kept, both warned."""
    record = {c: None for c in COLUMNS}
    extra = {}
    for name, canon, cell in zip(header, canonical, cells, strict=False):
        if canon is None:
            if not is_empty(cell):
                extra[name] = str(cell).strip()
        elif canon == "budget":
            try:
                record["budget"], symbol = parse_budget(cell)
                record["currency"] = record["currency"] or symbol or header_currency(name)
            except ValueError as err:
                problems.append(
                    Problem(f"the budget is not a number ({err}); left empty.", "warning", offset, name, str(cell))
                )
            if (record.get("budget") or 0) < 0:
                problems.append(
                    Problem(
                        "the budget is negative; kept as written. Check the register: a negative "
                        "budget lowers the portfolio's totals.",
                        "warning",
                        offset,
                        name,
                        str(cell),
                    )
                )
        elif not is_empty(cell):
            value = cell
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            record[canon] = str(value).strip()
    record["name"] = record["name"] or record["project_id"]
    record["extra"] = json.dumps(extra) if extra else None
    return record
