"""MSPDI Task, Resource, Assignment and Baseline records -> canonical frames."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem
from loaders.msproject.fields import (
    ACCRUALS,
    ASSIGNMENT_COLUMNS,
    BASELINE_COLUMNS,
    EV_METHODS,
    RESOURCE_COLUMNS,
    TASK_COLUMNS,
)
from loaders.msproject.xml_cells import XmlCells, column_or_empty

#: The project summary task's (UID 0) values kept for MS Project's own totals (``meta["project_summary"]``).
PROJECT_SUMMARY_FIELDS = (
    "cost",
    "actual_cost",
    "bcws",
    "bcwp",
    "acwp",
    "work_hours",
    "actual_work_hours",
    "percent_complete",
)


def mspdi_tasks(frame: pd.DataFrame, calendar: dict, problems: list[Problem], ev_default: str):
    """Task records -> (task frame without the project summary and IsNull rows, the project
    summary task's name, its values as a dict or None)."""
    if frame.empty:
        return pd.DataFrame(columns=TASK_COLUMNS), None, None
    rows = frame["_pos"]
    c = XmlCells(frame, problems, calendar, rows)
    uid = c.integer("UID")
    is_null = c.flag("IsNull").fillna(False).to_numpy(bool, copy=True)
    project_row = (uid == 0).fillna(False).to_numpy(bool, copy=True)
    project_name = None
    if project_row.any():
        project_name = column_or_empty(frame, "Name")[project_row].dropna()
        project_name = project_name.iloc[0] if len(project_name) else None
    out = pd.DataFrame(
        {
            "row_number": rows.astype("Int64"),
            "task_uid": uid,
            "task_id": c.integer("ID"),
            "wbs": column_or_empty(frame, "WBS"),
            "outline_number": column_or_empty(frame, "OutlineNumber"),
            "name": column_or_empty(frame, "Name"),
            "outline_level": c.integer("OutlineLevel"),
            "is_summary": c.flag("Summary"),
            "is_milestone": c.flag("Milestone"),
            "start": c.date("Start"),
            "finish": c.date("Finish"),
            "actual_start": c.date("ActualStart"),
            "actual_finish": c.date("ActualFinish"),
            "baseline_start": pd.NaT,
            "baseline_finish": pd.NaT,
            "deadline": c.date("Deadline"),
            "duration_hours": c.duration("Duration"),
            "baseline_duration_hours": np.nan,
            "work_hours": c.duration("Work"),
            "baseline_work_hours": np.nan,
            "actual_work_hours": c.duration("ActualWork"),
            "percent_complete": c.number("PercentComplete"),
            "physical_percent_complete": c.number("PhysicalPercentComplete"),
            "cost": c.number("Cost", 100),
            "baseline_cost": np.nan,
            "actual_cost": c.number("ActualCost", 100),
            "remaining_cost": c.number("RemainingCost", 100),
            "fixed_cost": c.number("FixedCost", 100),
            "fixed_cost_accrual": column_or_empty(frame, "FixedCostAccrual").map(ACCRUALS),
            "bcws": c.number("BCWS", 100),
            "bcwp": c.number("BCWP", 100),
            "acwp": c.number("ACWP", 100),
            "earned_value_method": column_or_empty(frame, "EarnedValueMethod").map(EV_METHODS).fillna(ev_default),
            "resource_names": None,
            "predecessors": None,
            "notes": column_or_empty(frame, "Notes").str.strip() if "Notes" in frame else None,
        }
    )
    if is_null.any():
        problems.append(Problem(f"{int(is_null.sum())} blank (IsNull) task row(s) were skipped.", "info"))
    summary = None
    if project_row.any():
        first = out[project_row].iloc[0]
        summary = {k: (None if pd.isna(first[k]) else float(first[k])) for k in PROJECT_SUMMARY_FIELDS}
    out = out[~is_null & ~project_row].reset_index(drop=True)
    if out["is_summary"].isna().all():
        lv = out["outline_level"].astype("float64")
        out["is_summary"] = (lv.shift(-1) > lv).fillna(False).astype("boolean")
    out["is_summary"] = out["is_summary"].fillna(False)
    out["is_milestone"] = out["is_milestone"].fillna(False)
    return out, project_name, summary


def predecessor_text(links: list[dict], id_of: dict, calendar: dict) -> pd.Series:
    """Predecessor links -> MS Project's own notation by task ID: ``3``, ``5SS``, ``7FS+2d``."""
    types = {"0": "FF", "1": "FS", "2": "SF", "3": "SS"}
    hours_per_day = calendar["minutes_per_day"] / 60
    per_task: dict[str, list[str]] = {}
    for link in links:
        pred = link.get("PredecessorUID")
        if pred is None:
            continue
        ref = id_of.get(pred, pred)
        kind = types.get(str(link.get("Type", "1")), "FS")
        text = f"{ref}{'' if kind == 'FS' else kind}"
        try:
            lag_hours = float(link.get("LinkLag") or 0) / 600
        except ValueError:
            lag_hours = 0.0
        if lag_hours:
            days = lag_hours / hours_per_day
            text = f"{ref}{kind}{'+' if days > 0 else ''}{days:g}d"
        per_task.setdefault(link["_uid"], []).append(text)
    return pd.Series({int(k): ",".join(v) for k, v in per_task.items() if k is not None and k.lstrip("-").isdigit()})


def mspdi_resources(frame: pd.DataFrame, calendar: dict, problems: list[Problem]) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=RESOURCE_COLUMNS)
    c = XmlCells(frame, problems, calendar, None, "Resource")
    types = {"0": "Material", "1": "Work", "2": "Cost"}
    out = pd.DataFrame(
        {
            "resource_uid": c.integer("UID"),
            "resource_id": c.integer("ID"),
            "name": column_or_empty(frame, "Name"),
            "type": column_or_empty(frame, "Type").map(types),
            "initials": column_or_empty(frame, "Initials"),
            "group": column_or_empty(frame, "Group"),
            "max_units": c.number("MaxUnits") * 100,
            "standard_rate": c.number("StandardRate"),
            "overtime_rate": c.number("OvertimeRate"),
            "cost_per_use": c.number("CostPerUse", 100),
            "cost": c.number("Cost", 100),
            "baseline_cost": c.number("BaselineCost", 100),
            "actual_cost": c.number("ActualCost", 100),
            "work_hours": c.duration("Work"),
        }
    )
    keep = ~c.flag("IsNull").fillna(False).to_numpy(bool, copy=True) & (out["resource_uid"] != 0).fillna(True).to_numpy(
        bool, copy=True
    )
    return out[keep].reset_index(drop=True)


def mspdi_assignments(
    frame: pd.DataFrame, calendar: dict, problems: list[Problem], resources: pd.DataFrame
) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=ASSIGNMENT_COLUMNS)
    c = XmlCells(frame, problems, calendar, None, "Assignment")
    out = pd.DataFrame(
        {
            "task_uid": c.integer("TaskUID"),
            "task_name": None,
            "resource_uid": c.integer("ResourceUID"),
            "resource_name": None,
            "units": c.number("Units") * 100,
            "work_hours": c.duration("Work"),
            "baseline_work_hours": c.duration("BaselineWork"),
            "actual_work_hours": c.duration("ActualWork"),
            "cost": c.number("Cost", 100),
            "baseline_cost": c.number("BaselineCost", 100),
            "actual_cost": c.number("ActualCost", 100),
            "start": c.date("Start"),
            "finish": c.date("Finish"),
        }
    )
    if not resources.empty:
        names = resources.dropna(subset=["resource_uid"]).set_index("resource_uid")["name"]
        out["resource_name"] = out["resource_uid"].map(names)
    # ResourceUID -65535 = "unassigned" placeholder
    return out[(out["resource_uid"] != -65535).fillna(True).to_numpy(bool, copy=True)].reset_index(drop=True)


def mspdi_baselines(frame: pd.DataFrame, calendar: dict, problems: list[Problem], kept: set) -> pd.DataFrame:
    if frame.empty:
        return pd.DataFrame(columns=BASELINE_COLUMNS)
    c = XmlCells(frame, problems, calendar, None, "Baseline")
    out = pd.DataFrame(
        {
            "task_uid": pd.to_numeric(frame["_uid"], errors="coerce").astype("Int64"),
            "baseline_number": c.integer("Number").fillna(0),
            "start": c.date("Start"),
            "finish": c.date("Finish"),
            "duration_hours": c.duration("Duration"),
            "work_hours": c.duration("Work"),
            "cost": c.number("Cost", 100),
            "bcws": c.number("BCWS", 100),
            "bcwp": c.number("BCWP", 100),
        }
    )
    if "Interim" in frame:
        out = out[
            column_or_empty(frame, "Interim")
            .fillna("0")
            .astype("str")
            .str.strip()
            .isin(["0", "false"])
            .to_numpy(bool, copy=True)
        ]
    return out[out["task_uid"].isin(kept)].reset_index(drop=True)
