"""What changed between two as-of dates: the portfolio's KPIs, project statuses, new red reasons
and milestone slips. Pure: both sides are computed by the caller with the same functions
(``metrics.portfolio.portfolio_frame`` at each date), so a delta is always like for like."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.portfolio import STATUS_ORDER, totals

KPI_KEYS = (
    ("red", "Red projects"),
    ("amber", "Amber projects"),
    ("green", "Green projects"),
    ("unknown", "Unknown"),
    ("cpi", "Portfolio CPI"),
    ("spi", "Portfolio SPI"),
    ("bac", "BAC"),
    ("eac", "EAC"),
)


@dataclass(frozen=True)
class Changes:
    since: dt.date
    until: dt.date
    kpis: pd.DataFrame  # key, label, before, after, delta
    status_changes: pd.DataFrame  # project_id, name, before, after, direction (worse|better)
    new_reasons: pd.DataFrame  # project_id, name, status, reason — red/amber reasons not there before
    slipped_milestones: pd.DataFrame  # project_id, task_uid, name, finish_before, finish_after, slip_days


def kpi_deltas(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The Overview's KPI tiles at both dates, with after − before (None when either is missing)."""
    b, a = totals(before), totals(after)
    rows = []
    for key, label in KPI_KEYS:
        x, y = b.get(key), a.get(key)
        delta = None if x is None or y is None else y - x
        rows.append({"key": key, "label": label, "before": x, "after": y, "delta": delta})
    return pd.DataFrame(rows)


def status_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Projects whose status differs between the dates (a project new since then counts as from 'unknown')."""
    columns = ["project_id", "name", "before", "after", "direction"]
    if after.empty:
        return pd.DataFrame(columns=columns)
    was = dict(zip(before.project_id, before.status, strict=True)) if not before.empty else {}
    rows = []
    for row in after.itertuples():
        then = was.get(row.project_id, "unknown")
        if then != row.status:
            worse = STATUS_ORDER[row.status] > STATUS_ORDER[then]
            rows.append([row.project_id, row.name, then, row.status, "worse" if worse else "better"])
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["direction", "project_id"], ascending=[False, True]).reset_index(drop=True)


def new_reasons(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Reasons now given for an amber or red project that the same project did not have then.

    Reasons are compared by their rule (the words before the number), so a CPI that moved from 0.89
    to 0.87 is not 'new', while a CPI reason that appeared is."""
    columns = ["project_id", "name", "status", "reason"]
    if after.empty:
        return pd.DataFrame(columns=columns)
    then = {row.project_id: {_rule(r) for r in row.reasons} for row in before.itertuples()} if not before.empty else {}
    rows = []
    for row in after[after.status.isin(["red", "amber"])].itertuples():
        for reason in row.reasons:
            if _rule(reason) not in then.get(row.project_id, set()):
                rows.append([row.project_id, row.name, row.status, reason])
    return pd.DataFrame(rows, columns=columns)


def _rule(reason: str) -> str:
    """'CPI 0.87 is below the red threshold 0.90.' -> 'CPI … red' (the rule and its level)."""
    words = reason.split()
    label = []
    for word in words:
        if any(ch.isdigit() for ch in word):
            break
        label.append(word)
    level = "red" if " red " in reason else "amber" if " amber " in reason else ""
    return " ".join(label) + " " + level


def milestone_slips(tasks_before: pd.DataFrame, tasks_after: pd.DataFrame) -> pd.DataFrame:
    """Milestones whose finish moved later between two plan snapshots (working days, Mon–Fri)."""
    columns = ["project_id", "task_uid", "name", "finish_before", "finish_after", "slip_days"]
    if tasks_before.empty or tasks_after.empty:
        return pd.DataFrame(columns=columns)

    def milestones(frame):
        m = frame[frame.is_milestone.fillna(False) & ~frame.is_summary.fillna(False)].dropna(subset=["finish"])
        return m[["project_id", "task_uid", "name", "finish"]]

    both = milestones(tasks_before).merge(milestones(tasks_after), on=["project_id", "task_uid"], suffixes=("_b", "_a"))
    if both.empty:
        return pd.DataFrame(columns=columns)
    days = np.busday_count(both.finish_b.values.astype("datetime64[D]"), both.finish_a.values.astype("datetime64[D]"))
    out = both.assign(slip_days=days)[lambda f: f.slip_days > 0]
    out = out.rename(columns={"name_a": "name", "finish_b": "finish_before", "finish_a": "finish_after"})
    return out[columns].sort_values("slip_days", ascending=False).reset_index(drop=True)


def compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    tasks_before: pd.DataFrame,
    tasks_after: pd.DataFrame,
    since: dt.date,
    until: dt.date,
) -> Changes:
    """Everything that changed from ``since`` to ``until`` (frames of ``portfolio_frame`` and the
    plan snapshots at each date)."""
    return Changes(
        since=since,
        until=until,
        kpis=kpi_deltas(before, after),
        status_changes=status_changes(before, after),
        new_reasons=new_reasons(before, after),
        slipped_milestones=milestone_slips(tasks_before, tasks_after),
    )


def changes_since(store, since: dt.date, until: dt.date) -> Changes:
    """:func:`compare` read from the store at both dates."""
    from metrics.portfolio import portfolio_frame

    before = _frame_or_empty(store, since, portfolio_frame)
    after = _frame_or_empty(store, until, portfolio_frame)
    return compare(before, after, store.snapshot("tasks", since), store.snapshot("tasks", until), since, until)


def _frame_or_empty(store, day, portfolio_frame) -> pd.DataFrame:
    from metrics import MetricsError

    try:
        return portfolio_frame(store, day)
    except MetricsError:
        return pd.DataFrame(columns=["project_id", "name", "status", "reasons", "currency", "bac", "pv", "ev", "ac"])
