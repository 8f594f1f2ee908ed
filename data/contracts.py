"""The demo contract register: one workbook, one sheet per business unit (the register's portfolio),
a contract per external vendor of the finance lines (the cloud providers under one master agreement
across projects), value from the planned spend over the contract's term, monthly invoices = the
finance actuals of the closed months on the "Digital Growth" sheet (the other sheet states none, so
its invoiced amounts come from the finance actuals matched by vendor and project). Deterministic."""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

MASTER_AGREEMENTS = {"AWS": "AWS", "Azure": "Microsoft Azure", "Microsoft Azure": "Microsoft Azure"}
TYPES = {"Contractors": "Time & materials", "Hardware": "Fixed price"}
TERMS = ((12, date(2026, 12, 31)), (15, date(2027, 3, 31)), (18, date(2027, 6, 30)))
HEADER = ["Contract No", "Vendor", "Project", "Type", "Status", "Start Date", "End Date", "Contract Value", "Currency"]


def _contracts(lines: dict[str, dict], seed: int) -> list[dict]:
    """One record per (project, vendor) line, cloud providers merged into a master agreement."""
    from data.generate.common import SPECS

    unit = {s.project_id: s.portfolio for s in SPECS}
    merged: dict[tuple, dict] = {}
    for pid, info in lines.items():
        for category, vendor, budget, actual in info["lines"]:
            if vendor == "Internal":
                continue
            name = MASTER_AGREEMENTS.get(vendor, vendor)
            key = (name,) if vendor in MASTER_AGREEMENTS else (name, pid)
            c = merged.setdefault(
                key,
                {
                    "vendor": name,
                    "projects": [],
                    "category": category,
                    "unit": unit[pid],
                    "budget": [0.0] * 12,
                    "actual": [0.0] * 12,
                },
            )
            if pid not in c["projects"]:
                c["projects"].append(pid)
            c["budget"] = [a + b for a, b in zip(c["budget"], budget, strict=True)]
            c["actual"] = [a + b for a, b in zip(c["actual"], actual, strict=True)]
    out = []
    for n, (key, c) in enumerate(sorted(merged.items()), start=1):
        rng = random.Random(f"{seed}-contract-{'-'.join(key)}")
        months, end = TERMS[rng.randrange(len(TERMS))]
        planned = sum(c["budget"]) + sum(c["budget"]) / 12 * (months - 12)
        c.update(contract_id=f"NWB-{2026}-{n:03d}", end=end, value=round(planned * rng.uniform(0.98, 1.25), -3))
        out.append(c)
    return out


def write_contract_register(out_dir: Path, lines: dict[str, dict], anchor: date, seed: int) -> tuple[Path, date]:
    """Write ``contract_register_<as-of>.xlsx`` (as of the last month-end before ``anchor``)."""
    from data.generate.common import _workbook, month_end

    closed = max(m for m in range(1, 13) if month_end(anchor.year, m) < anchor)
    as_of = month_end(anchor.year, closed)
    path = Path(out_dir) / f"contract_register_{as_of.isoformat()}.xlsx"
    wb = _workbook(path, as_of)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money, day = wb.add_format({"num_format": "#,##0.00"}), wb.add_format({"num_format": "dd/mm/yyyy"})
    contracts = _contracts(lines, seed)
    for unit in sorted({c["unit"] for c in contracts}):
        ws = wb.add_worksheet(unit)
        invoices = unit == "Digital Growth"
        months = [date(anchor.year, m, 1).strftime("%b-%y") for m in range(1, closed + 1)] if invoices else []
        ws.write_row(0, 0, [f"Vendor contracts — {unit}"], wb.add_format({"bold": True, "font_size": 14}))
        ws.write_row(2, 0, HEADER + months, bold)
        r = 3
        for c in (c for c in contracts if c["unit"] == unit):
            ws.write_row(
                r,
                0,
                [
                    c["contract_id"],
                    c["vendor"],
                    ", ".join(c["projects"]),
                    TYPES.get(c["category"], "Subscription"),
                    "Active",
                ],
            )
            ws.write_datetime(r, 5, date(anchor.year, 1, 1), day)
            ws.write_datetime(r, 6, c["end"], day)
            ws.write_number(r, 7, c["value"], money)
            ws.write_string(r, 8, "USD")
            for m in range(len(months)):
                ws.write_number(r, 9 + m, round(c["actual"][m], 2), money)
            r += 1
        ws.write_string(r, 0, "Total")
        ws.write_number(r, 7, sum(c["value"] for c in contracts if c["unit"] == unit), money)
        ws.set_column(0, 0, 15)
        ws.set_column(1, 2, 30)
        ws.set_column(3, 8 + len(months), 14)
    wb.close()
    return path, as_of
