"""Asana's CSV export as Asana writes it, into the canonical work-item tables (source ``asana``).

Layouts: the current export (``Task ID, Created At, Completed At, Last Modified, Name,
Section/Column, Assignee, Assignee Email, Start Date, Due Date, Tags, Notes, Projects, Parent task,
Blocked By (Dependencies), Blocking (Dependencies)`` + one column per custom field) and the older
one without ``Section/Column`` (``Parent Task``). Columns are matched by name, in any order.

Reading rules:
- a task is a CSV record: notes that span lines stay one task; a task repeated on several rows that
  differ only in the assignee (older exports) is one task with those assignees;
- Done = ``Completed At`` set; the section is the status (``Completed``/``Open`` without sections);
  a section named like work in progress (Doing, In progress, Review…) is status category In Progress;
- subtasks name their parent by *name*: resolved to the parent's key where exactly one task has that
  name (the count that could not be resolved is reported);
- ``Task ID`` is kept as text; IDs that Excel turned into ``7.18656E+14`` are replaced by a key made
  from the task's name, creation date and parent, with a warning that tasks cannot be matched
  reliably between snapshots;
- dates are read with one order per column (M/D/YY as Asana's US export writes them, ISO otherwise);
- story points come from a custom field named like points or estimate; every other custom field is
  kept in ``extra``.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter

import numpy as np
import pandas as pd

from loaders.base import Parsed, Problem, Refused, Sample
from loaders.tabular import read_delimited
from loaders.values import normalize_header, parse_date_column, parse_number

SOURCE = "asana"
FORMAT = "Asana CSV export"
ALIASES = {
    "task id": "task_id",
    "created at": "created",
    "completed at": "completed",
    "last modified": "updated",
    "name": "name",
    "section/column": "section",
    "section": "section",
    "column": "section",
    "assignee": "assignee",
    "assignee email": "assignee_email",
    "start date": "start",
    "due date": "due",
    "tags": "tags",
    "notes": "notes",
    "projects": "projects",
    "parent task": "parent",
    "blocked by (dependencies)": "blocked_by",
    "blocking (dependencies)": "blocking",
}
REQUIRED = ("task_id", "created", "name")
POINT_FIELDS = re.compile(r"^(story )?points?$|^sp$|^estimate( \(points\))?$|^story point estimate$|^effort$")
IN_PROGRESS = re.compile(r"doing|in progress|progress|review|testing|qa\b|wip|started|blocked", re.I)
DONE_SECTIONS = re.compile(r"^(done|complete|completed|closed|finished)$", re.I)
EXCEL_NUMBER = re.compile(r"^\d(\.\d+)?E\+\d+$", re.I)
DATE_ROLES = ("created", "completed", "updated", "start", "due")


def _roles(header: list[str]) -> dict[str, int]:
    roles: dict[str, int] = {}
    for index, cell in enumerate(header):
        role = ALIASES.get(normalize_header(cell).replace(" / ", "/"))
        if role and role not in roles:
            roles[role] = index
    return roles


def sniff(sample: Sample) -> bool:
    roles = _roles(sample.csv_header)
    return set(REQUIRED) <= set(roles) and ("completed" in roles or "updated" in roles)


def _custom_fields(header: list[str], roles: dict[str, int]) -> dict[str, int]:
    known = set(roles.values())
    return {cell.strip(): i for i, cell in enumerate(header) if i not in known and cell.strip()}


def parse(data: bytes, file_name: str) -> Parsed:
    rows, encoding, _ = read_delimited(data)
    rows = [r for r in rows if any(c.strip() for c in r)]
    if not rows:
        raise Refused(f"{file_name}: the Asana export holds no header row.")
    header, body = rows[0], rows[1:]
    roles = _roles(header)
    missing = [r for r in REQUIRED if r not in roles]
    if missing:
        raise Refused(
            f"{file_name}: an Asana export needs the columns Task ID, Created At and Name (missing: {missing})."
        )
    problems: list[Problem] = []
    width = len(header)
    records, rejected = [], 0
    for number, row in enumerate(body, start=2):
        if len(row) > width and any(c.strip() for c in row[width:]):
            problems.append(
                Problem(f"the row has {len(row)} cells, the header {width}; it was not loaded.", "error", number)
            )
            rejected += 1
            continue
        records.append((number, row + [""] * (width - len(row))))
    frame = _frame(header, roles, records)
    frame, merged = _merge_assignee_repeats(frame)
    if merged:
        problems.append(
            Problem(
                f"{merged} rows repeat a task for another assignee (same ID, name and dates): each task was read once, "
                "with all its assignees.",
                "info",
            )
        )
    frame, notes = _keys(frame)
    problems += notes
    frame = _dates(frame, problems)
    issues = _issues(frame, header, roles, problems)
    project = Counter(p for ps in frame["projects"] for p in ps).most_common(1)
    meta = {
        "encoding": encoding,
        "layout": "current" if "section" in roles else "legacy (no Section/Column)",
        "custom_fields": sorted(_custom_fields(header, roles)),
        "projects": sorted({p for ps in frame["projects"] for p in ps}),
    }
    as_of = issues["updated"].max() if issues["updated"].notna().any() else None
    return Parsed(
        SOURCE,
        FORMAT,
        {"issues": issues},
        problems,
        as_of=None if as_of is None else pd.Timestamp(as_of).date(),
        project_name=project[0][0] if project else None,
        rows_rejected=rejected,
        meta=meta,
    )


def _frame(header: list[str], roles: dict[str, int], records: list[tuple[int, list[str]]]) -> pd.DataFrame:
    out = {"row_number": [n for n, _ in records]}
    for role in ALIASES.values():
        i = roles.get(role)
        out[role] = [("" if i is None else r[i].strip()) for _, r in records]
    custom = _custom_fields(header, roles)
    out["custom"] = [{name: r[i] for name, i in custom.items() if r[i].strip()} for _, r in records]
    frame = pd.DataFrame(out)
    frame["projects"] = frame["projects"].map(lambda t: [p.strip() for p in t.split(",") if p.strip()])
    return frame


def _merge_assignee_repeats(frame: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """Rows equal in everything but the assignee are one task (older exports list each assignee)."""
    if frame.empty:
        return frame, 0
    keys = ["task_id", "name", "created", "completed", "due", "parent", "section"]
    key = frame[keys].astype(str).agg("\x1f".join, axis=1)
    first = ~key.duplicated()
    people = frame.groupby(key, sort=False)["assignee"].agg(lambda s: ", ".join(dict.fromkeys(a for a in s if a)))
    out = frame[first].copy()
    out["assignee"] = key[first].map(people).to_numpy()
    return out.reset_index(drop=True), int((~first).sum())


def _keys(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """issue_key = the Task ID, or a content key where Excel destroyed the IDs."""
    problems = []
    destroyed = frame["task_id"].map(lambda t: bool(EXCEL_NUMBER.match(t)) or not t)
    content = (frame["name"] + "\x1f" + frame["created"] + "\x1f" + frame["parent"]).map(
        lambda t: "T-" + hashlib.sha1(t.encode()).hexdigest()[:12]
    )
    keys = frame["task_id"].where(~destroyed, content)
    if destroyed.any():
        problems.append(
            Problem(
                f"{int(destroyed.sum())} Task IDs were turned into numbers like {frame['task_id'][destroyed].iloc[0]!r} by Excel "
                "(or are empty): the tasks got keys made from their name, creation date and parent, so a task cannot be "
                "matched reliably between snapshots if those change. Export again from Asana and upload the CSV unopened.",
                "warning",
                column_name="Task ID",
            )
        )
    dup = keys.duplicated(keep=False)
    if dup.any():
        keys = keys.where(~dup, keys + "-" + frame.groupby(keys).cumcount().add(1).astype(str))
        problems.append(
            Problem(
                f"{int(dup.sum())} tasks share a key with another task; they were numbered apart.",
                "warning",
                column_name="Task ID",
            )
        )
    return frame.assign(issue_key=keys.to_numpy()), problems


def _dates(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    decided = None
    for role in DATE_ROLES:
        column = parse_date_column(
            frame[role].replace("", None),
            fallback=decided,
            fallback_reason=("the order other date columns of the file proved" if decided else None),
        )
        if column.order in ("MDY", "DMY") and "ambiguous" not in column.order_reason:
            decided = column.order
        frame[role] = pd.Series(column.array, index=frame.index)
        for position, reason in column.errors.items():
            problems.append(
                Problem(f"not a date ({reason}); left empty.", "warning", int(frame["row_number"].iloc[position]), role)
            )
    return frame


def _status(completed, section: str) -> tuple[str, str]:
    if pd.notna(completed):
        return (section or "Completed"), "Done"
    if section and DONE_SECTIONS.match(section):
        return section, "Done"
    if section and IN_PROGRESS.search(section):
        return section, "In Progress"
    return (section or "Open"), "To Do"


def _points(custom: dict) -> float | None:
    for name, value in custom.items():
        if POINT_FIELDS.match(normalize_header(name)):
            number = parse_number(value)
            if number is not None:
                return number
    return None


def _issues(frame: pd.DataFrame, header, roles, problems: list[Problem]) -> pd.DataFrame:
    by_name = frame.groupby("name")["issue_key"].agg(list)
    unique = {name: keys[0] for name, keys in by_name.items() if len(keys) == 1}
    has_parent = frame["parent"] != ""
    parent_key = frame["parent"].map(unique).where(has_parent)
    unresolved = int((has_parent & parent_key.isna()).sum())
    if has_parent.any():
        problems.append(
            Problem(
                f"{int(has_parent.sum())} subtasks name their parent by name: {int(has_parent.sum()) - unresolved} resolved"
                + (
                    f", {unresolved} not (no task or several tasks have that name; they are kept as top-level work)."
                    if unresolved
                    else "."
                ),
                "info" if not unresolved else "warning",
                column_name="Parent task",
            )
        )
    statuses = [_status(c, s) for c, s in zip(frame["completed"], frame["section"], strict=True)]
    extra = [
        json.dumps(
            {
                k: v
                for k, v in {
                    **c,
                    "notes": n,
                    "blocked_by": b,
                    "blocking": bl,
                    "assignee_email": e,
                    "projects": p,
                }.items()
                if v
            }
        )
        for c, n, b, bl, e, p in zip(
            frame["custom"],
            frame["notes"],
            frame["blocked_by"],
            frame["blocking"],
            frame["assignee_email"],
            frame["projects"],
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "row_number": frame["row_number"].astype("int32"),
            "issue_key": frame["issue_key"],
            "issue_id": frame["task_id"].replace("", None),
            "project_key": frame["projects"].map(lambda p: p[0] if p else None),
            "issue_type": np.where(has_parent, "Subtask", "Task"),
            "is_subtask": has_parent.to_numpy(),
            "summary": frame["name"],
            "status": [s for s, _ in statuses],
            "status_category": [c for _, c in statuses],
            "assignee": frame["assignee"].replace("", None),
            "created": frame["created"],
            "updated": frame["updated"],
            "resolved": frame["completed"],
            "due": frame["due"],
            "start": frame["start"],
            "story_points": frame["custom"].map(_points).astype("float64"),
            "parent_key": parent_key,
            "labels": frame["tags"].replace("", None),
            "components": frame["section"].replace("", None),
            "extra": extra,
        }
    )
