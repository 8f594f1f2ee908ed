"""People across projects: load, capacity, utilisation and over-allocation per person and week.

A week is Monday–Sunday, named by its Monday; working days are Monday–Friday (no holidays).
For a booking from *s* to *f* with *D* = working days in *s..f* and *d_w* = its working days in week *w*:

* load_w = H × d_w / D when the booking has total hours *H* (MS Project work, an allocation
  sheet's hours; a booking with no working day puts *H* on the week of *s*), else
  load_w = p/100 × C × d_w / 5 with *p* the allocation % (or MS Project units) and *C* the
  calendar hours per week (40 unless the plan's calendar says otherwise);
* capacity_w = Σ plan hours × d_w(period) / D(period) over the capacity-plan rows of the person
  covering *w* (a sprint's hours shared over its working days); for a week no plan row covers, max units/100 × C × working days of *w* / 5 (resource sheet or the plans'
  resource tables, the largest max units any of them gives); else 40 h;
* utilisation = load / capacity (None when capacity is 0); *over-allocated* when load >
  threshold × capacity (threshold 1.0 = 100 %, configurable), compared on hours rounded to
  1e-6 so that 80 % + 20 % is exactly 100 % and not flagged;
* by role (else team): demand = load of its people + unstaffed demand of that role; capacity =
  the plan's role-level rows where given, else the sum of its people's capacity;
* unstaffed demand = allocation rows with a project and no person.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics import MetricsError
from metrics.people import PersonIndex

DEFAULT_WEEKS = 12
DEFAULT_THRESHOLD = 1.0
HOURS_PER_WEEK = 40.0
THRESHOLD_SETTING = "capacity_overallocation_threshold"
# allocation rows read from an MS Project file: they replace that plan's stored assignments
PLAN_ORIGINS = ("msproject tables", "msproject xml", "msproject time-phased")
ROUND = 6
BOOKING_COLUMNS = [
    "person",
    "role",
    "team",
    "project_id",
    "task_name",
    "start",
    "finish",
    "total_hours",
    "percent",
    "hours_per_week",
    "origin",
]
_UNITS = re.compile(r"^(.*?)\s*\[\s*([\d.,]+)\s*%\s*\]\s*$")


@dataclass(frozen=True)
class Capacity:
    """Everything the capacity page and CLI show; frames are long (one row per person and week)."""

    as_of: dt.date
    weeks: tuple[dt.date, ...]
    threshold: float
    people: pd.DataFrame  # person, role, team, week, load_hours, capacity_hours, utilisation, over, basis, projects
    overallocated: pd.DataFrame  # the over rows of people
    by_role: pd.DataFrame  # group, week, demand_hours, unstaffed_hours, capacity_hours, utilisation, gap_hours
    unstaffed: pd.DataFrame  # project_id, role, week, hours
    weekly: pd.DataFrame  # person, project_id, task_name, origin, start, finish, week, hours (drill-down)
    undated: pd.DataFrame  # bookings without start or finish, not counted as load


def weeks_from(as_of: dt.date, count: int) -> tuple[dt.date, ...]:
    """The ``count`` ISO-week Mondays starting with the week holding ``as_of``."""
    monday = as_of - dt.timedelta(days=as_of.weekday())
    return tuple(monday + dt.timedelta(weeks=i) for i in range(max(count, 1)))


# -- bookings ---------------------------------------------------------------------------------


def split_resource_names(value) -> list[tuple[str, float]]:
    """MS Project's Resource Names text -> [(name, units %)]: ``Ana Silva,Ben Carter[50%]``."""
    out = []
    for part in re.split(r"[;,](?![^\[]*\])", str(value or "")):
        part = part.strip()
        if not part:
            continue
        match = _UNITS.match(part)
        out.append((match[1].strip(), float(match[2].replace(",", "."))) if match else (part, 100.0))
    return out


def plan_bookings(plan: pd.DataFrame, index: PersonIndex) -> pd.DataFrame:
    """MS Project assignments (``Store.plan_assignments``) -> bookings. An assignment with work
    spreads its work; one with units only (Resource Names) books units × the calendar."""
    if plan.empty:
        return pd.DataFrame(columns=BOOKING_COLUMNS)
    rows = []
    for r in plan.itertuples(index=False):
        named = isinstance(r.resource_name, str) and bool(r.resource_name.strip())
        pairs = [(r.resource_name, r.units)] if named else split_resource_names(r.resource_names)
        for name, units in pairs:
            work = r.work_hours if named and pd.notna(r.work_hours) else np.nan
            rows.append(
                (
                    index.canonical(name),
                    None,
                    r.team,
                    r.project_id,
                    r.task_name,
                    r.start,
                    r.finish,
                    work,
                    100.0 if pd.isna(units) else float(units),
                    r.hours_per_week,
                    "msproject",
                )
            )
    return pd.DataFrame(rows, columns=BOOKING_COLUMNS)


def sheet_bookings(allocations: pd.DataFrame, index: PersonIndex) -> pd.DataFrame:
    """Allocation rows (``allocations`` table) -> bookings; no person = unstaffed demand."""
    if allocations.empty:
        return pd.DataFrame(columns=BOOKING_COLUMNS)
    people = [index.canonical(n, e) for n, e in zip(allocations["resource"], allocations["email"], strict=True)]
    return pd.DataFrame(
        {
            "person": people,
            "role": allocations["role"],
            "team": allocations["team"],
            "project_id": allocations["project_id"],
            "task_name": allocations["task_name"],
            "start": allocations["start"],
            "finish": allocations["finish"],
            "total_hours": pd.to_numeric(allocations["hours"], errors="coerce"),
            "percent": pd.to_numeric(allocations["percent"], errors="coerce"),
            "hours_per_week": HOURS_PER_WEEK,
            "origin": allocations["origin"].fillna("allocation sheet"),
        }
    )[BOOKING_COLUMNS]


def all_bookings(allocations: pd.DataFrame, plan: pd.DataFrame, index: PersonIndex) -> pd.DataFrame:
    """Allocation-sheet bookings plus plan bookings, leaving out the plan of a project whose
    Export Wizard tables or XML were loaded as people data (the same assignments twice)."""
    sheets = sheet_bookings(allocations, index)
    twice = (
        set(allocations.loc[allocations["origin"].isin(PLAN_ORIGINS), "project_id"]) if not allocations.empty else set()
    )
    plans = plan_bookings(plan[~plan["project_id"].isin(twice)] if not plan.empty else plan, index)
    frames = [f for f in (sheets, plans) if not f.empty]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=BOOKING_COLUMNS)


# -- spreading over weeks ---------------------------------------------------------------------


def _days(values) -> np.ndarray:
    return pd.to_datetime(pd.Series(values)).to_numpy().astype("datetime64[D]")


def spread(start, finish, total_hours, daily_hours, weeks: tuple[dt.date, ...]) -> np.ndarray:
    """Hours per (row, week): total hours × d_w / D, or daily hours × d_w (see module docstring).
    Rows must be dated; a row with D = 0 puts its total on the week of its start."""
    s, f = _days(start), _days(finish)
    mondays = np.array(weeks, dtype="datetime64[D]")
    lo = np.maximum(s[:, None], mondays[None, :])
    hi = np.minimum(f[:, None], mondays[None, :] + 6) + 1
    d_w = np.where(hi > lo, np.busday_count(lo, np.maximum(hi, lo), weekmask="1111100"), 0).astype(float)
    total_days = np.busday_count(s, f + 1, weekmask="1111100").astype(float)
    none = total_days <= 0
    if none.any():
        d_w[none] = ((mondays[None, :] <= s[none, None]) & (s[none, None] <= mondays[None, :] + 6)).astype(float)
        total_days[none] = 1.0
    total = np.asarray(total_hours, dtype=float)
    daily = np.asarray(daily_hours, dtype=float)
    by_total = total[:, None] * d_w / total_days[:, None]
    return np.where(np.isnan(total)[:, None], np.nan_to_num(daily)[:, None] * d_w, by_total)


def weekly_rows(frame: pd.DataFrame, hours: np.ndarray, weeks: tuple[dt.date, ...]) -> pd.DataFrame:
    """The non-zero cells of a (row × week) hours matrix as a long frame joined to its rows."""
    rows, cols = np.nonzero(np.round(hours, ROUND))
    out = frame.iloc[rows].reset_index(drop=True)
    out["week"] = [weeks[c] for c in cols]
    out["hours"] = hours[rows, cols]
    return out


def booking_weeks(bookings: pd.DataFrame, weeks: tuple[dt.date, ...]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(weekly load rows, undated bookings)."""
    dated = bookings["start"].notna() & bookings["finish"].notna()
    undated = bookings[~dated].reset_index(drop=True)
    rows = bookings[dated].reset_index(drop=True)
    if rows.empty:
        return rows.assign(week=None, hours=0.0), undated
    daily = rows["percent"].astype(float) / 100 * rows["hours_per_week"].astype(float) / 5
    hours = spread(rows["start"], rows["finish"], rows["total_hours"].astype(float), daily, weeks)
    return weekly_rows(rows, hours, weeks), undated


# -- capacity ---------------------------------------------------------------------------------


def planned_capacity(plan_rows: pd.DataFrame, weeks: tuple[dt.date, ...], index: PersonIndex) -> pd.DataFrame:
    """Dated capacity-plan rows (``Store.capacity_plan``) spread over the weeks: person (None for
    a role- or team-level row), group (role, else team), week, hours."""
    dated = plan_rows[plan_rows["period_start"].notna() & plan_rows["period_finish"].notna()]
    dated = dated[pd.to_numeric(dated["hours"], errors="coerce").notna()].reset_index(drop=True)
    if dated.empty:
        return pd.DataFrame(columns=["person", "group", "week", "hours"])
    hours = spread(
        dated["period_start"], dated["period_finish"], dated["hours"].astype(float), np.zeros(len(dated)), weeks
    )
    long = weekly_rows(dated, hours, weeks)
    people = [
        index.canonical(n, e) if isinstance(n, str) and n else None
        for n, e in zip(long["resource"], long["email"], strict=True)
    ]
    return pd.DataFrame(
        {"person": people, "group": long["role"].fillna(long["team"]), "week": long["week"], "hours": long["hours"]}
    )


def max_units(plan_rows: pd.DataFrame, plan_resources: pd.DataFrame, index: PersonIndex) -> pd.DataFrame:
    """Per person the largest max units (%) any resource sheet or plan gives, with the plan's
    calendar hours per week (40 when only a resource sheet speaks)."""
    sheet = plan_rows[(plan_rows["origin"].isin(["resource sheet"])) & plan_rows["max_units"].notna()]
    sheet = sheet[sheet["resource_type"].map(lambda t: str(t).casefold() if isinstance(t, str) else "work") == "work"]
    frames = [
        pd.DataFrame(
            {
                "person": [index.canonical(n, e) for n, e in zip(sheet["resource"], sheet["email"], strict=True)],
                "max_units": sheet["max_units"].astype(float),
                "hours_per_week": HOURS_PER_WEEK,
            }
        )
    ]
    if not plan_resources.empty:
        known = plan_resources[plan_resources["max_units"].notna()]
        frames.append(
            pd.DataFrame(
                {
                    "person": [index.canonical(n) for n in known["name"]],
                    "max_units": known["max_units"].astype(float),
                    "hours_per_week": known["hours_per_week"].astype(float),
                }
            )
        )
    both = pd.concat(frames, ignore_index=True)
    return both.groupby("person", as_index=False).agg(
        max_units=("max_units", "max"), hours_per_week=("hours_per_week", "max")
    )


def person_capacity(people: list[str], weeks, planned: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """person, week, capacity_hours, basis for every person × week (module docstring)."""
    grid = pd.MultiIndex.from_product([people, weeks], names=["person", "week"]).to_frame(index=False)
    plan = planned[planned["person"].notna()].groupby(["person", "week"], as_index=False)["hours"].sum()
    plan, units = plan.astype({"person": object, "week": object}), units.astype({"person": object})
    out = grid.merge(plan, on=["person", "week"], how="left").merge(units, on="person", how="left")
    by_units = out["max_units"] / 100 * out["hours_per_week"]
    has_plan = out["hours"].notna()
    out["capacity_hours"] = np.where(has_plan, out["hours"].fillna(0.0), by_units.fillna(HOURS_PER_WEEK))
    out["basis"] = [
        "capacity plan" if plan_row else f"max units {u:g} % × {h:g} h" if u == u and h == h else "default 40 h a week"
        for plan_row, u, h in zip(has_plan, out["max_units"], out["hours_per_week"], strict=True)
    ]
    return out[["person", "week", "capacity_hours", "basis"]]


# -- putting it together ----------------------------------------------------------------------


def person_groups(bookings: pd.DataFrame, plan_rows: pd.DataFrame, plan_resources: pd.DataFrame, index) -> pd.DataFrame:
    """person, role, team: the capacity plan's word first, then allocation sheets, then plan groups."""
    named = plan_rows[plan_rows["resource"].notna()]
    sources = [
        pd.DataFrame(
            {
                "person": [index.canonical(n, e) for n, e in zip(named["resource"], named["email"], strict=True)],
                "role": named["role"],
                "team": named["team"],
            }
        ),
        bookings[bookings["person"].notna()][["person", "role", "team"]],
    ]
    if not plan_resources.empty:
        sources.append(
            pd.DataFrame(
                {
                    "person": [index.canonical(n) for n in plan_resources["name"]],
                    "role": None,
                    "team": plan_resources["team"],
                }
            )
        )
    filled = [s for s in sources if not s.empty]
    if not filled:
        return pd.DataFrame(columns=["person", "role", "team"], dtype=object)
    both = pd.concat(filled, ignore_index=True).astype({"person": object})
    return both.groupby("person", as_index=False).agg(role=("role", "first"), team=("team", "first"))


def _projects(loads: pd.DataFrame) -> pd.DataFrame:
    per = loads.groupby(["person", "week", "project_id"], as_index=False)["hours"].sum()
    per["hours"] = per["hours"].round(ROUND)
    per = per.sort_values(["person", "week", "hours"], ascending=[True, True, False])
    return (
        per.groupby(["person", "week"])
        .apply(lambda g: dict(zip(g["project_id"], g["hours"], strict=True)), include_groups=False)
        .rename("projects")
        .reset_index()
    )


def people_weeks(loads, capacity, groups, threshold: float) -> pd.DataFrame:
    """One row per person and week: load, capacity, utilisation, over-allocated, projects."""
    staffed = loads[loads["person"].notna()]
    load = staffed.groupby(["person", "week"], as_index=False)["hours"].sum().rename(columns={"hours": "load_hours"})
    out = capacity.merge(load, on=["person", "week"], how="left").merge(groups, on="person", how="left")
    out["load_hours"] = out["load_hours"].fillna(0.0).round(ROUND)
    out["capacity_hours"] = out["capacity_hours"].astype(float).round(ROUND)
    cap = out["capacity_hours"].where(out["capacity_hours"] > 0)
    out["utilisation"] = (out["load_hours"] / cap).round(ROUND)
    out["over"] = out["load_hours"] > (out["capacity_hours"] * threshold).round(ROUND)
    out = out.merge(
        _projects(staffed) if not staffed.empty else pd.DataFrame(columns=["person", "week", "projects"]),
        on=["person", "week"],
        how="left",
    )
    out["projects"] = out["projects"].map(lambda v: v if isinstance(v, dict) else {})
    cols = [
        "person",
        "role",
        "team",
        "week",
        "load_hours",
        "capacity_hours",
        "utilisation",
        "over",
        "basis",
        "projects",
    ]
    return out[cols].sort_values(["person", "week"]).reset_index(drop=True)


def unstaffed_demand(loads: pd.DataFrame) -> pd.DataFrame:
    """project_id, role, week, hours of the bookings with a project and no person."""
    open_rows = loads[loads["person"].isna()]
    if open_rows.empty:
        return pd.DataFrame(columns=["project_id", "role", "week", "hours"])
    out = open_rows.assign(role=open_rows["role"].fillna(open_rows["team"]).fillna("(no role)"))
    out = out.groupby(["project_id", "role", "week"], as_index=False)["hours"].sum()
    return out.assign(hours=out["hours"].round(ROUND))


def by_role(people: pd.DataFrame, unstaffed: pd.DataFrame, planned: pd.DataFrame) -> pd.DataFrame:
    """group (role, else team), week: demand (people's load + unstaffed), capacity, gap."""
    ppl = people.assign(group=people["role"].fillna(people["team"]).fillna("(no role)"))
    staffed = ppl.groupby(["group", "week"], as_index=False).agg(
        staffed_hours=("load_hours", "sum"), people_capacity=("capacity_hours", "sum"), people=("person", "nunique")
    )
    open_ = unstaffed.rename(columns={"role": "group"}).groupby(["group", "week"], as_index=False)["hours"].sum()
    level = planned[planned["person"].isna() & planned["group"].notna()]
    level = level.groupby(["group", "week"], as_index=False)["hours"].sum().rename(columns={"hours": "plan_capacity"})
    out = staffed.merge(open_.rename(columns={"hours": "unstaffed_hours"}), on=["group", "week"], how="outer")
    out = out.merge(level, on=["group", "week"], how="outer")
    for col in ("staffed_hours", "people_capacity", "unstaffed_hours", "people"):
        out[col] = out[col].fillna(0)
    out["demand_hours"] = (out["staffed_hours"] + out["unstaffed_hours"]).round(ROUND)
    out["capacity_hours"] = out["plan_capacity"].fillna(out["people_capacity"]).round(ROUND)
    out["capacity_from"] = np.where(out["plan_capacity"].notna(), "role capacity plan", "people's capacity")
    out["utilisation"] = (out["demand_hours"] / out["capacity_hours"].where(out["capacity_hours"] > 0)).round(ROUND)
    out["gap_hours"] = (out["capacity_hours"] - out["demand_hours"]).round(ROUND)
    cols = [
        "group",
        "week",
        "people",
        "demand_hours",
        "unstaffed_hours",
        "capacity_hours",
        "capacity_from",
        "utilisation",
        "gap_hours",
    ]
    return out[cols].sort_values(["group", "week"]).reset_index(drop=True)


def compute(
    allocations,
    plan,
    plan_resources,
    plan_rows,
    aliases: dict,
    as_of: dt.date,
    weeks: int = DEFAULT_WEEKS,
    threshold: float = DEFAULT_THRESHOLD,
) -> Capacity:
    """The capacity view over canonical frames (see the module docstring for every formula)."""
    plan_names = [n for v in plan.get("resource_names", []) for n, _ in split_resource_names(v)]
    pairs = [
        *zip(allocations.get("resource", []), allocations.get("email", []), strict=True),
        *zip(plan_rows.get("resource", []), plan_rows.get("email", []), strict=True),
        *((n, None) for n in [*plan.get("resource_name", []), *plan_names, *plan_resources.get("name", [])]),
    ]
    index = PersonIndex.build(pairs, aliases)
    window = weeks_from(as_of, weeks)
    bookings = all_bookings(allocations, plan, index)
    loads, undated = booking_weeks(bookings, window)
    planned = planned_capacity(plan_rows, window, index)
    people = sorted(set(loads["person"].dropna()) | set(planned["person"].dropna()))
    capacity = person_capacity(people, window, planned, max_units(plan_rows, plan_resources, index))
    groups = person_groups(bookings, plan_rows, plan_resources, index)
    table = people_weeks(loads, capacity, groups, threshold)
    unstaffed = unstaffed_demand(loads)
    weekly = loads[["person", "project_id", "task_name", "origin", "start", "finish", "week", "hours"]]
    return Capacity(
        as_of,
        window,
        threshold,
        table,
        table[table["over"]].reset_index(drop=True),
        by_role(table, unstaffed, planned),
        unstaffed,
        weekly.reset_index(drop=True),
        undated,
    )


# -- Jira: open work in active sprints (a second view) ----------------------------------------


def _natural(name: str) -> tuple:
    return tuple(int(n) for n in re.findall(r"\d+", str(name))), str(name)


def active_sprints(last: pd.DataFrame, calendar: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """project_id, sprint, basis: the sprints whose calendar dates hold ``as_of``; for a project
    with none, its latest sprint by name (``Sprint 14`` after ``Sprint 9``), labelled approximate."""
    found = pd.DataFrame(columns=["project_id", "sprint", "basis"])
    if not calendar.empty:
        starts, ends = pd.to_datetime(calendar["start"]).dt.date, pd.to_datetime(calendar["finish"]).dt.date
        on = calendar[(starts <= as_of) & (ends >= as_of)]
        found = on[["project_id", "sprint"]].assign(basis="sprint calendar")
    rest = last[~last["project_id"].isin(found["project_id"])].dropna(subset=["sprint"])
    latest = [(pid, max(g["sprint"].unique(), key=_natural)) for pid, g in rest.groupby("project_id")]
    guessed = pd.DataFrame(latest, columns=["project_id", "sprint"]).assign(basis="latest sprint by name (no calendar)")
    return pd.concat([f for f in (found, guessed) if not f.empty] or [found], ignore_index=True)


def jira_load(
    issues: pd.DataFrame,
    issue_sprints: pd.DataFrame,
    calendar: pd.DataFrame,
    as_of: dt.date,
    aliases: dict | None = None,
) -> pd.DataFrame:
    """Per assignee and project: open items (status category not Done) whose last sprint is an
    active sprint, their story points and remaining estimate hours."""
    cols = ["person", "project_id", "sprint", "basis", "open_items", "points", "remaining_hours"]
    if issues.empty:
        return pd.DataFrame(columns=cols)
    last = issues[["project_id", "issue_key", "sprint"]].copy()
    if not issue_sprints.empty:
        final = issue_sprints.sort_values("position").groupby(["project_id", "issue_key"])["sprint"].last()
        last = last.drop(columns="sprint").merge(final.reset_index(), on=["project_id", "issue_key"], how="left")
    active = active_sprints(last, calendar, as_of)
    items = issues.drop(columns="sprint").merge(last, on=["project_id", "issue_key"], how="left")
    items = items.merge(active, on=["project_id", "sprint"], how="inner")
    items = items[(items["status_category"] != "Done") & items["assignee"].notna()]
    if items.empty:
        return pd.DataFrame(columns=cols)
    index = PersonIndex.build(((a, None) for a in items["assignee"]), aliases)
    items = items.assign(person=[index.canonical(a) for a in items["assignee"]])
    out = items.groupby(["person", "project_id", "sprint", "basis"], as_index=False).agg(
        open_items=("issue_key", "nunique"),
        points=("story_points", "sum"),
        remaining_hours=("remaining_estimate_hours", "sum"),
    )
    return out[cols].sort_values(["person", "project_id"]).reset_index(drop=True)


def only_project(view: Capacity, project_id: str) -> Capacity:
    """The view limited to the people with load on ``project_id`` in the window."""
    people = set(view.weekly.loc[view.weekly["project_id"] == project_id, "person"].dropna())
    keep = view.people[view.people["person"].isin(people)].reset_index(drop=True)
    return Capacity(
        view.as_of,
        view.weeks,
        view.threshold,
        keep,
        keep[keep["over"]].reset_index(drop=True),
        view.by_role,
        view.unstaffed[view.unstaffed["project_id"] == project_id],
        view.weekly[view.weekly["person"].isin(people)],
        view.undated,
    )


# -- store edge -------------------------------------------------------------------------------


def threshold_of(store) -> float:
    """The over-allocation threshold from the settings (1.0 = 100 %), else the default."""
    value = store.settings().get(THRESHOLD_SETTING, DEFAULT_THRESHOLD)
    try:
        return float(value)
    except (TypeError, ValueError):
        return DEFAULT_THRESHOLD


def load(store, as_of: dt.date | None = None, weeks: int = DEFAULT_WEEKS, threshold: float | None = None) -> Capacity:
    """Read the stored snapshots on or before ``as_of`` and compute the capacity view."""
    as_of = as_of or store.latest_as_of()
    if as_of is None:
        raise MetricsError("nothing is stored yet; upload plans, allocation sheets or capacity plans first.")
    return compute(
        store.snapshot("allocations", as_of),
        store.plan_assignments(as_of),
        store.plan_resources(as_of),
        store.capacity_plan(as_of),
        store.aliases("person"),
        as_of,
        weeks,
        threshold_of(store) if threshold is None else threshold,
    )


def load_jira(store, as_of: dt.date) -> pd.DataFrame:
    return jira_load(
        store.snapshot("issues", as_of),
        store.snapshot("issue_sprints", as_of),
        store.sprint_calendar(),
        as_of,
        store.aliases("person"),
    )


def _person_record(row) -> dict:
    return {
        "resource": row.person,
        "role": row.role,
        "team": row.team,
        "week": row.week,
        "load_hours": row.load_hours,
        "capacity_hours": row.capacity_hours,
        "utilisation": row.utilisation,
        "overallocated": bool(row.over),
        "capacity_basis": row.basis,
        "projects": row.projects,
    }


def report(
    store,
    project_id: str | None = None,
    as_of: dt.date | None = None,
    weeks: int = DEFAULT_WEEKS,
    threshold: float | None = None,
) -> dict:
    """The ``metrics capacity`` JSON (DESIGN.md §9) plus by_role, unstaffed, undated and jira;
    with ``project_id``, only the people booked on that project (all their load still counts)."""
    view = load(store, as_of, weeks, threshold)
    if project_id is not None:
        view = only_project(view, project_id)
    if view.people.empty and view.unstaffed.empty:
        raise MetricsError(f"no assignments, allocations or capacity in the {weeks} weeks from {view.weeks[0]}.")
    return {
        "as_of": view.as_of,
        "weeks": list(view.weeks),
        "threshold": view.threshold,
        "people": [_person_record(r) for r in view.people.itertuples()],
        "overallocated": [
            {
                "resource": r.person,
                "week": r.week,
                "load_hours": r.load_hours,
                "capacity_hours": r.capacity_hours,
                "utilisation": r.utilisation,
                "projects": r.projects,
            }
            for r in view.overallocated.itertuples()
        ],
        "by_role": view.by_role.to_dict("records"),
        "unstaffed": view.unstaffed.to_dict("records"),
        "undated_bookings": len(view.undated),
        "jira": load_jira(store, view.as_of).to_dict("records"),
    }


# -- views for the page and the export (pure) -------------------------------------------------


def projects_text(projects: dict) -> str:
    """``{"A": 24.0, "B": 20.0}`` -> ``A 24 h, B 20 h`` (largest first, as stored)."""
    return ", ".join(f"{p or '(no project)'} {h:g} h" for p, h in projects.items())


def heatmap_frame(view: Capacity) -> pd.DataFrame:
    """person, week (ISO Monday as a date), load, capacity, utilisation, over, projects text."""
    out = view.people[["person", "team", "role", "week", "load_hours", "capacity_hours", "utilisation", "over"]].copy()
    out["week"] = pd.to_datetime(out["week"])
    out["projects"] = view.people["projects"].map(projects_text)
    return out


def overallocated_table(view: Capacity) -> pd.DataFrame:
    """The over-allocated person-weeks with the projects causing them, worst first."""
    over = view.overallocated
    return (
        pd.DataFrame(
            {
                "Person": over["person"],
                "Week of": over["week"],
                "Load (h)": over["load_hours"],
                "Capacity (h)": over["capacity_hours"],
                "Utilisation": over["utilisation"],
                "Over by (h)": (over["load_hours"] - over["capacity_hours"] * view.threshold).round(2),
                "Projects causing it": over["projects"].map(projects_text),
                "Capacity from": over["basis"],
            }
        )
        .sort_values(["Utilisation", "Person"], ascending=[False, True])
        .reset_index(drop=True)
    )


def overallocated_people(view: Capacity) -> list[str]:
    return sorted(view.overallocated["person"].unique())


def assignments_of(view: Capacity, person: str) -> pd.DataFrame:
    """The bookings behind one person's load in the window, one row per project and task, with
    hours per week in the window (drill-down)."""
    rows = view.weekly[view.weekly["person"] == person]
    if rows.empty:
        return pd.DataFrame(columns=["Project", "Task", "From", "Start", "Finish", "Hours in window"])
    keys = ["project_id", "task_name", "origin", "start", "finish"]
    rows = rows.assign(
        task_name=rows["task_name"].fillna("—"),
        start=pd.to_datetime(rows["start"]).dt.date,
        finish=pd.to_datetime(rows["finish"]).dt.date,
    )
    wide = rows.pivot_table(index=keys, columns="week", values="hours", aggfunc="sum", fill_value=0.0)
    wide.columns = [f"{w:%d %b}" for w in wide.columns]
    wide.insert(0, "Hours in window", wide.sum(axis=1).round(2))
    out = (
        wide.round(2)
        .reset_index()
        .rename(
            columns={
                "project_id": "Project",
                "task_name": "Task",
                "origin": "From",
                "start": "Start",
                "finish": "Finish",
            }
        )
    )
    return out.sort_values(["Project", "Start"]).reset_index(drop=True)


def unstaffed_table(view: Capacity) -> pd.DataFrame:
    """Unstaffed demand per project and role over the window, with its first and last week."""
    if view.unstaffed.empty:
        return pd.DataFrame(columns=["Project", "Role", "Hours", "From week", "To week"])
    out = view.unstaffed.groupby(["project_id", "role"], as_index=False).agg(
        hours=("hours", "sum"), first=("week", "min"), last=("week", "max")
    )
    return out.rename(
        columns={"project_id": "Project", "role": "Role", "hours": "Hours", "first": "From week", "last": "To week"}
    )


def role_table(view: Capacity) -> pd.DataFrame:
    """Demand vs capacity per role (else team) summed over the window."""
    if view.by_role.empty:
        return pd.DataFrame(columns=["Role / team", "Demand (h)", "Unstaffed (h)", "Capacity (h)", "Utilisation"])
    total = view.by_role.groupby("group", as_index=False).agg(
        demand=("demand_hours", "sum"),
        unstaffed=("unstaffed_hours", "sum"),
        capacity=("capacity_hours", "sum"),
        source=("capacity_from", "first"),
    )
    util = (total["demand"] / total["capacity"].where(total["capacity"] > 0)).round(3)
    return (
        pd.DataFrame(
            {
                "Role / team": total["group"],
                "Demand (h)": total["demand"].round(1),
                "Unstaffed (h)": total["unstaffed"].round(1),
                "Capacity (h)": total["capacity"].round(1),
                "Utilisation": util,
                "Capacity from": total["source"],
            }
        )
        .sort_values("Utilisation", ascending=False, na_position="last")
        .reset_index(drop=True)
    )


def tiles(view: Capacity) -> dict[str, str]:
    """Headline numbers: people, over-allocated people and person-weeks, unstaffed demand."""
    over_people = view.overallocated["person"].nunique()
    return {
        "People": f"{view.people['person'].nunique()}",
        "Over-allocated people": f"{over_people}",
        "Over-allocated person-weeks": f"{len(view.overallocated)}",
        "Unstaffed demand": f"{view.unstaffed['hours'].sum():,.0f} h",
    }


def export_frames(view: Capacity, jira: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Sheets of the Excel export: what the page shows, in full."""
    people = view.people.assign(projects=view.people["projects"].map(projects_text))
    return {
        "People by week": people,
        "Over-allocated": overallocated_table(view),
        "By role": view.by_role,
        "Unstaffed demand": view.unstaffed,
        "Assignments by week": view.weekly,
        "Undated bookings": view.undated,
        "Jira open work": jira,
    }


def alias_mapping(edited: pd.DataFrame) -> dict[str, str]:
    """The alias editor's rows (alias, person) -> alias list; blank rows are left out."""
    mapping = {}
    for alias, person in zip(edited.get("alias", []), edited.get("person", []), strict=True):
        if isinstance(alias, str) and isinstance(person, str) and alias.strip() and person.strip():
            mapping[alias.strip()] = person.strip()
    return mapping
