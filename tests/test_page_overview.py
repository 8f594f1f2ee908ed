"""AppTest of the app shell and the Overview page on the sample exports in data/samples."""

from __future__ import annotations

import pytest
from builders import point_app_at
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from loaders.ingest import ingest_path
from metrics.portfolio import portfolio_frame

SAMPLES = ROOT / "data" / "samples"


@pytest.fixture
def db(tmp_path, monkeypatch):
    store = point_app_at(monkeypatch, tmp_path / "app.duckdb")
    for sample in sorted(SAMPLES.iterdir(), key=lambda p: "register" not in p.name):
        report = ingest_path(store, sample)
        assert report.ok, report.message
    return store


def test_overview_shows_every_project_with_status_and_reasons(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "Portfolio overview"
    expected = portfolio_frame(db, db.latest_as_of())
    counts = {m.label: m.value for m in at.metric}
    assert counts["Red"] == str((expected.status == "red").sum())
    assert counts["Green"] == str((expected.status == "green").sum())
    table = at.dataframe[0].value
    assert set(table.project_id) == set(db.projects().project_id)
    assert at.sidebar.date_input(key="as_of").value == db.latest_as_of()
    chart = at.get("vega_lite_chart")[0]
    assert '"Schedule and cost performance"' in chart.proto.spec


def test_program_filter_narrows_the_portfolio(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    programs = at.sidebar.multiselect(key="programs").options
    # AppTest loses sidebar widget values on reruns under st.navigation, so preset the state.
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.session_state["programs"] = [programs[0]]
    at.run()
    assert not at.exception
    table = at.dataframe[0].value
    assert set(table.program) == {programs[0]}


def test_empty_database_says_what_to_do(tmp_path, monkeypatch):
    point_app_at(monkeypatch, tmp_path / "empty.duckdb").schema_version()  # exists: no demo build
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert "no snapshots yet" in at.info[0].value


@pytest.mark.parametrize("page", ["project.py", "delivery.py", "finance.py", "data.py"])
def test_every_page_runs_from_the_shell(db, page):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.switch_page(f"pages/{page}").run()
    assert not at.exception


def test_clicking_a_project_on_the_map_opens_its_project_page(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    at.session_state["health_map"] = {"selection": {"pick": [{"project_id": "CORE-LEDGER"}]}}
    at.run()
    assert not at.exception
    assert at.title[0].value == "Project performance"
    assert at.selectbox(key="project").value == "CORE-LEDGER"


def test_portfolio_trend_is_drawn_from_plan_snapshots(db):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    specs = [chart.proto.spec for chart in at.get("vega_lite_chart")]
    assert any('"Portfolio CPI and SPI over time"' in spec for spec in specs)
