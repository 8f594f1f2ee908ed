"""Finishing the task frame: project summary row and blank rows out, summary/milestone flags
inferred, every canonical column in its final dtype."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem
from loaders.msproject.fields import (
    BOOL_FIELDS,
    DATE_FIELDS,
    DURATION_FIELDS,
    MISSING_BASELINE,
    MONEY_FIELDS,
    PERCENT_FIELDS,
    TASK_COLUMNS,
)

#: The task columns held as float64: durations, money and percentages.
FLOAT_TASK_COLUMNS = tuple(c for c in TASK_COLUMNS if c in DURATION_FIELDS or c in MONEY_FIELDS or c in PERCENT_FIELDS)


def finish_tasks(tasks: pd.DataFrame, problems: list[Problem], parsed_meta: dict) -> tuple[pd.DataFrame, str | None]:
    """Drop the project summary row and blank rows, infer summary/milestone flags, fill task_uid."""
    project_name = None
    if tasks.empty:
        return tasks, None
    tid = tasks["task_id"] if "task_id" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    uid = tasks["task_uid"] if "task_uid" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    level = tasks["outline_level"] if "outline_level" in tasks else pd.Series(pd.NA, index=tasks.index, dtype="Int64")
    is_project = ((tid == 0) | (uid == 0) | (level == 0)).fillna(False).to_numpy(bool, copy=True)
    if is_project.any():
        names = tasks.loc[is_project, "name"].dropna()
        project_name = names.iloc[0] if len(names) else None
    tasks = tasks[~is_project]
    blank = tasks["name"].isna()
    for col in ("start", "finish"):
        if col in tasks:
            blank &= tasks[col].isna()
    if blank.any():
        problems.append(Problem(f"{int(blank.sum())} blank task row(s) were skipped.", "info"))
        tasks = tasks[~blank]
    tasks = tasks.reset_index(drop=True)
    for col in TASK_COLUMNS:
        if col not in tasks:
            tasks[col] = empty_column(col, len(tasks))
    if tasks["task_uid"].isna().all() and tasks["task_id"].notna().any():
        tasks["task_uid"] = tasks["task_id"]
        parsed_meta["task_uid_from"] = "ID (the export has no Unique ID column)"
    if tasks["outline_level"].isna().all():
        infer_outline(tasks, problems, parsed_meta)
    if tasks["is_summary"].isna().all():
        lv = pd.to_numeric(tasks["outline_level"], errors="coerce")
        if lv.notna().any():
            tasks["is_summary"] = (lv.shift(-1) > lv).fillna(False).astype("boolean")
            parsed_meta["summary_from"] = "Outline Level (a row is a summary when the next row is deeper)"
        else:
            tasks["is_summary"] = pd.array([False] * len(tasks), dtype="boolean")
            parsed_meta["summary_from"] = "none (no Summary or Outline Level column: every task is a leaf)"
    if tasks["is_milestone"].isna().all():
        dur = pd.to_numeric(tasks["duration_hours"], errors="coerce")
        tasks["is_milestone"] = ((dur == 0) & ~tasks["is_summary"].fillna(False)).fillna(False).astype("boolean")
        parsed_meta["milestone_from"] = "Duration (0 days = milestone)"
    tasks["is_summary"] = tasks["is_summary"].astype("boolean").fillna(False)
    tasks["is_milestone"] = tasks["is_milestone"].astype("boolean").fillna(False)
    return tasks, project_name


_CODE = r"^[\w-]+(?:\.[\w-]+)*$"  # WBS / outline number: dotted segments, "1.2.3", "CRM.2.1", "A-1.2"


def _dotted_levels(codes: pd.Series, relative: bool = True) -> np.ndarray | None:
    """Outline levels from dotted codes (segments, less the fewest segments + 1 when ``relative``:
    a WBS may carry a project prefix); None unless every filled code is dotted and some has a dot."""
    text = codes.astype("object").where(codes.notna(), None).map(lambda v: None if v is None else str(v).strip())
    filled = text.dropna()
    filled = filled[filled != ""]
    if filled.empty or not filled.str.match(_CODE).all() or not filled.str.contains(".", regex=False).any():
        return None
    dots = text.map(lambda v: np.nan if not v else v.count(".")).astype("float64")
    return (dots - (dots.min() if relative else 0) + 1).to_numpy()


def _indent_levels(indent: pd.Series) -> np.ndarray | None:
    """Outline levels from the names' leading spaces (each distinct indentation one level deeper);
    None unless some name is indented."""
    values = pd.to_numeric(indent, errors="coerce")
    if values.isna().all() or values.max() <= 0 or values.nunique() < 2:
        return None
    ranks = {v: i + 1 for i, v in enumerate(sorted(values.dropna().unique()))}
    return values.map(ranks).astype("float64").to_numpy()


def infer_outline(tasks: pd.DataFrame, problems: list[Problem], parsed_meta: dict) -> None:
    """No Outline Level column: the hierarchy from the Outline Number, else the WBS code, else the
    names' indentation — and an info problem saying which (or that there is none)."""
    found = None
    for column, label in (
        ("outline_number", "Outline Number (1.2.3 = level 3)"),
        ("wbs", "the WBS code (1.2.3 = level 3)"),
    ):
        levels = _dotted_levels(tasks[column], column == "wbs") if tasks[column].notna().any() else None
        if levels is not None:
            found = levels, label
            break
    if found is None and "_indent" in tasks:
        levels = _indent_levels(tasks["_indent"])
        found = None if levels is None else (levels, "the indentation of the task names (each indent one level)")
    if found is None:
        problems.append(
            Problem(
                "the export has no Outline Level column and neither an Outline Number, a dotted WBS "
                "code nor indented names show the hierarchy: every task counts as a leaf. Add "
                "Outline_Level to the export map.",
                "info",
                None,
                "Outline Level",
            )
        )
        return
    levels, label = found
    tasks["outline_level"] = pd.array([None if np.isnan(v) else int(v) for v in levels], dtype="Int64")
    parsed_meta["outline_level_from"] = label
    problems.append(
        Problem(
            f"the export has no Outline Level column: the hierarchy (summary tasks and their "
            f"subtasks) was read from {label}.",
            "info",
            None,
            "Outline Level",
        )
    )


def empty_column(col: str, n: int):
    """An all-missing task column already in its final dtype."""
    if col in ("row_number", "task_uid", "task_id", "outline_level"):
        return pd.array([pd.NA] * n, dtype="Int64")
    if col in BOOL_FIELDS:
        return pd.array([pd.NA] * n, dtype="boolean")
    if col in DATE_FIELDS:
        return np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
    if col in FLOAT_TASK_COLUMNS:
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


def typed_tasks(tasks: pd.DataFrame) -> pd.DataFrame:
    tasks = tasks[list(TASK_COLUMNS)].copy()
    for c in ("row_number", "task_uid", "task_id", "outline_level"):
        if tasks[c].dtype != "Int64":
            tasks[c] = pd.to_numeric(tasks[c], errors="coerce").astype("Int64")
    for c in BOOL_FIELDS:
        if tasks[c].dtype != "boolean":
            tasks[c] = tasks[c].astype("boolean")
    for c in DATE_FIELDS:
        if tasks[c].dtype != "datetime64[us]":
            tasks[c] = pd.to_datetime(tasks[c], errors="coerce").astype("datetime64[us]")
    for c in FLOAT_TASK_COLUMNS:
        if tasks[c].dtype != "float64":
            tasks[c] = pd.to_numeric(tasks[c], errors="coerce").astype("float64")
    for c in (
        "wbs",
        "outline_number",
        "name",
        "fixed_cost_accrual",
        "earned_value_method",
        "resource_names",
        "predecessors",
        "notes",
    ):
        if tasks[c].dtype != object or tasks[c].isna().any():
            tasks[c] = tasks[c].astype("object").where(tasks[c].notna(), None)
    return tasks


def baseline_notice(tasks: pd.DataFrame, problems: list[Problem], had_baseline_columns: bool) -> None:
    if not had_baseline_columns:
        problems.append(Problem(MISSING_BASELINE, "info"))
