"""MSPDI TimephasedData (task, else assignment, baseline work and cost) -> ``timephased_baseline``."""

from __future__ import annotations

import numpy as np
import pandas as pd

from loaders.base import Problem
from loaders.msproject.fields import TIMEPHASED_COLUMNS
from loaders.msproject.xml_cells import column_or_empty, iso_hours
from loaders.values import DATE_WINDOW_ENV, MAX_DURATION_HOURS, MAX_MAGNITUDE, date_window


def timephased_kind(type_code: int) -> tuple[int, str, str] | None:
    """TimephasedData Type -> (baseline number, 'task'|'assignment', 'work'|'cost')."""
    if type_code == 9:
        return 0, "task", "work"
    if type_code == 10:
        return 0, "task", "cost"
    if type_code == 4:
        return 0, "assignment", "work"
    if type_code == 5:
        return 0, "assignment", "cost"
    if 16 <= type_code <= 75:
        n, k = divmod(type_code - 16, 6)
        owner = ("assignment", "assignment", "task", "task", "resource", "resource")[k]
        return n + 1, owner, ("work", "cost")[k % 2]
    return None


def _plausible(tp: pd.DataFrame, problems: list[Problem] | None) -> pd.DataFrame:
    """Time-phased values dated outside :func:`loaders.values.date_window` or not finite (``1e400``)
    are left out, counted in one warning per kind."""
    lo, hi = date_window()
    far = ((tp["start"] < lo) | (tp["start"] > hi) | (tp["finish"] < lo) | (tp["finish"] > hi)).fillna(False)
    with np.errstate(invalid="ignore"):
        huge = ~(tp["cost"].abs() <= MAX_MAGNITUDE * 100) & tp["cost"].notna()
        huge |= ~(tp["work_hours"].abs() <= MAX_DURATION_HOURS) & tp["work_hours"].notna()
    bad = (far | huge).to_numpy(bool)
    if not bad.any():
        return tp
    if problems is not None:
        if far.any():
            problems.append(
                Problem(
                    f"{int(far.sum()):,} time-phased baseline value(s) are dated outside "
                    f"{lo:%Y-%m-%d} to {hi:%Y-%m-%d} (a typo or a placeholder?); they were left out. "
                    f"{DATE_WINDOW_ENV}=FROM..TO widens the window.",
                    "warning",
                    None,
                    "TimephasedData",
                )
            )
        if huge.any():
            problems.append(
                Problem(
                    f"{int(huge.sum()):,} time-phased baseline value(s) are not finite or out of range; "
                    "they were left out.",
                    "warning",
                    None,
                    "TimephasedData",
                )
            )
    return tp[~bad]


def mspdi_timephased(
    task_tp: pd.DataFrame,
    asg_tp: pd.DataFrame,
    kept: set,
    baselines: pd.DataFrame,
    meta: dict,
    problems: list[Problem] | None = None,
):
    """Task time-phased baseline cost/work (types 9/10, 18+6k/19+6k); when a task has none,
    its assignments' baseline cost/work (types 4/5, 16+6k/17+6k) summed per period."""
    frames = []
    for source, frame in (("task", task_tp), ("assignment", asg_tp)):
        if frame.empty or "Type" not in frame:
            continue
        kinds = pd.to_numeric(frame["Type"], errors="coerce").map(lambda t: timephased_kind(int(t)) if t == t else None)
        ok = kinds.map(lambda k, owner=source: k is not None and k[1] == owner).to_numpy(bool, copy=True)
        if not ok.any():
            continue
        sub = frame[ok]
        kinds = kinds[ok]
        value = column_or_empty(sub, "Value")
        part = pd.DataFrame(
            {
                "task_uid": pd.to_numeric(sub["_uid"], errors="coerce").astype("Int64"),
                "baseline_number": kinds.map(lambda k: k[0]).astype("int64"),
                "start": pd.to_datetime(column_or_empty(sub, "Start"), format="ISO8601", errors="coerce"),
                "finish": pd.to_datetime(column_or_empty(sub, "Finish"), format="ISO8601", errors="coerce"),
                "measure": kinds.map(lambda k: k[2]),
                "source": source,
            }
        )
        is_work = (part["measure"] == "work").to_numpy(bool, copy=True)
        part["work_hours"] = np.where(is_work, iso_hours(value, None, "Value"), np.nan)
        part["cost"] = np.where(~is_work, pd.to_numeric(value, errors="coerce"), np.nan)
        frames.append(part)
    if not frames:
        return pd.DataFrame(columns=TIMEPHASED_COLUMNS)
    tp = pd.concat(frames, ignore_index=True)
    tp = tp[tp["task_uid"].isin(kept) & (tp["cost"].notna() | tp["work_hours"].notna()).to_numpy(bool)]
    tp = _plausible(tp, problems)
    task_keys = set(
        zip(tp.loc[tp.source == "task", "task_uid"], tp.loc[tp.source == "task", "baseline_number"], strict=False)
    )
    from_asg = tp.source == "assignment"
    if from_asg.any():
        dup = [
            k in task_keys for k in zip(tp.loc[from_asg, "task_uid"], tp.loc[from_asg, "baseline_number"], strict=False)
        ]
        tp = tp.drop(tp.index[from_asg][dup])
    if tp.empty:
        return pd.DataFrame(columns=TIMEPHASED_COLUMNS)
    grouped = tp.groupby(["task_uid", "baseline_number", "start", "finish"], as_index=False, dropna=False).agg(
        cost=("cost", lambda s: s.sum(min_count=1)), work_hours=("work_hours", lambda s: s.sum(min_count=1))
    )
    # Time-phased cost values: MSPDI writes money in hundredths elsewhere; calibrate against the
    # baseline totals where both exist, else assume hundredths like every other money field.
    scale = 100.0
    if not baselines.empty and grouped["cost"].notna().any():
        totals = grouped.groupby(["task_uid", "baseline_number"])["cost"].sum()
        base = baselines.set_index(["task_uid", "baseline_number"])["cost"]
        both = totals.index.intersection(base.index)
        if len(both):
            ratio = totals.loc[both].sum() / max(base.loc[both].sum(), 1e-9)
            if 0.5 < ratio < 2:
                scale = 1.0
    grouped["cost"] = grouped["cost"] / scale
    meta["timephased_cost_scale"] = "hundredths" if scale == 100 else "currency units"
    grouped["start"] = grouped["start"].astype("datetime64[us]")
    grouped["finish"] = grouped["finish"].astype("datetime64[us]")
    return grouped[list(TIMEPHASED_COLUMNS)]
