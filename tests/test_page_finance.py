"""AppTest of app_pages/finance.py against a store built from the golden finance workbook."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from builders import rerun_afresh, write_rows
from finance_golden import wide_workbook
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

import store as store_module
from loaders.ingest import ingest_bytes
from store import Store

PAGE = Path(__file__).resolve().parent.parent / "app_pages" / "finance.py"
REGISTER = b"project_id,name,program,currency\nP1,Portal,Digital,EUR\nP2,Cloud move,Infra,EUR\nP3,Kiosks,Infra,USD\n"


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test's database starts at the same data version: never reuse another test's cache."""
    import streamlit as st

    st.cache_data.clear()


def _point_app_at(monkeypatch, path: Path) -> None:
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)


@pytest.fixture
def golden_db(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "finance.duckdb"
    store = Store(path)
    assert ingest_bytes(store, REGISTER, "register.csv").status == "stored"
    assert ingest_bytes(store, wide_workbook(), "finance.xlsx").status == "stored"
    _point_app_at(monkeypatch, path)
    return path


def run(at: AppTest) -> AppTest:
    at.run(timeout=60)
    assert not at.exception, at.exception
    return at


def test_page_answers_who_is_over_budget_this_year(golden_db):
    at = run(AppTest.from_file(str(PAGE)))
    assert at.selectbox(key="currency").value == "EUR"
    over = at.metric[0]
    assert over.label == "Over budget this year" and over.value == "1 of 2"
    assert "350" in over.delta  # P1 is 350 EUR over
    projects = at.dataframe[0].value  # top overruns: projects, three columns to fit half the page
    assert projects.columns.tolist() == ["Project", "YTD variance", "YTD variance %"]
    assert projects["Project"].tolist() == ["Portal"]  # P1's name from the register
    assert projects["YTD variance"].tolist() == [-350]
    vendors = at.dataframe[1].value
    assert vendors.columns.tolist() == ["Vendor", "YTD variance", "YTD variance %"]
    assert sorted(zip(vendors["Vendor"], vendors["YTD variance"])) == [("Acme", -200), ("Globex", -150)]
    table = at.dataframe[2].value
    assert table["Project"].tolist() == ["P1", "P2"]
    assert table["Name"].tolist() == ["Portal", "Cloud move"]
    assert table["YTD status"].tolist() == ["amber", "green"]
    assert table["Full-year forecast"].tolist() == [7550, 12000]
    charts = at.get("vega_lite_chart")
    assert len(charts) == 4


def test_currency_switch_never_mixes_amounts(golden_db):
    at = run(AppTest.from_file(str(PAGE)))
    at.selectbox(key="currency").set_value("USD")
    run(at)
    table = at.dataframe[2].value
    assert table["Project"].tolist() == ["P3"]
    assert table["YTD variance"].tolist() == [-500]
    assert table["YTD status"].tolist() == ["red"]


def test_filters_by_vendor_and_fiscal_year(golden_db):
    at = run(AppTest.from_file(str(PAGE)))
    at.multiselect(key="vendors").set_value(["Acme"])
    run(at)
    table = at.dataframe[2].value
    assert table["YTD budget"].tolist() == [4000] and table["YTD actual"].tolist() == [4200]
    at.multiselect(key="vendors").set_value([])
    at.selectbox(key="fy_start").set_value("April")
    run(at)
    table = at.dataframe[2].value
    assert dict(zip(table["Project"], table["YTD variance"])) == {"P2": -300, "P1": 50}


def _download(at: AppTest, label: str) -> bytes:
    """The bytes behind a download button (AppTest keeps them in the in-memory media storage)."""
    import gc

    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    button = next(b for b in at.get("download_button") if b.label == label)
    file_id = button.proto.url.rsplit("/", 1)[-1].split(".")[0]
    for storage in (o for o in gc.get_objects() if isinstance(o, MemoryMediaFileStorage)):
        if file_id in storage._files_by_id:
            return storage.get_file(file_id).content
    raise AssertionError(f"no media file {file_id}")


def test_export_holds_the_numbers_shown(golden_db):
    at = run(AppTest.from_file(str(PAGE)))
    shown = at.dataframe[2].value
    wb = load_workbook(io.BytesIO(_download(at, "Export what is shown (.xlsx)")))
    assert wb.sheetnames[0] == "Projects" and "By month" in wb.sheetnames
    rows = list(wb["Projects"].iter_rows(values_only=True))
    assert list(rows[0]) == shown.columns.tolist()
    assert [r[0] for r in rows[1:]] == shown["Project"].tolist()
    ytd = rows[0].index("YTD variance")
    assert [r[ytd] for r in rows[1:]] == shown["YTD variance"].tolist() == [-350, 0]
    template = load_workbook(io.BytesIO(_download(at, "Download the finance template (.xlsx)")))
    assert "Budget lines" in template.sheetnames


def test_empty_database_shows_guidance_not_numbers(tmp_path, monkeypatch):
    _point_app_at(monkeypatch, tmp_path / "empty.duckdb")
    at = run(AppTest.from_file(str(PAGE)))
    assert not at.metric
    assert "No finance workbook" in at.info[0].value


def test_program_filter_and_unregistered_projects(tmp_path, monkeypatch):
    path = tmp_path / "finance.duckdb"
    store = Store(path)
    register = b"project_id,name,program,currency\nP1,Portal,Digital,EUR\nP2,Cloud move,Infra,EUR\n"
    assert ingest_bytes(store, register, "register.csv").status == "stored"
    assert ingest_bytes(store, wide_workbook(), "finance.xlsx").status == "stored"
    _point_app_at(monkeypatch, path)
    at = run(AppTest.from_file(str(PAGE)))
    assert any("P3" in w.value and "not in the portfolio register" in w.value for w in at.warning)
    at.multiselect(key="programs").set_value(["Infra"])
    at.session_state["_settings"] = None  # page run alone: ui.settings() reuses the last run's settings otherwise
    run(at)
    assert at.dataframe[-3].value["Project"].tolist() == ["P2"]  # the project table (over-budget lists are empty)


def test_workbook_text_is_never_rendered_as_markdown(tmp_path, monkeypatch):
    path = tmp_path / "finance.duckdb"
    store = Store(path)
    assert ingest_bytes(store, REGISTER, "register.csv").status == "stored"
    evil = "[click](https://evil.example)"
    data = (
        "project_id,period,cost_category,budget,actual,currency\n"
        f'P1,2026-01,Labour,100,90,EUR\n"{evil}",2026-01,Labour,100,,EUR\n'
    ).encode()
    assert ingest_bytes(store, data, "finance.csv").status == "stored"
    _point_app_at(monkeypatch, path)
    at = run(AppTest.from_file(str(PAGE)))
    texts = [w.value for w in at.warning] + [i.value for i in at.info] + [c.value for c in at.caption]
    shown = [t for t in texts if "click" in t]
    assert shown, texts  # the unknown id is reported...
    assert all("[click](https://evil.example)" not in t for t in shown)  # ...as text, not as a link
    assert any("\\[click\\]" in t for t in shown)


def test_filters_matching_no_line_say_so(golden_db):
    at = run(AppTest.from_file(str(PAGE)))
    at.multiselect(key="projects").set_value(["P2"])
    at.multiselect(key="vendors").set_value(["Acme"])
    run(at)  # no traceback
    assert any("No budget lines match these filters" in i.value for i in at.info)
    assert not at.metric


def test_the_page_recomputes_only_when_what_it_reads_changes(golden_db, monkeypatch):
    """Cached by the finance and plan uploads in scope and the register: a Jira export stored
    meanwhile (most of a weekly ingest) leaves it cached; a register change recomputes it."""
    from metrics import budget

    calls = []
    real = budget.prepared_lines
    monkeypatch.setattr(budget, "prepared_lines", lambda *a, **k: calls.append(1) or real(*a, **k))
    at = run(AppTest.from_file(str(PAGE)))
    assert len(calls) == 1
    jira = [{"issue_key": "P-1", "summary": "x"}]
    write_rows(Store(golden_db), "jira", "issues", jira, project_id="P1", as_of=dt.date(2026, 1, 31), sha="jira")
    rerun_afresh(at)
    assert len(calls) == 1  # nothing the page reads changed
    renamed = REGISTER.replace(b"Portal", b"Portal two")
    assert ingest_bytes(Store(golden_db), renamed, "register.csv").status == "stored"
    rerun_afresh(at)
    assert len(calls) == 2
    assert at.dataframe[0].value["Project"].tolist() == ["Portal two"]
