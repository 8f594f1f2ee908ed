"""metrics.evm as pure functions: the DESIGN.md §7 oracles, edge cases and invariants.

Plans are built as "one task per period": period k is one working day, so PV per period is the
task's baseline cost and Earned Schedule in periods equals ES in working days. The same oracles are
fed through the real loader, the store and the CLI in tests/test_evm_oracles.py.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import evm
from metrics.calendar import nth_working_day, working_days_through

MONDAY = dt.date(2026, 1, 5)


def day(k: int) -> dt.date:
    """The k-th working day of the plan (k = 1 is Monday 5 January 2026)."""
    return nth_working_day(MONDAY, k)


def plan(costs, pct=None, actual=None, **extra) -> pd.DataFrame:
    """One leaf task per working day: task k has baseline ``costs[k-1]`` on day k."""
    n = len(costs)
    days = pd.to_datetime([day(k) for k in range(1, n + 1)])
    frame = pd.DataFrame(
        {
            "project_id": "p",
            "task_uid": np.arange(1, n + 1),
            "task_id": np.arange(1, n + 1),
            "name": [f"Period {k}" for k in range(1, n + 1)],
            "outline_level": 1,
            "is_summary": False,
            "is_milestone": False,
            "baseline_start": days + pd.Timedelta(hours=8),
            "baseline_finish": days + pd.Timedelta(hours=17),
            "start": days + pd.Timedelta(hours=8),
            "finish": days + pd.Timedelta(hours=17),
            "baseline_duration_hours": 8.0,
            "baseline_cost": np.asarray(costs, dtype=float),
            "percent_complete": np.zeros(n) if pct is None else np.asarray(pct, dtype=float),
            "actual_cost": np.zeros(n) if actual is None else np.asarray(actual, dtype=float),
        }
    )
    for key, value in extra.items():
        frame[key] = value
    return frame


def spread_ev(costs, ev: float) -> list[float]:
    """% complete per task giving total EV ``ev`` (earliest tasks first)."""
    pct, left = [], ev
    for cost in costs:
        take = min(cost, max(left, 0.0))
        pct.append(100.0 * take / cost if cost else 0.0)
        left -= take
    return pct


# ---------------------------------------------------------------------------------------------
# oracles (DESIGN.md §7)


def test_fence_oracle_mulcahy():
    r = evm.evm_at(plan([1000] * 4, pct=[100, 100, 50, 0], actual=[1000, 1200, 600, 0]), day(3))
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == (4000, 3000, 2500, 2800)
    assert r["cv"] == -300 and r["sv"] == -500
    assert r["cpi"] == pytest.approx(0.892857, abs=1e-6)
    assert r["spi"] == pytest.approx(0.8333, abs=1e-4)
    assert r["eac_cpi"] == pytest.approx(4480.0)
    assert r["eac_cpi"] == pytest.approx(4479, abs=1.5)  # the book's 4,479 uses CPI rounded to .893
    assert r["vac"] == pytest.approx(-480.0)
    assert r["etc"] == pytest.approx(1680.0)
    # derived in reference/msproject-exports.md §c O3
    assert r["es_days"] == pytest.approx(2.5)
    assert r["spi_t"] == pytest.approx(0.8333, abs=1e-4)
    assert r["tspi"] == pytest.approx(1.5)
    assert r["eac_atypical"] == pytest.approx(4300)
    assert r["eac_cpi_spi"] == pytest.approx(4816)


LINEAR = [10_000] * 10


@pytest.mark.parametrize(
    "period, ev, ac, expected",
    [
        (
            4,
            30_000,
            35_000,
            dict(
                pv=40_000,
                cv=-5_000,
                sv=-10_000,
                cpi=0.857142857,
                spi=0.75,
                eac_cpi=116_666.667,
                eac_atypical=105_000,
                etc=81_666.667,
                tcpi_bac=1.076923,
                vac=-16_666.667,
                es_days=3.0,
                sv_t_days=-1.0,
                spi_t=0.75,
                ieac_t_days=13.333,
            ),
        ),
        (4, 34_000, 35_000, dict(es_days=3.4)),
        (5, 40_000, 38_000, dict(cpi=1.0526316, spi=0.8, eac_cpi=95_000, es_days=4.0, ieac_t_days=12.5)),
        (10, 100_000, 110_000, dict(cpi=0.9090909, spi=1.0, eac_cpi=110_000, es_days=10.0, spi_t=1.0)),
    ],
)
def test_linear_baseline_oracle_pmcontrols(period, ev, ac, expected):
    tasks = plan(LINEAR, pct=spread_ev(LINEAR, ev), actual=[ac] + [0] * 9)
    r = evm.evm_at(tasks, day(period))
    assert r["bac"] == 100_000 and r["ev"] == pytest.approx(ev) and r["at_days"] == period
    for key, value in expected.items():
        assert r[key] == pytest.approx(value, rel=1e-6, abs=1e-3), key


@pytest.mark.parametrize(
    "cumulative, ev, es",
    [([20, 50, 90, 140, 200], 70, 2.5), ([30, 70, 120, 180, 250], 100, 2.6)],
)
def test_nonlinear_earned_schedule_pmcontrols(cumulative, ev, es):
    costs = np.diff([0, *cumulative]).tolist()
    r = evm.evm_at(plan(costs, pct=spread_ev(costs, ev), actual=[1] * len(costs)), day(3))
    assert r["es_days"] == pytest.approx(es)


VANHOUCKE_PV = [5, 10, 25, 55, 85, 120, 130, 140, 150]
VANHOUCKE_COSTS = np.diff([0, *VANHOUCKE_PV]).tolist()
VANHOUCKE = [  # week, EV, ES published (W1-W6) or derived with the §b3 formulas (W7-W11)
    (1, 3.33, 0.67),
    (2, 6.67, 1.33),
    (3, 10.0, 2.00),
    (4, 22.5, 2.83),
    (5, 70.0, 4.50),
    (6, 82.5, 4.92),
    (7, 90.0, 5.1429),
    (8, 120.0, 6.0),
    (9, 130.0, 7.0),
    (10, 140.0, 8.0),
    (11, 150.0, 9.0),
]


@pytest.mark.parametrize("week, ev, es", VANHOUCKE)
def test_earned_schedule_oracle_vanhoucke(week, ev, es):
    tasks = plan(VANHOUCKE_COSTS, pct=spread_ev(VANHOUCKE_COSTS, ev), actual=[ev] + [0] * 8)
    r = evm.evm_at(tasks, day(week))
    assert r["bac"] == 150
    assert r["es_days"] == pytest.approx(es, abs=0.005 if week <= 6 else 1e-4)
    assert r["at_days"] == week
    assert r["spi_t"] == pytest.approx(r["es_days"] / week)
    assert r["ieac_t_days"] == pytest.approx(9 / r["spi_t"])
    assert r["planned_finish"] == day(9)


def test_finished_late_project_spi_one_but_spi_t_below_one():
    """Vanhoucke W11: everything done two weeks late. SPI = 1, SPI(t) = 9/11, SV(t) = −2."""
    tasks = plan(VANHOUCKE_COSTS, pct=[100] * 9, actual=VANHOUCKE_COSTS)
    r = evm.evm_at(tasks, day(11))
    assert r["spi"] == 1.0 and r["pv"] == r["bac"] == r["ev"] == 150
    assert r["es_days"] == 9.0  # ES = PD when EV = BAC
    assert r["sv_t_days"] == -2.0
    assert r["spi_t"] == pytest.approx(0.8182, abs=1e-4)
    assert r["ieac_t_days"] == pytest.approx(11.0)
    assert r["forecast_finish"] == day(11)
    assert r["tspi"] is None and "planned finish has passed" in r["reasons"]["tspi"]


def test_pra_oracle():
    costs = [10_000, 10_000, 20_000, 30_000, 30_000]  # cumulative 10/20/40/70/100 %
    r = evm.evm_at(plan(costs, pct=[35] * 5, actual=[36_000, 0, 0, 0, 0]), day(3))
    assert r["pv"] == 40_000 and r["ev"] == pytest.approx(35_000) and r["ac"] == 36_000
    assert r["sv"] == pytest.approx(-5_000) and r["cv"] == pytest.approx(-1_000)
    assert r["spi"] == pytest.approx(0.875, abs=1e-6)
    assert r["cpi"] == pytest.approx(0.9722222, abs=1e-6)
    # derived (reference §c O4)
    assert r["es_days"] == pytest.approx(2.75)
    assert r["spi_t"] == pytest.approx(0.91667, abs=1e-5)
    assert r["eac_cpi"] == pytest.approx(102_857.14, abs=0.01)
    assert r["eac_atypical"] == pytest.approx(101_000)
    assert r["eac_cpi_spi"] == pytest.approx(112_408.16, abs=0.01)
    assert r["tcpi_bac"] == pytest.approx(1.015625)


def test_microsoft_field_examples():
    """reference §c O2: a single task, MS Project semantics."""
    # BCWS: $500 spread evenly; at the midpoint of its working days PV = $250
    tasks = plan([500])
    tasks["baseline_finish"] = pd.Timestamp(day(10)) + pd.Timedelta(hours=17)
    assert evm.evm_at(tasks, day(5))["pv"] == pytest.approx(250)
    # BCWP: $400 at 25 % -> 100, 50 % -> 200
    assert evm.evm_at(plan([400], pct=[25]), day(1))["ev"] == 100
    assert evm.evm_at(plan([400], pct=[50]), day(1))["ev"] == 200
    # TCPI: BAC 200, BCWP 125, ACWP 150 -> 1.5; CV%: BCWP 500, ACWP 400 -> 20 %
    assert evm.indices_from_totals(200, 200, 125, 150)["tcpi_bac"] == pytest.approx(1.5)
    assert evm.indices_from_totals(1000, 500, 500, 400)["cv_pct"] == pytest.approx(0.2)
    assert evm.indices_from_totals(1000, 500, 550, 400)["sv_pct"] == pytest.approx(0.1)


# ---------------------------------------------------------------------------------------------
# edge cases


def test_no_baseline_gives_nulls_with_reasons():
    tasks = plan([100, 100], pct=[50, 0], actual=[30, 0])
    tasks[["baseline_start", "baseline_finish"]] = pd.NaT
    tasks["baseline_cost"] = np.nan
    r = evm.evm_at(tasks, day(2))
    for key in ("bac", "pv", "ev", "spi", "cpi", "spi_t", "eac_cpi", "es_days"):
        assert r[key] is None, key
        assert key in r["reasons"], key
    assert "Baseline_Cost" in r["reasons"]["bac"]
    assert r["ac"] == 30
    assert evm.missing_baseline_columns(tasks) == ["Baseline_Start", "Baseline_Finish", "Baseline_Cost"]


def test_no_percent_complete_column_gives_null_ev_not_zero():
    tasks = plan([100, 100, 100], actual=[80, 90, 0]).drop(columns=["percent_complete"])
    r = evm.evm_at(tasks, day(2))
    assert r["bac"] == 300 and r["pv"] == 200 and r["ac"] == 170
    for key in evm.EV_DERIVED:
        assert r[key] is None, key
        assert "% Complete" in r["reasons"][key], key
    assert r["at_days"] == 2 and r["planned_finish"] == day(3)  # these need no EV
    wbs = evm.variance_by_wbs(tasks, day(2))
    assert wbs["cpi"].isna().all() and wbs["ev"].isna().all()
    # a physical-% task with no physical % complete is missing too
    phys = plan([100], pct=[50], actual=[10], earned_value_method="physical")
    assert evm.evm_at(phys, day(1))["ev"] is None


def test_some_percent_complete_missing_counts_zero_with_a_note():
    tasks = plan([100, 100, 100], pct=[100, np.nan, np.nan], actual=[80, 90, 0])
    r = evm.evm_at(tasks, day(2))
    assert r["ev"] == 100 and r["cpi"] == pytest.approx(100 / 170)
    assert any("2 leaf task(s) have no % complete" in n for n in r["notes"])


def test_ac_zero_leaves_cpi_and_eac_undefined():
    r = evm.evm_at(plan([100, 100], pct=[50, 0]), day(1))
    assert r["ac"] == 0 and r["ev"] == 50
    assert r["cpi"] is None and r["eac_cpi"] is None and r["vac"] is None and r["etc"] is None
    assert "AC is 0" in r["reasons"]["cpi"]
    assert r["eac_atypical"] == 150  # AC + (BAC − EV) is still defined
    assert r["spi"] == 0.5


def test_status_date_before_start():
    r = evm.evm_at(plan([100, 100]), MONDAY - dt.timedelta(days=7))
    assert r["pv"] == 0 and r["ev"] == 0
    assert r["spi"] is None and "before" in r["reasons"]["spi"]
    assert r["at_days"] == 0 and r["spi_t"] is None and "before" in r["reasons"]["spi_t"]
    assert r["sv_pct"] is None


def test_status_date_after_finish():
    costs = [100, 100, 100]
    r = evm.evm_at(plan(costs, pct=[100, 100, 50], actual=[100, 100, 80]), day(6))
    assert r["pv"] == r["bac"] == 300
    assert r["spi"] == pytest.approx(250 / 300)
    assert r["es_days"] == pytest.approx(2.5) and r["at_days"] == 6
    assert r["tspi"] is None


def test_weekend_is_not_working_time():
    # one task over two weeks (Mon 5 to Fri 16 Jan: 10 working days), cost 1000
    tasks = plan([1000])
    tasks["baseline_finish"] = pd.Timestamp("2026-01-16 17:00")
    assert evm.evm_at(tasks, dt.date(2026, 1, 9))["pv"] == pytest.approx(500)  # Friday
    assert evm.evm_at(tasks, dt.date(2026, 1, 11))["pv"] == pytest.approx(500)  # Sunday: nothing more
    assert evm.evm_at(tasks, dt.date(2026, 1, 12))["pv"] == pytest.approx(600)  # Monday counts in full
    assert evm.evm_at(tasks, dt.date(2026, 1, 11))["at_days"] == 5


def test_milestone_counts_in_full_at_baseline_finish():
    tasks = plan([100, 0])
    tasks.loc[1, ["is_milestone", "baseline_cost", "baseline_duration_hours"]] = [True, 50.0, 0.0]
    tasks.loc[1, "baseline_start"] = pd.Timestamp(day(5)) + pd.Timedelta(hours=17)
    tasks.loc[1, "baseline_finish"] = pd.Timestamp(day(5)) + pd.Timedelta(hours=17)
    assert evm.evm_at(tasks, day(4))["pv"] == 100
    assert evm.evm_at(tasks, day(5))["pv"] == 150


def test_fixed_cost_accrual_start_end_prorated():
    base = plan([1000])
    base["baseline_finish"] = pd.Timestamp(day(4)) + pd.Timedelta(hours=17)  # 4 working days
    base["fixed_cost"] = 400.0
    pv = {}
    for accrual in ("1", "2", "3", "start", "end", "prorated"):
        pv[accrual] = evm.evm_at(base.assign(fixed_cost_accrual=accrual), day(1))["pv"]
    assert pv["1"] == pv["start"] == pytest.approx(400 + 600 / 4)
    assert pv["2"] == pv["end"] == pytest.approx(600 / 4)
    assert pv["3"] == pv["prorated"] == pytest.approx(250)
    assert evm.evm_at(base.assign(fixed_cost_accrual="end"), day(4))["pv"] == pytest.approx(1000)


def test_physical_percent_complete_method():
    tasks = plan([100, 100], pct=[100, 100])
    tasks["physical_percent_complete"] = [40.0, 10.0]
    tasks["earned_value_method"] = ["physical_percent_complete", "percent_complete"]
    assert evm.evm_at(tasks, day(2))["ev"] == pytest.approx(140)
    tasks["earned_value_method"] = "1"  # MSPDI code
    assert evm.evm_at(tasks, day(2))["ev"] == pytest.approx(50)


def test_time_phased_baseline_replaces_linear_spread():
    """MS Project's BCWP example: $60 time-phased 10/10/20/20 over 4 days."""
    tasks = plan([60])
    tasks["baseline_finish"] = pd.Timestamp(day(4)) + pd.Timedelta(hours=17)
    phased = pd.DataFrame(
        {
            "task_uid": 1,
            "baseline_number": 0,
            "start": [pd.Timestamp(day(k)) + pd.Timedelta(hours=8) for k in range(1, 5)],
            "finish": [pd.Timestamp(day(k)) + pd.Timedelta(hours=17) for k in range(1, 5)],
            "cost": [10.0, 10.0, 20.0, 20.0],
        }
    )
    assert evm.evm_at(tasks, day(2))["pv"] == pytest.approx(30)  # linear spread
    assert evm.evm_at(tasks, day(2), timephased=phased)["pv"] == pytest.approx(20)
    assert evm.evm_at(tasks, day(3), timephased=phased)["pv"] == pytest.approx(40)
    assert evm.evm_at(tasks, day(1))["pv"] == pytest.approx(15)


def test_summary_rows_count_only_their_own_share():
    # a summary's rolled-up values never count twice: baseline = Σ subtasks (own share 0); an actual
    # cost below its subtasks' (not rolled up again) gives no own share either, with a note
    leaves = plan([1000] * 4, pct=[100, 100, 50, 0], actual=[1000, 1200, 600, 0])
    leaves["outline_level"] = 2
    summary = leaves.iloc[[0]].assign(
        task_uid=100,
        task_id=0,
        name="Phase",
        outline_level=1,
        is_summary=True,
        baseline_cost=4000.0,
        percent_complete=90.0,
        actual_cost=123.0,
        bcws=7777.0,
    )
    tasks = pd.concat([summary, leaves], ignore_index=True)
    r = evm.evm_at(tasks, day(3))
    assert (r["bac"], r["pv"], r["ev"], r["ac"]) == (4000, 3000, 2500, 2800)
    assert r["leaf_tasks"] == 4
    assert any("below the sum of their subtasks" in n for n in r["notes"])


def test_summary_inferred_from_outline_levels_when_flag_missing():
    tasks = plan([100, 100, 100])
    tasks["is_summary"] = pd.NA
    tasks["outline_level"] = [1, 2, 2]
    tasks["task_id"] = [1, 2, 3]
    assert evm.evm_at(tasks, day(3))["bac"] == 200


def test_ms_project_bcws_shown_beside_ours_with_difference_flag():
    tasks = plan([1000] * 4, pct=[100, 100, 50, 0], actual=[1000, 1200, 600, 0])
    tasks["bcws"] = [1000, 1000, 1000, 500]  # MS Project saw a later status date: 3500
    tasks["bcwp"] = [1000, 1000, 500, 0]
    tasks["acwp"] = [1000, 1200, 600, 0]
    ms = evm.evm_at(tasks, day(3))["ms_project"]
    assert ms["bcws"] == 3500 and ms["bcwp"] == 2500 and ms["acwp"] == 2800
    assert ms["differs"] == {"bcws": True, "bcwp": False, "acwp": False}
    assert evm.evm_at(plan([1]), day(1))["ms_project"] is None


def test_rollup_sums_then_divides():
    a = {"bac": 1000, "pv": 100, "ev": 50, "ac": 100}  # SPI .5, CPI .5
    b = {"bac": 9000, "pv": 900, "ev": 900, "ac": 450}  # SPI 1, CPI 2
    r = evm.rollup([a, b])
    assert r["spi"] == pytest.approx(950 / 1000)  # not (0.5 + 1) / 2
    assert r["cpi"] == pytest.approx(950 / 550)
    assert r["bac"] == 10_000 and r["eac_cpi"] == pytest.approx(10_000 / (950 / 550))
    r = evm.rollup([a, {"bac": None, "pv": None, "ev": None, "ac": 5}])
    assert r["excluded"] == 1 and r["spi"] == 0.5
    assert evm.rollup([])["spi"] is None


def test_rollup_cpi_only_over_projects_with_actual_cost():
    a = {"bac": 1000, "pv": 100, "ev": 100, "ac": 100}
    b = {"bac": 1000, "pv": 100, "ev": 100, "ac": None}  # no actual cost yet
    r = evm.rollup([a, b])
    assert r["cpi"] == pytest.approx(1.0)  # not 200 / 100 = 2.0
    assert r["spi"] == pytest.approx(1.0) and r["ev"] == 200 and r["ac"] == 100
    assert (r["spi_projects"], r["cpi_projects"], r["projects"]) == (2, 1, 2)
    assert r["eac_cpi"] == pytest.approx(1000) and r["cost_bac"] == 1000
    assert r["notes"] and "1 of 2" in r["notes"][0]
    c = {"bac": 500, "pv": None, "ev": 50, "ac": 25}  # no PV: in CPI, not in SPI
    r = evm.rollup([a, c])
    assert r["spi"] == pytest.approx(1.0) and r["spi_projects"] == 1
    assert r["cpi"] == pytest.approx(150 / 125) and r["cpi_projects"] == 2
    only_b = evm.rollup([b])
    assert only_b["cpi"] is None and "actual cost" in only_b["reasons"]["cpi"]


# ---------------------------------------------------------------------------------------------
# history, milestone trend, late tasks, WBS variance


def snapshots(costs, evs, **extra) -> pd.DataFrame:
    frames = []
    for week, ev in enumerate(evs, start=1):
        frame = plan(costs, pct=spread_ev(costs, ev), actual=[ev * 1.1] + [0] * (len(costs) - 1), **extra)
        frames.append(frame.assign(snapshot_as_of=pd.Timestamp(day(week))))
    return pd.concat(frames, ignore_index=True)


def test_history_one_row_per_snapshot():
    evs = [v[1] for v in VANHOUCKE]
    hist = evm.evm_history(snapshots(VANHOUCKE_COSTS, evs))
    assert len(hist) == 11
    assert list(hist["snapshot_as_of"]) == [day(k) for k in range(1, 12)]
    assert hist["es_days"].round(2).tolist()[:6] == [0.67, 1.33, 2.0, 2.83, 4.5, 4.92]
    assert hist["spi"].iloc[-1] == 1.0 and hist["spi_t"].iloc[-1] == pytest.approx(9 / 11)
    assert set(evm.KEYS) <= set(hist.columns)
    trend = evm.index_trend(hist)
    assert set(trend["index"]) == {"CPI", "SPI", "SPI(t)"} and len(trend) == 33


def test_milestone_trend_and_late_tasks():
    frames = []
    for snap, slip in ((1, 0), (2, 2), (3, 3)):
        tasks = plan([100, 0], pct=[100 if snap > 1 else 50, 0])
        tasks.loc[1, ["is_milestone", "name"]] = [True, "Go-live"]
        tasks.loc[1, "baseline_start"] = tasks.loc[1, "baseline_finish"] = pd.Timestamp(day(2)) + pd.Timedelta(hours=17)
        tasks.loc[1, "finish"] = pd.Timestamp(day(2 + slip)) + pd.Timedelta(hours=17)
        frames.append(tasks.assign(snapshot_as_of=pd.Timestamp(day(snap))))
    hist = pd.concat(frames, ignore_index=True)
    trend = evm.milestone_trend(hist)
    assert list(trend["milestone"]) == ["Go-live"] * 3
    assert trend["slip_days"].tolist() == [0, 2, 3]
    assert trend["baseline_finish"].tolist() == [day(2)] * 3
    assert trend["forecast_finish"].tolist() == [day(2), day(4), day(5)]
    late = evm.late_tasks(frames[2], day(3), previous=frames[1])
    assert late["task"].tolist() == ["Go-live"]
    assert late["late"].tolist() == [True] and late["slip_days"].tolist() == [3]
    assert late["slip_since_previous"].tolist() == [1]
    finished = frames[2].copy()
    finished.loc[1, "percent_complete"] = 100  # Go-live done, three days late: history, not a task to chase
    assert evm.late_tasks(finished, day(6), previous=frames[1]).empty


def test_variance_by_top_wbs_level():
    leaves = plan([100, 100, 100, 100], pct=[100, 100, 0, 0], actual=[50, 50, 0, 10])
    leaves["outline_level"] = 2
    design = leaves.iloc[[0]].assign(task_uid=10, name="Design", outline_level=1, is_summary=True, wbs="1")
    build = leaves.iloc[[0]].assign(task_uid=20, name="Build", outline_level=1, is_summary=True, wbs="2")
    tasks = pd.concat([design, leaves.iloc[:2], build, leaves.iloc[2:]], ignore_index=True)
    tasks["row_number"] = range(1, len(tasks) + 1)
    wbs = evm.variance_by_wbs(tasks, day(3))
    assert wbs["wbs_group"].tolist() == ["1 Design", "2 Build"]
    assert wbs["bac"].tolist() == [200, 200]
    assert wbs["pv"].tolist() == [200, 100]
    assert wbs["ev"].tolist() == [200, 0]
    assert wbs["cpi"].iloc[0] == 2.0 and wbs["spi"].iloc[1] == 0.0


def test_s_curve_has_pv_to_completion_ev_ac_and_eac():
    evs = [v[1] for v in VANHOUCKE][:5]
    hist = evm.evm_history(snapshots(VANHOUCKE_COSTS, evs))
    tasks = plan(VANHOUCKE_COSTS, pct=spread_ev(VANHOUCKE_COSTS, 70), actual=[80] + [0] * 8)
    current = evm.evm_at(tasks, day(5))
    frame = evm.s_curve(hist, evm.plan_curve(tasks), current)
    pv = frame[frame.series == "PV (baseline)"]
    assert pv["value"].tolist() == VANHOUCKE_PV
    assert len(frame[frame.series == "EV"]) == 5
    eac = frame[frame.series == "EAC projection"]["value"].tolist()
    assert eac == pytest.approx([80, current["eac_cpi"]])


# ---------------------------------------------------------------------------------------------
# invariants


costs_strategy = st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(costs=costs_strategy, data=st.data())
def test_properties_scale_sv_es(costs, data):
    n = len(costs)
    pct = data.draw(st.lists(st.integers(0, 100), min_size=n, max_size=n))
    actual = data.draw(st.lists(st.integers(0, 20_000), min_size=n, max_size=n))
    status = day(data.draw(st.integers(1, n + 3)))
    scale = data.draw(st.sampled_from([0.01, 3.0, 1000.0]))
    r = evm.evm_at(plan(costs, pct=pct, actual=actual), status)
    s = evm.evm_at(plan([c * scale for c in costs], pct=pct, actual=[a * scale for a in actual]), status)
    if r["cpi"] is None:
        assert s["cpi"] is None
    else:
        assert s["cpi"] == pytest.approx(r["cpi"], rel=1e-9)
    if r["bac"]:
        assert r["sv"] == pytest.approx(r["ev"] - r["pv"])
        assert 0 <= r["pv"] <= r["bac"] + 1e-9
        curve_pd = working_days_through(MONDAY, r["planned_finish"])[0]
        assert r["es_days"] <= curve_pd + 1e-9
        if r["ev"] == pytest.approx(r["bac"]):
            assert r["es_days"] == pytest.approx(curve_pd)
        if r["spi_t"] is not None:
            assert s["spi_t"] == pytest.approx(r["spi_t"], rel=1e-9)
    for value in r.values():
        assert not (isinstance(value, float) and not np.isfinite(value))


@settings(max_examples=40, deadline=None)
@given(costs=st.lists(st.integers(min_value=1, max_value=1000), min_size=2, max_size=10), data=st.data())
def test_earned_schedule_grows_with_ev(costs, data):
    bac = sum(costs)
    a, b = sorted(data.draw(st.lists(st.floats(0, bac), min_size=2, max_size=2)))
    curve = evm.plan_curve(plan(costs))
    assert curve.earned_schedule(a) <= curve.earned_schedule(b) + 1e-9 <= len(costs) + 1e-9
