"""AppTest of app_pages/risks.py on two snapshots of a small risk register."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from builders import rerun_afresh, write_rows
from streamlit.testing.v1 import AppTest

import store as store_module
from loaders.ingest import ingest_bytes
from store import Store

PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "risks.py"
HEADER = "Risk ID,Type,Title,Category,Probability,Impact,Cost impact (USD),Owner,Status,Due date,Mitigation\n"
FIRST = HEADER + (
    "R1,Risk,SAP interface not ready,Technical,3,4,100000,Ana,Open,2026-12-31,Stub it\n"
    "R2,Risk,Vendor staffing low,Vendor,2,2,20000,Ben,Open,2026-12-31,Review\n"
)
SECOND = HEADER + (
    "R1,Risk,SAP interface not ready,Technical,4,5,100000,Ana,Open,2026-12-31,Stub it\n"
    "R2,Risk,Vendor staffing low,Vendor,2,2,20000,Ben,Closed,2026-12-31,Review\n"
    "R3,Issue,Test environment down,Technical,,3,50000,Cy,Open,2026-11-01,Second environment\n"
    "O1,Opportunity,Group licence,Commercial,3,3,-30000,Di,Open,2027-01-31,Ask procurement\n"
)


@pytest.fixture(autouse=True)
def fresh_cache():
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Store:
    path = tmp_path / "risks.duckdb"
    store = Store(path)
    for text, day in ((FIRST, dt.date(2026, 10, 23)), (SECOND, dt.date(2026, 11, 20))):
        report = ingest_bytes(store, text.encode(), "apollo.csv", project_id="APOLLO", as_of=day)
        assert report.status == "stored", report.message
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    return store


def run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_page_answers_what_to_escalate_this_week(db):
    at = run(AppTest.from_file(str(PAGE), default_timeout=60))
    assert at.title[0].value == "Risks & issues"
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Escalate this week"] == "2"  # R1 at 20, R3 overdue
    assert tiles["Score ≥ 20"] == "1"  # R1 = 4 × 5; the issue R3 is 5 × 3 = 15
    escalations = at.dataframe[0].value
    assert list(escalations["ID"]) == ["R1", "R3"]
    assert escalations["Why escalate"].iloc[1] == "Due 2026-11-01, 19 days ago, and still open."
    assert tiles["Open risks & issues"] == "2" and tiles["Overdue"] == "1"
    assert tiles["Threat exposure USD"] == "110k"  # 60 % × 100,000 + 100 % × 50,000; the opportunity never added
    specs = [c.proto.spec for c in at.get("vega_lite_chart")]
    assert any('"Open risks by probability and impact"' in s for s in specs)
    assert any('"Threat exposure over time"' in s for s in specs)
    top = at.dataframe[1].value
    assert list(top["ID"]) == ["R1", "R3"] and list(top["Owner"]) == ["Ana", "Cy"]
    by_project = at.dataframe[2].value
    assert by_project["Project"].tolist() == ["APOLLO"] and by_project["Escalate"].tolist() == [2]
    register = at.dataframe[3].value
    assert dict(zip(register["ID"], register["Trend"], strict=True)) == {
        "R1": "up",
        "R2": "closed",
        "R3": "new",
        "O1": "new",
    }
    assert at.get("download_button")


def test_kind_filter_narrows_the_register(db):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["risk_kinds"] = ["issue"]
    run(at)
    assert {m.label: m.value for m in at.metric}["Escalate this week"] == "1"
    assert list(at.dataframe[0].value["ID"]) == ["R3"]


def test_threshold_is_configurable(db):
    at = AppTest.from_file(str(PAGE), default_timeout=60)
    at.session_state["risk_threshold"] = 15.0
    run(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Score ≥ 15"] == "2"


def test_empty_database_says_what_to_upload(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Store(path).schema_version()
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    at = run(AppTest.from_file(str(PAGE), default_timeout=60))
    assert "No risk register" in at.info[0].value


def test_the_page_recomputes_only_when_what_it_reads_changes(db, monkeypatch):
    """Cached by the RAID logs and work items in scope: a plan snapshot stored meanwhile leaves
    it cached; a new RAID log recomputes it."""
    from metrics import risk

    calls = []
    real = risk.view
    monkeypatch.setattr(risk, "view", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run(AppTest.from_file(str(PAGE), default_timeout=60))
    assert len(calls) == 1
    plan = [{"task_uid": 1, "name": "Build"}]
    write_rows(db, "msproject", "tasks", plan, project_id="APOLLO", as_of=dt.date(2026, 11, 13), sha="plan")
    rerun_afresh(at)
    assert len(calls) == 1  # nothing the page reads changed
    report = ingest_bytes(db, FIRST.encode(), "apollo.csv", project_id="APOLLO", as_of=dt.date(2026, 11, 13))
    assert report.status == "stored", report.message
    rerun_afresh(at)
    assert len(calls) == 2
