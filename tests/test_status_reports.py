"""PM status reports: validation, storage as dated snapshots, spreadsheet import, the page."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import store as store_module
from loaders.base import Refused
from loaders.status_reports import parse
from metrics.status import StatusReport, latest, rag_history

WEEK = dt.date(2026, 11, 20)


def test_a_rag_that_differs_from_the_computed_health_needs_a_reason():
    report = StatusReport("P1", WEEK, "green", summary="All fine", computed_status="red")
    assert report.problems() == ["the RAG green differs from the computed health red: say why in the reason."]
    assert (
        StatusReport(
            "P1", WEEK, "green", summary="x", rag_reason="Vendor credit agreed", computed_status="red"
        ).problems()
        == []
    )
    assert StatusReport("P1", WEEK, "red", summary="x", computed_status="red").problems() == []
    assert StatusReport("P1", WEEK, "green", summary="x", computed_status=None).problems() == []
    assert "one of green, amber, red" in StatusReport("P1", WEEK, "purple", summary="x").problems()[0]
    assert StatusReport("P1", WEEK, "red", summary=" ").problems() == ["the summary is empty."]


def test_reports_are_dated_snapshots_and_the_latest_written_wins(store):
    store.save_status_reports([StatusReport("P1", WEEK, "amber", summary="first").row()])
    store.save_status_reports([StatusReport("P1", WEEK, "red", summary="second").row()])
    store.save_status_reports([StatusReport("P1", WEEK - dt.timedelta(days=7), "green", summary="before").row()])
    rows = store.status_reports(["P1"])
    assert list(rows.summary) == ["before", "second"]
    assert latest(rows, WEEK - dt.timedelta(days=1)).summary.tolist() == ["before"]
    assert store.status_reports(until=WEEK - dt.timedelta(days=1)).summary.tolist() == ["before"]


def test_history_shows_both_rags_week_by_week(store):
    store.save_status_reports(
        [StatusReport("P1", WEEK, "green", summary="s", rag_reason="r", computed_status="red").row()]
    )
    frame = rag_history(store.status_reports())
    assert frame[["who", "status"]].values.tolist() == [["Computed", "red"], ["PM", "green"]]


CSV = """Weekly status export,,,,,,
Project,Week ending,RAG,Reason,Summary,Next steps,Decisions or help needed
P1,2026-11-20,Green,,On track,Cut over,
P2,20/11/2026,R,,Vendor late,Escalate,Need a decision on scope
P3,,A,,No date,,
,2026-11-20,G,,No project,,
P4,2026-11-20,Green,,Computed is red,,
"""


def test_import_reads_aliases_and_reports_every_row_it_refuses():
    rows, problems = parse(CSV.encode(), "status.csv", {"P4": "red"})
    assert rows[["project_id", "rag"]].values.tolist() == [["P1", "green"], ["P2", "red"]]
    assert rows.asks.iloc[1] == "Need a decision on scope"
    assert [(p.row_number, p.severity) for p in problems] == [(5, "error"), (6, "error"), (7, "error")]
    assert "differs from the computed health red" in problems[2].message


def test_import_refuses_a_sheet_without_the_columns_and_names_them():
    with pytest.raises(Refused, match="no header row with project, RAG and summary"):
        parse(b"a,b\n1,2\n", "x.csv")


@pytest.fixture
def page_db(store, monkeypatch):
    from loaders.ingest import ingest_bytes

    register = "project_id,name,program,manager,currency\nP1,Billing,Digital,pm@example.com,USD\n"
    assert ingest_bytes(store, register.encode(), "register.csv", as_of=WEEK).ok
    monkeypatch.setenv("PMO_DB", store.path)
    monkeypatch.setattr(store_module, "DEFAULT_DB", store.path)
    return store


def test_page_saves_a_report_and_refuses_one_without_a_reason(page_db):
    at = AppTest.from_file(str(ROOT / "app_pages" / "status.py"), default_timeout=30).run()
    assert not at.exception
    at.text_area[0].input("Design signed off")
    at.button[0].click().run()
    assert not at.exception
    assert any("Saved the report for P1" in s.value for s in at.success)
    stored = page_db.status_reports(["P1"])
    assert stored.summary.tolist() == ["Design signed off"]
    assert at.get("vega_lite_chart"), "the RAG history chart"


def test_the_computed_health_is_the_overviews_and_follows_the_rules(page_db, monkeypatch):
    """The Status page shows the Overview's health from the rows it keeps (per project, under the
    project's uploads and the stored settings): a change of thresholds reaches it without an upload."""
    import streamlit as st
    from builders import rerun_afresh

    from metrics import portfolio

    st.cache_resource.clear()
    calls = []
    real = portfolio.portfolio_rows
    monkeypatch.setattr(portfolio, "portfolio_rows", lambda *a, **k: calls.append(1) or real(*a, **k))
    overview = AppTest.from_file(str(ROOT / "app_pages" / "overview.py"), default_timeout=30).run()
    assert not overview.exception and calls  # at its date and at the date it compares with
    judged = len(calls)
    at = AppTest.from_file(str(ROOT / "app_pages" / "status.py"), default_timeout=30).run()
    assert not at.exception and len(calls) == judged  # the Overview's rows, not judged again
    page_db.save_settings({"budget_green": 0.02})
    rerun_afresh(at)
    assert not at.exception and len(calls) == judged + 1
