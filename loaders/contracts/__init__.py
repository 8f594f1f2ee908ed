"""Contract and PO registers (.xlsx or delimited text): one row per contract or purchase order.

The table is found by content on every sheet (header not assumed on row 1; two-row headers;
columns named in English, Spanish, French, German, Portuguese or Italian — see ``aliases``); one
sheet per business unit is read sheet by sheet (names shown unescaped: ``F&amp;B UK`` -> ``F&B UK``);
worked-example sheets (``Ejemplo``, ``Example``) are skipped and said so. Per contract: number (else
the PO number, else the WBS code, else ``<sheet> row <n>``), vendor (a cell holding name and city on
two lines gives vendor = first line, the city kept in ``extra``), projects (a project column, else a
project id in the preamble), value, invoiced, remaining, committed (text or numbers), start, end,
type, status; monthly invoice columns become ``contract_invoices`` rows. Totals rows are left out and
cross-checked (see ``sheet``). Rows carry ``project_id`` = the register's key (``contracts:`` + the
file name without its date), so a newer upload of the same register supersedes the older one.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from pathlib import Path

import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.contracts.aliases import EXAMPLE_SHEETS
from loaders.contracts.layout import Layout, find_layout, header_key
from loaders.contracts.sheet import Contract, month_periods, parse_dates, read_sheet, row_currency, sheet_year
from loaders.tabular import read_delimited, read_workbook

SOURCE = "contracts"
FORMAT = "Contract register"
COLUMNS = [
    "project_id",
    "row_number",
    "sheet",
    "contract_id",
    "po_number",
    "vendor",
    "vendor_raw",
    "project_ids",
    "description",
    "value",
    "invoiced",
    "committed",
    "remaining",
    "currency",
    "start",
    "finish",
    "type",
    "status",
    "extra",
]
INVOICE_COLUMNS = ["project_id", "contract_id", "period", "amount", "currency"]
SNIFF_ROWS = 40
_DATE_IN_NAME = re.compile(r"(19|20)\d\d[-_.]?\d\d[-_.]?\d\d")


def _is_register(layout: Layout | None) -> bool:
    """A contract table: a contract or PO number column, or WBS lines with a procurement type."""
    if layout is None:
        return False
    roles = set(layout.roles)
    return bool(roles & {"contract_id", "po_number"}) or ("wbs" in roles and bool(roles & {"type", "method"}))


def sniff(sample: Sample) -> bool:
    try:
        sheets = _head_rows(sample)
    except Exception:
        return False
    return any(_is_register(find_layout(rows)) for rows in sheets.values())


def _head_rows(sample: Sample) -> dict[str, list[list]]:
    if sample.is_zip:
        return sample.workbook.heads(SNIFF_ROWS)
    if not sample.text_head:
        return {}
    return {"": read_delimited(sample.head)[0][:SNIFF_ROWS]}


def register_key(file_name: str) -> str:
    """``CHANEL PO Tracker 2024-11-30.xlsx`` -> ``contracts:chanel-po-tracker``."""
    stem = _DATE_IN_NAME.sub(" ", Path(file_name).stem).lower()
    return "contracts:" + (re.sub(r"[^a-z0-9]+", "-", stem).strip("-")[:60] or "register")


def parse(data: bytes, file_name: str) -> Parsed:
    if data[:4] == b"PK\x03\x04":
        sheets = {html.unescape(name): rows for name, rows in read_workbook(data, file_name).items()}
    else:
        sheets = {Path(file_name).stem: read_delimited(data)[0]}
    problems: list[Problem] = []
    tables = {}
    for name, rows in sheets.items():
        layout = None if header_key(name) in EXAMPLE_SHEETS else find_layout(rows)
        if header_key(name) in EXAMPLE_SHEETS:
            problems.append(Problem(f"sheet {name} is a worked example of the template; it was not loaded.", "info"))
        elif not _is_register(layout):
            problems.append(
                Problem(
                    f"sheet {name} holds no contract table (no contract or PO number, value and "
                    "vendor or description columns); it was not loaded.",
                    "info",
                )
            )
        else:
            tables[name] = (rows, layout)
    workbook_currency = next((layout.currency for _, layout in tables.values() if layout.currency), None)
    frames, invoices, summary, rejected = [], [], {}, 0
    for name, (rows, layout) in tables.items():
        if layout.currency is None and workbook_currency:
            layout.currency = workbook_currency
            problems.append(
                Problem(
                    f"sheet {name} names no currency in its headers; {workbook_currency}, the first "
                    "currency another sheet of the workbook names, was used.",
                    "info",
                )
            )
        records, lines, sheet_problems, sheet_rejected = _read(rows, name, layout, multi=len(sheets) > 1)
        problems += sheet_problems
        rejected += sheet_rejected
        lines["index"] += sum(len(f) for f in frames)
        frames.append(records)
        invoices.append(lines)
        summary[name] = _summary(records, lines)
    if not frames or all(f.empty for f in frames):
        raise Refused(
            f"{file_name}: no sheet holds a contract register with rows: a header row naming a contract or PO "
            "number (or WBS element with a procurement type), a value and a vendor or description is needed."
        )
    contracts = _unique_ids(pd.concat(frames, ignore_index=True), problems)
    key = register_key(file_name)
    contracts = contracts.assign(project_id=key)[COLUMNS]
    lines = pd.concat(invoices, ignore_index=True).assign(project_id=key)
    lines["contract_id"] = contracts.contract_id.reindex(lines.pop("index")).to_numpy() if len(lines) else []
    lines = lines.groupby(
        ["project_id", "contract_id", "period", "currency"], dropna=False, as_index=False
    ).amount.sum()
    _no_currency(contracts, problems)
    return Parsed(
        SOURCE,
        FORMAT,
        {"contracts": contracts, "contract_invoices": lines[INVOICE_COLUMNS]},
        problems,
        rows_rejected=rejected,
        meta={"register": key, "sheets": summary},
    )


def _read(rows: list[list], sheet: str, layout: Layout, *, multi: bool):
    result = read_sheet(rows, sheet, layout)
    problems = list(result.problems)
    contracts = result.contracts
    dates = {}
    for role in ("start", "finish"):
        if role in layout.roles:
            dates[role], found = parse_dates(contracts, role, layout.labels[layout.roles[role]])
            problems += found
        else:
            dates[role] = [None] * len(contracts)
    fallback = layout.currency
    records = [
        _record(c, sheet, layout, multi, dates["start"][i], dates["finish"][i], row_currency(c, fallback))
        for i, c in enumerate(contracts)
    ]
    frame = pd.DataFrame(records, columns=[c for c in COLUMNS if c != "project_id"])
    lines = _invoices(contracts, frame, layout, sheet, dates["start"], problems)
    return frame, lines, problems, result.rejected


def _identifier(text: str) -> str | None:
    return text if re.search(r"\d", text or "") else None


def _clean(cell) -> str:
    if cell is None or (isinstance(cell, float) and cell != cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return re.sub(r"\s+", " ", str(cell)).strip()


def _record(c: Contract, sheet: str, layout: Layout, multi: bool, start, finish, currency) -> dict:
    text = {role: _clean(value) for role, value in c.cells.items() if role not in ("start", "finish", "value")}
    raw_vendor = "" if c.cells.get("vendor") is None else str(c.cells["vendor"]).strip()
    vendor_lines = [re.sub(r"\s+", " ", line).strip() for line in raw_vendor.splitlines() if line.strip()]
    extra = dict(c.extra)
    if len(vendor_lines) > 1:
        extra["vendor_city"] = ", ".join(vendor_lines[1:])
    po = _identifier(text.get("po_number", ""))
    if text.get("po_number") and not po:
        extra["po_label"] = text["po_number"]
    for role in ("wbs", "method"):
        if text.get(role):
            extra[role] = text[role]
    extra["department"] = text.get("department") or (sheet if multi else None)
    if c.section:
        extra["section"] = c.section
    projects = [p.strip() for p in re.split(r"[,;\n]", str(c.cells.get("project") or "")) if p.strip()]
    projects = projects or ([layout.project_id.strip()] if layout.project_id else [])
    contract_id = (
        _identifier(text.get("contract_id", ""))
        or po
        or text.get("wbs")
        or text.get("contract_id")
        or f"{sheet} row {c.row_number}"
    )
    return {
        "row_number": c.row_number,
        "sheet": sheet,
        "contract_id": contract_id,
        "po_number": po,
        "vendor": vendor_lines[0] if vendor_lines else None,
        "vendor_raw": raw_vendor or None,
        "project_ids": ",".join(projects) or None,
        "description": text.get("description") or None,
        **{role: c.money.get(role) for role in ("value", "invoiced", "committed", "remaining")},
        "currency": currency,
        "start": start,
        "finish": finish,
        "type": text.get("type") or None,
        "status": text.get("status") or None,
        "extra": json.dumps({k: v for k, v in extra.items() if v}, ensure_ascii=False),
    }


def _invoices(contracts: list[Contract], frame: pd.DataFrame, layout: Layout, sheet: str, starts, problems):
    """Monthly invoice amounts -> rows (index = the contract's position in ``frame``)."""
    columns = ["index", "period", "amount", "currency"]
    if not layout.months or not any(c.months for c in contracts):
        return pd.DataFrame(columns=columns)
    year, why = sheet_year(sheet, layout, starts)
    periods = month_periods(layout, year)
    if year is not None and any(g.year is None for g in layout.months):
        problems.append(
            Problem(f"sheet {sheet}: month columns without a year were read as {year}, from {why}.", "info")
        )
    rows, undated = [], 0
    for i, contract in enumerate(contracts):
        for group, amount in contract.months.items():
            if periods[group] is None:
                undated += 1
                continue
            rows.append((i, periods[group], amount, frame.currency.iloc[i]))
    if undated:
        problems.append(
            Problem(
                f"sheet {sheet}: {undated} monthly invoice amount(s) were not loaded: the month "
                "columns name no year and neither the sheet nor its start dates give one.",
                "warning",
            )
        )
    return pd.DataFrame(rows, columns=columns)


def _unique_ids(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """A number met again (an amendment, a follow-on, a standing offer line) keeps its row: it is
    told apart as ``<id> (<sheet> row <n>)``."""
    repeated = frame.contract_id.duplicated(keep="first")
    if repeated.any():
        frame = frame.copy()
        frame.loc[repeated, "contract_id"] = [
            f"{cid} ({sheet} row {n})"
            for cid, sheet, n in frame.loc[repeated, ["contract_id", "sheet", "row_number"]].itertuples(index=False)
        ]
        counts = Counter(frame.loc[repeated, "contract_id"].str.rsplit(" (", n=1).str[0])
        problems.append(
            Problem(
                f"{int(repeated.sum())} row(s) repeat a contract or PO number already seen ({len(counts)} numbers, e.g. "
                f"{', '.join(list(counts)[:3])}); each is kept as its own line, told apart by its sheet and row.",
                "info",
            )
        )
    return frame


def _summary(records: pd.DataFrame, lines: pd.DataFrame) -> dict:
    return {
        "contracts": len(records),
        "value": {cur or "": float(v) for cur, v in records.groupby(records.currency.fillna("")).value.sum().items()},
        "invoiced_monthly": float(lines.amount.sum()) if len(lines) else 0.0,
        "currency": sorted(set(records.currency.dropna())),
    }


def _no_currency(contracts: pd.DataFrame, problems: list[Problem]) -> None:
    missing = contracts.currency.isna()
    if missing.any():
        problems.append(
            Problem(
                f"{int(missing.sum())} contract(s) name no currency (no currency column, symbol or "
                "code in the headers); their amounts are stored without one.",
                "info",
            )
        )
