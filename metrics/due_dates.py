"""Due dates of work items (Asana tasks, Jira issues with a due date): what is overdue now, which
due dates slipped between snapshots, and open work by status (Asana: by section).

- overdue: not done and due date before the as-of date; ``days_overdue`` = as-of − due (calendar days).
- slip: per item, its due date in the first snapshot that had one against its due date now;
  ``slip_days`` = now − first (calendar days, positive = later); ``moves`` = how many snapshots
  changed it. Items without a due date in two snapshots are not judged.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

OVERDUE_COLUMNS = ["issue_key", "summary", "status", "assignee", "due", "days_overdue"]
SLIP_COLUMNS = ["issue_key", "summary", "first_due", "due", "slip_days", "moves", "is_done"]


def overdue(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Open work items whose due date has passed, the most overdue first (``items``: prepared
    issues with ``is_done``)."""
    if items.empty or "due" not in items:
        return pd.DataFrame(columns=OVERDUE_COLUMNS)
    due = pd.to_datetime(items["due"]).dt.normalize()
    late = items[~items["is_done"] & due.lt(pd.Timestamp(as_of)).fillna(False)].copy()
    late["due"] = due[late.index]
    late["days_overdue"] = (pd.Timestamp(as_of) - late["due"]).dt.days
    return late.sort_values("days_overdue", ascending=False).reindex(columns=OVERDUE_COLUMNS).reset_index(drop=True)


def slips(history: pd.DataFrame) -> pd.DataFrame:
    """Due-date changes over the snapshots in ``history`` (issues rows with ``snapshot_as_of``)."""
    if history.empty or "due" not in history:
        return pd.DataFrame(columns=SLIP_COLUMNS)
    h = history.dropna(subset=["due"]).sort_values("snapshot_as_of")
    if h.empty:
        return pd.DataFrame(columns=SLIP_COLUMNS)
    h = h.assign(due=pd.to_datetime(h["due"]).dt.normalize())
    changed = h.groupby("issue_key")["due"].transform(lambda s: s.ne(s.shift()).cumsum() - 1)
    by = h.assign(_moves=changed).groupby("issue_key")
    out = pd.DataFrame(
        {
            "summary": by["summary"].last(),
            "first_due": by["due"].first(),
            "due": by["due"].last(),
            "moves": by["_moves"].max().astype(int),
            "is_done": by["status_category"].last().astype("str").str.casefold().eq("done"),
        }
    ).reset_index()
    out["slip_days"] = (out["due"] - out["first_due"]).dt.days
    out = out[out["moves"] > 0]
    return out.sort_values("slip_days", ascending=False).reindex(columns=SLIP_COLUMNS).reset_index(drop=True)


def open_by_status(items: pd.DataFrame) -> pd.DataFrame:
    """Open work items per status (Asana: per section), in their count order."""
    if items.empty:
        return pd.DataFrame(columns=["status", "items"])
    open_items = items[~items["is_done"] & items["is_item"]]
    counts = open_items["status"].fillna("(no status)").value_counts()
    return counts.rename_axis("status").reset_index(name="items")
