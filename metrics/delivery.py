"""Agile delivery metrics from Jira exports (DESIGN.md §6 "Delivery", reference/jira-exports.md §2–§3).

Definitions used everywhere in this module:

* **Done** = ``status_category == 'Done'``, or ``status`` in a user-chosen set of done statuses
  (case-insensitive) when one is given. **Completed at** = ``resolved``; a done issue without a
  resolution date falls back to ``updated`` (counted in the notes). Resolved-but-not-done issues
  are not done.
* **Work items.** Epics are containers: never items, never points. Sub-tasks never double-count
  their parent's points: a sub-task is an item (counted in issue counts) only when its parent is
  not in the export, and its story points count only when its parent is absent or carries no
  points. Everything else is an item with its own story points (missing points = 0, "unestimated").
* **Unit.** ``points`` when at least half of the items carry story points, else ``issues`` (and
  the notes say so). Every table still carries both where it can.
* **Sprints.** ``issue_sprints`` rows are the memberships (file order = time order; the last is
  the latest sprint). Completed per sprint = Σ points of done items whose *last* sprint it is
  (sound). Planned per sprint = Σ points of every item that lists the sprint (approximate:
  includes mid-sprint additions and uses today's estimates; Jira's commitment is not in a CSV).
  Carry-over of an issue = memberships − 1.
* **Time.** ``as_of`` is always a parameter (a date; its whole day counts). Weeks start on Monday.

All functions are pure over frames, except :func:`report`, :func:`load`, :func:`dashboard`,
:func:`sprint_calendar` and :func:`save_sprint_calendar`, which read or write the store.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics import MetricsError
from metrics.forecast import DEFAULT_SEED, DEFAULT_TRIALS, forecast_dates
from store import WORK_SOURCES

EPIC_TYPES = {"epic", "épica", "epica", "epos", "épopée", "epopee", "epik", "エピック"}
SUBTASK_PATTERN = re.compile(r"sub[\s-]?ta|subtarea|unteraufgabe|sous-tâche|sous-tache|podzadanie", re.IGNORECASE)
DEFAULT_WINDOW_WEEKS = 12
DEFAULT_CADENCE_DAYS = 14
ROLLING_SPRINTS = 3

EXACT_CAPTION = (
    "Exact: built from {n} consecutive snapshots; scope added, removed or re-estimated between "
    "snapshots is shown as scope change. Between snapshot dates nothing is known, so points are joined."
)
APPROX_CAPTION = (
    "Approximate: only one snapshot, so scope is rebuilt from Created dates and progress from "
    "Resolved dates. Issues removed from scope and re-estimates are invisible; today's estimates are used."
)


# -- preparation ---------------------------------------------------------------------------------


def _end_of(day: dt.date) -> pd.Timestamp:
    return pd.Timestamp(day) + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1)


def _monday(values: pd.Series) -> pd.Series:
    days = pd.to_datetime(values).dt.normalize()
    return days - pd.to_timedelta(days.dt.day_of_week, unit="D")


def prepare(issues: pd.DataFrame, done_statuses: Iterable[str] | None = None) -> pd.DataFrame:
    """The issues with the columns every metric here uses added.

    Adds ``is_epic``, ``is_subtask`` (loader flag, else an issue type like Sub-task/Subtarea),
    ``is_item``, ``points`` (counted story points per the sub-task rule, 0 when missing),
    ``estimated`` (the item carries story points > 0), ``is_done`` and ``done_at`` (resolved, else
    updated for done issues). Missing columns are treated as empty.
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
    kind = frame["issue_type"].astype("str").str.strip().str.casefold()
    frame["is_epic"] = kind.isin(EPIC_TYPES).fillna(False).astype(bool)
    by_type = frame["issue_type"].astype("str").str.contains(SUBTASK_PATTERN, na=False)
    flag = frame["is_subtask"] if "is_subtask" in frame.columns else pd.Series(pd.NA, index=frame.index)
    frame["is_subtask"] = flag.astype("boolean").fillna(by_type).astype(bool)
    keys = set(frame["issue_key"].dropna())
    parent_points = frame.set_index("issue_key")["story_points"] if frame["issue_key"].is_unique else None
    has_parent = frame["parent_key"].isin(keys)
    if parent_points is not None:
        parent_pts = frame["parent_key"].map(parent_points)
    else:
        parent_pts = frame["parent_key"].map(frame.groupby("issue_key")["story_points"].max())
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


# -- sprints -------------------------------------------------------------------------------------


def natural_key(text: str) -> tuple:
    """Sort key that puts ``Sprint 2`` before ``Sprint 10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p.casefold()) for p in re.split(r"(\d+)", str(text)) if p)


def memberships(issues: pd.DataFrame, issue_sprints: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (issue, sprint) with ``position`` (0 = first); from ``issue_sprints``, else
    from the issues' ``sprint`` column (one membership each)."""
    if issue_sprints is not None and not issue_sprints.empty:
        rows = issue_sprints[["issue_key", "sprint", "position"]].dropna(subset=["issue_key", "sprint"])
        return rows.drop_duplicates(["issue_key", "sprint"]).reset_index(drop=True)
    rows = issues.loc[issues["sprint"].notna(), ["issue_key", "sprint"]].assign(position=0)
    return rows.reset_index(drop=True)


def last_sprints(members: pd.DataFrame) -> pd.Series:
    """issue_key -> its latest sprint (the membership with the highest position)."""
    if members.empty:
        return pd.Series(dtype="object")
    ordered = members.sort_values(["issue_key", "position"])
    return ordered.groupby("issue_key")["sprint"].last()


_MONTHS = {
    m: i
    for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)
}
_MONTH_YEAR = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(\d{4})\b", re.IGNORECASE)


def date_in_name(name: str) -> pd.Timestamp | None:
    """A month and year written in a sprint name (``SNAP May 2017``, ``PLAT Dec 2017``) -> the 15th."""
    found = _MONTH_YEAR.search(str(name))
    if not found:
        return None
    return pd.Timestamp(int(found.group(2)), _MONTHS[found.group(1)[:3].lower()], 15)


_NUMBERED = re.compile(r"^(.*?)(\d+)\D*$")


def evidence_dates(items: pd.DataFrame, members: pd.DataFrame) -> dict[str, pd.Timestamp]:
    """Per sprint, a date that places it in time when no calendar does.

    1. a month and year written in its name (``SNAP May 2017``);
    2. numbered sprints of one family (``POR Sprint 1`` … ``POR Sprint 15``): a straight line
       date = a + b × number fitted to the family's dated members (median completion of the done
       items whose last sprint it is), so the numbers keep their order; one dated member: ± 14 days
       per number;
    3. else the median completion of its done items. Creation dates are no evidence: backlog
       items are often created long before the sprint that takes them.
    """
    if members.empty:
        return {}
    last = last_sprints(members)
    info = items.drop_duplicates("issue_key").set_index("issue_key")
    done = info[info["is_done"] & info["done_at"].notna()]
    medians = {
        str(k): pd.Timestamp(v) for k, v in done.groupby(done.index.map(last))["done_at"].median().dropna().items()
    }
    names = members["sprint"].dropna().astype(str).unique()
    out: dict[str, pd.Timestamp] = {}
    families: dict[str, list[tuple[int, str]]] = {}
    for name in names:
        if (when := date_in_name(name)) is not None:
            out[name] = when
        elif found := _NUMBERED.match(name):
            families.setdefault(found.group(1).strip().casefold(), []).append((int(found.group(2)), name))
    for members_ in families.values():
        dated = [(n, medians[name]) for n, name in members_ if name in medians]
        slope = None
        if len(dated) >= 2 and len({n for n, _ in dated}) >= 2:
            xs = np.array([n for n, _ in dated], dtype=float)
            ys = np.array([t.value for (t,) in [(t,) for _, t in dated]], dtype=float)
            b, a = np.polyfit(xs, ys, 1)
            slope = (a, b) if b > 0 else None
        elif len(dated) == 1:
            n0, t0 = dated[0]
            slope = (t0.value - n0 * 14 * 86400e9, 14 * 86400e9)
        for n, name in members_:
            if slope is not None:
                out[name] = pd.Timestamp(int(slope[0] + slope[1] * n))
            elif name in medians:
                out[name] = medians[name]
    for name in names:
        if name not in out and name in medians:
            out[name] = medians[name]
    return out


def sprint_order(
    members: pd.DataFrame, calendar: pd.DataFrame | None = None, dates: dict[str, pd.Timestamp] | None = None
) -> list[str]:
    """Sprints in time order: each issue's memberships are in time order, so they give precedence
    constraints (topological sort); ties broken by calendar start, else the ``dates`` given (see
    :func:`evidence_dates`), then name (``Sprint 2`` < ``Sprint 10``). Contradictory orders (a
    cycle) fall back to the tie-break order."""
    names = list(dict.fromkeys(members["sprint"].dropna().astype(str)))
    if calendar is not None and not calendar.empty:
        names += [s for s in calendar["sprint"].astype(str) if s not in names]
    starts = dict(dates or {})
    if calendar is not None and not calendar.empty:
        for row in calendar.itertuples():
            if pd.notna(row.start):
                starts[str(row.sprint)] = pd.Timestamp(row.start)

    def tie(name: str) -> tuple:
        start = starts.get(name)
        return (0, start.value, natural_key(name)) if start is not None else (1, 0, natural_key(name))

    after: dict[str, set[str]] = {n: set() for n in names}
    indegree = dict.fromkeys(names, 0)
    for _, seq in members.sort_values(["issue_key", "position"]).groupby("issue_key")["sprint"]:
        seq = [str(s) for s in seq]
        for a, b in itertools.pairwise(seq):
            if a != b and b not in after[a]:
                after[a].add(b)
                indegree[b] += 1
    heap = [(tie(n), n) for n in names if indegree[n] == 0]
    heapq.heapify(heap)
    out: list[str] = []
    while heap:
        _, name = heapq.heappop(heap)
        out.append(name)
        for nxt in after[name]:
            indegree[nxt] -= 1
            if indegree[nxt] == 0:
                heapq.heappush(heap, (tie(nxt), nxt))
    rest = sorted((n for n in names if n not in out), key=tie)
    return out + rest


def velocity(
    items: pd.DataFrame,
    members: pd.DataFrame,
    order: list[str] | None = None,
    calendar: pd.DataFrame | None = None,
    as_of: dt.date | None = None,
) -> pd.DataFrame:
    """Per sprint, in time order: ``completed_points``/``completed_issues`` (done items whose last
    sprint it is), ``planned_points``/``planned_issues`` (every item listing it — approximate),
    ``carried_over_issues`` (items listing it that moved on to a later sprint), ``closed`` (the
    sprint's finish is before ``as_of``; without a calendar: every sprint but the latest one that
    still holds unfinished items) and ``rolling_points``/``rolling_issues`` (mean of the last
    three closed sprints, None before there is one). Empty frame when there are no sprints (Kanban).
    """
    columns = [
        "sprint",
        "completed_points",
        "completed_issues",
        "planned_points",
        "planned_issues",
        "carried_over_issues",
        "closed",
        "rolling_points",
        "rolling_issues",
    ]
    if members.empty:
        return pd.DataFrame(columns=columns)
    order = order or sprint_order(members, calendar, evidence_dates(items, members))
    last = last_sprints(members)
    info = items.drop_duplicates("issue_key").set_index("issue_key")[["is_item", "points", "is_done"]]
    m = members.join(info, on="issue_key", how="inner")
    m["is_last"] = m["sprint"].astype(str).values == m["issue_key"].map(last).astype(str).values
    m["item"] = m["is_item"].astype(int)
    m["done_here"] = m["is_last"] & m["is_done"]
    m["moved_on"] = ~m["is_last"] & m["is_item"]
    m["done_points"] = m["points"].where(m["done_here"], 0.0)
    m["done_items"] = m["item"].where(m["done_here"], 0)
    grouped = m.groupby(m["sprint"].astype(str))
    out = pd.DataFrame(
        {
            "completed_points": grouped["done_points"].sum(),
            "completed_issues": grouped["done_items"].sum().astype(int),
            "planned_points": grouped["points"].sum(),
            "planned_issues": grouped["item"].sum().astype(int),
            "carried_over_issues": grouped["moved_on"].sum().astype(int),
        }
    )
    out = out.reindex([s for s in order if s in out.index]).fillna(0)
    out.index.name = "sprint"
    out = out.reset_index()
    finish = {}
    if calendar is not None and not calendar.empty:
        finish = {str(r.sprint): r.finish for r in calendar.itertuples() if pd.notna(r.finish)}
    open_last = None
    unfinished = m[m.is_last & ~m.is_done & m.is_item]
    if not unfinished.empty:
        open_last = max(unfinished["sprint"].astype(str), key=lambda s: order.index(s) if s in order else -1)
    closed = []
    for name in out["sprint"]:
        if name in finish and as_of is not None:
            closed.append(pd.Timestamp(finish[name]).date() < as_of)
        else:
            closed.append(name != open_last)
    out["closed"] = closed
    for unit in ("points", "issues"):
        series = out[f"completed_{unit}"].where(out["closed"])
        rolled = series.dropna().rolling(ROLLING_SPRINTS, min_periods=1).mean()
        out[f"rolling_{unit}"] = rolled.reindex(out.index).ffill()
        out[f"rolling_{unit}"] = out[f"rolling_{unit}"].astype(object).where(out[f"rolling_{unit}"].notna(), None)
    return out[columns]


def recent_velocity(velocity_frame: pd.DataFrame, unit: str, sprints: int = 3) -> float | None:
    """Mean completed ``unit`` (points or issues) per sprint over the last ``sprints`` closed
    sprints of a ``velocity()`` frame (in its order). None when no sprint is closed."""
    if velocity_frame.empty:
        return None
    closed = velocity_frame[velocity_frame["closed"].astype(bool)]
    recent = closed[f"completed_{unit}"].tail(sprints).astype(float)
    return float(recent.mean()) if len(recent) else None


def status_options(items: pd.DataFrame) -> list[str]:
    """The distinct statuses of the issues (sorted): the choices for a user's definition of done."""
    return sorted(items["status"].dropna().astype(str).unique())


def carry_over(items: pd.DataFrame, members: pd.DataFrame) -> dict:
    """Carry-over = Σ over items of (sprint memberships − 1). Also the number of items that sat in
    more than one sprint, the total memberships and the share of sprint items carried over
    (None without sprint items)."""
    if members.empty:
        return {"memberships": 0, "issues_in_sprints": 0, "carried_over_issues": 0, "carry_overs": 0, "rate": None}
    work = set(items.loc[items["is_item"], "issue_key"])
    per_issue = members.groupby("issue_key").size()
    per_item = per_issue[per_issue.index.isin(work)]
    n = len(per_item)
    carried = int((per_item > 1).sum())
    return {
        "memberships": int(per_issue.sum()),
        "issues_in_sprints": len(per_issue),
        "carried_over_issues": carried,
        "carry_overs": int((per_item - 1).sum()),
        "rate": carried / n if n else None,
    }


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
    open_seen: dict[str, dt.date] = {}
    if history_issues is not None and not history_issues.empty and "sprint" in history_issues:
        h = history_issues.dropna(subset=["sprint"])
        cat = h["status_category"].astype("str").str.casefold()
        h = h.assign(undone=~cat.eq("done").fillna(False).astype(bool))
        for _, g in h.sort_values("snapshot_as_of").groupby("issue_key"):
            seq = list(zip(g["snapshot_as_of"], g["sprint"].astype(str), g["undone"]))
            for i, (when, sprint, undone) in enumerate(seq):
                if undone and any(s != sprint for _, s, _ in seq[i + 1 :]):
                    day = pd.Timestamp(when).date()
                    open_seen[sprint] = max(open_seen.get(sprint, day), day)
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


# -- burn-down and burn-up -----------------------------------------------------------------------


def burn_exact(
    history: pd.DataFrame,
    unit: str,
    in_scope: Callable[[pd.DataFrame], pd.Series] | None = None,
    done_statuses: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Exact burn-down/up from consecutive snapshots (``history`` = issue rows with ``snapshot_as_of``).

    Per snapshot date: ``scope`` = Σ value (points or 1 per item) of the items ``in_scope`` selects,
    ``done`` = Σ value of those that are done, ``remaining = scope − done`` (never negative),
    and, against the previous snapshot, ``added`` (items that entered the scope), ``removed``
    (items that left it, as a positive number), ``reestimated`` (Σ value change of items in both)
    and ``scope_change = added − removed + reestimated``. The first snapshot is the baseline
    (changes 0). ``exact`` is True.
    """
    cols = ["date", "scope", "done", "remaining", "added", "removed", "reestimated", "scope_change", "exact"]
    if history.empty:
        return pd.DataFrame(columns=cols)
    rows = []
    prev: pd.Series | None = None
    for when, snap in history.groupby("snapshot_as_of", sort=True):
        items = prepare(snap.drop(columns=["snapshot_as_of"]), done_statuses)
        mask = in_scope(items) if in_scope is not None else pd.Series(True, index=items.index)
        sel = items[mask.fillna(False).astype(bool) & (items["is_item"] | items["points"].gt(0))]
        values = value_of(sel, unit).groupby(sel["issue_key"]).sum()
        done = float(value_of(sel[sel["is_done"]], unit).sum())
        scope = float(values.sum())
        if prev is None:
            added = removed = reest = 0.0
        else:
            added = float(values[~values.index.isin(prev.index)].sum())
            removed = float(prev[~prev.index.isin(values.index)].sum())
            both = values.index.intersection(prev.index)
            reest = float((values[both] - prev[both]).sum())
        rows.append(
            {
                "date": pd.Timestamp(when).date(),
                "scope": scope,
                "done": done,
                "remaining": max(scope - done, 0.0),
                "added": added,
                "removed": removed,
                "reestimated": reest,
                "scope_change": added - removed + reest,
                "exact": True,
            }
        )
        prev = values
    return pd.DataFrame(rows, columns=cols)


def burn_approx(
    items: pd.DataFrame,
    unit: str,
    start: dt.date,
    end: dt.date,
    in_scope: pd.Series | None = None,
    done_mask: pd.Series | None = None,
) -> pd.DataFrame:
    """Approximate daily burn-up/down from one snapshot, ``start`` … ``end`` inclusive.

    ``scope(t)`` = Σ value of the selected items created on or before day t (items created before
    ``start`` are in scope from ``start``); ``done(t)`` = Σ value of selected items that are done
    (and in ``done_mask`` when given) with completion on or before day t; ``remaining`` =
    ``scope − done`` (never negative). Removals and re-estimates are invisible, so ``exact`` is False.
    """
    cols = ["date", "scope", "done", "remaining", "exact"]
    if start is None or end is None or end < start:
        return pd.DataFrame(columns=cols)
    sel = items if in_scope is None else items[in_scope.fillna(False).astype(bool)]
    dmask = sel["is_done"] if done_mask is None else sel["is_done"] & done_mask.reindex(sel.index).fillna(False)
    value = value_of(sel, unit)
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="D")
    created = sel["created"].dt.normalize().fillna(pd.Timestamp(start)).clip(lower=pd.Timestamp(start))
    done_day = sel["done_at"].dt.normalize().where(dmask).clip(lower=pd.Timestamp(start))
    add = value.groupby(created).sum().reindex(days, fill_value=0.0)
    fin = value[dmask].groupby(done_day[dmask]).sum().reindex(days, fill_value=0.0)
    scope = add.cumsum()
    done = fin.cumsum()
    return pd.DataFrame(
        {
            "date": days.date,
            "scope": scope.values,
            "done": done.values,
            "remaining": np.maximum(scope.values - done.values, 0.0),
            "exact": False,
        }
    )


def scope_options(items: pd.DataFrame) -> dict[str, list[str]]:
    """What a burn-up can be drawn for: ``{"version": [...], "epic": [...]}`` (sorted)."""
    versions: set[str] = set()
    for text in items.get("fix_versions", pd.Series(dtype="object")).dropna().astype(str):
        versions.update(v.strip() for v in _split_multi(text) if v.strip())
    epics = set(items.get("epic_key", pd.Series(dtype="object")).dropna().astype(str))
    epics |= set(items.loc[items["is_epic"], "issue_key"].dropna().astype(str))
    return {"version": sorted(versions, key=natural_key), "epic": sorted(epics, key=natural_key)}


def _split_multi(text: str) -> list[str]:
    return [p for p in re.split(r"\s*[;|]\s*|\s*,\s+", text) if p]


def scope_mask(items: pd.DataFrame, kind: str = "project", value: str | None = None) -> pd.Series:
    """Rows in the scope of a project (everything), a fix version (any of the issue's versions)
    or an epic (``epic_key``, or ``parent_key`` naming the epic, or a sub-task of such a child)."""
    if kind == "project" or value is None:
        return pd.Series(True, index=items.index)
    if kind == "version":
        versions = items.get("fix_versions", pd.Series(None, index=items.index)).fillna("").astype(str)
        return versions.map(lambda t: value in [v.strip() for v in _split_multi(t)]).astype(bool)
    if kind == "epic":
        epic = items.get("epic_key", pd.Series(None, index=items.index)).astype("str")
        parent = items.get("parent_key", pd.Series(None, index=items.index)).astype("str")
        child = epic.eq(value).fillna(False) | parent.eq(value).fillna(False)
        children = set(items.loc[child, "issue_key"])
        return (child | parent.isin(children).fillna(False)).astype(bool)
    raise ValueError(f"unknown scope kind {kind!r}")


# -- flow ----------------------------------------------------------------------------------------


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


# -- forecasts -----------------------------------------------------------------------------------


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
    rows = []
    for when, snap in history.groupby("snapshot_as_of", sort=True):
        day = pd.Timestamp(when).date()
        items = prepare(snap.drop(columns=["snapshot_as_of"]), done_statuses)
        mask = scope_mask(items, kind, value)
        f = forecast(items, day, unit, mask, seed=seed)
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


# -- store-facing ------------------------------------------------------------------------------


def jira_projects(store, as_of: dt.date | None = None, project_ids: Iterable[str] | None = None) -> list[str]:
    """Projects with a Jira or Asana snapshot on or before ``as_of`` (optionally among ``project_ids``)."""
    found = store.snapshot_uploads(WORK_SOURCES, as_of, list(project_ids) if project_ids is not None else None)
    return [str(p) for p in found["project_id"]]


def load(store, project_id: str, as_of: dt.date | None = None) -> tuple[pd.DataFrame, pd.DataFrame, dt.date]:
    """(issues, issue_sprints, snapshot as-of date) of the project's latest Jira snapshot on or
    before ``as_of``. Raises MetricsError when there is none."""
    issues = store.snapshot("issues", as_of, [project_id])
    if issues.empty:
        when = f" on or before {as_of}" if as_of else ""
        raise MetricsError(f"project {project_id} has no Jira or Asana export{when}.")
    sprints = store.snapshot("issue_sprints", as_of, [project_id])
    snap = pd.Timestamp(issues["snapshot_as_of"].iloc[0]).date()
    return issues, sprints, snap


def stored_calendar(store, project_id: str) -> pd.DataFrame:
    return store.sprint_calendar(project_id)


def sprint_calendar(
    store, project_id: str, as_of: dt.date | None = None, done_statuses: Iterable[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(calendar in use, inferred calendar) for a project: inferred from its snapshots and
    resolution dates, with the user's stored corrections on top."""
    issues, sprints, snap = load(store, project_id, as_of)
    items = prepare(issues, done_statuses)
    members = memberships(items, sprints)
    history = store.history("issues", project_id, as_of)
    inferred = infer_sprint_calendar(items, members, min(as_of, snap) if as_of else snap, history_issues=history)
    return merge_calendar(inferred, stored_calendar(store, project_id)), inferred


def calendar_version(store, project_id: str) -> str:
    """Changes whenever the project's stored sprint calendar changes: a cache key for pages."""
    rows = stored_calendar(store, project_id)
    return str(pd.util.hash_pandas_object(rows.astype(str), index=False).sum()) if not rows.empty else "0"


def calendar_problems(edited: pd.DataFrame) -> list[str]:
    """Sentences naming each calendar row the user cannot save (finish before start)."""
    out = []
    for row in edited.itertuples():
        start, finish = pd.to_datetime(row.start), pd.to_datetime(row.finish)
        if pd.notna(start) and pd.notna(finish) and finish < start:
            out.append(f"{row.sprint}: the finish {finish:%Y-%m-%d} is before the start {start:%Y-%m-%d}.")
    return out


def save_sprint_calendar(store, project_id: str, edited: pd.DataFrame, inferred: pd.DataFrame) -> pd.DataFrame:
    """Store the user's calendar (rows that differ from the inferred one become ``origin='user'``)."""
    rows = mark_user_edits(edited, inferred)
    store.save_sprints(project_id, rows)
    return rows


@dataclass
class Delivery:
    """Everything the delivery page and the CLI show for one project at one as-of date."""

    project_id: str
    as_of: dt.date
    snapshot_as_of: dt.date
    measured_as_of: dt.date
    unit: str
    items: pd.DataFrame
    members: pd.DataFrame
    calendar: pd.DataFrame
    inferred_calendar: pd.DataFrame
    velocity: pd.DataFrame
    carry_over: dict
    throughput: pd.DataFrame
    lead: pd.DataFrame
    lead_percentiles: dict
    wip: pd.DataFrame
    flow: pd.DataFrame
    forecast: dict
    history: pd.DataFrame
    snapshots: int
    teams: list[str]
    done_statuses: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sprint_history: pd.DataFrame = field(default_factory=pd.DataFrame)  # issue_sprints rows of every snapshot


def dashboard(
    store,
    project_id: str,
    as_of: dt.date | None = None,
    *,
    team: str | None = None,
    done_statuses: Iterable[str] | None = None,
    unit: str | None = None,
    seed: int = DEFAULT_SEED,
) -> Delivery:
    """Load the project's snapshot(s) and compute every delivery metric (see module docstring).

    ``team`` restricts everything to the issues of one team; ``unit`` forces points or issues.

    ``as_of`` only chooses the snapshot (the latest on or before it). Every measure — velocity's
    closed sprints, weekly throughput and the forecast sample, lead time, WIP ages, created vs
    resolved, burn-downs and burn-ups — is taken at ``measured_as_of`` = min(as_of, snapshot date):
    the export says nothing about the weeks after it was taken, so counting them as zero-throughput
    weeks would push the forecast out and overstate WIP ages."""
    issues, sprints, snap = load(store, project_id, as_of)
    day = min(as_of, snap) if as_of else snap
    done_statuses = list(done_statuses or [])
    all_items = prepare(issues, done_statuses)
    teams = sorted(all_items["team"].dropna().astype(str).unique(), key=natural_key)
    history = store.history("issues", project_id, day)
    sprint_history = store.history("issue_sprints", project_id, day)
    items = all_items
    if team:
        items = all_items[all_items["team"].astype("str").eq(team).fillna(False)]
        sprints = sprints[sprints["issue_key"].isin(items["issue_key"])]
        history = history[history["team"].astype("str").eq(team).fillna(False)]
        sprint_history = sprint_history[sprint_history["issue_key"].isin(history["issue_key"])]
    members = memberships(items, sprints)
    inferred = infer_sprint_calendar(items, members, day, history_issues=history)
    calendar = merge_calendar(inferred, stored_calendar(store, project_id))
    order = sprint_order(members, calendar, evidence_dates(items, members))
    auto, note = choose_unit(items)
    chosen = unit if unit in ("points", "issues") else auto
    notes = []
    if as_of and as_of > day:
        notes.append(
            f"The latest Jira snapshot is of {day:%Y-%m-%d}, before the as-of date {as_of:%Y-%m-%d}: throughput, "
            "the forecast, WIP ages and flow are measured at the snapshot date."
        )
    if note and chosen == "issues":
        notes.append(note)
    elif note:
        notes.append(note.split(", so")[0] + ": point charts and the points forecast cover only the estimated ones.")
    missing = int((items["is_done"] & items["resolved"].isna() & items["done_at"].notna()).sum())
    if missing:
        notes.append(f"{missing} done issues have no Resolved date; their Updated date is used as completion.")
    if members.empty:
        notes.append(
            "No sprints in this export (Kanban or unplanned work): velocity and sprint burn-downs do not apply."
        )
    fc = forecast(items, day, chosen, seed=seed)
    if chosen == "points" and fc["unestimated_issues"]:
        notes.append(f"{fc['unestimated_issues']} remaining issues have no story points and are not in the forecast.")
    lead = lead_times(items, day)
    return Delivery(
        project_id=project_id,
        as_of=as_of or snap,
        snapshot_as_of=snap,
        measured_as_of=day,
        unit=chosen,
        items=items,
        members=members,
        calendar=calendar,
        inferred_calendar=inferred,
        velocity=velocity(items, members, order, calendar, day),
        carry_over=carry_over(items, members),
        throughput=weekly_throughput(items, day),
        lead=lead,
        lead_percentiles=lead_time_percentiles(lead),
        wip=wip_now(items, day),
        flow=created_vs_resolved(items, day),
        forecast=fc,
        history=history,
        snapshots=int(history["snapshot_as_of"].nunique()) if not history.empty else 1,
        teams=teams,
        notes=notes,
        done_statuses=done_statuses,
        sprint_history=sprint_history,
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


def report(store, project_id: str, as_of: dt.date | None = None, *, seed: int = DEFAULT_SEED) -> dict:
    """``python -m metrics delivery`` JSON (DESIGN.md §4): velocity per sprint, weekly throughput,
    lead-time percentiles, forecast percentiles, plus unit, carry-over, WIP and notes.
    ``as_of`` chooses the snapshot; ``measured_as_of`` (= min(as_of, snapshot date)) is the date
    every number is measured at."""
    d = dashboard(store, project_id, as_of, seed=seed)
    fc = d.forecast
    return {
        "project_id": project_id,
        "as_of": d.as_of,
        "snapshot_as_of": d.snapshot_as_of,
        "measured_as_of": d.measured_as_of,
        "unit": d.unit,
        "notes": d.notes,
        "velocity": [
            {
                "sprint": r.sprint,
                "completed_points": float(r.completed_points),
                "completed_issues": int(r.completed_issues),
                "planned_points": float(r.planned_points),
                "planned_points_approximate": True,
                "planned_issues": int(r.planned_issues),
                "carried_over_issues": int(r.carried_over_issues),
                "closed": bool(r.closed),
            }
            for r in d.velocity.itertuples()
        ],
        "carry_over": d.carry_over,
        "throughput": [
            {"week": r.week, "issues": int(r.issues), "points": float(r.points), "complete": bool(r.complete)}
            for r in d.throughput.itertuples()
        ],
        "lead_time_days": d.lead_percentiles,
        "wip": {
            "issues": len(d.wip),
            "oldest_age_days": int(d.wip["age_days"].max()) if len(d.wip) and d.wip["age_days"].notna().any() else None,
        },
        "forecast": {
            "remaining_points": fc["remaining_points"],
            "remaining_issues": fc["remaining_issues"],
            "unit": fc["unit"],
            "p50": fc["p50"],
            "p85": fc["p85"],
            "p95": fc["p95"],
            "trials": fc["trials"],
            "seed": fc["seed"],
            "sample_weeks": fc["sample_weeks"],
            "reason": fc["reason"],
        },
    }


def export_tables(d: Delivery) -> dict[str, pd.DataFrame]:
    """What the Delivery page shows, as sheets for an Excel export: velocity per sprint, weekly
    throughput, lead times, work in progress, created vs resolved, the sprint calendar and the
    forecast percentiles (dates ISO)."""
    forecast = (
        pd.DataFrame(
            [
                {"measure": key, "value": value.isoformat() if isinstance(value, dt.date) else value}
                for key, value in d.forecast.items()
                if not isinstance(value, list | dict)
            ]
        ).astype({"value": object})
        if d.forecast
        else pd.DataFrame()
    )
    return {
        "Velocity": d.velocity,
        "Throughput": d.throughput,
        "Lead time": d.lead,
        "Work in progress": d.wip,
        "Created vs resolved": d.flow,
        "Sprint calendar": d.calendar,
        "Forecast": forecast,
    }
