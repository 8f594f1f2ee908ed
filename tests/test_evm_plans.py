"""Issue 13, metrics side: MS Project's numbers from files built in the real MSPDI format, through
the loader, the store and ``metrics.evm.report`` — summary tasks' own cost, the file's calendar and
status time, time-phased baseline work, EVM in hours, reasons true to the data."""

import datetime as dt

import pandas as pd
import pytest
from msproject_files import DAY, assignment, baseline, calendar, mspdi, resource, task, timephased

from loaders.ingest import ingest_bytes
from metrics import evm


def _report(store, data: bytes, project="P13", name="plan.xml"):
    result = ingest_bytes(store, data, name, project_id=project)
    assert result.ok, result.message
    return evm.report(store, project)


def _day(d: str, start="08:00:00", finish="17:00:00"):
    return f"{d}T{start}", f"{d}T{finish}"


def _leaf(uid, d, cost, pct, actual, level=2):
    s, f = _day(d)
    return task(
        uid,
        f"Day {uid}",
        level,
        Start=s,
        Finish=f,
        PercentComplete=pct,
        ActualCost=actual,
        baselines=[baseline(0, s, f, 8, cost, 8)],
    )


def _summary_plan(acwp_uid0=3100.0):
    """Phase (UID 1) with a resource of its own: own baseline 1000 over Mon–Fri, own actual 300."""
    days = ["2018-05-07", "2018-05-08", "2018-05-09", "2018-05-10"]
    leaves = [
        _leaf(k + 2, d, 1000, p, a)
        for k, (d, p, a) in enumerate(zip(days, [100, 100, 50, 0], [1000, 1200, 600, 0], strict=True))
    ]
    s, f = "2018-05-07T08:00:00", "2018-05-11T17:00:00"
    phase = task(
        1,
        "Phase",
        1,
        summary=True,
        Start=s,
        Finish=f,
        PercentComplete=60,
        ActualCost=3100,
        baselines=[baseline(0, s, f, 40, 5000, 40)],
    )
    project = task(
        0,
        "Golden plan",
        0,
        summary=True,
        BCWS=3600,
        BCWP=3100,
        ACWP=acwp_uid0,
        baselines=[baseline(0, s, f, 40, 5000, 40)],
    )
    return mspdi(
        [project, phase, *leaves],
        StatusDate="2018-05-09T17:00:00",
        resources=[resource(1, "PM", 100)],
        assignments=[assignment(1, 1, 1, 1000, 300)],
    )


def test_summary_task_own_cost_counts_in_bac_pv_ev_ac(store):
    r = _report(store, _summary_plan())
    # leaves: BAC 4000, PV 3000, EV 2500, AC 2800; the phase's own: 1000 over 5 days (3/5 by Wed),
    # 60 % earned, 300 spent
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == pytest.approx((5000, 3600, 3100, 3100))
    assert r["unit"] == "currency" and r["leaf_tasks"] == 4
    ms = r["ms_project"]
    assert ms["source"] == "the project summary task (UID 0)"
    assert (ms["bcws"], ms["bcwp"], ms["acwp"]) == (3600, 3100, 3100)
    assert ms["differs"] == {"bcws": False, "bcwp": False, "acwp": False}
    assert any("own" in n for n in r["notes"])


def test_cross_check_flags_a_difference_with_the_project_summary_row(store):
    ms = _report(store, _summary_plan(acwp_uid0=4100))["ms_project"]
    assert ms["acwp"] == 4100 and ms["differs"]["acwp"] is True


def _calendar_plan(status: str, pct=50.0):
    short_friday = {1: (), 2: DAY, 3: DAY, 4: DAY, 5: DAY, 6: [("08:00:00", "12:00:00")], 7: ()}
    cal = calendar(1, "Standard", week=short_friday, exceptions=[("2018-05-28", "2018-05-28", ())])
    s, f = "2018-05-21T08:00:00", "2018-06-01T12:00:00"
    work = task(
        1,
        "Build",
        1,
        Start=s,
        Finish=f,
        PercentComplete=pct,
        ActualCost=3000,
        baselines=[baseline(0, s, f, 64, 6400, 64)],
    )
    return mspdi([work], calendars=[cal], StatusDate=status)


def test_file_calendar_holiday_short_friday_and_status_time(store):
    # 64 working hours: week 1 Mon–Thu 32 h + Fri 4 h; week 2 Mon 28 May a holiday, Tue–Thu 24 h + Fri 4 h.
    # Status Tue 29 May 09:00 = 1 h of that day: 36 + 1 = 37 h -> PV = 6400 × 37/64
    r = _report(store, _calendar_plan("2018-05-29T09:00:00"))
    assert r["pv"] == pytest.approx(3700)
    assert r["planned_finish"] == dt.date(2018, 6, 1)  # PD = 9 working days (the holiday skipped)
    assert r["at_days"] == pytest.approx(5.125)  # 5 days + 1/8 of Tuesday
    assert r["es_days"] == pytest.approx(4.0)  # EV 3200 = PV at the end of Thursday (4 × 800)
    assert r["spi_t"] == pytest.approx(4.0 / 5.125)
    assert "Fri 4 h" in r["calendar"]


def test_status_date_without_time_is_the_whole_day(store):
    r = _report(store, _calendar_plan("2018-05-29T17:00:00"))
    assert r["pv"] == pytest.approx(6400 * 44 / 64) and r["at_days"] == pytest.approx(6.0)


def test_timephased_baseline_work_spreads_the_baseline_cost(store):
    days = [
        ("2018-05-07", "PT8H0M0S"),
        ("2018-05-08", "PT8H0M0S"),
        ("2018-05-09", "PT4H0M0S"),
        ("2018-05-10", "PT0H0M0S"),
    ]
    tp = [timephased(9, 1, f"{d}T08:00:00", f"{d}T17:00:00", v) for d, v in days]
    s, f = "2018-05-07T08:00:00", "2018-05-10T17:00:00"
    work = task(
        1,
        "Front-loaded",
        1,
        Start=s,
        Finish=f,
        PercentComplete=80,
        ActualCost=700,
        baselines=[baseline(0, s, f, 20, 1000, 32, timephased=tp)],
    )
    r = _report(store, mspdi([work], StatusDate="2018-05-08T17:00:00"))
    assert r["pv"] == pytest.approx(800)  # 1000 × 16 h / 20 h, not 0 and not the linear 500
    assert any("spread like their baseline work" in n for n in r["notes"])


def _hours_plan(work_h=(40, 40), actual_h=("PT40H0M0S", "PT10H0M0S"), **money):
    weeks = [("2018-05-07T08:00:00", "2018-05-11T17:00:00"), ("2018-05-14T08:00:00", "2018-05-18T17:00:00")]
    tasks = []
    for k, ((s, f), w, pct, a) in enumerate(zip(weeks, work_h, (100, 25), actual_h, strict=True)):
        base = [baseline(0, s, f, w, None, 40)]
        tasks.append(
            task(
                k + 1, f"Week {k + 1}", 1, Start=s, Finish=f, PercentComplete=pct, ActualWork=a, **money, baselines=base
            )
        )
    return mspdi(tasks, StatusDate="2018-05-16T17:00:00")


def test_evm_in_hours_when_the_baseline_has_no_cost(store):
    r = _report(store, _hours_plan())
    assert r["unit"] == "hours"
    # BAC 80 h; PV = 40 + 40 × 3/5 = 64 h; EV = 40 + 10 = 50 h; AC = 50 h of actual work
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == pytest.approx((80, 64, 50, 50))
    assert r["cpi"] == pytest.approx(1.0) and r["spi"] == pytest.approx(50 / 64)
    assert r["es_days"] == pytest.approx(6.25) and r["at_days"] == 8  # EV 50 h = day 6 + 2 h of day 7
    assert r["ms_project"] is None  # MS Project's BCWS/BCWP are money: nothing to compare hours with
    assert any("computed in hours" in n for n in r["notes"])


def test_reasons_true_to_a_baseline_with_dates_but_no_cost_or_work(store):
    r = _report(store, _hours_plan(work_h=(0, 0), actual_h=("PT0H0M0S", "PT0H0M0S"), ActualCost=0))
    assert r["bac"] == 0 and r["ac"] == 0
    text = " ".join(r["reasons"].values())
    assert "no baseline dates" not in text and "AC has reached BAC" not in text
    assert "BAC is 0" in r["reasons"]["tcpi_bac"] and "BAC is 0" in r["reasons"]["spi_t"]


def test_cli_json_carries_the_unit(store):
    import json

    from builders import cli

    from metrics.__main__ import main

    ingest_bytes(store, _hours_plan(), "plan.xml", project_id="H1")
    done = cli(main, "evm", "--project", "H1", "--db", store.path, "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["unit"] == "hours"


def test_project_page_labels_hours(tmp_path, monkeypatch):
    from pathlib import Path

    from streamlit.testing.v1 import AppTest

    import store as store_module

    path = tmp_path / "hours.duckdb"
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", path)
    assert ingest_bytes(store_module.Store(path), _hours_plan(), "plan.xml", project_id="H1").ok
    page = Path(__file__).resolve().parent.parent / "app_pages" / "project.py"
    at = AppTest.from_file(str(page))
    at.run(timeout=60)
    assert not at.exception, [e.value for e in at.exception]
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["BAC (hours)"] == "80.0 h" and tiles["EV (hours)"] == "50.0 h"
    assert "computed in hours of work" in " ".join(i.value for i in at.info)
    assert "Cumulative work (hours)" in str(at.get("vega_lite_chart")[0].proto.spec)


def test_portfolio_never_adds_hours_to_money(store):
    from metrics import evm_points
    from metrics.portfolio import evm_by_project, portfolio_frame

    assert ingest_bytes(store, _hours_plan(), "plan.xml", project_id="H1").ok
    row = evm_by_project(evm_points.read(store, latest=True)).iloc[0]
    assert pd.isna(row["bac"]) and pd.isna(row["eac"])
    row = portfolio_frame(store).iloc[0]
    assert row["bac"] is None and row["eac"] is None
    assert row["spi"] == pytest.approx(50 / 64)  # the indices are unitless: kept


def test_export_summary_sheet_labels_hours(store):
    assert ingest_bytes(store, _hours_plan(), "plan.xml", project_id="H1").ok
    summary = evm.export_tables(evm.project_view(store, "H1"))["Summary"].set_index("metric")
    assert summary.loc["bac", "unit"] == "hours" and summary.loc["bac", "value"] == pytest.approx(80)
    assert summary.loc["es_days", "unit"] == "working days" and summary.loc["cpi", "unit"] == ""


def test_hours_pv_follows_timephased_baseline_work(store):
    tp = [
        timephased(9, 1, f"2018-05-0{d}T08:00:00", f"2018-05-0{d}T17:00:00", v)
        for d, v in ((7, "PT12H0M0S"), (8, "PT4H0M0S"), (9, "PT4H0M0S"))
    ]
    s, f = "2018-05-07T08:00:00", "2018-05-09T17:00:00"
    work = task(
        1,
        "Front-loaded",
        1,
        Start=s,
        Finish=f,
        PercentComplete=50,
        ActualWork="PT10H0M0S",
        baselines=[baseline(0, s, f, 20, None, 24, timephased=tp)],
    )
    r = _report(store, mspdi([work], StatusDate="2018-05-07T17:00:00"))
    assert r["unit"] == "hours" and r["pv"] == pytest.approx(12)  # the first day's 12 h, not 20/3
