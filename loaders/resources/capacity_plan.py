"""Capacity plans: how many hours a person, role or team has, per period.

Two layouts, both found by their header anywhere in a sheet's first 30 rows:

* **long**: a person / role / team column, a period (``Month``, ``Week``, or ``Start`` + ``Finish``)
  and capacity hours (``Capacity``, ``Available hours``) or a headcount / FTE;
* **grid**: one row per role (or team) and one column per month (``Jul '16``, ``Jan-26``,
  ``2026-01``); the corner cell says what the numbers are — ``Persons``/``Headcount``/``FTE``
  (people, turned into hours as people × working days × 8 h) or ``Hours``.
"""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np

from loaders.base import Problem
from loaders.resources.allocation_sheet import ALIASES as PERSON_ALIASES
from loaders.resources.common import (
    CAPACITY_COLUMNS,
    HEADER_SEARCH_ROWS,
    HOURS_PER_DAY,
    cell,
    date_order,
    find_header,
    frame,
    month_of,
    read_date,
    read_number,
    text,
)
from loaders.values import normalize_header, parse_number

ALIASES = {
    **{k: v for k, v in PERSON_ALIASES.items() if v in ("resource", "email", "role", "team", "start", "finish")},
    **dict.fromkeys(
        (
            "capacity",
            "capacity hours",
            "capacity (h)",
            "capacity (hours)",
            "available hours",
            "available",
            "available (hrs)",
            "available (hours)",
            "hours available",
            "availability",
            "availability (h)",
            "kapazität",
            "capacité",
        ),
        "capacity_hours",
    ),
    **dict.fromkeys(("headcount", "fte", "ftes", "persons", "people", "heads"), "headcount"),
    **dict.fromkeys(("month", "period", "monat", "mois", "mes"), "month"),
    **dict.fromkeys(("week", "week starting", "week of", "week commencing", "woche"), "week"),
}
HEADCOUNT_WORDS = ("person", "people", "headcount", "fte", "heads", "staff", "resources")
HOURS_WORDS = ("hour", "hrs", "capacity")


def accepts(roles: dict[str, int]) -> bool:
    return bool(
        ({"resource", "email", "role", "team"} & roles.keys())
        and ({"capacity_hours", "headcount"} & roles.keys())
        and ({"month", "week", "start"} & roles.keys())
    )


def locate_long(rows: list[list]):
    return find_header(rows, ALIASES, accepts)


def _header_month(value) -> dt.date | None:
    """A month header: text like ``Jul '16`` or a date cell on the first of a month."""
    if isinstance(value, dt.date) and value.day != 1:
        return None
    return month_of(value)


def locate_grid(rows: list[list]) -> tuple[int, int, list[tuple[int, dt.date]]] | None:
    """(header row, label column, [(column, month)]) for a role × month grid, else None: a row of
    at least 3 consecutive month headers, nothing else in it but the corner label (a headcount or
    hours word, or empty) and an optional total, and numbers under the months."""
    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        months = [(c, m) for c, value in enumerate(row) if (m := _header_month(value)) is not None]
        if len(months) < 3 or not _consecutive([m for _, m in months]):
            continue
        label = months[0][0] - 1
        corner = text(cell(row, label)) if label >= 0 else ""
        others = [text(v) for c, v in enumerate(row) if c != label and c not in dict(months) and text(v)]
        if label < 0 or grid_measure(corner) is None or any(o.casefold() not in ("total", "sum") for o in others):
            return None
        body = [r for r in rows[index + 1 : index + 40] if text(cell(r, label))]
        numbers = [_is_number(cell(r, c)) for r in body for c, _ in months if text(cell(r, c))]
        if body and numbers and sum(numbers) >= 0.8 * len(numbers):
            return index, label, months
        return None
    return None


def _consecutive(months: list[dt.date]) -> bool:
    return all((b.year * 12 + b.month) - (a.year * 12 + a.month) == 1 for a, b in itertools.pairwise(months))


def _is_number(value) -> bool:
    try:
        return parse_number(value) is not None
    except ValueError:
        return False


def grid_measure(corner: str) -> str | None:
    corner = normalize_header(corner)
    if any(w in corner for w in HOURS_WORDS):
        return "hours"
    if not corner or any(w in corner for w in HEADCOUNT_WORDS):
        return "headcount"
    return None


def month_end(first: dt.date) -> dt.date:
    return (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)


def working_hours(start: dt.date, finish: dt.date) -> float:
    days = np.busday_count(start, finish + dt.timedelta(days=1), weekmask="1111100")
    return float(days) * HOURS_PER_DAY


def parse_grid(rows, sheet: str, spec, problems: list[Problem]):
    """Capacity rows of a role × month grid -> (records, rejected)."""
    header_at, label, months = spec
    corner = text(cell(rows[header_at], label))
    measure = grid_measure(corner) or "headcount"
    problems.append(
        Problem(
            f"sheet {sheet}: a {'headcount' if measure == 'headcount' else 'capacity-hours'} grid of "
            f"{len(months)} months ({months[0][1]:%b %Y}–{months[-1][1]:%b %Y}) by role"
            + (", people turned into hours as people × working days × 8 h." if measure == "headcount" else "."),
            "info",
            column_name=corner or None,
        )
    )
    records, rejected = [], 0
    for offset, row in enumerate(rows[header_at + 1 :]):
        number = header_at + 2 + offset
        role = text(cell(row, label))
        values = [cell(row, c) for c, _ in months]
        if not role and not any(text(v) for v in values):
            continue
        if not role or role.casefold() in ("total", "totals", "sum", "gesamt"):
            problems.append(Problem(f"row {number} is a total or has no role; not loaded as capacity.", "info", number))
            continue
        for (column, first), value in zip(months, values, strict=True):
            amount = read_number(value, problems, number, text(rows[header_at][column]))
            if amount is None:
                continue
            last = month_end(first)
            hours = amount * working_hours(first, last) if measure == "headcount" else amount
            records.append(
                {
                    "row_number": number,
                    "project_id": "",
                    "role": role,
                    "period_start": first,
                    "period_finish": last,
                    "hours": hours,
                    "headcount": amount if measure == "headcount" else None,
                    "origin": "capacity grid",
                }
            )
    return records, rejected


def parse_long(rows, sheet: str, header_at: int, roles: dict[str, int], problems: list[Problem]):
    """Capacity rows of a long plan -> (records, rejected)."""
    body = rows[header_at + 1 :]
    date_cols = [roles.get(k) for k in ("start", "finish", "month", "week")]
    order = date_order([cell(r, c) for r in body for c in date_cols if c is not None])
    records, rejected = [], 0
    for offset, row in enumerate(body):
        number = header_at + 2 + offset
        if not any(text(c) for c in row):
            continue
        record = _long_record(row, roles, number, order, problems)
        if record is None:
            rejected += 1
        else:
            records.append(record)
    return records, rejected


def _period(row, roles, number: int, order, problems) -> tuple[dt.date, dt.date] | None:
    if "month" in roles:
        raw = cell(row, roles["month"])
        first = month_of(raw) or (d.replace(day=1) if (d := read_date(raw, problems, number, "month", order)) else None)
        return (first, month_end(first)) if first else None
    if "week" in roles:
        day = read_date(cell(row, roles["week"]), problems, number, "week", order)
        if day is None:
            return None
        monday = day - dt.timedelta(days=day.weekday())
        return monday, monday + dt.timedelta(days=6)
    start = read_date(cell(row, roles["start"]), problems, number, "start", order)
    finish = read_date(cell(row, roles.get("finish")), problems, number, "finish", order) if "finish" in roles else None
    return (start, finish) if start and finish and finish >= start else None


def _long_record(row, roles, number: int, order, problems: list[Problem]) -> dict | None:
    get = {role: text(cell(row, index)) for role, index in roles.items()}
    if not any(get.get(k) for k in ("resource", "email", "role", "team")):
        problems.append(Problem("row names no person, role or team; not loaded.", "error", number))
        return None
    period = _period(row, roles, number, order, problems)
    if period is None:
        problems.append(
            Problem("row has no readable period (month, week or start and finish); not loaded.", "error", number)
        )
        return None
    hours = heads = None
    if "capacity_hours" in roles:
        hours = read_number(cell(row, roles["capacity_hours"]), problems, number, "capacity")
    if "headcount" in roles:
        heads = read_number(cell(row, roles["headcount"]), problems, number, "headcount")
    if hours is None and heads is not None:
        hours = heads * working_hours(*period)
    if hours is None or hours < 0:
        problems.append(
            Problem("row has no capacity hours or headcount (or a negative one); not loaded.", "error", number)
        )
        return None
    return {
        "row_number": number,
        "project_id": "",
        "resource": get.get("resource") or None,
        "email": (get.get("email") or "").lower() or None,
        "role": get.get("role") or None,
        "team": get.get("team") or None,
        "period_start": period[0],
        "period_finish": period[1],
        "hours": hours,
        "headcount": heads,
        "origin": "capacity plan",
    }


def to_frame(records: list[dict]):
    return frame(records, CAPACITY_COLUMNS)
