"""Forecasts: remaining scope, Monte Carlo finish dates, past forecasts beside what happened, the cone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import pandas as pd

from metrics.delivery.burn import scope_mask
from metrics.delivery.flow import DEFAULT_WINDOW_WEEKS, throughput_sample, weekly_throughput
from metrics.delivery.items import prepare
from metrics.forecast import DEFAULT_SEED, DEFAULT_TRIALS, forecast_dates


def remaining_scope(items: pd.DataFrame, mask: pd.Series | None = None) -> dict:
    """Remaining (not done) scope: ``remaining_points`` (counted points), ``remaining_issues``
    (work items) and ``unestimated_issues`` (remaining items without story points)."""
    sel = items if mask is None else items[mask.fillna(False).astype(bool)]
    left = sel[~sel["is_done"]]
    return {
        "remaining_points": float(left["points"].sum()),
        "remaining_issues": int(left["is_item"].sum()),
        "unestimated_issues": int((left["is_item"] & ~left["estimated"]).sum()),
    }


def forecast(
    items: pd.DataFrame,
    as_of: dt.date,
    unit: str,
    mask: pd.Series | None = None,
    *,
    window_weeks: int = DEFAULT_WINDOW_WEEKS,
    trials: int = DEFAULT_TRIALS,
    seed: int = DEFAULT_SEED,
) -> dict:
    """Monte Carlo finish dates for the remaining scope (see :mod:`metrics.forecast`), sampling the
    last ``window_weeks`` complete weeks of the *whole project's* throughput in ``unit``.

    Returns remaining points/issues, ``unit``, ``p50``/``p85``/``p95`` dates (None with ``reason``
    when there is no throughput: no done issue at all, or none in a complete week before ``as_of``),
    ``sample_weeks`` and ``sample_mean``."""
    left = remaining_scope(items, mask)
    sample = throughput_sample(weekly_throughput(items, as_of), unit, window_weeks)
    remaining = left["remaining_points"] if unit == "points" else left["remaining_issues"]
    dates = forecast_dates(sample, remaining, as_of, trials=trials, seed=seed)
    if not sample and remaining > 0 and not (items["is_done"] & items["done_at"].notna()).any():
        dates["reason"] = "no issue is done yet (none has status category Done or a chosen done status)"
    elif not sample and remaining > 0:
        dates["reason"] = "no complete week of throughput before the as-of date to sample from"
    return {
        **left,
        "unit": unit,
        "p50": dates["p50"],
        "p85": dates["p85"],
        "p95": dates["p95"],
        "trials": trials,
        "seed": seed,
        "sample_weeks": len(sample),
        "sample_mean": round(float(np.mean(sample)), 3) if sample else None,
        "reason": dates["reason"],
    }


def forecast_history(
    history: pd.DataFrame,
    unit: str,
    kind: str = "project",
    value: str | None = None,
    done_statuses: Iterable[str] | None = None,
    seed: int = DEFAULT_SEED,
) -> pd.DataFrame:
    """The forecast as it would have been made at each past snapshot (same seed, so it is
    recomputed identically on demand), beside what happened: ``actual_finish`` = the first
    snapshot date at which nothing remained in the scope (None while work remains), and for each
    percentile ``pXX_error_days`` = forecast − actual (None until finished)."""
    cols = ["snapshot_as_of", "remaining", "p50", "p85", "p95", "actual_finish", "p50_error_days", "p85_error_days"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    every = prepare(history, done_statuses)  # once for every snapshot: each row judged within its own
    in_scope = scope_mask(every, kind, value)
    every = every[["snapshot_as_of", "is_item", "is_done", "done_at", "points", "estimated"]]  # what forecast reads
    rows = []
    for when, items in every.groupby("snapshot_as_of", sort=True):
        day = pd.Timestamp(when).date()
        f = forecast(items, day, unit, in_scope[items.index], seed=seed)
        remaining = f["remaining_points"] if unit == "points" else f["remaining_issues"]
        rows.append({"snapshot_as_of": day, "remaining": remaining, "p50": f["p50"], "p85": f["p85"], "p95": f["p95"]})
    out = pd.DataFrame(rows)
    finished = out.loc[out["remaining"] <= 0, "snapshot_as_of"]
    actual = finished.min() if not finished.empty else None
    out["actual_finish"] = actual
    for p in ("p50", "p85"):
        out[f"{p}_error_days"] = [(f - actual).days if actual is not None and f is not None else None for f in out[p]]
    return out[cols]


def cone(burn: pd.DataFrame, fc: dict, as_of: dt.date) -> pd.DataFrame:
    """The forecast cone for a burn-up: from (as_of, done now) to (P50/P85/P95 date, scope now).
    Rows ``date, percentile, value`` for the lines and ``low``/``high`` (P50 and P95 lines) at
    each corner date for the shaded area; empty when there is no forecast."""
    cols = ["date", "percentile", "value", "low", "high"]
    if burn.empty or fc.get("p50") is None:
        return pd.DataFrame(columns=cols)
    now = burn.iloc[-1]
    done, scope = float(now["done"]), float(now["scope"])
    dates = {p: fc.get(p) for p in ("p50", "p85", "p95")}

    def line(p: str, day: dt.date) -> float:
        end = dates[p]
        if end is None:
            return done
        span = (end - as_of).days
        frac = 1.0 if span <= 0 else min(1.0, (day - as_of).days / span)
        return done + (scope - done) * frac

    corners = sorted({as_of, *(d for d in dates.values() if d is not None)})
    rows = []
    for p, end in dates.items():
        if end is None:
            continue
        for day in (as_of, end):
            rows.append({"date": day, "percentile": p.upper(), "value": line(p, day), "low": None, "high": None})
    for day in corners:
        high = line("p50", day)
        low = line("p95", day) if dates["p95"] is not None else done
        rows.append({"date": day, "percentile": "range", "value": None, "low": low, "high": high})
    return pd.DataFrame(rows, columns=cols)
