"""The rows of a plan that carry its amounts, and the measure EVM counts them in.

MS Project rolls every summary task up from its children **plus its own** resources and fixed cost:
a summary's Cost = Σ direct children's Cost + what is assigned to the summary itself. Summing
leaves alone drops that own share (one real plan: 27 % of its actual cost). So the amount rows are

* every **leaf** task (not summary, not the project summary task), and
* for every summary task with an own share — resources named on it (MSPDI: assigned to it) or a
  fixed cost of its own —, one **own-amount row**: each amount of the summary
  minus the sum of its direct children's (baseline cost and work, actual cost and work, BCWS,
  BCWP, ACWP), spread over the summary's own baseline dates, earned with its own % complete.
  Its fixed cost is the summary's own (MS Project never rolls fixed cost up).

The **measure** is money (baseline cost) unless no amount row has a baseline cost and some has
baseline work: then EVM runs in **hours** (baseline work, % complete, actual work).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Below this, an own share is rounding (MSPDI money has two decimals).
OWN_TOLERANCE = 0.005
#: The amounts of a summary task that are split into children + own.
ROLLED_UP = ("baseline_cost", "actual_cost", "baseline_work_hours", "actual_work_hours", "bcws", "bcwp", "acwp")


@dataclass(frozen=True)
class Measure:
    """Which columns EVM sums: money (``currency``) or work (``hours``)."""

    unit: str
    baseline: str
    actual: str
    fixed: str | None
    phased: str
    label: str


COST = Measure("currency", "baseline_cost", "actual_cost", "fixed_cost", "cost", "cost")
HOURS = Measure("hours", "baseline_work_hours", "actual_work_hours", None, "work_hours", "work (hours)")


def number(frame: pd.DataFrame, column: str) -> np.ndarray:
    if column not in frame:
        return np.full(len(frame), np.nan)
    return pd.to_numeric(frame[column], errors="coerce").astype("float64").to_numpy()


def ordered(tasks: pd.DataFrame) -> pd.DataFrame:
    for column in ("row_number", "task_id", "task_uid"):
        if column in tasks and tasks[column].notna().any():
            return tasks.sort_values(column, kind="stable")
    return tasks


def summary_flags(frame: pd.DataFrame) -> np.ndarray:
    """``is_summary``; when missing on every row, a row is a summary when the next one is deeper."""
    summary = frame["is_summary"] if "is_summary" in frame else pd.Series(pd.NA, index=frame.index)
    summary = summary.astype("boolean")
    if summary.isna().all() and "outline_level" in frame and frame["outline_level"].notna().any():
        level = frame["outline_level"].astype("float")
        summary = (level.shift(-1) > level).astype("boolean")
    return summary.fillna(False).to_numpy(dtype=bool)


def project_rows(frame: pd.DataFrame) -> np.ndarray:
    """The project summary task (outline level 0, or UID 0 at level 0) if it was stored."""
    out = np.zeros(len(frame), dtype=bool)
    if "outline_level" in frame:
        out |= (frame["outline_level"] == 0).fillna(False).to_numpy(dtype=bool)
    if "task_uid" in frame:
        level = frame["outline_level"] if "outline_level" in frame else pd.Series(0, index=frame.index)
        out |= ((frame["task_uid"] == 0) & (level == 0)).fillna(False).to_numpy(dtype=bool)
    return out


def parents(levels: np.ndarray) -> np.ndarray:
    """Row position of each row's parent (the nearest row above with a lower outline level), -1
    for top-level rows and rows without a level. Vectorised per level: a plan has few levels."""
    position = np.arange(len(levels))
    out = np.full(len(levels), -1, dtype=int)
    for level in np.unique(levels[~np.isnan(levels)]):
        nearest_lower = np.maximum.accumulate(np.where(levels < level, position, -1))
        at = levels == level
        out[at] = nearest_lower[at]
    return out


def _own_evidence(summaries: pd.DataFrame) -> np.ndarray:
    """Summaries that show an own share: resources named on the row (Resource Names; the MSPDI loader
    fills it from the file's assignments) or a fixed cost of their own."""
    names = summaries["resource_names"] if "resource_names" in summaries else pd.Series(None, index=summaries.index)
    named = names.astype("object").map(lambda v: isinstance(v, str) and bool(v.strip())).to_numpy(dtype=bool)
    return named | (np.nan_to_num(number(summaries, "fixed_cost")) > 0)


def _own_amounts(frame: pd.DataFrame, summary: np.ndarray) -> tuple[pd.DataFrame, list[str]]:
    """Own-amount rows of the summary tasks (see the module docstring) and notes."""
    parent = parents(number(frame, "outline_level"))
    rows = frame[summary].copy()
    notes, negative = [], 0
    keep = np.zeros(len(rows), dtype=bool)
    for column in ROLLED_UP:
        if column not in frame:
            continue
        values = number(frame, column)
        children = np.bincount(parent[parent >= 0], weights=np.nan_to_num(values[parent >= 0]), minlength=len(frame))
        own = np.nan_to_num(values[summary]) - children[summary]
        own = np.where(np.abs(own) <= OWN_TOLERANCE, 0.0, own)
        negative += int((own < 0).sum()) if column in ("baseline_cost", "actual_cost") else 0
        own = np.where(np.isnan(values[summary]), np.nan, np.maximum(own, 0.0))
        rows[column] = own
        if column != "bcws" and column != "bcwp" and column != "acwp":
            keep |= np.nan_to_num(own) > 0
    if negative:
        notes.append(
            f"{negative} summary task amount(s) are below the sum of their subtasks (the file was not "
            "rolled up again); their own share counts as 0."
        )
    evidence = _own_evidence(rows)
    if (keep & ~evidence).any():
        notes.append(
            f"{int((keep & ~evidence).sum())} summary task(s) carry more than their subtasks but name no "
            "resource and no fixed cost of their own; the difference is not counted (MS Project rolls a "
            "summary up from its subtasks, its own resources and its fixed cost only)."
        )
    rows = rows[keep & evidence]
    rows["is_summary"] = False
    rows["is_milestone"] = False
    rows["own_amount"] = True
    if "name" in rows:
        rows["name"] = rows["name"].astype("object").fillna("(summary)").astype(str) + " (own amounts)"
    if len(rows):
        notes.append(
            f"{len(rows)} summary task(s) carry cost or work of their own (resources or fixed cost on the "
            "summary itself); it is counted with the subtasks' (own share = summary − Σ subtasks)."
        )
    return rows, notes


def amount_rows(tasks: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Leaf tasks plus the summaries' own-amount rows, in plan order (index labels of ``tasks``;
    ``own_amount`` True on the latter) -> (rows, notes)."""
    if tasks.empty:
        return tasks.assign(own_amount=pd.Series(dtype=bool)), []
    frame = ordered(tasks)
    summary = summary_flags(frame)
    project = project_rows(frame)
    body = frame[~project]
    summary = summary[~project]
    leaves = body[~summary].assign(own_amount=False)
    if not summary.any():
        return leaves, []
    own, notes = _own_amounts(body, summary)
    rows = pd.concat([leaves, own]) if len(own) else leaves
    position = pd.Series(np.arange(len(body)), index=body.index)
    return rows.iloc[np.argsort(position.reindex(rows.index).to_numpy(), kind="stable")], notes


def choose_measure(rows: pd.DataFrame) -> Measure:
    """Money when some row has a baseline cost; hours when none has but some has baseline work."""
    cost = np.nan_to_num(number(rows, "baseline_cost"))
    work = np.nan_to_num(number(rows, "baseline_work_hours"))
    return HOURS if not (cost != 0).any() and (work > 0).any() else COST


def _rolled_up(values: np.ndarray, levels: np.ndarray, parent: np.ndarray) -> np.ndarray:
    """Each row's value, a missing summary value replaced by the sum of its children's (deepest
    level first, vectorised per level)."""
    filled = values.copy()
    sums, counts = np.zeros(len(values)), np.zeros(len(values))
    for level in np.unique(levels[~np.isnan(levels)])[::-1]:  # children are deeper: already final
        at = levels == level
        fill = at & np.isnan(filled) & (counts > 0)
        filled[fill] = sums[fill]
        up = at & (parent >= 0) & ~np.isnan(filled)
        sums += np.bincount(parent[up], weights=filled[up], minlength=len(values))
        counts += np.bincount(parent[up], minlength=len(values))
    return filled


def top_level_totals(tasks: pd.DataFrame, columns) -> dict:
    """Σ of ``columns`` over the plan's top-level rows (their values roll the rest up; a top-level
    summary without a value counts its subtasks'), None when no row has a value."""
    frame = ordered(tasks)
    frame = frame[~project_rows(frame)]
    levels = number(frame, "outline_level")
    parent = parents(levels)
    out = {}
    for column in columns:
        values = number(frame, column)
        top = _rolled_up(values, levels, parent)[parent < 0]
        out[column] = None if np.isnan(values).all() or np.isnan(top).all() else float(np.nansum(top))
    return out
