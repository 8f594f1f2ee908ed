"""The demo portfolio register workbook."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime
from pathlib import Path

from data.generate.common import SPECS, _workbook, wd_date
from data.generate.plans import Plan
from loaders.register import COLUMNS

# ------------------------------------------------------------------------------------------------
# Register


def write_register(path: Path, plans: dict[str, Plan], anchor: date) -> None:
    wb = _workbook(path, anchor)
    ws = wb.add_worksheet("Register")
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    money = wb.add_format({"num_format": "#,##0"})
    day = wb.add_format({"num_format": "dd-mmm-yyyy"})
    header = [*COLUMNS, "Strategic theme", "Business unit", "Target go-live"]
    ws.write_row(0, 0, header, bold)
    for r, spec in enumerate(SPECS, 1):
        if spec.project_id in plans:
            plan = plans[spec.project_id]
            budget = round(spec.bac * 1.08, -4)  # BAC plus management reserve
            go_live = wd_date(max(row.bstart + max(row.bdur, 1) - 1 for row in plan.rows if not row.summary))
        else:
            budget = round(spec.run_rate * 18, -4)
            go_live = date(anchor.year + 1, 6, 30)
        values = [spec.project_id, spec.name, spec.program, spec.portfolio, spec.manager, spec.sponsor, "USD"]
        ws.write_row(r, 0, values)
        ws.write_number(r, 7, budget, money)
        ws.write_row(r, 8, [spec.jira_key or "", spec.stage, spec.theme, spec.unit])
        ws.write_datetime(r, 12, datetime.combine(go_live, dt.time()), day)
    ws.set_column(0, 0, 18)
    ws.set_column(1, 1, 36)
    ws.set_column(2, 5, 24)
    ws.set_column(12, 12, 14)
    ws.autofilter(0, 0, len(SPECS), len(header) - 1)
    wb.close()
