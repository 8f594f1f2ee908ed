"""View-model of "what changed" on the Overview and the project page: the compare-with default,
the caption saying which snapshot each side reads, the KPI tiles with their deltas and the tables.
Pure: a :class:`metrics.changes.Changes` in, words and frames out."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from metrics.changes import Changes

DEFAULT_DAYS = 7
DAY = "%d %b %Y"

# key -> (how the value is written, delta_color): for a count of red/amber/unknown projects up is
# bad ("inverse"), for CPI/SPI and green up is good ("normal"), BAC is neither ("off"), EAC up is bad.
TILE_STYLE = {
    "red": ("count", "inverse"),
    "amber": ("count", "inverse"),
    "green": ("count", "normal"),
    "unknown": ("count", "inverse"),
    "cpi": ("ratio", "normal"),
    "spi": ("ratio", "normal"),
    "bac": ("money", "off"),
    "eac": ("money", "inverse"),
}


def default_compare(as_of: dt.date | None) -> dt.date | None:
    """The compare-with date when the user has not picked one: a week before the as-of date."""
    return None if as_of is None else as_of - dt.timedelta(days=DEFAULT_DAYS)


def problem(since: dt.date | None, until: dt.date | None) -> str | None:
    """Why no comparison can be made with these dates (None when it can)."""
    if until is None:
        return "There is no as-of date yet: nothing to compare."
    if since is None:
        return "Pick a date to compare with."
    if since >= until:
        return (
            f"The compare-with date ({since:{DAY}}) is not before the as-of date ({until:{DAY}}): "
            "pick an earlier date to see what changed."
        )
    return None


def caption(changes: Changes) -> str:
    """Which snapshots each side actually reads, and what it means when a side has none."""
    since, until = changes.since, changes.until
    if changes.until_snapshot is None:
        return f"No snapshot on or before {until:{DAY}}: nothing to compare."
    now = f"now = the snapshots on or before {until:{DAY}} (newest {changes.until_snapshot:{DAY}})"
    if changes.since_snapshot is None:
        return (
            f"Compared with {since:{DAY}}: no data at that date (no snapshot on or before it), so every "
            f"project counts as new and no delta can be shown · {now}."
        )
    same = (
        " Both sides read the same snapshots: nothing was uploaded in between."
        if changes.since_snapshot == changes.until_snapshot
        else ""
    )
    return (
        f"Compared with {since:{DAY}}: then = the snapshots on or before that date (newest "
        f"{changes.since_snapshot:{DAY}}) · {now}. Each project is compared at its own latest snapshot "
        f"on each side.{same}"
    )


def plan_caption(since: dt.date | None, then: dt.date | None, now: dt.date, problem_text: str | None) -> str:
    """The project page's sentence on what its tile deltas compare: the plan snapshot read on each
    side (``then`` = the latest plan snapshot on or before ``since``, None when there is none)."""
    if problem_text:
        return problem_text + " No change is shown."
    if then is None:
        return (
            f"Compared with {since:{DAY}}: no plan snapshot of this project on or before that date, so no change "
            "is shown."
        )
    if then == now:
        return (
            f"Compared with {since:{DAY}}: both sides read the plan snapshot of {now:{DAY}} (none newer was "
            "uploaded since), so every change is zero."
        )
    return f"Change shown since {since:{DAY}}: the plan snapshot of {then:{DAY}} against that of {now:{DAY}}."


def delta_text(kind: str, delta, money) -> str | None:
    """A tile's delta as st.metric shows it (sign first, so its colour follows the sign)."""
    if delta is None or delta != delta:
        return None
    if kind == "count":
        return f"{int(delta):+d}"
    if kind == "ratio":
        return f"{delta:+.2f}"
    return ("+" if delta >= 0 else "") + money(delta)


def kpi_deltas(changes: Changes | None, money) -> dict[str, dict]:
    """Per KPI key: ``delta`` (text for st.metric, None without both sides), ``delta_color``,
    ``delta_arrow`` (off when unchanged) and ``before`` (the value then, for the help text); an
    empty dict without a comparison.

    delta = value at ``until`` − value at ``since``, the same :func:`metrics.portfolio.totals` on
    both sides (counts of projects, ΣEV/ΣAC, ΣEV/ΣPV, ΣBAC, ΣBAC/CPI)."""
    if changes is None or changes.since_snapshot is None:
        return {}
    out = {}
    for row in changes.kpis.itertuples():
        kind, colour = TILE_STYLE.get(row.key, ("ratio", "normal"))
        before = row.before
        if before is None or before != before:
            shown = "—"
        elif kind == "count":
            shown = f"{int(before)}"
        elif kind == "ratio":
            shown = f"{before:.2f}"
        else:
            shown = money(before)
        delta = delta_text(kind, row.delta, money)
        unchanged = delta is not None and not any(ch in "123456789" for ch in delta)
        out[row.key] = {
            "delta": delta.lstrip("+-") if unchanged else delta,  # 0, 0.00: no arrow colour either way
            "delta_color": "off" if unchanged else colour,
            "delta_arrow": "off" if unchanged else "auto",
            "before": f"{shown} on {changes.since:{DAY}}",
        }
    return out


def status_table(changes: Changes) -> pd.DataFrame:
    """Projects whose computed status changed: Project, ID, Was, Now, Direction."""
    frame = changes.status_changes
    words = {"red": "Red", "amber": "Amber", "green": "Green", "unknown": "Unknown"}
    return pd.DataFrame(
        {
            "Project": frame["name"].astype(object).where(frame["name"].notna(), frame["project_id"]),
            "ID": frame["project_id"],
            "Was": frame["before"].map(words).fillna(frame["before"]),
            "Now": frame["after"].map(words).fillna(frame["after"]),
            "Direction": frame["direction"],
        }
    ).reset_index(drop=True)


def reasons_table(changes: Changes) -> pd.DataFrame:
    """Red and amber reasons that are new since then: Project, ID, Status, New reason."""
    frame = changes.new_reasons
    return pd.DataFrame(
        {"Project": frame["name"], "ID": frame["project_id"], "Status": frame["status"], "New reason": frame["reason"]}
    ).reset_index(drop=True)


def risks_table(changes: Changes) -> pd.DataFrame:
    """Risks escalated since then: ID, Risk, Title, Score, Owner, Why."""
    frame = changes.escalated_risks
    return pd.DataFrame(
        {
            "ID": frame["project_id"],
            "Risk": frame["risk_id"].astype(str),
            "Title": frame["title"],
            "Score": pd.to_numeric(frame["score"], errors="coerce"),
            "Owner": frame["owner"],
            "Why": frame["why"],
        }
    ).reset_index(drop=True)


def slips_table(changes: Changes) -> pd.DataFrame:
    """Milestones whose finish moved later: ID, Milestone, Was, Now, Slip (working days)."""
    frame = changes.slipped_milestones
    return pd.DataFrame(
        {
            "ID": frame["project_id"],
            "Milestone": frame["name"],
            "Was": pd.to_datetime(frame["finish_before"]).dt.date,
            "Now": pd.to_datetime(frame["finish_after"]).dt.date,
            "Slip (wd)": pd.to_numeric(frame["slip_days"]),
        }
    ).reset_index(drop=True)


def headline(changes: Changes) -> str:
    """One line: how many of each kind of change."""
    counts = changes.status_changes["direction"].value_counts()
    moved = f"{counts.get('worse', 0)} worse, {counts.get('better', 0)} better"
    for other in ("first judged", "no longer judged"):
        if counts.get(other, 0):
            moved += f", {counts[other]} {other}"
    return (
        f"{len(changes.status_changes)} status change(s) ({moved}) · "
        f"{len(changes.new_reasons)} new red/amber reason(s) · {len(changes.escalated_risks)} risk(s) escalated · "
        f"{len(changes.slipped_milestones)} milestone(s) slipped"
    )
