"""The finance template workbook users download, fill in and upload (pure: bytes out, no I/O).

Sheets: ``Instructions`` (what each column means, both layouts), ``Budget lines`` (the long
layout with an example row, project ``EXAMPLE``, which the loader skips), ``Lists`` (the cost
categories, months and currencies the data validation offers).
"""

from __future__ import annotations

import datetime as dt
import io

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from loaders.finance import AMOUNTS, EXAMPLE_PROJECT

CATEGORIES = ("Labour", "Contractors", "Software", "Hardware", "Cloud", "Travel", "Training", "Facilities", "Other")
CURRENCIES = ("EUR", "USD", "GBP", "CHF", "JPY", "CAD", "AUD", "INR", "PLN", "VND")
HEADERS = ("project_id", "period", "cost_category", "vendor", *AMOUNTS, "currency")
DATA_ROWS = 2000

INSTRUCTIONS = [
    ("Finance template", None),
    ("", None),
    ("Fill in the sheet 'Budget lines': one row per project, month, cost category and vendor.", None),
    ("The example row (project EXAMPLE) is skipped when the file is loaded; overwrite or delete it.", None),
    ("", None),
    ("Column", "Meaning"),
    ("project_id", "The project's id as in the portfolio register (for example PRJ-001). Required."),
    ("period", "The month, chosen from the list (2026-01 = January 2026). Required."),
    ("cost_category", "One of the categories offered in the list (sheet Lists)."),
    ("vendor", "Supplier or internal team the money goes to; leave empty for internal costs."),
    ("budget", "Approved budget for that month, in the currency of the row."),
    ("actual", "Money actually spent (booked) in that month; leave empty for future months."),
    ("forecast", "Expected spend for months not yet closed; leave empty for closed months."),
    ("committed", "Open commitments (purchase orders raised, not yet invoiced)."),
    (
        "currency",
        "ISO code (EUR, USD, ...). One currency per project: amounts in different currencies are never summed.",
    ),
    ("", None),
    ("Also accepted: the wide layout finance teams keep, one row per project / category / vendor / measure", None),
    (
        "with a Measure column (Budget, Actual, Forecast, Committed) and one column per month (Jan-26, 2026-01 ...).",
        None,
    ),
    ("Do not add subtotal or total rows: they are skipped, the app computes every total itself.", None),
]


def _months(first_month: dt.date, count: int) -> list[str]:
    year, month = first_month.year, first_month.month
    out = []
    for _ in range(count):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def template_bytes(first_month: dt.date, months: int = 36, categories: tuple[str, ...] = CATEGORIES) -> bytes:
    """The template workbook as .xlsx bytes; the month list runs ``months`` months from
    ``first_month`` (the caller passes e.g. January of the year before the as-of date)."""
    month_list = _months(first_month, months)
    wb = Workbook()
    info = wb.active
    info.title = "Instructions"
    bold = Font(bold=True)
    for row, (a, b) in enumerate(INSTRUCTIONS, start=1):
        info.cell(row, 1, a)
        if b is not None:
            info.cell(row, 2, b)
        if row == 1 or a == "Column":
            info.cell(row, 1).font = Font(bold=True, size=14 if row == 1 else 11)
            info.cell(row, 2).font = bold
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 110

    lists = wb.create_sheet("Lists")
    for col, (title, values) in enumerate(
        [("cost_category", categories), ("period", month_list), ("currency", CURRENCIES)], start=1
    ):
        lists.cell(1, col, title).font = bold
        for row, value in enumerate(values, start=2):
            lists.cell(row, col, value).number_format = "@"

    data = wb.create_sheet("Budget lines", 1)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, title in enumerate(HEADERS, start=1):
        cell = data.cell(1, col, title)
        cell.font, cell.fill = bold, fill
        data.column_dimensions[cell.column_letter].width = 16
    example = [EXAMPLE_PROJECT, month_list[0], categories[0], "Acme Consulting", 10000, 9500, None, 2000, CURRENCIES[0]]
    for col, value in enumerate(example, start=1):
        cell = data.cell(2, col, value)
        if col == 2:
            cell.number_format = "@"
    data.freeze_panes = "A2"

    last = DATA_ROWS + 1
    rules = [
        (f"=Lists!$A$2:$A${len(categories) + 1}", "C", "Cost category", "Choose a cost category from the list."),
        (f"=Lists!$B$2:$B${len(month_list) + 1}", "B", "Month", "Choose the month from the list (2026-01 = Jan 2026)."),
        (f"=Lists!$C$2:$C${len(CURRENCIES) + 1}", "I", "Currency", "Choose the ISO currency code."),
    ]
    for formula, column, title, prompt in rules:
        dv = DataValidation(
            type="list",
            formula1=formula,
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=title,
            error=prompt,
            promptTitle=title,
            prompt=prompt,
        )
        dv.add(f"{column}2:{column}{last}")
        data.add_data_validation(dv)
    amounts = DataValidation(
        type="decimal",
        operator="between",
        formula1="-1000000000000",
        formula2="1000000000000",
        allow_blank=True,
        showErrorMessage=True,
        errorTitle="Amount",
        error="Enter a number (no text); negative numbers are credits.",
    )
    amounts.add(f"E2:H{last}")
    data.add_data_validation(amounts)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
