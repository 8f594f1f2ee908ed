"""Issue 22: every plan snapshot's EVM point is computed once, when it is stored, and the
portfolio's health and trend read the points — with exactly the numbers the project page
computes for the same snapshot (one definition: metrics.evm_points.point)."""

import datetime as dt

import pandas as pd
import pytest
from builders import cli, copy_db
from msproject_files import baseline, calendar, mspdi, task
from test_evm_plans import _calendar_plan

from loaders.ingest import ingest_bytes
from metrics import evm, evm_points
from metrics.__main__ import main as metrics_main
from metrics.portfolio import portfolio_frame, portfolio_trend
from store import Store

KEYS = ["bac", "pv", "ev", "ac", "spi", "cpi", "spi_t"]


def _plan(pct: float, actual: float, status: str) -> bytes:
    s, f = "2018-05-07T08:00:00", "2018-05-18T17:00:00"
    work = task(
        1,
        "Build",
        1,
        Start=s,
        Finish=f,
        PercentComplete=pct,
        ActualCost=actual,
        baselines=[baseline(0, s, f, 80, 8000, 80)],
    )
    return mspdi([work], calendars=[calendar()], StatusDate=status)


def _weekly(store: Store, project="P1", weeks=(("2018-05-09", 20, 1500), ("2018-05-16", 60, 5200))):
    for day, pct, actual in weeks:
        report = ingest_bytes(store, _plan(pct, actual, f"{day}T17:00:00"), f"{project}_{day}.xml", project_id=project)
        assert report.ok, report.message


def test_ingest_stores_one_point_per_plan_snapshot_and_reads_never_recompute(store, monkeypatch):
    _weekly(store)
    _weekly(store, "P2")
    points = store.evm_points(evm_points.VERSION)
    assert len(points) == 4 and points.stored.all()
    assert store.plan_uploads_without_points(evm_points.VERSION) == []

    def no_evm(*args, **kwargs):
        raise AssertionError("a stored point is read, not computed again")

    monkeypatch.setattr(evm_points, "evm_at", no_evm)
    trend = portfolio_trend(store, dt.date(2018, 5, 31), ["P1", "P2"])
    assert sorted(trend["index"].unique()) == ["CPI", "SPI"] and len(trend) == 4
    frame = portfolio_frame(store).set_index("project_id")
    assert frame.loc["P1", "cpi"] == pytest.approx(0.6 * 8000 / 5200)


def test_every_point_equals_the_project_pages_history(store):
    """The point of each snapshot is what the project page's history shows for that snapshot,
    with the file's calendar (a short Friday, a holiday) and its status time."""
    for day, status in (("2018-05-25", "2018-05-25T12:00:00"), ("2018-05-29", "2018-05-29T09:00:00")):
        report = ingest_bytes(store, _calendar_plan(status), f"CAL_{day}.xml", project_id="CAL")
        assert report.ok, report.message
    history = evm.project_view(store, "CAL")["history"]
    points = evm_points.read(store, ["CAL"])
    assert len(points) == len(history) == 2
    for key in KEYS:
        assert list(points[key]) == pytest.approx(list(history[key]), nan_ok=True), key
    assert points.pv.iloc[-1] == pytest.approx(6400 * 37 / 64)  # 1 h into Tue 29 May, Mon a holiday


def test_overview_health_equals_the_project_page(store):
    """Before the points the Overview ran EVM without the file's calendar and status time, so its
    PV disagreed with the project page's on such a plan."""
    assert ingest_bytes(store, _calendar_plan("2018-05-29T09:00:00"), "CAL.xml", project_id="CAL").ok
    page = evm.report(store, "CAL")
    row = portfolio_frame(store).set_index("project_id").loc["CAL"]
    for key in ("bac", "pv", "ev", "ac", "spi", "cpi", "spi_t"):
        assert row[key] == pytest.approx(page[key]), key
    assert row["eac"] == pytest.approx(page["eac_cpi"])


def test_points_missing_or_of_an_older_formula_are_computed_on_read_and_stored_by_a_rebuild(store, monkeypatch):
    _weekly(store)
    stored = evm_points.read(store, ["P1"])
    with store.connect() as con:
        con.execute("DELETE FROM evm_points")
    assert evm_points.read(store, ["P1"]).equals(stored)  # computed, same numbers
    assert store.plan_uploads_without_points(evm_points.VERSION) != []  # a read never writes
    assert evm_points.record_missing(store) == 2
    monkeypatch.setattr(evm_points, "VERSION", evm_points.VERSION + 1)  # a formula change
    assert not store.evm_points(evm_points.VERSION).stored.any()
    assert evm_points.read(store, ["P1"]).equals(stored)
    assert evm_points.rebuild(store) == 2
    with store.connect() as con:
        versions = con.execute("SELECT DISTINCT version FROM evm_points").fetchall()
    assert versions == [(evm_points.VERSION,)]


def test_time_travel_reads_the_snapshot_of_each_date(store):
    _weekly(store)
    at_first = evm_points.read(store, until=dt.date(2018, 5, 10), latest=True)
    assert list(at_first.snapshot_as_of.dt.date) == [dt.date(2018, 5, 9)]
    assert at_first.ev.iloc[0] == pytest.approx(0.2 * 8000)
    newest = evm_points.read(store, latest=True)
    assert newest.ev.iloc[0] == pytest.approx(0.6 * 8000)
    # the same as-of date loaded again with other numbers: the latest loaded wins, as in Store.history
    redo = _plan(30, 1700, "2018-05-09T17:00:00")
    assert ingest_bytes(store, redo, "P1_again.xml", project_id="P1").ok
    at_first = evm_points.read(store, until=dt.date(2018, 5, 10), latest=True)
    assert at_first.ev.iloc[0] == pytest.approx(0.3 * 8000)
    assert len(evm_points.read(store, ["P1"])) == 2


def test_deleting_an_upload_deletes_its_point(store):
    _weekly(store)
    last = int(store.uploads().upload_id.max())
    assert store.delete_upload(last)
    points = store.evm_points(evm_points.VERSION)
    assert list(points.upload_id) != [] and last not in set(points.upload_id)
    with store.connect() as con:
        assert con.execute("SELECT count(*) FROM evm_points WHERE upload_id = ?", [last]).fetchone()[0] == 0


def test_a_read_only_replica_computes_missing_points_without_writing(store, tmp_path, monkeypatch):
    _weekly(store)
    with store.connect() as con:
        con.execute("DELETE FROM evm_points")
    copy = copy_db(store.path, tmp_path / "replica.duckdb")
    monkeypatch.setenv("PMO_DB_READ_ONLY", "1")
    replica = Store(copy)
    assert len(evm_points.read(replica, ["P1"])) == 2
    assert portfolio_frame(replica).project_id.tolist() == ["P1"]


def test_rebuild_points_cli(store):
    _weekly(store)
    result = cli(metrics_main, "rebuild-points", "--db", store.path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"2 EVM points computed (formula version {evm_points.VERSION})."
    missing = cli(metrics_main, "rebuild-points", "--db", str(store.path) + ".nowhere")
    assert missing.returncode == 1 and "does not exist" in missing.stderr


def test_the_demo_portfolio_holds_a_point_for_every_plan_snapshot(demo_build):
    """The demo is built through the real ingest: every plan upload got its point, and each equals
    the project page's history of that project (one definition)."""
    store = Store(demo_build.db)
    assert store.plan_uploads_without_points(evm_points.VERSION) == []
    points = evm_points.read(store)
    for pid in sorted(points.project_id.unique())[:3]:
        history = evm.project_view(store, pid)["history"]
        mine = points[points.project_id == pid]
        assert len(mine) == len(history)
        for key in KEYS:
            got, want = pd.to_numeric(mine[key]).tolist(), pd.to_numeric(history[key]).tolist()
            assert got == pytest.approx(want, nan_ok=True), (pid, key)
