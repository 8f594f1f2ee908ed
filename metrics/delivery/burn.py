"""Burn-downs and burn-ups: exact from consecutive snapshots, approximate from one; scopes (project,
fix version, epic)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable

import numpy as np
import pandas as pd

from metrics.delivery.items import natural_key, prepare, value_of


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
    every = prepare(history, done_statuses)  # once for every snapshot: each row judged within its own
    chosen = in_scope(every) if in_scope is not None else pd.Series(True, index=every.index)
    keep = chosen.fillna(False).astype(bool) & (every["is_item"] | every["points"].gt(0))
    every = every.loc[keep, ["snapshot_as_of", "issue_key", "is_item", "is_done", "points"]]
    selected = {pd.Timestamp(when): rows for when, rows in every.groupby("snapshot_as_of")}
    rows = []
    prev: pd.Series | None = None
    for when in pd.DatetimeIndex(pd.to_datetime(history["snapshot_as_of"]).dropna().unique()).sort_values():
        sel = selected.get(when, every.iloc[:0])
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
        child = (epic.eq(value).fillna(False) | parent.eq(value).fillna(False)).astype(bool)
        by = [items[c] for c in ("snapshot_as_of",) if c in items.columns]  # a history: children per snapshot
        children = pd.MultiIndex.from_arrays([s[child] for s in by] + [items.loc[child, "issue_key"]])
        of_child = pd.MultiIndex.from_arrays([*by, parent]).isin(children) & parent.notna().to_numpy()
        return child | pd.Series(of_child, index=items.index)
    raise ValueError(f"unknown scope kind {kind!r}")
