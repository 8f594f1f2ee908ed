"""Task rows of a Project Excel Template or Selected Data table -> raw task, baseline and
interleaved assignment frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem, Refused
from loaders.msproject.aliases import TASK_ALIASES
from loaders.msproject.cells import Cells
from loaders.msproject.date_order import ORDER_WORDS, file_date_order, guess_date_order
from loaders.msproject.fields import BASELINE_COLUMNS, DATE_FIELDS, TASK_COLUMNS
from loaders.msproject.sniffing import task_header_index
from loaders.msproject.table import convert_columns, map_header, raw_frame, report_unmapped
from loaders.values import (
    decide_date_order,
)


def tasks_from_rows(rows: list[list], file_name: str, problems: list[Problem], sheet: str | None = None):
    """Task rows of a template or Selected Data table -> (tasks, task_baselines, assignments, meta)."""
    hi = task_header_index(rows)
    header = [str(c).strip() for c in rows[hi]] if rows else []
    mapped, baseline_cols, unmapped = map_header(header, TASK_ALIASES)
    if "name" not in mapped:
        where = f"sheet {sheet}" if sheet else "the file"
        raise Refused(
            f"{file_name}: {where} has no Name column, so it is not an MS Project task export; "
            'export with headers ("Export includes headers") and include the Name field.'
        )
    if hi and any(str(c).strip() for row in rows[:hi] for c in row):
        problems.append(
            Problem(
                f"{hi} row(s) above the header row {hi + 1} (a title or notes) were not read as tasks.", "info", hi + 1
            )
        )
    frame, numbers = raw_frame(rows, hi + 1, len(header), problems, sheet)
    cells = Cells(numbers + 0, problems)
    frame, numbers, assignments = _split_assignment_rows(frame, numbers, mapped, header, cells)
    cells.rows = numbers
    fallback, fallback_reason, weak_order = _file_date_fallback(frame, mapped, rows)
    estimated: list[int] = []
    tasks = convert_columns(
        cells,
        frame,
        mapped,
        header,
        TASK_COLUMNS,
        date_fallback=fallback,
        estimated=estimated,
        date_fallback_reason=fallback_reason,
    )
    tasks.insert(0, "row_number", numbers.astype("Int64"))
    tasks["_indent"] = _indentation(frame[mapped["name"]])
    baselines = _numbered_baselines(cells, frame, header, baseline_cols, fallback, fallback_reason)
    report_unmapped(unmapped, problems, sheet)
    _report_date_orders(cells, problems, weak_order or fallback is None, fallback_reason)
    meta = {
        "date_orders": cells.date_orders,
        "date_order_reasons": cells.date_reasons,
        "columns_ignored": unmapped[:50],
        "estimated_durations": len(estimated),
    }
    return tasks, baselines, assignments, meta


def _indentation(names: pd.Series) -> pd.Series:
    """Leading spaces of each raw name (a tab = 4, no-break and ideographic spaces = 1)."""

    def width(cell):
        if not isinstance(cell, str):
            return np.nan
        text = cell.replace("\t", "    ")
        return float(len(text) - len(text.lstrip(" \u00a0\u3000")))

    return pd.Series([width(c) for c in names.tolist()], index=names.index, dtype="float64")


def _split_assignment_rows(frame: pd.DataFrame, numbers: pd.Series, mapped: dict, header: list, cells: Cells):
    """Interleaved assignment rows ("Include assignment rows in output") have no ID / Unique ID
    of their own -> (task frame, task row numbers, assignment spec or None)."""
    assignment_rows = pd.Series(False, index=frame.index)
    id_col = mapped.get("task_uid", mapped.get("task_id"))
    if id_col is not None and not frame.empty:
        no_id = pd.Series(cells.empty_mask(frame[id_col]), index=frame.index)
        has_name = ~pd.Series(cells.empty_mask(frame[mapped["name"]]), index=frame.index)
        assignment_rows = no_id & has_name & (frame.index > 0)
    assign_frame, assign_numbers = frame[assignment_rows], numbers[assignment_rows]
    # each assignment row belongs to the task row above it: its position among the task rows,
    # which is the index of the task frame once the assignment rows are removed
    owner_index = pd.Series(np.cumsum(~assignment_rows.to_numpy(bool)) - 1, index=frame.index)
    frame, numbers = frame[~assignment_rows].reset_index(drop=True), numbers[~assignment_rows].reset_index(drop=True)
    assignments = None
    if len(assign_frame):
        a_rows = assign_frame.assign(_owner=owner_index[assignment_rows].astype(int).to_numpy())
        assignments = (a_rows, assign_numbers, mapped, header)
    return frame, numbers, assignments


def _file_date_fallback(frame: pd.DataFrame, mapped: dict, rows: list[list]):
    """One date order for the file where its columns disagree on nothing -> (order, reason, weak)."""
    orders = {}
    numeric_date_columns = 0
    for c in (c for c in TASK_COLUMNS if c in DATE_FIELDS and c in mapped):
        sample = frame[mapped[c]].iloc[:500].astype("str")
        if not sample.str.contains(r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}", regex=True).any():
            continue  # no numeric dates in the first rows: nothing for this column to prove
        numeric_date_columns += 1
        order, reason = decide_date_order(pd.unique(frame[mapped[c]]).tolist())
        if order in ("MDY", "DMY") and "ambiguous" not in reason:  # weekday names or a day above 12
            orders[c] = order
    fallback = file_date_order(orders)
    if fallback is None and numeric_date_columns:
        return guess_date_order(frame, mapped, rows)
    return fallback, None, False


def _numbered_baselines(cells: Cells, frame, header, baseline_cols: dict, fallback, fallback_reason) -> pd.DataFrame:
    """``Baseline1 Start``... columns -> task_baselines rows (``_row`` = the task frame's index)."""
    if not baseline_cols:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    parts = []
    for n in sorted({n for n, _ in baseline_cols}):
        conv = {}
        for field, idx in ((f, i) for (m, f), i in baseline_cols.items() if m == n):
            raw = frame[idx]
            if field in ("start", "finish"):
                conv[field] = cells.date(raw, header[idx], fallback, fallback_reason)
            elif field in ("duration_hours", "work_hours"):
                conv[field] = cells.duration(raw, header[idx])
            else:
                conv[field] = cells.number(raw, header[idx], kind="money amount")
        part = pd.DataFrame(conv, index=frame.index)
        part["baseline_number"] = n
        part["_row"] = frame.index
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def _report_date_orders(cells: Cells, problems: list[Problem], guessed_weakly: bool, fallback_reason) -> None:
    """A warning when every date is ambiguous and the order was guessed weakly, else an info per column."""
    guessed = [column for column, reason in cells.date_reasons.items() if "ambiguous" in reason]
    if guessed and guessed_weakly:
        order = cells.date_orders[guessed[0]]
        why = fallback_reason or "MS Project's en-US default"
        problems.append(
            Problem(
                f"every date in {', '.join(guessed)} is ambiguous (day and month both 12 or less) and nothing in the file "
                f"shows the order: read {ORDER_WORDS[order]} ({why}), e.g. "
                f"{'03/04 = 3 April' if order == 'DMY' else '03/04 = 4 March'}. Check a few dates; to make them "
                "unambiguous, set MS Project's date format (File > Options > General > Date format) to one with the "
                "weekday or the month name, or include a task whose day is above 12, and export again.",
                "warning",
                None,
                ", ".join(guessed),
                order,
            )
        )
    else:
        for column in guessed:
            problems.append(
                Problem(
                    f"dates are ambiguous (day and month both 12 or less); read as {cells.date_reasons[column]}.",
                    "info",
                    None,
                    column,
                )
            )
