"""The store-facing side: load a project's Jira snapshot(s), compute every delivery metric into one
:class:`Delivery`, the CLI report, the Excel sheets, and the stored sprint calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field

import pandas as pd

from metrics import MetricsError
from metrics.delivery.calendar import infer_sprint_calendar, mark_user_edits, merge_calendar
from metrics.delivery.flow import created_vs_resolved, lead_time_percentiles, lead_times, weekly_throughput, wip_now
from metrics.delivery.forecast import forecast
from metrics.delivery.items import choose_unit, natural_key, prepare
from metrics.delivery.sprints import carry_over, evidence_dates, memberships, sprint_order, velocity
from metrics.forecast import DEFAULT_SEED
from store import WORK_SOURCES


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
    return merge_calendar(inferred, store.sprints(project_id)), inferred


def calendar_version(store, project_id: str | None = None) -> str:
    """Changes whenever the project's (None: any project's) stored sprint calendar changes: a cache
    key for pages."""
    rows = store.sprint_calendar(project_id)
    return str(pd.util.hash_pandas_object(rows.astype(str), index=False).sum()) if not rows.empty else "0"


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
    calendar = merge_calendar(inferred, store.sprints(project_id))
    order = sprint_order(members, calendar, evidence_dates(items, members))
    auto, note = choose_unit(items)
    chosen = unit if unit in ("points", "issues") else auto
    notes = _notes(as_of, day, note, chosen, items, members)
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


def _notes(as_of, day: dt.date, note: str | None, chosen: str, items: pd.DataFrame, members: pd.DataFrame) -> list[str]:
    """The sentences the page and the CLI show above the numbers (measuring date, unit, data gaps)."""
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
    return notes


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
