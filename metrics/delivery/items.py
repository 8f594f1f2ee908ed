"""Issues -> work items: kinds, counted points, done and completion dates, the unit of measure."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd


def _end_of(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def _monday(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def prepare(issues: pd.DataFrame, done_statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """The issues with the columns every metric here uses added.

    Adds ``is_epic`` and ``is_subtask`` (from ``issue_kind``, decided by the loader; missing = a work item),
    ``is_item``, ``points`` (counted story points per the sub-task rule, 0 when missing),
    ``estimated`` (the item carries story points > 0), ``is_done`` and ``done_at`` (resolved, else
    updated for done issues). Missing columns are treated as empty. ``issues`` may hold many snapshots
    (a ``snapshot_as_of`` column, as :meth:`Store.history` gives): each row is judged within its own.
    """
    frame = issues.copy()
    for col in ("issue_key", "issue_type", "status", "status_category", "parent_key", "epic_key", "sprint", "team"):
        if col not in frame.columns:
            frame[col] = None
    for col in ("created", "updated", "resolved"):
        frame[col] = pd.to_datetime(frame[col]) if col in frame.columns else pd.NaT
    frame["story_points"] = (
        pd.to_numeric(frame["story_points"], errors="coerce") if "story_points" in frame.columns else np.nan
    )
    kind = frame["issue_kind"] if "issue_kind" in frame.columns else pd.Series("item", index=frame.index)
    frame["is_epic"] = kind.eq("epic").fillna(False).astype(bool)
    frame["is_subtask"] = kind.eq("subtask").fillna(False).astype(bool)
    has_parent, parent_pts = _parents(frame)
    parent_has_points = has_parent & parent_pts.fillna(0).gt(0)
    sub = frame["is_subtask"]
    frame["is_item"] = ~frame["is_epic"] & (~sub | ~has_parent)
    counts_points = ~frame["is_epic"] & (~sub | ~parent_has_points)
    frame["points"] = frame["story_points"].where(counts_points).fillna(0.0).clip(lower=0)
    frame["estimated"] = frame["is_item"] & frame["story_points"].fillna(0).gt(0)
    category = frame["status_category"].astype("str").str.casefold()
    if done_statuses:
        wanted = {s.casefold() for s in done_statuses}
        done = frame["status"].astype("str").str.casefold().isin(wanted)
    else:
        done = category.eq("done")
    frame["is_done"] = done.fillna(False).astype(bool)
    frame["done_at"] = frame["resolved"].where(frame["is_done"]).fillna(frame["updated"].where(frame["is_done"]))
    frame["in_progress"] = ~frame["is_done"] & category.eq("in progress").fillna(False).astype(bool)
    return frame


def _parents(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Per row: is its ``parent_key`` an issue of the same snapshot, and that parent's story points
    (the largest when a key repeats; NaN without a parent). With a ``snapshot_as_of`` column the
    frame may hold many snapshots (a project's history): a parent is looked up in its row's own."""
    by = [c for c in ("snapshot_as_of",) if c in frame.columns]
    points = frame.groupby([*by, "issue_key"], dropna=True, observed=True)["story_points"].max()
    if not by:
        return frame["parent_key"].isin(points.index), frame["parent_key"].map(points)
    wanted = pd.MultiIndex.from_arrays([frame[c] for c in by] + [frame["parent_key"]])
    found = points.index.get_indexer(wanted)
    has_parent = pd.Series(found >= 0, index=frame.index) & frame["parent_key"].notna()
    parent_pts = pd.Series(np.append(points.to_numpy("float64"), np.nan)[found], index=frame.index)  # -1: NaN
    return has_parent, parent_pts


def choose_unit(items: pd.DataFrame) -> tuple[str, str | None]:
    """``("points", None)`` when ≥ half of the work items carry story points, else
    ``("issues", note)`` with a sentence saying why counts are used."""
    work = items[items["is_item"]]
    n = len(work)
    estimated = int(work["estimated"].sum())
    if n and estimated * 2 >= n:
        return "points", None
    if estimated == 0:
        return "issues", "This export has no story points, so every chart and forecast counts issues."
    return "issues", (
        f"Only {estimated} of {n} issues carry story points, so the charts and forecast count issues "
        "(point totals are still shown where useful)."
    )


def value_of(items: pd.DataFrame, unit: str) -> pd.Series:
    """What one row contributes in ``unit``: its counted points, or 1 per work item."""
    if unit == "points":
        return items["points"].astype(float)
    return items["is_item"].astype(float)


def natural_key(text: str) -> tuple:
    """Sort key that puts ``Sprint 2`` before ``Sprint 10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in re.split(r"(\d+)", str(text)) if p)


def status_options(items: pd.DataFrame) -> list[str]:
    """The distinct statuses of the issues (sorted): the choices for a user's definition of done."""
    return sorted(items["status"].dropna().astype(str).unique())
