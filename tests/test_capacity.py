"""metrics.capacity and metrics.people: hand-counted load, capacity and over-allocation."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from loaders.resources.common import ALLOCATION_COLUMNS, CAPACITY_COLUMNS
from metrics import MetricsError
from metrics.__main__ import main
from metrics.capacity import compute, jira_load, report, split_resource_names, weeks_from
from metrics.people import PersonIndex, normalise_name
from store import Store

MON = dt.date(2026, 3, 2)  # a Monday
ALLOC_COLS = [c for c in ALLOCATION_COLUMNS if c != "row_number"]  # the stored rows, as metrics reads them
PLAN_COLS = [
    "project_id",
    "upload_id",
    "task_uid",
    "task_name",
    "resource_name",
    "units",
    "work_hours",
    "start",
    "finish",
    "resource_names",
    "hours_per_week",
    "max_units",
    "team",
]
CAP_COLS = [c for c in CAPACITY_COLUMNS if c != "row_number"]
RES_COLS = ["project_id", "name", "type", "max_units", "team", "hours_per_week"]


def day(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


def alloc(*rows) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(ALLOC_COLS, r, strict=True)) for r in rows], columns=ALLOC_COLS)


def row(project, person, start, finish, percent=None, hours=None, role=None, email=None):
    return (project, person, email, role, None, None, start, finish, percent, hours, "allocation sheet")


def run(allocations=None, plan=None, resources=None, capacity=None, aliases=None, weeks=3, threshold=1.0):
    return compute(
        allocations if allocations is not None else alloc(),
        plan if plan is not None else pd.DataFrame(columns=PLAN_COLS),
        resources if resources is not None else pd.DataFrame(columns=RES_COLS),
        capacity if capacity is not None else pd.DataFrame(columns=CAP_COLS),
        aliases or {},
        MON,
        weeks,
        threshold,
    )


def cell(view, person, week):
    hit = view.people[(view.people["person"] == person) & (view.people["week"] == week)]
    return hit.iloc[0]


def test_eighty_plus_twenty_is_exactly_full_and_not_flagged():
    view = run(alloc(row("A", "Ana", day(0), day(18), 80), row("B", "Ana", day(0), day(18), 20)))
    for week in view.weeks:
        c = cell(view, "Ana", week)
        assert (c.load_hours, c.capacity_hours, c.utilisation, c.over) == (40.0, 40.0, 1.0, False)
        assert c.projects == {"A": 32.0, "B": 8.0}
    assert view.overallocated.empty


def test_float_noise_never_flags_exactly_full():
    # 70 % + 20 % + 10 %: 0.7 + 0.2 + 0.1 != 1.0 in binary floating point
    view = run(alloc(*(row(p, "Ana", day(0), day(4), pct) for p, pct in (("A", 70), ("B", 20), ("C", 10)))))
    assert cell(view, "Ana", MON).utilisation == 1.0 and view.overallocated.empty


def test_hand_counted_overallocation():
    """Ben: P1 60 % for weeks 1–3; P2 120 h over Wed of week 1 to Tue of week 3 (10 working days,
    12 h a day); week 1: 24 + 36 = 60 h, week 2: 24 + 60 = 84 h, week 3: 24 + 24 = 48 h; all over
    40 h. Cleo: 50 % on P1 in week 2 only -> 20 h, never over."""
    view = run(
        alloc(
            row("P1", "Ben", day(0), day(18), 60),
            row("P2", "Ben", day(2), day(15), hours=120),
            row("P1", "Cleo", day(7), day(11), 50),
        )
    )
    over = view.overallocated
    assert list(zip(over["person"], over["week"], over["load_hours"], strict=True)) == [
        ("Ben", day(0), 60.0),
        ("Ben", day(7), 84.0),
        ("Ben", day(14), 48.0),
    ]
    assert over.iloc[1]["projects"] == {"P2": 60.0, "P1": 24.0}
    assert cell(view, "Cleo", day(7)).load_hours == 20.0 and cell(view, "Cleo", day(0)).load_hours == 0.0


def test_threshold_is_configurable():
    view = run(alloc(row("A", "Ana", day(0), day(4), 90)), weeks=1, threshold=0.85)
    assert view.overallocated["person"].tolist() == ["Ana"]


def test_capacity_plan_then_max_units_then_default():
    capacity = pd.DataFrame(
        [
            {
                "project_id": "",
                "resource": "Ana",
                "period_start": day(0),
                "period_finish": day(13),
                "hours": 60.0,
                "origin": "sprint capacity",
            },  # 60 h over 10 working days: 30 h a week
            {
                "project_id": "",
                "resource": "Ben",
                "resource_type": "Work",
                "max_units": 50.0,
                "origin": "resource sheet",
            },
        ],
        columns=CAP_COLS,
    )
    view = run(
        alloc(
            row("A", "Ana", day(0), day(18), 100),
            row("A", "Ben", day(0), day(18), 25),
            row("A", "Cy", day(0), day(18), 25),
        ),
        capacity=capacity,
    )
    ana = view.people[view.people["person"] == "Ana"]
    assert ana["capacity_hours"].tolist() == [30.0, 30.0, 40.0]  # week 3 is outside the plan
    assert ana["basis"].tolist() == ["capacity plan", "capacity plan", "default 40 h a week"]
    assert ana["over"].tolist() == [True, True, False]
    assert cell(view, "Ben", MON).capacity_hours == 20.0 and cell(view, "Ben", MON).basis == "max units 50 % × 40 h"
    assert cell(view, "Cy", MON).capacity_hours == 40.0


def test_plan_assignments_spread_work_and_resource_names_book_units():
    plan = pd.DataFrame(
        [
            {
                "project_id": "X",
                "task_uid": 1,
                "task_name": "Build",
                "resource_name": "Ana Silva",
                "units": 100.0,
                "work_hours": 50.0,
                "start": day(0),
                "finish": day(11),
                "hours_per_week": 40.0,
                "max_units": 100.0,
            },
            {
                "project_id": "Y",
                "task_uid": 2,
                "task_name": "Test",
                "resource_names": "ana silva,Ben[50%]",
                "start": day(7),
                "finish": day(11),
                "hours_per_week": 40.0,
            },
            {
                "project_id": "Y",
                "task_uid": 3,
                "task_name": "Later",
                "resource_names": "Ben",
                "start": None,
                "finish": None,
                "hours_per_week": 40.0,
            },
        ],
        columns=PLAN_COLS,
    )
    view = run(plan=plan)
    # 50 h over 10 working days = 5 h a day: 25 h in week 1, 25 h in week 2, plus 40 h of "Test"
    assert cell(view, "Ana Silva", MON).load_hours == 25.0
    assert cell(view, "Ana Silva", day(7)).load_hours == 65.0 and cell(view, "Ana Silva", day(7)).over
    assert cell(view, "Ben", day(7)).load_hours == 20.0
    assert len(view.undated) == 1  # counted, not silently dropped


def test_unstaffed_demand_and_role_view():
    capacity = pd.DataFrame(
        [
            {
                "project_id": "",
                "role": "Dev",
                "period_start": day(0),
                "period_finish": day(4),
                "hours": 80.0,
                "origin": "capacity plan",
            }
        ],
        columns=CAP_COLS,
    )
    view = run(
        alloc(row("A", None, day(0), day(4), 100, role="Dev"), row("A", "Ana", day(0), day(4), 50, role="Dev")),
        capacity=capacity,
        weeks=1,
    )
    assert view.unstaffed[["project_id", "role", "hours"]].values.tolist() == [["A", "Dev", 40.0]]
    dev = view.by_role[view.by_role["group"] == "Dev"].iloc[0]
    assert (dev.demand_hours, dev.unstaffed_hours, dev.capacity_hours, dev.gap_hours) == (60.0, 40.0, 80.0, 20.0)
    assert dev.capacity_from == "role capacity plan"


def test_people_matched_by_name_email_and_aliases():
    assert normalise_name(" Silva,  Ána ") == "ana silva"
    index = PersonIndex.build([("Silva, Ana", "ana.silva@x.com")], {"A. Silva": "Ana Silva", "bob@x.com": "Bob Lee"})
    assert index.canonical("ANA SILVA") == "Ana Silva"
    assert index.canonical(None, "Ana.Silva@X.com") == "Ana Silva"
    assert index.canonical("ana.silva@x.com") == "Ana Silva"
    assert index.canonical("a. silva") == "Ana Silva"
    assert index.canonical("Bob", "bob@x.com") == "Bob Lee"
    view = run(
        alloc(
            row("A", "Silva, Ana", day(0), day(4), 60, email="ana.silva@x.com"),
            row("B", "ana silva", day(0), day(4), 60),
        ),
        weeks=1,
    )
    assert view.people["person"].tolist() == ["Ana Silva"] and view.overallocated["load_hours"].tolist() == [48.0]


def test_split_resource_names():
    assert split_resource_names("Ana Silva,Ben Carter[50%]; Cy[12,5%]") == [
        ("Ana Silva", 100.0),
        ("Ben Carter", 50.0),
        ("Cy", 12.5),
    ]


def test_weeks_are_iso_mondays():
    assert weeks_from(dt.date(2026, 3, 8), 2) == (dt.date(2026, 3, 2), dt.date(2026, 3, 9))


def test_jira_load_open_items_in_active_sprint():
    issues = pd.DataFrame(
        {
            "project_id": ["J"] * 4,
            "issue_key": ["J-1", "J-2", "J-3", "J-4"],
            "status_category": ["In Progress", "Done", "To Do", "To Do"],
            "assignee": ["ana", "ana", "Ana", "Ben"],
            "story_points": [3.0, 5.0, 2.0, 8.0],
            "remaining_estimate_hours": [4.0, 0.0, 6.0, 1.0],
            "sprint": ["S 10", "S 10", "S 10", "S 9"],
        }
    )
    calendar = pd.DataFrame(columns=["project_id", "sprint", "start", "finish"])
    out = jira_load(issues, pd.DataFrame(), calendar, MON)
    assert out[["person", "sprint", "open_items", "points", "remaining_hours"]].values.tolist() == [
        ["Ana", "S 10", 2, 5.0, 10.0]
    ]
    calendar = pd.DataFrame([{"project_id": "J", "sprint": "S 9", "start": day(-3), "finish": day(4)}])
    assert jira_load(issues, pd.DataFrame(), calendar, MON)["person"].tolist() == ["Ben"]


def _stored(store: Store) -> None:
    frame = alloc(row("P1", "Ana", day(0), day(11), 80), row("P2", "Ana", day(0), day(11), 40))
    store.write_upload(
        source="resources",
        fmt="allocation sheet",
        file_name="a.xlsx",
        sha256="x",
        project_id=None,
        as_of=MON,
        tables={"allocations": frame},
        problems=pd.DataFrame(),
        rows_loaded=2,
        rows_rejected=0,
    )


def test_report_and_cli_json_shape(store, capsys):
    _stored(store)
    data = report(store, as_of=MON, weeks=2)
    assert data["weeks"] == [MON, day(7)]
    assert [(p["resource"], p["week"], p["load_hours"]) for p in data["people"]] == [
        ("Ana", MON, 48.0),
        ("Ana", day(7), 48.0),
    ]
    assert main(["capacity", "--db", store.path, "--as-of", MON.isoformat(), "--weeks", "2", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert {"as_of", "weeks", "people", "overallocated"} <= out.keys()
    assert set(out["people"][0]) >= {
        "resource",
        "team",
        "week",
        "load_hours",
        "capacity_hours",
        "utilisation",
        "projects",
    }
    assert out["overallocated"][0] == {
        "resource": "Ana",
        "week": "2026-03-02",
        "load_hours": 48.0,
        "capacity_hours": 40.0,
        "utilisation": 1.2,
        "projects": {"P1": 32.0, "P2": 16.0},
    }
    assert out["weeks"] == ["2026-03-02", "2026-03-09"]


def test_threshold_setting_and_empty_store(store, capsys):
    with pytest.raises(MetricsError):
        report(store, as_of=MON)
    assert main(["capacity", "--db", store.path, "--json"]) == 1
    assert "nothing is stored" in capsys.readouterr().err
    _stored(store)
    store.save_settings({"capacity_overallocation_threshold": 1.25})
    assert report(store, as_of=MON, weeks=1)["overallocated"] == []


@pytest.mark.real_exports
def test_export_wizard_fixture_hand_counted_week(real_exports, store):
    """Fixture 01: in the week of 16 May 2011 tasks 10 'Define to-be end-to-end business process'
    and 11 'Define Acceptance Criteria for end to end' run in parallel (15–18 May: Mon–Wed are 3
    working days) with 24 h of work each for EY Cargo, EY IT, Sabre OR and Sabre SME: 8 + 8 h a
    day, 48 h in the week against 40 h (max units 100 %) -> exactly these four are over."""
    from loaders.ingest import ingest_bytes

    path = next((real_exports / "resources").glob("01_*"))
    week = dt.date(2011, 5, 16)
    assert ingest_bytes(store, path.read_bytes(), path.name, as_of=dt.date(2011, 2, 1)).status == "stored"
    view = report(store, as_of=week, weeks=1)
    over = {(o["resource"], o["load_hours"], o["capacity_hours"]) for o in view["overallocated"]}
    assert over == {(p, 48.0, 40.0) for p in ("EY Cargo", "EY IT", "Sabre OR", "Sabre SME")}
    # the plan loader cannot date assignments whose task name repeats: counted, not dropped
    assert view["undated_bookings"] == 22
    # the same workbook read as people data (task names told apart by position) replaces the plan's
    # assignments for that project instead of adding to them, and dates every assignment
    again = ingest_bytes(store, path.read_bytes(), path.name, as_of=dt.date(2011, 2, 1), source="resources")
    assert again.status == "stored" and again.rows_loaded == 310 + 39
    view = report(store, as_of=week, weeks=1)
    assert {(o["resource"], o["load_hours"]) for o in view["overallocated"]} == {
        (p, 48.0) for p in ("EY Cargo", "EY IT", "Sabre OR", "Sabre SME")
    }
    assert view["undated_bookings"] == 0


def test_demo_people_files_hand_count(tmp_path):
    """The demo's allocation sheet: Priya Raman 80 % + 20 % = exactly 40 h of her 40 h plan in
    every week, never flagged; Marco Rossi 60 % + 50 % = 44 h in the seven weeks both run."""
    from data.people import people_files
    from loaders.ingest import ingest_path

    store = Store(tmp_path / "demo.duckdb")
    anchor = dt.date(2026, 11, 20)
    for path, _ in people_files(tmp_path, anchor):
        assert ingest_path(store, path).status == "stored"
    view = report(store, as_of=anchor, weeks=12)
    priya = [p for p in view["people"] if p["resource"] == "Priya Raman"]
    assert {(p["load_hours"], p["capacity_hours"], p["utilisation"], p["overallocated"]) for p in priya} == {
        (40.0, 40.0, 1.0, False)
    }
    marco = [(o["week"], o["load_hours"]) for o in view["overallocated"] if o["resource"] == "Marco Rossi"]
    assert marco == [(dt.date(2026, 11, 30) + dt.timedelta(weeks=i), 44.0) for i in range(7)]
    assert {o["resource"] for o in view["overallocated"]} == {"Marco Rossi"}


def test_plan_calendar_sets_capacity_and_units_load():
    """A plan whose calendar has 35 h weeks: max units 100 % gives 35 h of capacity, and a
    Resource Names booking at 50 % books 0.5 × 7 h a working day."""
    plan = pd.DataFrame(
        [
            {
                "project_id": "X",
                "task_uid": 1,
                "task_name": "Run",
                "resource_names": "Dee[50%]",
                "start": day(0),
                "finish": day(4),
                "hours_per_week": 35.0,
            }
        ],
        columns=PLAN_COLS,
    )
    resources = pd.DataFrame(
        [{"project_id": "X", "name": "Dee", "type": "Work", "max_units": 100.0, "hours_per_week": 35.0}],
        columns=RES_COLS,
    )
    c = cell(run(plan=plan, resources=resources, weeks=1), "Dee", MON)
    assert (c.load_hours, c.capacity_hours, c.utilisation, c.basis) == (17.5, 35.0, 0.5, "max units 100 % × 35 h")
