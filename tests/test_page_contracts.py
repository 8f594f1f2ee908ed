"""AppTest of app_pages/contracts.py: contracts at risk with the month their money runs out, spend by
vendor, the vendor alias list merging vendors, and the empty state."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

import store as store_module
from loaders.ingest import ingest_bytes
from store import Store
from tests.test_contracts import workbook

PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "contracts.py"
MONTHS = ["Jan-26", "Feb-26", "Mar-26", "Apr-26"]


def contract(number: str, vendor: str, project: str, value: int, end: dt.date, invoices: list[int]) -> list:
    """A register row: a USD contract from 1 Jan 2026 with its invoices of January to April."""
    return [number, vendor, project, value, "USD", dt.date(2026, 1, 1), end, *invoices]


REGISTER = [
    ["Contract No", "Vendor", "Project", "Contract value", "Currency", "Start", "End", *MONTHS],
    contract("C-FAST", "Kyndryl", "DC-MIGRATION", 120_000, dt.date(2026, 12, 31), [10_000, 20_000, 20_000, 20_000]),
    contract("C-OK", "Microsoft Azure", "DC-MIGRATION", 90_000, dt.date(2026, 12, 31), [5_000] * 4),
    contract("C-AZ", "Azure", "PORTAL-V2", 40_000, dt.date(2027, 6, 30), [1_000] * 4),
]


@pytest.fixture(autouse=True)
def fresh_cache():
    import streamlit as st

    st.cache_data.clear()


@pytest.fixture
def db(tmp_path, monkeypatch) -> Store:
    path = tmp_path / "contracts.duckdb"
    store = Store(path)
    report = ingest_bytes(store, workbook({"IT": REGISTER}), "contracts.xlsx", as_of=dt.date(2026, 4, 30))
    assert report.status == "stored", report.message
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    return store


def run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_page_shows_the_contract_whose_money_runs_out_before_its_end(db):
    at = run(AppTest.from_file(str(PAGE)))
    assert at.title[0].value == "Vendors & contracts"
    tiles = {m.label: m for m in at.metric}
    assert tiles["Contracts"].value == "3" and tiles["Contracts"].delta == "3 vendors"
    assert tiles["Contract value"].value == "250k USD"
    assert tiles["At risk"].value == "1"
    risk = at.dataframe[0].value
    assert risk["Contract"].tolist() == ["C-FAST"]
    assert risk["Money runs out"].tolist() == [dt.date(2026, 7, 16)]
    assert risk["Status"].tolist() == ["Runs out early"]
    assert "runs out in Jul 2026" in risk["Why"].iloc[0]
    vendors = at.dataframe[1].value
    assert sorted(vendors["Vendor"]) == ["Azure", "Kyndryl", "Microsoft Azure"]


def test_saving_an_alias_merges_the_vendors(db):
    at = run(AppTest.from_file(str(PAGE)))
    db.save_aliases("vendor", {"Azure": "Microsoft Azure"})  # what the editor's Save button stores
    at = run(AppTest.from_file(str(PAGE)))
    vendors = at.dataframe[1].value.set_index("Vendor")
    assert sorted(vendors.index) == ["Kyndryl", "Microsoft Azure"]
    assert vendors.loc["Microsoft Azure", "Contracts"] == 2
    assert vendors.loc["Microsoft Azure", "Contract value"] == 130_000
    assert at.dataframe(key="aliases").value.values.tolist() == [["Azure", "Microsoft Azure"]]


def test_page_without_a_register_says_what_to_upload(tmp_path, monkeypatch):
    path = tmp_path / "empty.duckdb"
    Store(path).schema_version()
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    at = run(AppTest.from_file(str(PAGE)))
    assert "no contract register is loaded yet" in at.info[0].value


def test_save_keeps_the_alias_list_as_edited(db):
    db.save_aliases("vendor", {"Azure": "Microsoft Azure"})
    at = run(AppTest.from_file(str(PAGE)))
    at.button(key="save_aliases").click()
    at = run(at)
    assert db.aliases("vendor") == {"Azure": "Microsoft Azure"}  # the editor's rows went back unchanged
    assert not at.error


def test_the_page_recomputes_only_when_what_it_reads_changes(db, monkeypatch):
    """Cached by the contract registers and finance snapshots on or before the date: a plan stored
    meanwhile leaves it cached; a new register recomputes it."""
    from builders import rerun_afresh, write_rows

    from metrics import contracts

    calls = []
    real = contracts.load
    monkeypatch.setattr(contracts, "load", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run(AppTest.from_file(str(PAGE)))
    assert len(calls) == 1
    plan = [{"task_uid": 1, "name": "Build"}]
    write_rows(db, "msproject", "tasks", plan, project_id="PORTAL-V2", as_of=dt.date(2026, 4, 30), sha="plan")
    rerun_afresh(at)
    assert len(calls) == 1  # nothing the page reads changed
    changed = [*REGISTER[:3], contract("C-AZ", "Azure", "PORTAL-V2", 60_000, dt.date(2027, 6, 30), [1_000] * 4)]
    report = ingest_bytes(db, workbook({"IT": changed}), "contracts.xlsx", as_of=dt.date(2026, 4, 30))
    assert report.status == "stored", report.message
    rerun_afresh(at)
    assert len(calls) == 2
