"""Finance "Budget vs Actual" workbooks of the demo (wide monthly and long layouts)."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import xlsxwriter

from data.generate.common import MON, SPECS, _workbook, wd_date
from data.generate.plans import Plan, _rng

# ------------------------------------------------------------------------------------------------
# Finance


def _monthly(plan: Plan, year: int, which: str) -> list[float]:
    """Cost per calendar month of ``year``: baseline (``b``) or real course with overrun (``t``)."""
    totals = [0.0] * 12
    for r in plan.rows:
        if r.summary or r.milestone:
            continue
        start, dur = (r.bstart, r.bdur) if which == "b" else (r.tstart, r.tdur)
        cost = r.bcost * (1 if which == "b" else r.factor)
        per_day = cost / dur
        for k in range(start, start + dur):
            d = wd_date(k)
            if d.year == year:
                totals[d.month - 1] += per_day
    return totals


def finance_lines(seed: int, anchor: date, plans: dict[str, Plan]) -> dict[str, dict]:
    """project_id -> {currency, lines: [(category, vendor, budget[12], actual[12], forecast[12])]}
    for the fiscal year of the anchor (actuals here are for every month; snapshots cut them)."""
    year = anchor.year
    out = {}
    for spec in SPECS:
        if spec.project_id in plans:
            budget = _monthly(plans[spec.project_id], year, "b")
            real = _monthly(plans[spec.project_id], year, "t")
        else:
            first = 9 if spec.stage == "Initiation" else 1
            budget = [spec.run_rate if m + 1 >= first else 0.0 for m in range(12)]
            drift = 1.03 if spec.jira_key == "MOB" else (0.9 if spec.jira_key == "FRD" else 0.85)
            real = [b * drift for b in budget]
        lines = []
        over = max(spec.overrun - 1, 0)
        for category, vendor, share in spec.shares:
            # overruns land on contractors and hosting, as they do
            bias = 1 + over * (1.8 if category in ("Contractors", "Cloud hosting") else 0.3)
            b_line, a_line = [], []
            for m in range(12):
                rng = _rng(seed, "fin", spec.project_id, category, m)
                b_line.append(round(budget[m] * share / 100) * 100)
                a_line.append(round(real[m] * share * bias / (1 + over) * rng.uniform(0.9, 1.1), 2))
            lines.append((category, vendor, b_line, a_line))
        out[spec.project_id] = {"currency": "USD", "lines": lines}
    return out


def finance_snapshot(lines: dict[str, dict], seed: int, closed: int) -> list[dict]:
    """Long-format rows (project_id, month 1..12, category, vendor, budget, actual, forecast,
    committed) with actuals for months 1..``closed`` and a forecast for the rest."""
    rows = []
    for pid, info in lines.items():
        for category, vendor, b_line, a_line in info["lines"]:
            for m in range(12):
                rng = _rng(seed, "fc", pid, category, m, closed)
                actual = a_line[m] if m < closed else None
                forecast = a_line[m] if m < closed else round(a_line[m] * rng.uniform(0.95, 1.05), -2)
                committed = None
                if vendor != "Internal" and closed <= m < closed + 3 and forecast:
                    committed = round(forecast * rng.uniform(0.4, 0.9), -2)
                rows.append(
                    dict(
                        project_id=pid,
                        month=m + 1,
                        cost_category=category,
                        vendor=vendor,
                        budget=float(b_line[m]),
                        actual=actual,
                        forecast=forecast,
                        committed=committed,
                        currency=info["currency"],
                    )
                )
    return rows


def write_finance_wide(path: Path, rows: list[dict], year: int, as_of: date) -> None:
    """The wide "Budget vs Actual" sheet: one row per project/category/vendor/measure, a column per
    month, a subtotal block per project and a grand total, amounts as numbers."""
    wb = _workbook(path, as_of)
    ws = wb.add_worksheet("Budget vs Actual")
    bold = wb.add_format({"bold": True})
    money = wb.add_format({"num_format": "#,##0;(#,##0)"})
    total_fmt = wb.add_format({"num_format": "#,##0;(#,##0)", "bold": True, "top": 1})
    months = [f"{MON[m]}-{year % 100:02d}" for m in range(12)]
    header = ["Project", "Project name", "Cost category", "Vendor", "Measure", "Currency", *months]
    ws.write_row(0, 0, header, bold)
    names = {s.project_id: s.name for s in SPECS}
    measures = ("Budget", "Actual", "Forecast", "Committed")
    grouped: dict[tuple, dict[int, dict]] = {}
    for row in rows:
        grouped.setdefault((row["project_id"], row["cost_category"], row["vendor"]), {})[row["month"]] = row
    r = 1
    grand: dict[str, list[float]] = {m: [0.0] * 12 for m in measures}
    for pid in [s.project_id for s in SPECS]:
        keys = [k for k in grouped if k[0] == pid]
        sub = {m: [0.0] * 12 for m in measures}
        first_row = r
        for key in keys:
            by_month = grouped[key]
            for measure in measures:
                ws.write_string(r, 0, pid)
                ws.write_string(r, 1, names[pid])
                ws.write_string(r, 2, key[1])
                ws.write_string(r, 3, key[2])
                ws.write_string(r, 4, measure)
                ws.write_string(r, 5, by_month[1]["currency"])
                for m in range(12):
                    value = by_month[m + 1][measure.lower()]
                    if value is not None:
                        ws.write_number(r, 6 + m, value, money)
                        sub[measure][m] += value
                r += 1
        for measure in measures:
            ws.write_string(r, 0, f"Total {pid}", bold)
            ws.write_string(r, 4, measure, bold)
            for m in range(12):
                col = xlsxwriter.utility.xl_col_to_name(6 + m)
                value = round(sub[measure][m], 2)
                formula = f'=SUMIFS({col}{first_row + 1}:{col}{r},$E{first_row + 1}:$E{r},"{measure}")'
                ws.write_formula(r, 6 + m, formula, total_fmt, value)
                grand[measure][m] += value
            r += 1
    for measure in measures:
        ws.write_string(r, 0, "Grand Total", bold)
        ws.write_string(r, 4, measure, bold)
        for m in range(12):
            ws.write_number(r, 6 + m, round(grand[measure][m], 2), total_fmt)
        r += 1
    ws.freeze_panes(1, 6)
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 3, 18)
    ws.set_column(6, 17, 11)
    wb.close()


def write_finance_long(path: Path, rows: list[dict], year: int) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["project_id", "period", "cost_category", "vendor", "budget", "actual", "forecast", "committed", "currency"]
    )
    for row in rows:
        writer.writerow(
            [
                row["project_id"],
                f"{year}-{row['month']:02d}-01",
                row["cost_category"],
                row["vendor"],
                *("" if row[k] is None else f"{row[k]:.2f}" for k in ("budget", "actual", "forecast", "committed")),
                row["currency"],
            ]
        )
    path.write_bytes(out.getvalue().encode("utf-8"))
