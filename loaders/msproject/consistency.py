"""Consistency checks on a finished task frame: what MS Project itself never writes, but third-party
writers (and hand-made XML) do. Each finding is a ``warning`` naming the row; the values are kept,
except a % complete outside 0–100, which is left empty (as the tabular cell grammar does). Negative costs
and repeated Unique IDs are kept and warned about, row by row."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem

#: Row-level warnings per check before the rest are counted in one line.
MAX_ROWS = 50


def _report(problems: list[Problem], rows: pd.DataFrame, column: str, message: str, values: pd.Series) -> None:
    for row, value in zip(rows["row_number"].head(MAX_ROWS), values.head(MAX_ROWS), strict=False):
        problems.append(Problem(message, "warning", None if pd.isna(row) else int(row), column, str(value)))
    if len(rows) > MAX_ROWS:
        problems.append(Problem(f"{len(rows) - MAX_ROWS} more task(s): {message}", "warning", None, column))


def _finish_before_start(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    for start, finish, label in (
        ("start", "finish", "Finish"),
        ("baseline_start", "baseline_finish", "Baseline Finish"),
    ):
        bad = (tasks[finish] < tasks[start]).fillna(False).to_numpy(bool)
        if bad.any():
            rows = tasks[bad]
            text = rows[start].dt.strftime("%Y-%m-%d %H:%M") + " → " + rows[finish].dt.strftime("%Y-%m-%d %H:%M")
            _report(
                problems,
                rows,
                label,
                f"the task's {label.lower()} is before its start; kept as written "
                "(MS Project never saves this: the file comes from another tool or was edited by hand).",
                text,
            )


def _children_under_leaves(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    level = pd.to_numeric(tasks["outline_level"], errors="coerce")
    if level.isna().all():
        return
    deeper_next = (level.shift(-1) > level).fillna(False).to_numpy(bool)
    leaf = ~tasks["is_summary"].fillna(False).to_numpy(bool)
    bad = deeper_next & leaf
    if bad.any():
        _report(
            problems,
            tasks[bad],
            "Summary",
            "the next task is indented under this one, but it is not marked as a "
            "summary task; it is counted as a leaf task and so are its children, which may count work twice.",
            tasks.loc[bad, "name"].fillna(""),
        )


def _duplicate_uids(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    uid = tasks["task_uid"]
    dup = (uid.duplicated(keep="first") & uid.notna()).to_numpy(bool)
    if dup.any():
        first_row = tasks.groupby("task_uid", sort=False)["row_number"].first()
        rows = tasks[dup]
        for row, value in zip(rows["row_number"].head(MAX_ROWS), rows["task_uid"].head(MAX_ROWS), strict=False):
            problems.append(
                Problem(
                    f"this task repeats Unique ID {int(value)}, already used by row {first_row.get(value)}; both were loaded, "
                    "but their baselines and time-phased data cannot be told apart. Give each task its own Unique ID "
                    "(re-export from MS Project, which never repeats one).",
                    "warning",
                    None if pd.isna(row) else int(row),
                    "UID",
                    str(int(value)),
                )
            )
        if len(rows) > MAX_ROWS:
            problems.append(
                Problem(f"{len(rows) - MAX_ROWS} more task(s) repeat a Unique ID used above.", "warning", None, "UID")
            )


COST_COLUMNS = (
    ("cost", "Cost"),
    ("baseline_cost", "Baseline Cost"),
    ("actual_cost", "Actual Cost"),
    ("remaining_cost", "Remaining Cost"),
    ("fixed_cost", "Fixed Cost"),
)


def _negative_costs(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    for column, label in COST_COLUMNS:
        if column not in tasks:
            continue
        bad = (pd.to_numeric(tasks[column], errors="coerce") < 0).fillna(False).to_numpy(bool)
        if bad.any():
            _report(
                problems,
                tasks[bad],
                label,
                f"{label} is negative; kept as written (a credit?). Check the task: "
                "a negative cost lowers the plan's totals and earned value.",
                tasks.loc[bad, column],
            )


def _percent_range(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    for column, label in (("percent_complete", "% Complete"), ("physical_percent_complete", "Physical % Complete")):
        values = tasks[column]
        bad = ((values < 0) | (values > 100)).fillna(False).to_numpy(bool)
        if bad.any():
            _report(problems, tasks[bad], label, f"{label} must be between 0 and 100; left empty.", values[bad])
            tasks.loc[bad, column] = np.nan


def check_tasks(tasks: pd.DataFrame, problems: list[Problem]) -> None:
    """Warn about finish-before-start, children under non-summary tasks, duplicate Unique IDs (per
    row), percentages outside 0–100 (those are emptied in place) and negative costs."""
    if tasks.empty:
        return
    _finish_before_start(tasks, problems)
    _children_under_leaves(tasks, problems)
    _duplicate_uids(tasks, problems)
    _percent_range(tasks, problems)
    _negative_costs(tasks, problems)
