"""AppTest of app_pages/project.py against a store built here (three snapshots of one plan)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from builders import point_app_at, rerun_afresh, run, write_rows
from streamlit.testing.v1 import AppTest

from metrics import evm
from metrics.calendar import nth_working_day

MONDAY = dt.date(2026, 1, 5)
PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "project.py"


def day(k: int) -> dt.date:
    return nth_working_day(MONDAY, k)


def ts(k: int, hour: int = 8) -> pd.Timestamp:
    return pd.Timestamp(day(k)) + pd.Timedelta(hours=hour)


def plan_rows(week: int) -> pd.DataFrame:
    """A two-phase plan (summary rows included) of 10 working days; progress grows per snapshot."""
    rows = [
        dict(
            task_uid=1,
            task_id=1,
            wbs="1",
            name="Design",
            outline_level=1,
            is_summary=True,
            is_milestone=False,
            baseline_start=ts(1),
            baseline_finish=ts(5, 17),
            baseline_cost=99_999.0,
            percent_complete=10.0,
            actual_cost=1.0,
        ),
        dict(
            task_uid=2,
            task_id=2,
            wbs="1.1",
            name="Specs",
            outline_level=2,
            is_summary=False,
            is_milestone=False,
            baseline_start=ts(1),
            baseline_finish=ts(5, 17),
            baseline_cost=5_000.0,
            percent_complete=min(100.0, 30.0 * week),
            actual_cost=1_800.0 * week,
        ),
        dict(
            task_uid=3,
            task_id=3,
            wbs="1.2",
            name="Design approved",
            outline_level=2,
            is_summary=False,
            is_milestone=True,
            baseline_start=ts(5, 17),
            baseline_finish=ts(5, 17),
            baseline_cost=0.0,
            baseline_duration_hours=0.0,
            percent_complete=0.0,
            actual_cost=0.0,
        ),
        dict(
            task_uid=4,
            task_id=4,
            wbs="2",
            name="Build",
            outline_level=1,
            is_summary=True,
            is_milestone=False,
            baseline_start=ts(6),
            baseline_finish=ts(10, 17),
            baseline_cost=5_000.0,
            percent_complete=0.0,
            actual_cost=0.0,
        ),
        dict(
            task_uid=5,
            task_id=5,
            wbs="2.1",
            name="Code",
            outline_level=2,
            is_summary=False,
            is_milestone=False,
            baseline_start=ts(6),
            baseline_finish=ts(10, 17),
            baseline_cost=5_000.0,
            percent_complete=10.0 * max(week - 2, 0),
            actual_cost=600.0 * max(week - 2, 0),
        ),
    ]
    frame = pd.DataFrame(rows)
    frame["start"] = frame["baseline_start"]
    frame["finish"] = frame["baseline_finish"] + pd.Timedelta(days=week - 1)  # slipping a day per snapshot
    frame["row_number"] = np.arange(2, len(frame) + 2)
    frame["bcws"] = np.where(frame["is_summary"], np.nan, 0.0)
    return frame


def write_plan(store, project_id: str, as_of: dt.date, tasks: pd.DataFrame) -> None:
    tasks = tasks.assign(project_id=project_id)
    store.write_upload(
        source="msproject",
        fmt="test",
        file_name=f"{project_id}-{as_of}.csv",
        sha256=hashlib.sha256(f"{project_id}{as_of}".encode()).hexdigest(),
        project_id=project_id,
        as_of=as_of,
        tables={"tasks": tasks, "projects": pd.DataFrame([{"project_id": project_id, "name": "Customer portal"}])},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=len(tasks),
        rows_rejected=0,
    )


@pytest.fixture
def app_db(tmp_path, monkeypatch):
    db = point_app_at(monkeypatch, tmp_path / "page.duckdb")
    for week in (1, 2, 3):
        write_plan(db, "portal", day(week * 2), plan_rows(week))
    bare = plan_rows(1).assign(baseline_start=pd.NaT, baseline_finish=pd.NaT, baseline_cost=np.nan)
    write_plan(db, "nobase", day(2), bare)
    return db


def test_project_page_shows_evm_tiles_charts_and_tables(app_db):
    at = run(AppTest.from_file(str(PAGE)))
    assert at.selectbox(key="project").value == "nobase"
    at.selectbox(key="project").set_value("portal")
    at = run(at)
    expected = evm.report(app_db, "portal")
    tiles = {m.label: m for m in at.metric}
    assert set(tiles) == {"BAC", "PV", "EV", "AC", "CPI", "SPI", "SPI(t)", "EAC (BAC/CPI)", "VAC", "Forecast finish"}
    assert expected["bac"] == 10_000  # summary rows (99,999) never count
    assert tiles["BAC"].value == "10k"
    assert tiles["CPI"].value == f"{expected['cpi']:.2f}"
    assert tiles["SPI(t)"].value == f"{expected['spi_t']:.2f}"
    # the default compare-with date (a week before day(6)) precedes every snapshot: said, no delta
    assert not tiles["EV"].delta
    assert (
        f"Compared with {day(6) - dt.timedelta(days=7):%d %b %Y}: no plan snapshot of this project"
        in at.caption[0].value
    )
    assert "EV ÷ AC" in tiles["CPI"].proto.help
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4  # S-curve, index trend, WBS variance, milestone trend
    late = at.dataframe[-1].value
    assert "Design approved" in list(late["task"])


def test_project_without_baseline_names_the_columns_to_add(app_db):
    at = run(AppTest.from_file(str(PAGE)))
    warning = " ".join(w.value for w in at.warning)
    assert "Baseline_Start" in warning and "Baseline_Finish" in warning and "Baseline_Cost" in warning
    assert {m.label: m.value for m in at.metric}["CPI"] == "—"


def test_project_page_without_plans(tmp_path, monkeypatch):
    point_app_at(monkeypatch, tmp_path / "empty.duckdb").schema_version()
    at = run(AppTest.from_file(str(PAGE)))
    assert "No MS Project plan" in at.info[0].value


def test_register_text_is_never_rendered_as_markdown(app_db):
    from loaders.ingest import ingest_bytes

    register = b'project_id,name,program,currency\nportal,Portal,Digital,"[x](https://evil.example)"\n'
    assert ingest_bytes(app_db, register, "register.csv").status == "stored"
    at = run(AppTest.from_file(str(PAGE)))
    at.selectbox(key="project").set_value("portal")
    at = run(at)
    labels = [m.label for m in at.metric]
    assert any("evil" in label for label in labels), labels
    assert all("[x](https://evil.example)" not in label for label in labels)


def test_plan_without_percent_complete_says_so_instead_of_cpi_zero(app_db):
    import streamlit as st

    st.cache_data.clear()  # other tests' databases share the data version
    write_plan(app_db, "nopct", day(2), plan_rows(1).drop(columns=["percent_complete"]))
    at = run(AppTest.from_file(str(PAGE)))
    at.selectbox(key="project").set_value("nopct")
    at = run(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["CPI"] == "—" and tiles["EV"] == "—" and tiles["BAC"] != "—"
    assert any("no % Complete column" in w.value for w in at.warning)


def test_project_export_holds_every_table_as_excel(tmp_path):
    import io

    import openpyxl

    from metrics import evm

    view = {
        "current": {"bac": 100.0, "cpi": 0.9, "status_date": __import__("datetime").date(2026, 1, 9)},
        "history": pd.DataFrame({"snapshot_as_of": [pd.Timestamp("2026-01-09")], "cpi": [0.9]}),
        "wbs": pd.DataFrame({"wbs": ["1"], "cv": [-10.0]}),
        "milestones": pd.DataFrame({"name": ["=cmd|' /C calc'!A0"]}),
        "late": pd.DataFrame(),
    }
    from exports import to_excel

    book = openpyxl.load_workbook(io.BytesIO(to_excel(evm.export_tables(view))))
    assert book.sheetnames == ["Summary", "History", "WBS variance", "Milestones", "Late tasks"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["bac"] == 100 and summary["status_date"] == "2026-01-09"
    cell = book["Milestones"]["A2"]
    assert cell.value == "=cmd|' /C calc'!A0" and cell.data_type == "s"


def test_compare_with_a_date_shows_the_change_since_the_plan_snapshot_then(app_db):
    at = AppTest.from_file(str(PAGE))
    at.session_state["project"] = "portal"
    at.session_state["compare_with"] = day(5)  # the snapshot on or before it is day(4)'s
    at = run(at)
    tiles = {m.label: m for m in at.metric}
    then = evm.report(app_db, "portal", day(4))
    now = evm.report(app_db, "portal", day(6))
    assert now["ev"] - then["ev"] == 2_000  # EV at day(6) − EV at day(4), not at day(2)
    assert tiles["EV"].delta == "+2k"
    caption = at.caption[0].value
    assert f"Change shown since {day(5):%d %b %Y}" in caption
    assert f"plan snapshot of {day(4):%d %b %Y} against that of {day(6):%d %b %Y}" in caption
    assert any("What changed since" in e.label for e in at.expander)
    # the same date as the as-of date cannot be compared: a caption, never a traceback
    at.session_state["compare_with"] = day(6)
    at = run(at)
    assert "is not before the as-of date" in at.caption[0].value
    assert not any(m.delta for m in at.metric)


def test_the_page_recomputes_only_when_the_projects_plans_change(app_db, monkeypatch):
    """The EVM view is cached by the plan uploads it reads: another project's plan or another
    source's upload leaves it cached; a new plan snapshot of this project recomputes it."""
    import streamlit as st

    st.cache_data.clear()
    calls = []
    real = evm.project_view
    monkeypatch.setattr(
        evm, "project_view", lambda store, pid, as_of=None: calls.append(pid) or real(store, pid, as_of)
    )
    at = run(AppTest.from_file(str(PAGE)))
    shown, project = len(calls), calls[0]
    other = "portal" if project == "nobase" else "nobase"
    write_plan(app_db, other, day(3), plan_rows(1))  # another project's plan, before the as-of date
    write_rows(
        app_db, "jira", "issues", [{"issue_key": "P-1", "summary": "x"}], project_id=project, as_of=day(3), sha="jira"
    )
    rerun_afresh(at)  # as app.py runs it: the sidebar's versions read afresh
    assert len(calls) == shown  # nothing the view reads changed
    write_plan(app_db, project, day(5), plan_rows(2))  # a new snapshot of this project's plan
    rerun_afresh(at)
    assert len(calls) > shown and not at.exception
