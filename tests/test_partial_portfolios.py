"""A real PMO's portfolio is partial: every page holds for any mix of sources (AppTest, whole app).

Cases: only Jira, only finance, only a register, plans dated later than the as-of date, and a mixed
portfolio where every source of one project misses a field. Every page runs without a traceback,
shows no "None", and the Overview lists every project of any source.
"""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import ROOT
from streamlit.testing.v1 import AppTest

import store as store_module
from loaders.ingest import ingest_bytes, ingest_path
from store import Store

SAMPLES = ROOT / "data" / "samples"
PAGES = ["overview.py", "project.py", "delivery.py", "finance.py", "data.py"]
MIX_REGISTER = b"project_id,name,program,currency\nMIX,Mixed bag,Ops,USD\nIDLE,Nothing yet,Ops,USD\n"
MIX_PLAN = (  # no % complete, no actual cost: EVM cannot be judged
    b"ID,Unique_ID,Name,Outline_Level,Start_Date,Finish_Date,Baseline_Start,Baseline_Finish,Baseline_Cost\n"
    b"1,1,Build,1,March 2 2026 8:00 AM,March 20 2026 5:00 PM,March 2 2026 8:00 AM,March 20 2026 5:00 PM,100\n"
)
MIX_JIRA = (  # no story points, no sprints
    b"Summary,Issue key,Issue id,Issue Type,Status,Status Category,Created,Updated,Resolved\n"
    b"A,MIX-1,1,Story,Done,Done,2026-01-05 10:00,2026-02-01 10:00,2026-02-01 10:00\n"
    b"B,MIX-2,2,Story,In Progress,In Progress,2026-01-06 10:00,2026-02-03 10:00,\n"
)
MIX_FINANCE = (  # budget only: no actuals yet
    b"project_id,period,cost_category,vendor,budget,actual,forecast,committed,currency\n"
    b"MIX,2026-01-01,Labour,Internal,1000,,,,USD\nMIX,2026-02-01,Labour,Internal,1000,,,,USD\n"
)


def _only_jira(store):
    ingest_path(store, SAMPLES / "PAY_jira_2026-11-20.csv")
    return {"PAY"}, None


def _only_finance(store):
    ingest_path(store, SAMPLES / "finance_budget_vs_actual_long_2026-10-31.csv")
    return set(store.snapshot("budget_lines").project_id), None


def _only_register(store):
    ingest_path(store, SAMPLES / "portfolio_register.xlsx", as_of=dt.date(2026, 11, 1))
    return set(store.projects().project_id), None


def _plans_later(store):
    ingest_path(store, SAMPLES / "portfolio_register.xlsx", as_of=dt.date(2026, 1, 1))
    ingest_path(store, SAMPLES / "CORE-LEDGER_2026-11-20.xml")
    ingest_path(store, SAMPLES / "finance_budget_vs_actual_long_2026-10-31.csv")
    return set(store.projects().project_id), dt.date(2026, 11, 1)  # before the plan's 20 Nov


def _mixed(store):
    ingest_bytes(store, MIX_REGISTER, "register.csv", as_of=dt.date(2026, 1, 1))
    ingest_bytes(store, MIX_PLAN, "plan.csv", project_id="MIX", as_of=dt.date(2026, 2, 6))
    ingest_bytes(store, MIX_JIRA, "jira.csv", project_id="MIX")
    ingest_bytes(store, MIX_FINANCE, "finance.csv", as_of=dt.date(2026, 2, 6))
    return {"MIX", "IDLE"}, None


CASES = {
    "only_jira": _only_jira,
    "only_finance": _only_finance,
    "only_register": _only_register,
    "plans_later": _plans_later,
    "mixed": _mixed,
}


@pytest.fixture(params=sorted(CASES))
def portfolio(request, tmp_path, monkeypatch):
    import streamlit as st

    st.cache_data.clear()
    path = tmp_path / f"{request.param}.duckdb"
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    store = Store(path)
    expected, as_of = CASES[request.param](store)
    return request.param, expected, as_of


def texts(at: AppTest) -> list[str]:
    shown = [m.value for m in at.metric] + [str(m.delta or "") for m in at.metric]
    for kind in ("markdown", "caption", "info", "warning", "success", "error", "subheader", "title"):
        shown += [e.value for e in getattr(at, kind)]
    return shown


def app(as_of: dt.date | None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    if as_of:
        at.session_state["as_of"] = as_of
    return at.run()


def test_every_page_holds_and_never_says_none(portfolio):
    name, _, as_of = portfolio
    at = app(as_of)
    for page in PAGES:
        at.switch_page(f"app_pages/{page}").run()
        assert not at.exception, (name, page, [e.value for e in at.exception])
        assert not [t for t in texts(at) if "None" in t or "nan" in t.split()], (name, page)


def test_overview_lists_every_project_with_an_unknown_tile(portfolio):
    name, expected, as_of = portfolio
    at = app(as_of)
    assert not at.exception, [e.value for e in at.exception]
    table = at.dataframe[0].value
    assert set(table.project_id) == expected, name
    tiles = {m.label: int(m.value) for m in at.metric if m.label in ("Red", "Amber", "Green", "Unknown")}
    assert sum(tiles.values()) == len(expected)  # the tiles add up to the caption's project count
    assert f"{len(expected)} projects" in at.caption[0].value
    if name in ("only_jira", "only_register"):
        assert tiles["Unknown"] == len(expected)
        assert not at.success  # nothing judged is not "every project green"
        assert any("No project can be judged yet" in i.value for i in at.info)
        # no plan: no empty map or trend drawn with bare axes, a sentence instead
        assert not at.get("vega_lite_chart")
        assert any("No project has both SPI and CPI" in i.value for i in at.info)
        assert any("No plan snapshot with earned value" in i.value for i in at.info)
    if name == "plans_later":  # the plan of 20 Nov is not used on 1 Nov
        frame = table.set_index("project_id")
        assert frame.loc["CORE-LEDGER", "plan_as_of"] is None or str(frame.loc["CORE-LEDGER", "plan_as_of"]) in (
            "NaT",
            "—",
        )
    if name == "mixed":
        why = dict(zip(table.project_id, table.why, strict=True))
        assert "no plan yet, no finance workbook yet" in why["IDLE"]
