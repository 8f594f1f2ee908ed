"""The DESIGN.md §7 oracles fed through the real MS Project loader, the store and the CLI.

Each oracle is written as an MS Project export the way a PM would send it: a "Selected Data" CSV
(headers with underscores, long US dates, ``$`` money, ``%`` complete) or MSPDI XML (money in
hundredths). One task per period: period k is the k-th working day from Monday 5 January 2026.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from builders import cli as run_cli
from test_evm import spread_ev

from loaders.ingest import ingest_bytes
from metrics import MetricsError, evm
from metrics.__main__ import main as metrics_main
from metrics.calendar import nth_working_day
from views import evm as evm_view

MONDAY = dt.date(2026, 1, 5)
HEADER = (
    "ID,Unique_ID,Name,Outline_Level,Summary,Milestone,Start_Date,Finish_Date,Baseline_Start,Baseline_Finish,"
    "Baseline_Cost,Percent_Complete,Actual_Cost,Cost"
)


def day(k: int) -> dt.date:
    return nth_working_day(MONDAY, k)


def long_date(d: dt.date, time: str) -> str:
    return f'"{d:%B} {d.day}, {d.year} {time}"'


def money(x: float) -> str:
    return f'"${x:,.2f}"'


def selected_data_csv(costs, pct, actual, *, summary: bool = True, extra_header: str = "", extra=None) -> bytes:
    """A "Selected Data" CSV: a project summary row (ID 0), a phase summary whose own numbers are
    wrong on purpose, then one leaf task per working day."""
    lines = [HEADER + extra_header]
    if summary:
        lines.append(
            f"0,0,Oracle plan,0,Yes,No,{long_date(day(1), '8:00 AM')},{long_date(day(len(costs)), '5:00 PM')},"
            f"{long_date(day(1), '8:00 AM')},{long_date(day(len(costs)), '5:00 PM')},{money(123456)},77%,"
            f"{money(999)},{money(0)}" + ("," * extra_header.count(","))
        )
        lines.append(
            f"1,1,Phase,1,Yes,No,{long_date(day(1), '8:00 AM')},{long_date(day(len(costs)), '5:00 PM')},"
            f"{long_date(day(1), '8:00 AM')},{long_date(day(len(costs)), '5:00 PM')},{money(654321)},12%,"
            f"{money(5)},{money(0)}" + ("," * extra_header.count(","))
        )
    for k, (cost, p, a) in enumerate(zip(costs, pct, actual, strict=True), start=1):
        d = day(k)
        row = (
            f"{k + 1},{k + 1},Period {k},2,No,No,{long_date(d, '8:00 AM')},{long_date(d, '5:00 PM')},"
            f"{long_date(d, '8:00 AM')},{long_date(d, '5:00 PM')},{money(cost)},{p:g}%,{money(a)},{money(cost)}"
        )
        if extra:
            row += "," + extra[k - 1]
        lines.append(row)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def ingest(store, data: bytes, name: str, project: str, as_of: dt.date):
    result = ingest_bytes(store, data, name, project_id=project, as_of=as_of)
    assert result.ok, result.message
    return result


def cli(db, project: str, as_of: dt.date | None = None) -> dict:
    args = ["evm", "--project", project, "--db", str(db), "--json"]
    if as_of:
        args += ["--as-of", as_of.isoformat()]
    done = run_cli(metrics_main, *args)  # in-process; tests/test_metrics_cli.py runs ``python -m metrics``
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


# ---------------------------------------------------------------------------------------------
# the four oracles, through loader + store + report, and the CLI


def test_fence_oracle_through_csv_loader_and_cli(store):
    data = selected_data_csv([1000] * 4, [100, 100, 50, 0], [1000, 1200, 600, 0])
    ingest(store, data, "fence.csv", "fence", day(3))
    r = evm.report(store, "fence")
    assert r["status_date"] == day(3)
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == (4000, 3000, 2500, 2800)  # summary rows ignored
    assert r["cv"] == -300 and r["sv"] == -500
    assert r["cpi"] == pytest.approx(0.892857, abs=1e-6) and r["spi"] == pytest.approx(0.8333, abs=1e-4)
    assert r["eac_cpi"] == pytest.approx(4480) and r["vac"] == pytest.approx(-480)
    out = cli(store.path, "fence")
    assert set(evm.KEYS) <= set(out)
    assert out["status_date"] == "2026-01-07" and out["planned_finish"] == "2026-01-08"
    assert out["pv"] == 3000 and out["ev"] == 2500 and out["ac"] == 2800
    assert out["cpi"] == pytest.approx(0.892857, abs=1e-6) and out["eac_cpi"] == pytest.approx(4480)
    assert out["es_days"] == pytest.approx(2.5) and out["at_days"] == 3
    assert out["reasons"] == {}


def test_linear_baseline_oracle_through_csv_loader_and_cli(store):
    costs = [10_000] * 10
    ingest(store, selected_data_csv(costs, spread_ev(costs, 30_000), [35_000] + [0] * 9), "linear.csv", "lin", day(4))
    out = cli(store.path, "lin")
    assert out["bac"] == 100_000 and out["pv"] == 40_000 and out["ev"] == 30_000 and out["ac"] == 35_000
    assert out["cpi"] == pytest.approx(0.857143, abs=1e-6)
    assert out["spi"] == pytest.approx(0.75)
    assert out["eac_cpi"] == pytest.approx(116_666.67, abs=0.01)
    assert out["eac_atypical"] == pytest.approx(105_000)
    assert out["tcpi_bac"] == pytest.approx(1.076923, abs=1e-6)
    assert out["es_days"] == pytest.approx(3.0)
    assert out["spi_t"] == pytest.approx(0.75)
    assert out["ieac_t_days"] == pytest.approx(13.333, abs=1e-3)
    assert out["forecast_finish"] == nth_working_day(MONDAY, 14).isoformat()


VANHOUCKE_COSTS = [5, 5, 15, 30, 30, 35, 10, 10, 10]  # cumulative 5 … 150
VANHOUCKE = [(1, 3.33, 0.67), (2, 6.67, 1.33), (3, 10.0, 2.00), (4, 22.5, 2.83), (5, 70.0, 4.50), (6, 82.5, 4.92)]


def test_vanhoucke_earned_schedule_oracle_through_csv_snapshots_and_cli(store):
    """One upload per week (six snapshots), then W11: finished two weeks late."""
    for week, ev, _ in VANHOUCKE:
        data = selected_data_csv(VANHOUCKE_COSTS, spread_ev(VANHOUCKE_COSTS, ev), [ev] + [0] * 8)
        ingest(store, data, f"week{week}.csv", "vh", day(week))
    ingest(store, selected_data_csv(VANHOUCKE_COSTS, [100] * 9, VANHOUCKE_COSTS), "week11.csv", "vh", day(11))
    for week, ev, es in VANHOUCKE:
        out = cli(store.path, "vh", day(week))
        assert out["status_date"] == day(week).isoformat()
        assert out["ev"] == pytest.approx(ev)
        assert out["es_days"] == pytest.approx(es, abs=0.005), week
    late = cli(store.path, "vh")
    assert late["spi"] == 1.0 and late["es_days"] == 9.0 and late["at_days"] == 11
    assert late["spi_t"] == pytest.approx(0.8182, abs=1e-4) and late["sv_t_days"] == -2.0
    history = evm.evm_history(store.history("tasks", "vh"))
    assert history["es_days"].round(2).tolist() == [0.67, 1.33, 2.0, 2.83, 4.5, 4.92, 9.0]


def test_pra_oracle_through_mspdi_xml_and_cli(store):
    costs = [10_000, 10_000, 20_000, 30_000, 30_000]
    ingest(store, mspdi(costs, [35] * 5, [36_000, 0, 0, 0, 0], status=day(3)), "pra.xml", "pra", None)
    out = cli(store.path, "pra")
    assert out["status_date"] == day(3).isoformat()  # the file's StatusDate
    assert out["pv"] == 40_000 and out["ev"] == pytest.approx(35_000) and out["ac"] == 36_000
    assert out["sv"] == pytest.approx(-5_000) and out["cv"] == pytest.approx(-1_000)
    assert out["spi"] == pytest.approx(0.875, abs=1e-6) and out["cpi"] == pytest.approx(0.9722222, abs=1e-6)


# ---------------------------------------------------------------------------------------------
# MS Project's own BCWS/BCWP/ACWP, edge cases through the loader


def test_ms_project_bcws_bcwp_acwp_shown_beside_ours(store):
    extra = [
        "$1000.00,$1000.00,$1000.00",
        "$1000.00,$1000.00,$1200.00",
        "$1000.00,$500.00,$600.00",
        "$1000.00,$0.00,$0.00",
    ]  # MS Project saw the status date one day later: BCWS 4000
    data = selected_data_csv(
        [1000] * 4, [100, 100, 50, 0], [1000, 1200, 600, 0], extra_header=",BCWS,BCWP,ACWP", extra=extra
    )
    ingest(store, data, "fence-ev.csv", "fence", day(3))
    out = cli(store.path, "fence")
    assert out["ms_project"]["bcws"] == 4000 and out["pv"] == 3000
    assert out["ms_project"]["bcwp"] == 2500 and out["ms_project"]["acwp"] == 2800
    assert out["ms_project"]["differs"] == {"bcws": True, "bcwp": False, "acwp": False}
    table = evm_view.ms_project_table(evm.evm_at(store.snapshot("tasks", None, ["fence"]), day(3)))
    assert table["differs"].tolist() == [True, False, False]


def test_plan_without_baseline_through_loader(store):
    data = (
        b"ID,Unique_ID,Name,Outline_Level,Start_Date,Finish_Date,Baseline_Start,Baseline_Finish,Percent_Complete,"
        b'Actual_Cost\r\n1,1,Only task,1,"January 5, 2026 8:00 AM","January 9, 2026 5:00 PM",NA,NA,40%,$100.00\r\n'
    )
    ingest(store, data, "nobase.csv", "nobase", day(3))
    out = cli(store.path, "nobase")
    assert out["bac"] is None and out["spi"] is None and out["cpi"] is None and out["spi_t"] is None
    assert "Baseline_Cost" in out["reasons"]["bac"]
    assert out["ac"] == 100


def test_status_date_before_start_and_ac_zero_through_loader(store):
    ingest(store, selected_data_csv([100, 100], [0, 0], [0, 0]), "early.csv", "early", MONDAY - dt.timedelta(days=3))
    out = cli(store.path, "early")
    assert out["pv"] == 0 and out["at_days"] == 0
    assert out["spi"] is None and out["cpi"] is None and out["spi_t"] is None
    assert "AC is 0" in out["reasons"]["cpi"] and "before" in out["reasons"]["spi_t"]


def test_unknown_project_is_one_plain_sentence(store):
    with pytest.raises(MetricsError, match="no MS Project plan"):
        evm.report(store, "nope")
    store.schema_version()
    done = run_cli(metrics_main, "evm", "--project", "nope", "--db", store.path, "--json")
    assert done.returncode == 1 and "no MS Project plan" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------------------
# MSPDI


def mspdi(costs, pct, actual, *, status: dt.date, bcws=None) -> bytes:
    """A minimal MSPDI file: money in hundredths, a project summary task UID 0, a phase summary
    whose own baseline cost is wrong on purpose, one leaf task per working day."""

    def stamp(d: dt.date, hour: int) -> str:
        return f"{d.isoformat()}T{hour:02d}:00:00"

    n = len(costs)
    tasks = [
        f"""<Task><UID>0</UID><ID>0</ID><Name>Oracle</Name><OutlineLevel>0</OutlineLevel><Summary>1</Summary>
        <Milestone>0</Milestone><Start>{stamp(day(1), 8)}</Start><Finish>{stamp(day(n), 17)}</Finish>
        <PercentComplete>50</PercentComplete><ActualCost>12300</ActualCost>
        <Baseline><Number>0</Number><Start>{stamp(day(1), 8)}</Start><Finish>{stamp(day(n), 17)}</Finish>
        <Cost>99999900</Cost></Baseline></Task>""",
        f"""<Task><UID>1</UID><ID>1</ID><Name>Phase</Name><OutlineLevel>1</OutlineLevel><Summary>1</Summary>
        <Milestone>0</Milestone><Start>{stamp(day(1), 8)}</Start><Finish>{stamp(day(n), 17)}</Finish>
        <PercentComplete>50</PercentComplete><ActualCost>12300</ActualCost>
        <Baseline><Number>0</Number><Start>{stamp(day(1), 8)}</Start><Finish>{stamp(day(n), 17)}</Finish>
        <Cost>88888800</Cost></Baseline></Task>""",
    ]
    for k, (cost, p, a) in enumerate(zip(costs, pct, actual, strict=True), start=1):
        d = day(k)
        tasks.append(
            f"""<Task><UID>{k + 1}</UID><ID>{k + 1}</ID><Name>Period {k}</Name><OutlineLevel>2</OutlineLevel>
            <Summary>0</Summary><Milestone>0</Milestone><Start>{stamp(d, 8)}</Start><Finish>{stamp(d, 17)}</Finish>
            <Duration>PT8H0M0S</Duration><PercentComplete>{p:g}</PercentComplete><Cost>{cost * 100:.0f}</Cost>
            <ActualCost>{a * 100:.0f}</ActualCost>
            <Baseline><Number>0</Number><Start>{stamp(d, 8)}</Start><Finish>{stamp(d, 17)}</Finish>
            <Duration>PT8H0M0S</Duration><Cost>{cost * 100:.0f}</Cost></Baseline></Task>"""
        )
    return f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Project xmlns="http://schemas.microsoft.com/project">
<SaveVersion>14</SaveVersion><Name>oracle.xml</Name><Title>Oracle</Title>
<StartDate>{stamp(day(1), 8)}</StartDate><FinishDate>{stamp(day(n), 17)}</FinishDate>
<StatusDate>{stamp(status, 17)}</StatusDate><MinutesPerDay>480</MinutesPerDay><MinutesPerWeek>2400</MinutesPerWeek>
<DaysPerMonth>20</DaysPerMonth><CurrencySymbol>$</CurrencySymbol>
<Tasks>{"".join(tasks)}</Tasks></Project>""".encode()


def test_fence_oracle_through_mspdi(store):
    ingest(store, mspdi([1000] * 4, [100, 100, 50, 0], [1000, 1200, 600, 0], status=day(3)), "fence.xml", "fx", None)
    r = evm.report(store, "fx")
    assert r["status_date"] == day(3)
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == (4000, 3000, 2500, 2800)
    assert r["eac_cpi"] == pytest.approx(4480)
