"""Sprints: memberships, time order, velocity (one definition for the tile and the chart) and carry-over."""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
import re

import numpy as np
import pandas as pd

from metrics.delivery.items import natural_key

ROLLING_SPRINTS = 3


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


def recent_velocity(velocity_frame: pd.DataFrame, unit: str) -> float | None:
    """The velocity tile: the chart's ``rolling_{unit}`` at the last closed sprint of a
    :func:`velocity` frame (the mean of the last ``ROLLING_SPRINTS`` closed sprints). None when no
    sprint is closed."""
    if velocity_frame.empty:
        return None
    rolling = velocity_frame.loc[velocity_frame["closed"].astype(bool), f"rolling_{unit}"].dropna()
    return float(rolling.iloc[-1]) if len(rolling) else None


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
