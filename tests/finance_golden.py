"""A hand-computed finance workbook, written in the long and the wide layout (shared by tests).

Months Jan–Jun 2026, actuals through April (so the loader's as-of date is 2026-04-30).

P1 (EUR)  Labour / Acme:      budget 1000 every month; actual 1100, 1000, 1200, 900; forecast May, Jun 1000;
                              committed May 500
          Software / Globex:  budget Jan 600, Apr 600; actual Jan 600, Mar 100, Apr 650 (no forecast)
P2 (EUR)  Cloud / (none):     budget 2000 every month; actual 1900, 2000, 1800, 2300; forecast May, Jun 2000
P3 (USD)  Hardware / Initech: budget Jan 1000, Feb 1000; actual 1500, 700, 300 (no forecast at all)

Fiscal year from January, as of 2026-04-30 (to date = Jan–Apr):
  P1 budget 5200, actual 5550, variance -350, variance % -0.067308 (amber); full year 7200 vs 7550
  P2 budget 8000, actual 8000, variance 0 (green); full year 12000 vs 12000
  P3 budget 2000, actual 2500, variance -500, -0.25 (red); full year 2000 vs unknown (no forecast)
Fiscal year from April, as of 2026-04-30 (YTD = April):
  P1 ytd 1600 vs 1550 (+50), full year 3600 vs 3550; P2 ytd 2000 vs 2300 (-300), full year 6000 vs 6300
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook

MONTHS = [dt.date(2026, m, 1) for m in range(1, 7)]

# (project, category, vendor, currency) -> measure -> six monthly values (None = blank)
LINES = {
    ("P1", "Labour", "Acme", "EUR"): {
        "budget": [1000] * 6,
        "actual": [1100, 1000, 1200, 900, None, None],
        "forecast": [None, None, None, None, 1000, 1000],
        "committed": [None, None, None, None, 500, None],
    },
    ("P1", "Software", "Globex", "EUR"): {
        "budget": [600, None, None, 600, None, None],
        "actual": [600, None, 100, 650, None, None],
    },
    ("P2", "Cloud", None, "EUR"): {
        "budget": [2000] * 6,
        "actual": [1900, 2000, 1800, 2300, None, None],
        "forecast": [None, None, None, None, 2000, 2000],
    },
    ("P3", "Hardware", "Initech", "USD"): {
        "budget": [1000, 1000, None, None, None, None],
        "actual": [1500, 700, 300, None, None, None],
    },
}

# Month headers in the spellings finance teams use (text, Excel date, ISO month, full name).
WIDE_MONTH_HEADERS = ["Jan-26", "2026-02", dt.datetime(2026, 3, 1), "April 2026", "May-26", "Jun 2026"]


def _save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def wide_workbook(*, with_totals: bool = True) -> bytes:
    """The wide monthly layout: Project ID | Cost Category | Vendor | Measure | Currency | months | Total."""
    wb = Workbook()
    ws = wb.active
    ws.title = "FY26"
    ws.append(["Finance report FY26 (EUR/USD)"])  # a title row above the header
    ws.append([])
    ws.append(["Project ID", "Cost Category", "Vendor", "Measure", "Currency", *WIDE_MONTH_HEADERS, "Total"])
    for (project, category, vendor, currency), measures in LINES.items():
        for measure, values in measures.items():
            cells = list(values)
            if measure == "actual" and project == "P1" and category == "Labour":
                cells[0] = "€1,100.00"  # a formatted amount as text
            total = sum(v for v in values if v is not None)
            ws.append([project, category, vendor, measure.title(), currency, *cells, total])
        if with_totals:
            budget = [sum(v or 0 for v in col) for col in zip(*[LINES[k]["budget"] for k in LINES if k[0] == project])]
            ws.append([f"Subtotal {project}", None, None, "Budget", currency, *budget, sum(budget)])
    if with_totals:
        ws.append(["Grand total", None, None, "Budget", None, *([1] * 6), 6])
    return _save(wb)


def long_workbook(*, with_totals: bool = True) -> bytes:
    """The long layout with the template's column names, periods in mixed spellings."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Budget lines"
    ws.append(
        ["project_id", "period", "cost_category", "vendor", "budget", "actual", "forecast", "committed", "currency"]
    )
    spellings = ["2026-01", dt.datetime(2026, 2, 1), "Mar-26", "April 2026", "2026/05", "01/06/2026"]
    for (project, category, vendor, currency), measures in LINES.items():
        for i, spelling in enumerate(spellings):
            values = [measures.get(m, [None] * 6)[i] for m in ("budget", "actual", "forecast", "committed")]
            if all(v is None for v in values):
                continue
            ws.append([project, spelling, category, vendor, *values, currency])
        if with_totals:
            ws.append([project, "Total", None, None, 99999, 99999, None, None, currency])
    return _save(wb)
