"""Allocation sheets: one row per person (or open role) × project × date range × % or hours.

Recognised by its header (anywhere in the first 30 rows of a sheet): a person or e-mail column,
a project column and an allocation (% / FTE / units), hours or hours-per-week column. A row with
a project and no person is *unstaffed demand* and kept as such (``resource`` empty). Percent
columns written as fractions by Excel (every value ≤ 1) are read as fractions of 100 %.
"""

from __future__ import annotations

from loaders.base import Problem
from loaders.resources.common import (
    ALLOCATION_COLUMNS,
    HOURS_PER_DAY,
    cell,
    date_order,
    find_header,
    frame,
    read_date,
    read_number,
    text,
)

ALIASES = {
    **dict.fromkeys(
        (
            "resource",
            "resource name",
            "person",
            "name",
            "employee",
            "employee name",
            "team member",
            "member",
            "staff",
            "consultant",
            "people",
            "assignee",
            "full name",
            "mitarbeiter",
            "nom",
        ),
        "resource",
    ),
    **dict.fromkeys(("email", "e mail", "email address", "e mail address", "mail", "work email"), "email"),
    **dict.fromkeys(
        ("project", "project id", "project name", "project code", "projekt", "projet", "proyecto"), "project_id"
    ),
    **dict.fromkeys(("role", "position", "job title", "function", "skill", "rolle", "rôle"), "role"),
    **dict.fromkeys(("team", "department", "squad", "group", "dept", "unit"), "team"),
    **dict.fromkeys(("task", "task name", "activity", "work package"), "task_name"),
    **dict.fromkeys(("start", "start date", "from", "begin", "allocation start", "beginn", "début"), "start"),
    **dict.fromkeys(
        ("finish", "end", "end date", "finish date", "to", "until", "allocation end", "ende", "fin"), "finish"
    ),
    **dict.fromkeys(
        (
            "allocation",
            "allocation %",
            "% allocation",
            "allocated %",
            "allocation (%)",
            "percent",
            "percentage",
            "%",
            "units",
            "fte",
            "load",
            "load %",
            "utilisation",
            "utilization",
            "assignment %",
            "auslastung",
        ),
        "percent",
    ),
    **dict.fromkeys(
        (
            "hours",
            "planned hours",
            "effort",
            "effort hours",
            "effort (h)",
            "work",
            "work hours",
            "hours (total)",
            "total hours",
        ),
        "hours",
    ),
    **dict.fromkeys(
        ("hours per week", "hours/week", "h/week", "weekly hours", "hrs/week", "hours per wk"), "hours_per_week"
    ),
}


def accepts(roles: dict[str, int]) -> bool:
    return bool(
        ({"resource", "email"} & roles.keys())
        and "project_id" in roles
        and ({"percent", "hours", "hours_per_week"} & roles.keys())
        and "capacity_hours" not in roles
    )


def locate(rows: list[list]):
    return find_header(rows, ALIASES, accepts)


def _fraction_columns(body: list[list], roles: dict[str, int]) -> bool:
    """True when the percent column holds fractions (every number ≤ 1 and some below 1)."""
    values = [cell(r, roles["percent"]) for r in body]
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    texts = [v for v in values if isinstance(v, str) and v.strip()]
    return bool(numbers) and not any("%" in t for t in texts) and all(0 <= v <= 1 for v in numbers)


def parse_sheet(rows: list[list], sheet: str, header_at: int, roles: dict[str, int], problems: list[Problem]):
    """Allocation rows of one sheet -> (records, rejected)."""
    body = rows[header_at + 1 :]
    fractions = "percent" in roles and _fraction_columns(body, roles)
    if fractions:
        problems.append(
            Problem(
                f"sheet {sheet}: the allocation column holds fractions (0.8); read as percent (80 %).",
                "info",
                column_name=text(rows[header_at][roles["percent"]]),
            )
        )
    order = date_order([cell(r, roles.get("start")) for r in body] + [cell(r, roles.get("finish")) for r in body])
    if "project_id" not in roles:
        problems.append(Problem(f"sheet {sheet} has no project column; its rows belong to no project.", "warning"))
    records, rejected = [], 0
    for offset, row in enumerate(body):
        number = header_at + 2 + offset
        if not any(text(c) for c in row):
            continue
        record = _record(row, roles, number, fractions, order, problems)
        if record is None:
            rejected += 1
        else:
            records.append(record)
    return records, rejected


def _record(row, roles, number: int, fractions: bool, order, problems: list[Problem]) -> dict | None:
    get = {role: cell(row, index) for role, index in roles.items()}
    resource, email, project = text(get.get("resource")), text(get.get("email")), text(get.get("project_id"))
    if not (resource or email or project):
        problems.append(Problem("row has no person and no project; not loaded.", "error", number))
        return None
    start = read_date(get.get("start"), problems, number, "start", order)
    finish = read_date(get.get("finish"), problems, number, "finish", order)
    if start is None or finish is None or finish < start:
        problems.append(
            Problem(
                "an allocation needs a start and a finish date (finish on or after start); row not loaded.",
                "error",
                number,
            )
        )
        return None
    percent = read_number(get.get("percent"), problems, number, "percent") if "percent" in roles else None
    if percent is not None and fractions:
        percent *= 100
    hours = read_number(get.get("hours"), problems, number, "hours") if "hours" in roles else None
    weekly = read_number(get.get("hours_per_week"), problems, number, "hours per week")
    if percent is None and weekly is not None:
        percent = weekly / (5 * HOURS_PER_DAY) * 100
    if percent is None and hours is None:
        problems.append(Problem("row has neither an allocation % nor hours; not loaded.", "error", number))
        return None
    if (percent is not None and percent < 0) or (hours is not None and hours < 0):
        problems.append(Problem("a negative allocation cannot be loaded; row not loaded.", "error", number))
        return None
    return {
        "row_number": number,
        "project_id": project,
        "resource": resource or None,
        "email": email.lower() or None,
        "role": text(get.get("role")) or None,
        "team": text(get.get("team")) or None,
        "task_name": text(get.get("task_name")) or None,
        "start": start,
        "finish": finish,
        "percent": percent,
        "hours": hours,
        "origin": "allocation sheet",
    }


def to_frame(records: list[dict]):
    return frame(records, ALLOCATION_COLUMNS)
