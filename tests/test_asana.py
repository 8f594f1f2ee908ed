"""Asana's CSV export: both layouts, the real (Excel-mangled) fixture, and delivery metrics."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest
from conftest import ROOT

from loaders import asana
from loaders.base import Sample
from loaders.ingest import ingest_bytes, parse_file
from metrics import delivery, due_dates

HEADER = (
    "Task ID,Created At,Completed At,Last Modified,Name,Section/Column,Assignee,Assignee Email,Start Date,"
    "Due Date,Tags,Notes,Projects,Parent task,Blocked By (Dependencies),Blocking (Dependencies),Story Points,Team\n"
)


def export(rows: list[str]) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


CURRENT = export(
    [
        "1204000000000001,2026-10-01,2026-10-05,2026-10-05,Design API,Done,Ana,ana@x.com,2026-10-01,2026-10-04,api,"
        '"Two lines\nof notes",Payments,,,1204000000000002,3,Core',
        '"1204000000000002",2026-10-02,,2026-10-20,Build API,Doing,Ben,ben@x.com,,2026-10-15,,,"Payments, Platform",,'
        "1204000000000001,,5,Core",
        "1204000000000003,2026-10-03,,2026-10-21,Write tests,To do,,,,2026-12-01,,,Payments,Build API,,,,Core",
        "1204000000000004,2026-10-03,,2026-10-21,Orphan subtask,,Ana,,,,,,Payments,No such task,,,,Core",
    ]
)


def test_current_layout_reads_sections_custom_fields_multiline_notes_and_parents():
    parsed = parse_file(CURRENT, "Payments.csv")
    assert parsed.source == "asana" and parsed.rows_loaded == 4
    issues = parsed.tables["issues"].set_index("issue_key")
    assert issues.loc["1204000000000002", "status"] == "Doing"
    assert issues.loc["1204000000000002", "status_category"] == "In Progress"
    assert issues.loc["1204000000000001", "status_category"] == "Done"
    assert issues.loc["1204000000000003", "status_category"] == "To Do"
    assert issues.story_points.iloc[:2].tolist() == [3.0, 5.0] and issues.story_points.iloc[2:].isna().all()
    assert issues.loc["1204000000000003", "parent_key"] == "1204000000000002"
    assert pd.isna(issues.loc["1204000000000004", "parent_key"])
    extra = json.loads(issues.loc["1204000000000001", "extra"])
    assert extra["notes"] == "Two lines\nof notes" and extra["Team"] == "Core"
    assert json.loads(issues.loc["1204000000000002", "extra"])["projects"] == ["Payments", "Platform"]
    assert parsed.project_name == "Payments" and parsed.as_of == dt.date(2026, 10, 21)
    messages = " ".join(p.message for p in parsed.problems)
    assert "2 subtasks name their parent by name: 1 resolved, 1 not" in messages


def test_the_real_excel_resaved_legacy_export(real_exports):
    path = real_exports / "asana" / "03_legacy-2016_excel-resaved_sci-notation-ids_mdyy_no-section-col.csv"
    data = path.read_bytes()
    assert asana.sniff(Sample(data, path.name))
    parsed = parse_file(data, path.name)
    issues = parsed.tables["issues"]
    # 34 rows: 12 repeat a task for another assignee, so 22 tasks; all completed; 11 subtasks
    assert len(issues) == 22 and parsed.rows_rejected == 0
    assert (issues.status_category == "Done").all()
    assert int(issues.is_subtask.sum()) == 11 and issues.parent_key.notna().sum() == 11
    assert issues.created.min() == pd.Timestamp("2016-02-02")  # M/D/YY
    meet = issues[issues.summary == "Meet Tuesday @4pm"].assignee.iloc[0]
    assert meet.split(", ") == ["dengyuanpei@gmail.com", "Chuck Sui", "Steve Chen", "Diana Zhang", "Hao Wang"]
    warning = next(p for p in parsed.problems if p.severity == "warning" and "Excel" in p.message)
    assert "cannot be matched reliably between snapshots" in warning.message


def test_an_asana_project_gets_delivery_metrics_like_a_jira_team(store):
    early = export(
        [
            "1,2026-09-01,2026-09-08,2026-09-08,A,Done,Ana,,,2026-09-10,,,Payments,,,,,",
            "2,2026-09-01,,2026-09-20,B,Doing,Ben,,,2026-10-01,,,Payments,,,,,",
            "3,2026-09-02,,2026-09-20,C,To do,,,,2026-10-05,,,Payments,,,,,",
        ]
    )
    later = export(
        [
            "1,2026-09-01,2026-09-08,2026-09-08,A,Done,Ana,,,2026-09-10,,,Payments,,,,,",
            "2,2026-09-01,2026-10-06,2026-10-06,B,Done,Ben,,,2026-10-01,,,Payments,,,,,",
            "3,2026-09-02,,2026-10-08,C,Doing,,,,2026-10-20,,,Payments,,,,,",
            "4,2026-10-01,,2026-10-08,D,To do,,,,2026-10-07,,,Payments,,,,,",
        ]
    )
    for data, day in ((early, dt.date(2026, 9, 20)), (later, dt.date(2026, 10, 9))):
        report = ingest_bytes(store, data, "Payments.csv", project_id="PAY", as_of=day)
        assert report.status == "stored", report.message
    assert delivery.jira_projects(store) == ["PAY"]
    out = delivery.report(store, "PAY")
    assert out["forecast"]["remaining_issues"] == 2
    assert sum(w["issues"] for w in out["throughput"]) == 2
    d = delivery.dashboard(store, "PAY")
    late = due_dates.overdue(d.items, d.measured_as_of)
    assert late[["issue_key", "days_overdue"]].values.tolist() == [["4", 2]]
    moved = due_dates.slips(d.history)
    assert moved[["issue_key", "slip_days", "moves"]].values.tolist() == [["3", 15, 1]]
    assert due_dates.open_by_status(d.items).values.tolist() == [["Doing", 1], ["To do", 1]]


def test_delivery_page_shows_an_asana_project(store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    import store as store_module

    assert ingest_bytes(store, CURRENT, "Payments.csv", project_id="PAY", as_of=dt.date(2026, 10, 21)).ok
    monkeypatch.setenv("PMO_DB", store.path)
    monkeypatch.setattr(store_module, "DEFAULT_DB", store.path)
    at = AppTest.from_file(str(ROOT / "app_pages" / "delivery.py"), default_timeout=60).run()
    assert not at.exception
    labels = {m.label: m.value for m in at.metric}
    assert labels["Overdue"] == "1"  # Build API was due 15 Oct and is still in progress


@pytest.mark.parametrize("cell", ["7.18656E+14", "1.2E+15"])
def test_excel_destroyed_ids_are_recognised(cell):
    assert asana.EXCEL_NUMBER.match(cell)
