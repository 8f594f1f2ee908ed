"""Demo people files: an allocation sheet (people on the projects that have no MS Project plan,
some also booked in plans) and a capacity plan (part-timers and role-level capacity), as a
resource manager keeps them. Deterministic; written next to the other demo exports."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import xlsxwriter

# (person, e-mail, role, project, weeks from the anchor's Monday: first, last, allocation %)
ALLOCATIONS = (
    ("Priya Raman", "priya.raman@example.com", "Data Engineer", "ESG-REPORTING", -4, 16, 80),
    ("Priya Raman", "priya.raman@example.com", "Data Engineer", "FRAUD-ML", -4, 16, 20),  # exactly 100 %
    ("Marco Rossi", "marco.rossi@example.com", "Developer", "MOBILE-APP", -2, 14, 60),
    ("Marco Rossi", "marco.rossi@example.com", "Developer", "FRAUD-ML", 2, 8, 50),  # 110 % in weeks 2-8
    ("Silva, Ana", "ana.silva@example.com", "Business Analyst", "ESG-REPORTING", 0, 10, 50),
    ("Wen Li", "wen.li@example.com", "Solution Architect", "MOBILE-APP", -4, 12, 40),
    ("Keira Walsh", "keira.walsh@example.com", "Test Lead", "FRAUD-ML", 1, 12, 50),
    ("", "", "Data Engineer", "ESG-REPORTING", 2, 14, 100),  # not staffed yet
    ("", "", "Developer", "MOBILE-APP", 4, 12, 50),  # not staffed yet
)
# (person, role, capacity hours a week) — part-timers; everyone else works the 40 h calendar
PART_TIME = (
    ("Maya Patel", "Change Manager", 24),
    ("Priya Raman", "Data Engineer", 40),
    ("Hugo Laurent", "Developer", 32),
)
# (role, people) — role-level capacity the resource manager plans for
ROLE_HEADCOUNT = (("Data Engineer", 2), ("Developer", 6))


def _monday(anchor: date) -> date:
    return anchor - timedelta(days=anchor.weekday())


def _workbook(path: Path, anchor: date) -> xlsxwriter.Workbook:
    """A workbook whose metadata is fixed, so the same arguments give the same bytes."""
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime.combine(anchor, time(17, 0)), "author": "PMO"})
    return wb


def write_allocations(path: Path, anchor: date) -> None:
    monday = _monday(anchor)
    with _workbook(path, anchor) as wb:
        sheet = wb.add_worksheet("Allocations")
        sheet.write_row(0, 0, ["Resource allocation — portfolio (maintained by the PMO)"])
        sheet.write_row(2, 0, ["Name", "Email", "Role", "Project", "Start date", "End date", "Allocation %"])
        fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        for i, (name, mail, role, project, first, last, pct) in enumerate(ALLOCATIONS, start=3):
            start = monday + timedelta(weeks=first)
            finish = monday + timedelta(weeks=last, days=4)
            sheet.write_row(i, 0, [name, mail, role, project])
            sheet.write_datetime(i, 4, start, fmt)
            sheet.write_datetime(i, 5, finish, fmt)
            sheet.write_number(i, 6, pct)


def write_capacity(path: Path, anchor: date) -> None:
    """Person and role capacity per month over the next six months."""
    months = [date(anchor.year + (anchor.month - 1 + k) // 12, (anchor.month - 1 + k) % 12 + 1, 1) for k in range(6)]
    with _workbook(path, anchor) as wb:
        sheet = wb.add_worksheet("Capacity")
        sheet.write_row(0, 0, ["Name", "Role", "Month", "Capacity hours"])
        row = 1
        for month in months:
            days = sum(
                1
                for d in range(31)
                if (month + timedelta(days=d)).month == month.month and (month + timedelta(days=d)).weekday() < 5
            )
            for name, role, weekly in PART_TIME:
                sheet.write_row(row, 0, [name, role, f"{month:%Y-%m}", weekly / 5 * days])
                row += 1
            for role, people in ROLE_HEADCOUNT:
                sheet.write_row(row, 0, ["", role, f"{month:%Y-%m}", people * 8 * days])
                row += 1


def people_files(out_dir: Path, anchor: date) -> list[tuple[Path, date]]:
    """Write the two demo people files; (path, as-of date) each, dated at ``anchor``."""
    allocations = out_dir / f"people_allocations_{anchor.isoformat()}.xlsx"
    capacity = out_dir / f"people_capacity_plan_{anchor.isoformat()}.xlsx"
    write_allocations(allocations, anchor)
    write_capacity(capacity, anchor)
    return [(allocations, anchor), (capacity, anchor)]
