"""One sprint's burn-down (exact from snapshots, else approximate), its guideline, the sprint a page
opens on, and the burn-up with its forecast cone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

import pandas as pd

from metrics.delivery.burn import burn_approx, burn_exact, scope_mask
from metrics.delivery.forecast import cone, forecast
from metrics.delivery.sprints import last_sprints
from metrics.forecast import DEFAULT_SEED

if TYPE_CHECKING:
    from metrics.delivery.dashboard import Delivery

EXACT_CAPTION = (
    "Exact: built from {n} consecutive snapshots; scope added, removed or re-estimated between "
    "snapshots is shown as scope change. Between snapshot dates nothing is known, so points are joined."
)
APPROX_CAPTION = (
    "Approximate: only one snapshot, so scope is rebuilt from Created dates and progress from "
    "Resolved dates. Issues removed from scope and re-estimates are invisible; today's estimates are used."
)


def _day(value) -> str:
    return f"{pd.Timestamp(value):%d %b %Y}"


def sprint_snapshots(dates: Iterable[dt.date], start: dt.date | None, finish: dt.date | None) -> list[dt.date]:
    """The snapshot dates an exact sprint burn-down is built from: the latest snapshot on or before
    the sprint's ``start`` (the baseline: the sprint as planned) plus every snapshot inside the window
    ``start`` … ``finish`` (inclusive; an open end when a date is unknown), in date order."""
    days = sorted({pd.Timestamp(x).date() for x in dates})
    before = [x for x in days if start is not None and x <= start]
    inside = [x for x in days if (start is None or x > start) and (finish is None or x <= finish)]
    return ([before[-1]] if before else []) + inside


def sprint_membership(history: pd.DataFrame, sprint_history: pd.DataFrame | None, sprint: str) -> pd.Series:
    """Per history row (an issue in one snapshot): does that snapshot list the issue in ``sprint``?
    Any membership counts (an issue carried over to the next sprint still belongs to this one, unfinished);
    from the ``issue_sprints`` rows of each snapshot, else the issues' ``sprint`` column (latest sprint)."""
    if sprint_history is not None and not sprint_history.empty:
        rows = sprint_history[sprint_history["sprint"].astype("str").eq(sprint).fillna(False)]
        keys = set(zip(pd.to_datetime(rows["snapshot_as_of"]), rows["issue_key"], strict=True))
        pairs = zip(pd.to_datetime(history["snapshot_as_of"]), history["issue_key"], strict=True)
        return pd.Series([p in keys for p in pairs], index=history.index, dtype=bool)
    return history["sprint"].astype("str").eq(sprint).fillna(False).astype(bool)


def sprint_burndown(d: Delivery, sprint: str, unit: str | None = None) -> tuple[pd.DataFrame, str]:
    """(burn-down frame, caption) for one sprint.

    **Exact** from snapshots (:func:`sprint_snapshots`): the latest snapshot on or before the sprint's
    start is the baseline and every snapshot inside its window adds a point; scope in each = items that
    snapshot lists in the sprint (:func:`sprint_membership`), done = those done in it. Snapshots before
    the sprint was first listed are skipped; at least two points holding the sprint are needed. Between
    snapshots nothing is known, so the line is a step (the chart draws it so).

    **Approximate** otherwise, over the calendar window: scope = items listing the sprint (added when
    Created), done = done items whose last sprint it is (at Resolved). The caption says which and why."""
    unit = unit or d.unit
    window = d.calendar[d.calendar["sprint"] == sprint]
    start = window["start"].iloc[0] if not window.empty else None
    finish = window["finish"].iloc[0] if not window.empty else None
    start = None if pd.isna(start) else pd.Timestamp(start).date()
    finish = None if pd.isna(finish) else pd.Timestamp(finish).date()
    why_not = "only one snapshot exists"
    if not d.history.empty and d.history["snapshot_as_of"].nunique() >= 2:
        dates = pd.to_datetime(d.history["snapshot_as_of"]).dt.date
        chosen = sprint_snapshots(dates, start, finish)
        h = d.history[dates.isin(chosen)]
        sh = d.sprint_history
        if sh is not None and not sh.empty:
            sh = sh[pd.to_datetime(sh["snapshot_as_of"]).dt.date.isin(chosen)]
        h = h.assign(_in_sprint=sprint_membership(h, sh, sprint))
        holding = sorted({pd.Timestamp(x).date() for x in h.loc[h["_in_sprint"], "snapshot_as_of"]})
        first = holding[0] if holding else None
        if first is not None:
            h = h[pd.to_datetime(h["snapshot_as_of"]).dt.date >= first]
        if len(holding) >= 2 and first is not None:
            burn = burn_exact(h, unit, lambda f: f["_in_sprint"], d.done_statuses)
            burn.loc[0, ["added", "removed", "reestimated", "scope_change"]] = 0.0
            baseline = start is not None and first <= start
            return burn, (
                f"Exact: {len(burn)} snapshots ({', '.join(_day(x) for x in burn['date'])})"
                + (
                    f", the first taken on or before the sprint start ({_day(start)}) as its baseline"
                    if baseline
                    else ""
                )
                + "; scope = issues each snapshot lists in this sprint, done = those done in it; scope added, "
                "removed or re-estimated between snapshots is shown as scope change. Nothing is known between "
                "snapshots, so the line steps at each one."
            )
        pre = [x for x in chosen if start is not None and x <= start]
        if not chosen:
            why_not = "no snapshot falls on or before its start or inside its window"
        elif len(holding) == 1 and pre and first not in pre:
            why_not = (
                f"only the snapshot of {_day(first)} lists this sprint; the baseline snapshot of {_day(pre[0])} "
                "(on or before its start) does not list it yet, so an exact burn-down needs a second snapshot "
                "inside the window"
            )
        elif len(holding) == 1:
            why_not = (
                f"only the snapshot of {_day(first)} lists this sprint; an exact burn-down needs it in a snapshot "
                "on or before its start or in a second snapshot inside the window"
            )
        else:
            why_not = "no snapshot on or before its start or inside its window lists it"
    if start is None:
        return pd.DataFrame(columns=["date", "scope", "done", "remaining", "exact"]), (
            "No dates known for this sprint: enter its start and finish in the sprint calendar below."
        )
    end = min(finish or d.measured_as_of, d.measured_as_of)
    listed = d.items["issue_key"].isin(d.members.loc[d.members["sprint"] == sprint, "issue_key"])
    last = d.items["issue_key"].map(last_sprints(d.members)).astype("str").eq(sprint).fillna(False)
    burn = burn_approx(d.items, unit, start, end, listed, last)
    origin = window["origin"].iloc[0] if not window.empty else "inferred"
    why = "entered by the user" if origin == "user" else "inferred from resolution dates"
    return burn, (
        f"Approximate ({why_not}): sprint window {start} to {finish} ({why}); scope = issues that ever listed "
        "this sprint, added when Created; done = issues whose last sprint it is, at Resolved. Removals and "
        "re-estimates are invisible."
    )


def default_sprint(d: Delivery, min_days: int = 2) -> str | None:
    """The sprint the burn-down selector opens on: the latest open sprint when its window holds at
    least ``min_days`` days of data (calendar start through ``measured_as_of``, inclusive), else the
    last closed sprint (else the latest sprint; None without sprints). An open sprint without a start
    date has no known data days, so it yields to the last closed one."""
    v = d.velocity
    if v.empty:
        return None
    open_ = v[~v["closed"].astype(bool)]
    closed = v[v["closed"].astype(bool)]
    if not open_.empty:
        current = str(open_["sprint"].iloc[-1])
        row = d.calendar[d.calendar["sprint"].astype(str) == current]
        start = row["start"].iloc[0] if not row.empty else None
        if start is not None and pd.notna(start):
            days = (d.measured_as_of - pd.Timestamp(start).date()).days + 1
            if days >= min_days:
                return current
        if closed.empty:
            return current
    return str(closed["sprint"].iloc[-1]) if not closed.empty else str(v["sprint"].iloc[-1])


def guideline(burn: pd.DataFrame, calendar: pd.DataFrame, sprint: str) -> pd.DataFrame:
    """Jira's grey guideline: a straight line from the burn-down's first remaining value to zero
    at the sprint's finish (calendar). Empty without a finish or a burn-down."""
    row = calendar[calendar["sprint"] == sprint]
    if burn.empty or row.empty or pd.isna(row["finish"].iloc[0]):
        return pd.DataFrame(columns=["date", "remaining"])
    first = burn.iloc[0]
    finish = pd.Timestamp(row["finish"].iloc[0]).date()
    return pd.DataFrame({"date": [first["date"], finish], "remaining": [float(first["remaining"]), 0.0]})


def burnup(
    d: Delivery, kind: str = "project", value: str | None = None, unit: str | None = None, seed: int = DEFAULT_SEED
) -> tuple[pd.DataFrame, pd.DataFrame, dict, str]:
    """(burn-up frame, forecast cone, forecast, caption) for the project, a fix version or an epic:
    exact from snapshots when there are at least two, else approximate from Created/Resolved."""
    unit = unit or d.unit
    mask = scope_mask(d.items, kind, value)
    fc = forecast(d.items, d.measured_as_of, unit, mask, seed=seed)
    if d.snapshots >= 2:
        burn = burn_exact(d.history, unit, lambda f: scope_mask(f, kind, value), d.done_statuses)
        caption = EXACT_CAPTION.format(n=len(burn))
    else:
        sel = d.items[mask]
        first = sel["created"].min()
        start = pd.Timestamp(first).date() if pd.notna(first) else d.measured_as_of
        burn = burn_approx(d.items, unit, start, d.measured_as_of, mask)
        caption = APPROX_CAPTION
    caption += (
        f" Forecast cone: Monte Carlo over the last {fc['sample_weeks']} complete weeks of throughput "
        f"({fc['trials']} trials, seed {fc['seed']})."
    )
    if fc["reason"]:
        caption += f" No forecast: {fc['reason']}."
    return burn, cone(burn, fc, d.measured_as_of), fc, caption
