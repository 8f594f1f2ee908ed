"""What changed between two as-of dates: the portfolio's KPIs, project statuses, new red reasons,
risks escalated and milestone slips. Pure: both sides are computed by the caller with the same
functions (``metrics.portfolio.portfolio_frame`` and ``metrics.risk.view`` at each date), so a
delta is always like for like; :func:`changes_since` reads both sides from the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

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
ESCALATED_COLUMNS = ["project_id", "risk_id", "title", "score", "owner", "why"]


@dataclass(frozen=True)
class Changes:
    since: dt.date
    until: dt.date
    kpis: pd.DataFrame  # key, label, before, after, delta
    status_changes: pd.DataFrame  # project_id, name, before, after, direction (one of DIRECTIONS)
    new_reasons: pd.DataFrame  # project_id, name, status, reason — red/amber reasons not there before
    slipped_milestones: pd.DataFrame  # project_id, task_uid, name, finish_before, finish_after, slip_days
    escalated_risks: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=ESCALATED_COLUMNS))
    since_snapshot: dt.date | None = None  # the newest snapshot on or before ``since`` actually compared
    until_snapshot: dt.date | None = None  # the newest snapshot on or before ``until``


def kpi_deltas(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """The Overview's KPI tiles at both dates, with after − before (None when either is missing)."""
    b, a = totals(before), totals(after)
    rows = []
    for key, label in KPI_KEYS:
        x, y = b.get(key), a.get(key)
        delta = None if x is None or y is None else y - x
        rows.append({"key": key, "label": label, "before": x, "after": y, "delta": delta})
    return pd.DataFrame(rows)


DIRECTIONS = ("worse", "better", "first judged", "no longer judged")


def direction(then: str, now: str) -> str:
    """How a status moved: between judged statuses ``worse`` or ``better`` (green < amber < red);
    from ``unknown`` to amber or red ``worse`` (a new flag to look at), to green ``first judged``
    (neither better nor worse: there was nothing to compare); to ``unknown`` ``no longer judged``
    (the data it was judged on is gone, which is never an improvement)."""
    if now == "unknown":
        return "no longer judged"
    if then == "unknown" and now == "green":
        return "first judged"
    return "worse" if STATUS_ORDER[now] > STATUS_ORDER[then] else "better"


def status_changes(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Projects whose status differs between the dates (a project new since then counts as from
    'unknown'), each with its :func:`direction`; worse first, then better, first judged, no longer judged."""
    columns = ["project_id", "name", "before", "after", "direction"]
    if after.empty:
        return pd.DataFrame(columns=columns)
    was = dict(zip(before.project_id, before.status, strict=True)) if not before.empty else {}
    rows = []
    for row in after.itertuples():
        then = was.get(row.project_id, "unknown")
        if then != row.status:
            rows.append([row.project_id, row.name, then, row.status, direction(then, row.status)])
    frame = pd.DataFrame(rows, columns=columns)
    order = frame.direction.map({d: k for k, d in enumerate(DIRECTIONS)})
    return frame.assign(_o=order).sort_values(["_o", "project_id"]).drop(columns="_o").reset_index(drop=True)


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


def risks_escalated(escalated_before: pd.DataFrame, escalated_after: pd.DataFrame) -> pd.DataFrame:
    """Risks escalated between the dates: entries in ``escalated_after`` (``metrics.risk.escalations``
    at ``until``, so still open and escalated then) whose (project_id, risk_id) was not escalated at
    ``since`` — a new risk, or one that crossed a rule since. Columns project_id, risk_id, title,
    score, owner, why (the rules that fired at ``until``), highest score first."""
    if escalated_after is None or escalated_after.empty:
        return pd.DataFrame(columns=ESCALATED_COLUMNS)
    after = escalated_after.reindex(columns=ESCALATED_COLUMNS)
    if escalated_before is not None and not escalated_before.empty:
        was = set(zip(escalated_before.project_id, escalated_before.risk_id.astype(str), strict=True))
        keep = [(p, str(r)) not in was for p, r in zip(after.project_id, after.risk_id, strict=True)]
        after = after[keep]
    order = after.sort_values(["score", "project_id", "risk_id"], ascending=[False, True, True], na_position="last")
    return order.reset_index(drop=True)


def compare(
    before: pd.DataFrame,
    after: pd.DataFrame,
    tasks_before: pd.DataFrame,
    tasks_after: pd.DataFrame,
    since: dt.date,
    until: dt.date,
    escalated_before: pd.DataFrame | None = None,
    escalated_after: pd.DataFrame | None = None,
    since_snapshot: dt.date | None = None,
    until_snapshot: dt.date | None = None,
) -> Changes:
    """Everything that changed from ``since`` to ``until`` (frames of ``portfolio_frame``, the
    plan snapshots and the risk escalations at each date)."""
    return Changes(
        since=since,
        until=until,
        kpis=kpi_deltas(before, after),
        status_changes=status_changes(before, after),
        new_reasons=new_reasons(before, after),
        slipped_milestones=milestone_slips(tasks_before, tasks_after),
        escalated_risks=risks_escalated(escalated_before, escalated_after),
        since_snapshot=since_snapshot,
        until_snapshot=until_snapshot,
    )


def changes_since(
    store,
    since: dt.date,
    until: dt.date,
    project_ids=None,
    *,
    before: pd.DataFrame | None = None,
    after: pd.DataFrame | None = None,
) -> Changes:
    """:func:`compare` read from the store at both dates, for ``project_ids`` (every project the
    store lets its user see when None). ``before`` / ``after`` = ``portfolio_frame`` at ``since`` /
    ``until`` when the caller has them already (the Overview), so they are not computed twice."""
    from metrics import risk
    from metrics.portfolio import portfolio_frame

    ids = list(project_ids) if project_ids else None
    before = _only(_frame_or_empty(store, since, portfolio_frame) if before is None else before, ids)
    after = _only(_frame_or_empty(store, until, portfolio_frame) if after is None else after, ids)
    threshold = risk.threshold_setting(store)
    escalated = [risk.view(store, day, ids, threshold).escalations for day in (since, until)]
    return compare(
        before,
        after,
        store.snapshot("tasks", since, ids),
        store.snapshot("tasks", until, ids),
        since,
        until,
        *escalated,
        since_snapshot=snapshot_date(store, since, ids),
        until_snapshot=snapshot_date(store, until, ids),
    )


def snapshot_date(store, day: dt.date, project_ids=None) -> dt.date | None:
    """The newest snapshot (any source but the register) on or before ``day`` among ``project_ids``
    (all visible projects when None): the date a side of the comparison actually reads."""
    latest = store.latest_snapshots(day)
    if project_ids:
        latest = latest[latest.project_id.isin(list(project_ids))]
    if latest.empty:
        return None
    return pd.Timestamp(latest.as_of.max()).date()


def _only(frame: pd.DataFrame, project_ids) -> pd.DataFrame:
    return frame[frame.project_id.isin(project_ids)] if project_ids and not frame.empty else frame


def _frame_or_empty(store, day, portfolio_frame) -> pd.DataFrame:
    from metrics import MetricsError

    try:
        return portfolio_frame(store, day)
    except MetricsError:
        return pd.DataFrame(columns=["project_id", "name", "status", "reasons", "currency", "bac", "pv", "ev", "ac"])
