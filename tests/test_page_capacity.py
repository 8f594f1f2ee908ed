"""AppTest of app_pages/capacity.py on a small store: one person at 80 % + 20 % (not flagged), one
at 60 % + 60 % (over in the weeks both run), an open role, and a part-time capacity plan."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import xlsxwriter
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store as store_module
from exports import to_excel
from loaders.ingest import ingest_bytes
from metrics import capacity
from store import Store

PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "capacity.py"
ALLOCATIONS = [
    ["Name", "Email", "Role", "Project", "Start", "End", "Allocation %"],
    ["Ana Silva", "ana@x.com", "Analyst", "P1", "2026-03-02", "2026-03-27", 80],
    ["Silva, Ana", "", "Analyst", "P2", "2026-03-02", "2026-03-27", 20],
    ["Ben Carter", "", "Developer", "P1", "2026-03-02", "2026-03-27", 60],
    ["Ben Carter", "", "Developer", "P2", "2026-03-09", "2026-03-13", 60],
    ["", "", "Developer", "P2", "2026-03-02", "2026-03-06", 50],
]
CAPACITY = [["Person", "Week", "Capacity hours"], ["Cleo Park", "2026-03-02", 20]]


@pytest.fixture(autouse=True)
def fresh_cache():
    import streamlit as st

    st.cache_data.clear()


def _xlsx(rows) -> bytes:
    out = io.BytesIO()
    with xlsxwriter.Workbook(out) as wb:
        ws = wb.add_worksheet()
        for r, row in enumerate(rows):
            ws.write_row(r, 0, row)
    return out.getvalue()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "capacity.duckdb"
    store = Store(path)
    assert ingest_bytes(store, _xlsx(ALLOCATIONS), "alloc_2026-03-02.xlsx").status == "stored"
    assert ingest_bytes(store, _xlsx(CAPACITY), "capacity_2026-03-02.xlsx").status == "stored"
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    return path


def run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_page_shows_who_is_over_and_why(db):
    at = run(AppTest.from_file(str(PAGE)))
    at.number_input(key="cap_weeks").set_value(4)
    run(at)
    tiles = {m.label: m.value for m in at.metric}
    assert tiles == {
        "People": "3",
        "Over-allocated people": "1",
        "Over-allocated person-weeks": "1",
        "Unstaffed demand": "20 h",
    }
    over = at.dataframe[0].value
    assert over["Person"].tolist() == ["Ben Carter"]  # Ana at 80 % + 20 % = exactly 100 % is not listed
    assert over["Load (h)"].tolist() == [48.0] and over["Utilisation"].tolist() == [1.2]
    assert over["Projects causing it"].tolist() == ["P1 24 h, P2 24 h"]
    assert at.selectbox(key="cap_person").value == "Ben Carter"  # the drill-down opens on the first one over
    drill = at.dataframe[3].value
    assert drill["Project"].tolist() == ["P1", "P2"] and drill["Hours in window"].tolist() == [96.0, 24.0]


def test_threshold_changes_the_list(db):
    at = run(AppTest.from_file(str(PAGE)))
    at.number_input(key="cap_weeks").set_value(4)
    at.number_input(key="cap_threshold").set_value(125)
    run(at)
    assert any(s.value.startswith("Nobody is booked above 125%") for s in at.success)
    roles = at.dataframe[0].value.set_index("Role / team")  # demand vs capacity by role, summed over 4 weeks
    assert roles.loc["Analyst", "Utilisation"] == 1.0
    # Ben 96 h (P1) + 24 h (P2) + the open Developer role 20 h, against Ben's 4 × 40 h
    assert roles.loc["Developer", ["Demand (h)", "Unstaffed (h)", "Capacity (h)"]].tolist() == [140.0, 20.0, 160.0]


def test_alias_editor_saves_person_aliases(db):
    store = Store(db)
    store.save_aliases("person", {"ben carter": "Benjamin Carter"})
    at = run(AppTest.from_file(str(PAGE)))
    at.number_input(key="cap_weeks").set_value(4)
    run(at)
    assert at.dataframe[0].value["Person"].tolist() == ["Benjamin Carter"]  # the alias list renames him everywhere
    at.button(key="cap_save_aliases").click()
    run(at)
    assert store.aliases("person") == {"ben carter": "Benjamin Carter"}  # saving the unchanged editor keeps it


def test_empty_store_says_what_to_upload(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Store(path).schema_version()
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    at = run(AppTest.from_file(str(PAGE)))
    assert "Uploads & problems" in at.info[0].value and not at.metric


def test_export_workbook_sheets(db):
    view = capacity.load(Store(db), weeks=4)
    wb = load_workbook(io.BytesIO(to_excel(capacity.export_frames(view, capacity.load_jira(Store(db), view.as_of)))))
    assert wb.sheetnames[:3] == ["People by week", "Over-allocated", "By role"]
    assert wb["Over-allocated"]["A2"].value == "Ben Carter"


def test_the_page_recomputes_only_when_what_it_reads_changes(db, monkeypatch):
    """Cached by the people files, plans and work items on or before the date and the sprint
    calendars: a RAID log stored meanwhile leaves it cached; a new allocation sheet recomputes it."""
    import datetime as dt

    from builders import rerun_afresh, write_rows

    calls = []
    real = capacity.load
    monkeypatch.setattr(capacity, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run(AppTest.from_file(str(PAGE)))
    assert len(calls) == 1
    store = Store(db)
    risk = [{"risk_id": "R1", "title": "Late"}]
    write_rows(store, "risk", "risks", risk, project_id="P1", as_of=dt.date(2026, 3, 2), sha="raid")
    rerun_afresh(at)
    assert len(calls) == 1  # nothing the page reads changed
    moved = [*ALLOCATIONS[:2], ["Ana Silva", "ana@x.com", "Analyst", "P1", "2026-03-02", "2026-03-27", 90]]
    assert ingest_bytes(store, _xlsx(moved), "alloc_2026-03-02b.xlsx").status == "stored"
    rerun_afresh(at)
    assert len(calls) == 2
