"""Flow: weekly throughput, lead time, work in progress, created vs resolved."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from metrics.delivery.items import _end_of, _monday

DEFAULT_WINDOW_WEEKS = 12


def weekly_throughput(items: pd.DataFrame, as_of: dt.date, start: dt.date | None = None) -> pd.DataFrame:
    """Work items (and their counted points, incl. points of sub-tasks that count) completed per
    week (Monday), from the first completion's week (or ``start``) to the as-of week, zero weeks
    included. ``complete`` is False for the as-of week unless ``as_of`` is a Sunday."""
    cols = ["week", "issues", "points", "complete"]
    done = items[items["is_done"] & items["done_at"].notna() & (items["done_at"] <= _end_of(as_of))]
    if done.empty and start is None:
        return pd.DataFrame(columns=cols)
    weeks = _monday(done["done_at"])
    first = pd.Timestamp(start) if start is not None else weeks.min()
    first = first - pd.Timedelta(days=first.weekday())
    last = pd.Timestamp(as_of) - pd.Timedelta(days=as_of.weekday())
    index = pd.date_range(first, last, freq="7D")
    out = pd.DataFrame(
        {
            "issues": done["is_item"].astype(int).groupby(weeks).sum().reindex(index, fill_value=0),
            "points": done["points"].groupby(weeks).sum().reindex(index, fill_value=0.0),
        }
    )
    out["week"] = index.date
    out["complete"] = [w + dt.timedelta(days=6) <= as_of for w in out["week"]]
    return out[cols].reset_index(drop=True)


def throughput_sample(throughput: pd.DataFrame, unit: str, window_weeks: int = DEFAULT_WINDOW_WEEKS) -> list[float]:
    """The last ``window_weeks`` complete weeks of throughput in ``unit`` (what the forecast samples)."""
    if throughput.empty:
        return []
    complete = throughput[throughput["complete"]]
    return [float(v) for v in complete[unit].tail(window_weeks)]


def lead_times(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Lead time of every completed work item: ``lead_time_days = done_at − created`` in days
    (fractional; negative values from bad data are dropped)."""
    cols = ["issue_key", "issue_type", "created", "done_at", "lead_time_days"]
    done = items[items["is_item"] & items["is_done"] & items["done_at"].notna() & items["created"].notna()]
    done = done[done["done_at"] <= _end_of(as_of)]
    days = (done["done_at"] - done["created"]).dt.total_seconds() / 86400.0
    out = done.assign(lead_time_days=days)
    return out.loc[out["lead_time_days"] >= 0, cols].reset_index(drop=True)


def lead_time_percentiles(lead: pd.DataFrame) -> dict:
    """p50/p85/p95 (linear interpolation between order statistics) and mean of lead time in days,
    with ``n``; all None when nothing has been completed."""
    values = lead["lead_time_days"].astype(float).to_numpy() if not lead.empty else np.array([])
    if values.size == 0:
        return {"p50": None, "p85": None, "p95": None, "mean": None, "n": 0}
    p50, p85, p95 = np.percentile(values, [50, 85, 95])
    return {
        "p50": round(float(p50), 2),
        "p85": round(float(p85), 2),
        "p95": round(float(p95), 2),
        "mean": round(float(values.mean()), 2),
        "n": int(values.size),
    }


def wip_now(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Work items in progress (status category In Progress, not done) at the snapshot, with
    ``age_days`` = as_of − created (whole days; the export holds no date the work started),
    oldest first."""
    cols = ["issue_key", "summary", "status", "assignee", "points", "created", "age_days"]
    w = items[items["is_item"] & items["in_progress"]].copy()
    for col in ("summary", "assignee"):
        if col not in w.columns:
            w[col] = None
    w["age_days"] = (pd.Timestamp(as_of) - w["created"].dt.normalize()).dt.days
    return w.sort_values("age_days", ascending=False)[cols].reset_index(drop=True)


def created_vs_resolved(items: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Per week (Monday): work items created, completed, ``net = created − resolved`` and
    ``open`` = items created so far minus items completed so far (end of week)."""
    cols = ["week", "created", "resolved", "net", "open"]
    work = items[items["is_item"]]
    created = work["created"].dropna()
    created = created[created <= _end_of(as_of)]
    done = work.loc[work["is_done"], "done_at"].dropna()
    done = done[done <= _end_of(as_of)]
    if created.empty and done.empty:
        return pd.DataFrame(columns=cols)
    cw, dw = _monday(created), _monday(done)
    first = min(x for x in (cw.min(), dw.min()) if pd.notna(x))
    last = pd.Timestamp(as_of) - pd.Timedelta(days=as_of.weekday())
    index = pd.date_range(first, last, freq="7D")
    out = pd.DataFrame(
        {
            "created": cw.value_counts().reindex(index, fill_value=0).astype(int),
            "resolved": dw.value_counts().reindex(index, fill_value=0).astype(int),
        }
    )
    out["net"] = out["created"] - out["resolved"]
    out["open"] = out["net"].cumsum()
    out["week"] = index.date
    return out[cols].reset_index(drop=True)
