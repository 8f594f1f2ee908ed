"""The sprint calendar: inferred from resolution dates and snapshots (Jira CSVs carry none), merged
with the user's corrections."""

from __future__ import annotations

import datetime as dt
import itertools

import numpy as np
import pandas as pd

from metrics.delivery.sprints import evidence_dates, last_sprints, sprint_order

DEFAULT_CADENCE_DAYS = 14


def infer_sprint_calendar(
    items: pd.DataFrame,
    members: pd.DataFrame,
    as_of: dt.date,
    order: list[str] | None = None,
    history_issues: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Sprint start/finish dates inferred from the data (Jira CSVs carry none).

    * finish = the latest completion date among the done items whose last sprint it is;
    * snapshots: a sprint was still open on every snapshot date where an unfinished issue had it
      as its latest sprint and that issue later moved to another sprint, so finish ≥ that date;
    * cadence = the median gap between consecutive inferred finishes (7–28 days, default 14);
    * start = the day after the previous sprint's finish, else finish − cadence + 1, and never
      after the sprint's first completion; a missing finish = start + cadence − 1;
    * the latest sprint that still holds unfinished items finishes no earlier than start + cadence − 1.
    Returns ``sprint, start, finish, goal, origin='inferred'`` (dates, or None where nothing is known).
    """
    cols = ["sprint", "start", "finish", "goal", "origin"]
    if members.empty:
        return pd.DataFrame(columns=cols)
    order = order or sprint_order(members, dates=evidence_dates(items, members))
    last = last_sprints(members)
    done = items[items["is_done"] & items["done_at"].notna()].drop_duplicates("issue_key")
    done = done.assign(last=done["issue_key"].map(last)).dropna(subset=["last"])
    first_done = done.groupby("last")["done_at"].min().dt.date.to_dict()
    last_done = done.groupby("last")["done_at"].max().dt.date.to_dict()
    open_seen = _seen_open_before_moving(history_issues)
    finishes = {
        s: max(filter(None, [last_done.get(s), open_seen.get(s)])) for s in order if s in last_done or s in open_seen
    }
    known = [pd.Timestamp(finishes[s]) for s in order if s in finishes]
    gaps = [(b - a).days for a, b in itertools.pairwise(known) if (b - a).days > 0]
    cadence = int(min(28, max(7, round(float(np.median(gaps)))))) if gaps else DEFAULT_CADENCE_DAYS
    unfinished = items[items["is_item"] & ~items["is_done"]]
    open_sprints = set(unfinished["issue_key"].map(last).dropna().astype(str))
    latest_open = max(open_sprints, key=order.index) if open_sprints & set(order) else None
    rows = []
    prev_finish: dt.date | None = None
    for name in order:
        finish = finishes.get(name)
        if prev_finish is not None:
            start = prev_finish + dt.timedelta(days=1)
        elif finish is not None:
            start = finish - dt.timedelta(days=cadence - 1)
        else:
            start = None
        if prev_finish is None and start is not None and name in first_done and first_done[name] < start:
            start = first_done[name]
        if start is not None and (finish is None or finish < start):
            finish = start + dt.timedelta(days=cadence - 1)
        if name == latest_open and start is not None:
            finish = max(finish, start + dt.timedelta(days=cadence - 1))
        rows.append({"sprint": name, "start": start, "finish": finish, "goal": None, "origin": "inferred"})
        if finish is not None:
            prev_finish = finish
    # sprints before the first dated one: back-fill by the cadence
    first = next((i for i, r in enumerate(rows) if r["start"] is not None), None)
    if first is not None:
        for i in range(first - 1, -1, -1):
            rows[i]["finish"] = rows[i + 1]["start"] - dt.timedelta(days=1)
            rows[i]["start"] = rows[i]["finish"] - dt.timedelta(days=cadence - 1)
    return pd.DataFrame(rows, columns=cols)


def _seen_open_before_moving(history_issues: pd.DataFrame | None) -> dict[str, dt.date]:
    """Per sprint, the latest snapshot date on which an unfinished issue had it as its sprint and
    a later snapshot of that issue shows another sprint (so the sprint was still open then).

    Vectorised over every issue of every snapshot: in each issue's snapshots by date, a row
    counts when it is unfinished and the sprints of the rows after it are not all its own
    (min and max of their sprint codes, taken from the end, are not both equal to its code)."""
    if history_issues is None or history_issues.empty or "sprint" not in history_issues:
        return {}
    h = history_issues.dropna(subset=["sprint"])
    cat = h["status_category"].astype("str").str.casefold()
    h = h.assign(undone=~cat.eq("done").fillna(False).astype(bool), sprint=h["sprint"].astype(str))
    h = h.sort_values("snapshot_as_of")  # the order "later" is read in
    h = h.assign(code=pd.factorize(h["sprint"])[0].astype("float64")).iloc[::-1]
    by_issue = h.groupby("issue_key", sort=False)["code"]
    after = by_issue.shift(1)  # reversed: the previous row is the next snapshot
    keys = h["issue_key"]
    after_min = after.groupby(keys, sort=False).cummin()
    after_max = after.groupby(keys, sort=False).cummax()
    moved = after_min.notna() & ~(after_min.eq(h["code"]) & after_max.eq(h["code"]))
    hits = h[h["undone"] & moved & keys.notna()]
    if hits.empty:
        return {}
    days = pd.to_datetime(hits["snapshot_as_of"]).dt.date
    return {str(k): v for k, v in days.groupby(hits["sprint"]).max().items()}


def merge_calendar(inferred: pd.DataFrame, stored: pd.DataFrame | None) -> pd.DataFrame:
    """The calendar to use: user-edited rows (``origin='user'``) override the inferred ones;
    stored sprints the data no longer mentions are kept."""
    cols = ["sprint", "start", "finish", "goal", "origin"]
    if stored is None or stored.empty:
        return inferred[cols].reset_index(drop=True)
    user = stored[stored["origin"].astype("str").eq("user")].copy()
    user["start"] = pd.to_datetime(user["start"]).dt.date
    user["finish"] = pd.to_datetime(user["finish"]).dt.date
    keep = inferred[~inferred["sprint"].isin(user["sprint"])]
    merged = pd.concat([keep, user[cols]], ignore_index=True)
    position = {s: i for i, s in enumerate(inferred["sprint"])}
    merged["_o"] = merged["sprint"].map(position).fillna(len(position))
    return merged.sort_values(["_o", "start"], na_position="last").drop(columns="_o").reset_index(drop=True)


def mark_user_edits(edited: pd.DataFrame, inferred: pd.DataFrame) -> pd.DataFrame:
    """Rows whose start, finish or goal differ from the inferred calendar (or are new) get
    ``origin='user'``; the others stay ``inferred``. Rows without a sprint name are dropped."""
    out = edited.copy()
    out = out[out["sprint"].notna() & out["sprint"].astype("str").str.strip().ne("")].copy()
    out["start"] = pd.to_datetime(out["start"]).dt.date
    out["finish"] = pd.to_datetime(out["finish"]).dt.date
    goal = out["goal"].astype("object")
    out["goal"] = goal.where(goal.notna() & goal.astype(str).str.strip().ne(""), None)
    base = inferred.set_index("sprint")

    def same(a, b) -> bool:
        return (pd.isna(a) and pd.isna(b)) or a == b

    origins = []
    for row in out.itertuples():
        if row.sprint not in base.index:
            origins.append("user")
            continue
        ref = base.loc[row.sprint]
        unchanged = same(row.start, ref["start"]) and same(row.finish, ref["finish"]) and same(row.goal, ref["goal"])
        origins.append("inferred" if unchanged else "user")
    out["origin"] = origins
    return out[["sprint", "start", "finish", "goal", "origin"]].reset_index(drop=True)


def calendar_problems(edited: pd.DataFrame) -> list[str]:
    """Sentences naming each calendar row the user cannot save (finish before start)."""
    out = []
    for row in edited.itertuples():
        start, finish = pd.to_datetime(row.start), pd.to_datetime(row.finish)
        if pd.notna(start) and pd.notna(finish) and finish < start:
            out.append(f"{row.sprint}: the finish {finish:%Y-%m-%d} is before the start {start:%Y-%m-%d}.")
    return out
