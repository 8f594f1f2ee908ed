"""MS Project's people tables outside a plan: the Export Wizard's ``Task_Table`` +
``Resource_Table`` + ``Assignment_Table`` workbook read as allocations, and a Resource Sheet
pasted into a workbook (``Resource Name | Type | Max Units | Std. Rate …``, also old .xls).

The Export Wizard's assignment rows name their task by *name* only; names repeat in real plans,
so each assignment is matched to the next task of that name at or after the previous match
(the wizard writes assignments in task order). An assignment is dated by its task.
"""

from __future__ import annotations

import re

import pandas as pd

from loaders.base import Problem
from loaders.resources.common import ALLOCATION_COLUMNS, CAPACITY_COLUMNS, cell, find_header, frame, text
from loaders.values import normalize_header, parse_date_column, parse_duration, parse_number

RESOURCE_ALIASES = {
    **dict.fromkeys(("resource name", "name", "resource"), "resource"),
    **dict.fromkeys(("type", "resource type"), "resource_type"),
    **dict.fromkeys(("max units", "max. units", "maximum units", "max"), "max_units"),
    **dict.fromkeys(("std. rate", "standard rate", "std rate"), "rate"),
    **dict.fromkeys(("group", "resource group"), "team"),
    **dict.fromkeys(("email address", "email", "e mail address"), "email"),
    **dict.fromkeys(("base calendar",), "calendar"),
    **dict.fromkeys(("initials",), "initials"),
}
TASK_ALIASES = {
    "id": "id",
    "name": "name",
    "task name": "name",
    "start": "start",
    "finish": "finish",
    "outline level": "level",
}
ASSIGNMENT_ALIASES = {
    "task name": "task",
    "task": "task",
    "resource name": "resource",
    "resource": "resource",
    "work": "work",
    "units": "units",
    "assignment units": "units",
}


def is_resource_sheet(roles: dict[str, int]) -> bool:
    return "resource" in roles and "max_units" in roles and bool({"resource_type", "rate", "calendar"} & roles.keys())


def locate_resource_sheet(rows: list[list]):
    return find_header(rows, RESOURCE_ALIASES, is_resource_sheet)


def is_export_wizard(sheets: dict[str, list[list]]) -> bool:
    names = {n.rstrip("0123456789").casefold() for n in sheets}
    return {"task_table", "assignment_table"} <= names


def _sheet(sheets: dict[str, list[list]], base: str) -> list[list]:
    return next((rows for n, rows in sheets.items() if n.rstrip("0123456789").casefold() == base), [])


def parse_resource_sheet(rows, sheet: str, header_at: int, roles: dict[str, int], problems: list[Problem]):
    """Capacity rows (max units, type, group) of a Resource Sheet -> (records, rejected)."""
    records, blank = [], 0
    for offset, row in enumerate(rows[header_at + 1 :]):
        number = header_at + 2 + offset
        name = text(cell(row, roles["resource"]))
        if not name:
            blank += any(text(c) for c in row)
            continue
        try:
            units = parse_number(cell(row, roles["max_units"]))
        except ValueError:
            units = None
            problems.append(
                Problem(
                    f"max units '{cell(row, roles['max_units'])}' is not a number; left empty.",
                    "warning",
                    number,
                    "Max Units",
                )
            )
        if isinstance(cell(row, roles["max_units"]), float) and units is not None and 0 < units <= 10:
            units *= 100  # Excel kept 100 % as the number 1.0
        records.append(
            {
                "row_number": number,
                "project_id": "",
                "resource": name,
                "resource_type": text(cell(row, roles.get("resource_type"))) or "Work",
                "team": text(cell(row, roles.get("team"))) or None,
                "email": text(cell(row, roles.get("email"))).lower() or None,
                "max_units": units,
                "origin": "resource sheet",
            }
        )
    if blank:
        problems.append(
            Problem(
                f"sheet {sheet}: {blank} row(s) without a resource name (such as MS Project's blank "
                "resource 0) were not loaded.",
                "info",
            )
        )
    kinds = pd.Series([r["resource_type"] for r in records]).value_counts()
    problems.append(
        Problem(
            f"sheet {sheet}: {len(records)} resources ("
            + ", ".join(f"{k} {v}" for k, v in kinds.items())
            + "); only Work resources count as people's capacity (max units × 40 h a week).",
            "info",
        )
    )
    return records, 0


def _tasks(rows: list[list], problems: list[Problem]) -> pd.DataFrame:
    found = find_header(rows, TASK_ALIASES, lambda r: {"name", "start", "finish"} <= r.keys())
    if found is None:
        return pd.DataFrame(columns=["id", "name", "start", "finish", "level"])
    at, roles = found
    body = [r for r in rows[at + 1 :] if any(text(c) for c in r)]
    out = pd.DataFrame({role: [cell(r, i) for r in body] for role, i in roles.items()})
    both = pd.concat([out["start"], out["finish"]], ignore_index=True)
    parsed = parse_date_column(both)
    out["start"] = pd.Series(parsed.array[: len(out)]).dt.date
    out["finish"] = pd.Series(parsed.array[len(out) :]).dt.date
    out["name"] = out["name"].map(text)
    return out


def project_name(sheets: dict[str, list[list]]) -> str | None:
    tasks = _tasks(_sheet(sheets, "task_table"), [])
    if "id" in tasks and not tasks.empty and text(tasks["id"].iloc[0]) == "0":
        return tasks["name"].iloc[0] or None
    return None


def slug(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:60] or "project"


def parse_export_wizard(sheets: dict[str, list[list]], project_id: str, problems: list[Problem]):
    """(allocation records, capacity records, rejected) of an Export Wizard workbook."""
    tasks = _tasks(_sheet(sheets, "task_table"), problems)
    rows = _sheet(sheets, "assignment_table")
    found = find_header(rows, ASSIGNMENT_ALIASES, lambda r: {"task", "resource"} <= r.keys())
    if found is None:
        problems.append(Problem("sheet Assignment_Table has no Task Name and Resource Name columns.", "error"))
        return [], [], 0
    at, roles = found
    positions: dict[str, list[int]] = {}
    for i, name in enumerate(tasks["name"]):
        positions.setdefault(normalize_header(name), []).append(i)
    records, rejected, cursor = [], 0, 0
    for offset, row in enumerate(rows[at + 1 :]):
        number = at + 2 + offset
        task, resource = text(cell(row, roles["task"])), text(cell(row, roles["resource"]))
        if not task and not resource:
            continue
        spots = positions.get(normalize_header(task), [])
        if not spots:
            problems.append(Problem(f"task '{task}' is not in Task_Table; assignment not loaded.", "error", number))
            rejected += 1
            continue
        cursor = next((p for p in spots if p >= cursor), spots[0])
        hit = tasks.iloc[cursor]
        records.append(
            {
                "row_number": number,
                "project_id": project_id,
                "resource": resource or None,
                "task_name": f"{task} (ID {text(hit.get('id'))})",
                "start": hit["start"],
                "finish": hit["finish"],
                "percent": _number(cell(row, roles.get("units")), problems, number, "Units"),
                "hours": _hours(cell(row, roles.get("work")), problems, number),
                "origin": "msproject tables",
            }
        )
    capacity: list[dict] = []
    resource_rows = _sheet(sheets, "resource_table")
    if (spec := locate_resource_sheet(resource_rows)) is not None:
        capacity, _ = parse_resource_sheet(resource_rows, "Resource_Table", *spec, problems)
    return records, capacity, rejected


def _number(value, problems, number, column):
    try:
        return parse_number(value)
    except ValueError:
        problems.append(Problem(f"'{value}' is not a number; left empty.", "warning", number, column, str(value)))
        return None


def _hours(value, problems, number):
    try:
        return parse_duration(value)
    except ValueError:
        problems.append(Problem(f"work '{value}' cannot be read; left empty.", "warning", number, "Work", str(value)))
        return None


def allocation_frame(records):
    return frame(records, ALLOCATION_COLUMNS)


def capacity_frame(records):
    return frame(records, CAPACITY_COLUMNS)
