"""PM status reports from a spreadsheet (.xlsx or .csv): one row per project and week.

Columns are recognised by an alias table (any order, any case; the header may sit below title
rows): project, week (as-of date), RAG, reason, summary, accomplishments, next steps, asks and
author. Every row that cannot be stored is a :class:`~loaders.base.Problem` naming its row and
column; nothing is dropped silently. Not a snapshot source: the rows go to ``status_reports``.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from loaders.base import Problem, Refused
from loaders.tabular import read_delimited, read_workbook
from loaders.values import is_empty, normalize_header, parse_date
from metrics.status import StatusReport
from store import Store

ALIASES: dict[str, tuple[str, ...]] = {
    "project_id": ("project_id", "project id", "project", "project key", "proyecto", "projet", "projekt", "progetto"),
    "as_of": (
        "as_of",
        "as of",
        "week",
        "week ending",
        "week of",
        "status date",
        "report date",
        "date",
        "fecha",
        "semaine",
    ),
    "rag": ("rag", "pm rag", "rag status", "status", "overall status", "overall rag", "health", "estado"),
    "rag_reason": ("rag_reason", "rag reason", "reason", "why", "status reason", "justification", "motivo"),
    "summary": ("summary", "executive summary", "status summary", "comments", "resumen", "résumé"),
    "accomplishments": ("accomplishments", "achievements", "completed", "this week", "done this week", "progress"),
    "next_steps": ("next_steps", "next steps", "next week", "planned", "plan for next week", "próximos pasos"),
    "asks": ("asks", "decisions", "help needed", "decisions or help needed", "escalations", "support needed"),
    "author": ("author", "pm", "project manager", "reported by", "owner"),
}
RAG_WORDS = {
    "g": "green",
    "green": "green",
    "verde": "green",
    "vert": "green",
    "grün": "green",
    "on track": "green",
    "a": "amber",
    "amber": "amber",
    "yellow": "amber",
    "ámbar": "amber",
    "amarillo": "amber",
    "orange": "amber",
    "at risk": "amber",
    "r": "red",
    "red": "red",
    "rojo": "red",
    "rouge": "red",
    "rot": "red",
    "off track": "red",
}
_LOOKUP = {normalize_header(alias): role for role, names in ALIASES.items() for alias in names}


def header_row(rows: list[list]) -> int | None:
    """The first row (0-based, within the first 20) naming a project, a RAG and a summary."""
    for number, row in enumerate(rows[:20]):
        roles = {_LOOKUP.get(normalize_header(c)) for c in row if not is_empty(c)}
        if {"project_id", "rag", "summary"} <= roles:
            return number
    return None


def parse(data: bytes, file_name: str, computed: dict[str, str] | None = None) -> tuple[pd.DataFrame, list[Problem]]:
    """Rows of ``status_reports`` and the problems. ``computed`` maps project -> computed health,
    so that a RAG differing from it without a reason is refused row by row."""
    if data[:4] == b"PK\x03\x04":
        sheets = read_workbook(data, file_name)
        found = next(((n, r, h) for n, r in sheets.items() if (h := header_row(r)) is not None), None)
    else:
        rows = read_delimited(data)[0]
        found = ("", rows, header_row(rows)) if header_row(rows) is not None else None
    if found is None:
        names = ", ".join(sorted({names[1] for names in ALIASES.values()}))
        raise Refused(f"{file_name}: no header row with project, RAG and summary columns (other columns: {names}).")
    _, rows, at = found
    roles = {}
    for index, cell in enumerate(rows[at]):
        role = _LOOKUP.get(normalize_header(cell)) if not is_empty(cell) else None
        if role and role not in roles:
            roles[role] = index
    out, problems = [], []
    for offset, row in enumerate(rows[at + 1 :], start=at + 2):
        cells = {role: (row[i] if i < len(row) else "") for role, i in roles.items()}
        if all(is_empty(v) for v in cells.values()):
            continue
        report, problem = _report(cells, offset, (computed or {}))
        if problem:
            problems.append(problem)
        else:
            out.append(report.row())
    return pd.DataFrame(out, columns=list(Store.STATUS_FIELDS)), problems


def _report(cells: dict, row_number: int, computed: dict[str, str]) -> tuple[StatusReport | None, Problem | None]:
    project = str(cells.get("project_id", "")).strip()
    if not project:
        return None, Problem("no project on this row; it was not stored.", "error", row_number, "project")
    try:
        day = parse_date(cells.get("as_of"))
    except ValueError:
        day = None
    if day is None:
        return None, Problem(
            "no week date on this row; it was not stored.", "error", row_number, "week", str(cells.get("as_of", ""))
        )
    rag_text = str(cells.get("rag", "")).strip()
    report = StatusReport(
        project_id=project,
        as_of=pd.Timestamp(day).date(),
        rag=RAG_WORDS.get(rag_text.casefold(), rag_text.casefold()),
        **{k: _text(cells.get(k)) for k in ("summary", "accomplishments", "next_steps", "asks", "rag_reason")},
        author=_text(cells.get("author")) or None,
        computed_status=computed.get(project),
    )
    if errors := report.problems():
        return None, Problem(" ".join(errors) + " The row was not stored.", "error", row_number, "rag", rag_text)
    return report, None


def _text(value) -> str:
    if is_empty(value):
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value).strip()
