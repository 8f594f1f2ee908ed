"""Sprint capacity sheets: one sheet per team and sprint (``ZEUS_Sprint-1``), a sprint calendar
(``Sprint-1 | 2025-03-19 | 2025-04-01``) and a per-person table with *Available (Hrs)* and
*Available SP* after leaves and meetings.

The team and sprint come from the sheet name, the sprint's dates from the calendar row of that
sprint in the same sheet; the person column is the one headed *Name*, else the unlabelled column
holding the names. A total row (no name, or *Total*) is checked against the sum and not loaded.
"""

from __future__ import annotations

import re

from loaders.base import Problem
from loaders.resources.common import CAPACITY_COLUMNS, HEADER_SEARCH_ROWS, cell, frame, read_number, text
from loaders.values import normalize_header, parse_date, parse_number

AVAILABLE_HOURS = {"available (hrs)", "available (hours)", "available hrs", "available hours", "available (h)"}
AVAILABLE_POINTS = {"available sp", "available story points", "available (sp)"}
_SPRINT = re.compile(r"sprint[\s_\-]*(\d+)", re.IGNORECASE)


def locate(rows: list[list]) -> int | None:
    """The row of the per-person header (the one with *Available (Hrs)*), else None."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        if any(normalize_header(text(c)) in AVAILABLE_HOURS for c in row):
            return index
    return None


def _name_column(rows: list[list], header_at: int) -> int:
    header = [normalize_header(text(c)) for c in rows[header_at]]
    if "name" in header:
        return header.index("name")
    below = rows[header_at + 1 : header_at + 4]
    for column, label in enumerate(header):
        if not label and any(text(cell(r, column)) and read_number_or_none(cell(r, column)) is None for r in below):
            return column
    return 0


def read_number_or_none(value):
    try:
        return parse_number(value)
    except ValueError:
        return None


def _date_or_none(value):
    try:
        stamp = parse_date(value)
    except ValueError:
        return None
    return None if stamp is None else stamp.date()


def _sprint_dates(rows: list[list], header_at: int, sprint: str):
    key = normalize_header(sprint)
    for row in rows[:header_at]:
        for column, value in enumerate(row):
            if normalize_header(text(value)) == key:
                dates = [d for v in row[column + 1 :] if (d := _date_or_none(v))]
                if len(dates) >= 2:
                    return dates[0], dates[1]
    return None


def parse_sheet(rows: list[list], sheet: str, header_at: int, problems: list[Problem]):
    """Per-person capacity rows of one team-sprint sheet -> (records, rejected)."""
    sprint_match = _SPRINT.search(sheet)
    sprint = f"Sprint-{sprint_match[1]}" if sprint_match else None
    team = (sheet[: sprint_match.start()] if sprint_match else sheet).strip(" _-") or None
    period = _sprint_dates(rows, header_at, sprint) if sprint else None
    if period is None:
        problems.append(
            Problem(
                f"sheet {sheet}: no dates found for {sprint or 'its sprint'} (the sheet name names "
                "the sprint, a row of the sheet its start and end); sheet not loaded.",
                "error",
            )
        )
        return [], 0
    header = [normalize_header(text(c)) for c in rows[header_at]]
    hours_col = next(i for i, h in enumerate(header) if h in AVAILABLE_HOURS)
    points_col = next((i for i, h in enumerate(header) if h in AVAILABLE_POINTS), None)
    name_col = _name_column(rows, header_at)
    records: list[dict] = []
    for offset, row in enumerate(rows[header_at + 1 :]):
        number = header_at + 2 + offset
        name = text(cell(row, name_col))
        hours = read_number_or_none(cell(row, hours_col))
        if not name and hours is None:
            break
        if not name or name.casefold() in ("total", "totals", "sum"):
            _check_total(records, hours, read_number_or_none(cell(row, points_col)), sheet, number, problems)
            continue
        records.append(
            {
                "row_number": number,
                "project_id": "",
                "resource": name,
                "team": team,
                "sprint": sprint,
                "period_start": period[0],
                "period_finish": period[1],
                "hours": hours,
                "points": read_number(cell(row, points_col), problems, number, "Available SP")
                if points_col is not None
                else None,
                "origin": "sprint capacity",
            }
        )
    return records, 0


def _check_total(records, hours, points, sheet: str, number: int, problems: list[Problem]) -> None:
    got_h = sum(r["hours"] or 0 for r in records)
    got_p = sum(r["points"] or 0 for r in records)
    if hours is None:
        problems.append(Problem(f"sheet {sheet}: row {number} has no name and no hours; skipped.", "info", number))
        return
    same = abs(got_h - hours) < 1e-6
    problems.append(
        Problem(
            f"sheet {sheet}: total row ({hours:g} h{f', {points:g} SP' if points is not None else ''}) "
            + ("matches" if same else f"differs from the sum of the {len(records)} people ({got_h:g} h, {got_p:g} SP)")
            + "; not loaded as a person.",
            "info" if same else "warning",
            number,
        )
    )


def to_frame(records: list[dict]):
    return frame(records, CAPACITY_COLUMNS)
