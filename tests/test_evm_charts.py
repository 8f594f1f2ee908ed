"""charts.evm builders, checked through ``to_dict()``: titles, axis titles with units, tooltips, colours."""

from __future__ import annotations

import pandas as pd
from test_evm import VANHOUCKE, VANHOUCKE_COSTS, day, plan, snapshots, spread_ev

from charts import SERIES, STATUS_COLORS
from charts import evm as charts
from metrics import evm


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def frames():
    hist = evm.evm_history(snapshots(VANHOUCKE_COSTS, [v[1] for v in VANHOUCKE][:6]))
    tasks = plan(VANHOUCKE_COSTS, pct=spread_ev(VANHOUCKE_COSTS, 82.5), actual=[90] + [0] * 8)
    current = evm.evm_at(tasks, day(6))
    return hist, evm.s_curve(hist, evm.plan_curve(tasks), current)


def test_s_curve_spec():
    _, frame = frames()
    spec = charts.s_curve(frame, "EUR").to_dict()
    assert spec["title"]["text"] == "S-curve"
    enc = layers(spec)[0]["encoding"]
    assert enc["y"]["title"] == "Cumulative cost (EUR)" and enc["x"]["title"] == "Date"
    assert enc["color"]["scale"]["range"] == SERIES[:4]
    assert {t["title"] for t in enc["tooltip"]} == {"Series", "Date", "Cumulative (EUR)"}
    assert enc["strokeDash"]["scale"]["range"][3] == [6, 4]  # EAC projection dashed


def test_index_trend_spec_has_one_line_and_thresholds():
    hist, _ = frames()
    spec = charts.index_trend(evm.index_trend(hist), amber=0.95, red=0.9).to_dict()
    rules, lines = layers(spec)
    rows = [row for values in spec["datasets"].values() for row in values]
    assert [row["level"] for row in rows if "level" in row] == [1.0, 0.95, 0.9]
    assert rules["mark"]["strokeDash"] == [4, 4]
    assert STATUS_COLORS["red"] in str(spec) and STATUS_COLORS["amber"] in str(spec)
    assert lines["encoding"]["y"]["title"].startswith("Index")
    assert lines["encoding"]["x"]["title"] == "Snapshot (status date)"
    assert lines["encoding"]["tooltip"]


def test_wbs_and_milestone_specs():
    wbs = pd.DataFrame(
        {
            "wbs_group": ["1 Design", "2 Build"],
            "bac": [200, 200],
            "pv": [200, 100],
            "ev": [200, 0],
            "ac": [100, 10],
            "sv": [0, -100],
            "cv": [100, -10],
            "spi": [1.0, 0.0],
            "cpi": [2.0, 0.0],
        }
    )
    spec = charts.wbs_variance(wbs).to_dict()
    assert spec["title"] == "Variance by top-level WBS element"
    assert "currency units" in spec["encoding"]["x"]["title"]
    assert len(spec["encoding"]["tooltip"]) == 6
    trend = pd.DataFrame(
        {
            "snapshot_as_of": [day(1), day(2)],
            "task_uid": [3, 3],
            "milestone": ["Go-live"] * 2,
            "baseline_finish": [day(5)] * 2,
            "forecast_finish": [day(5), day(7)],
            "done": [False, False],
            "slip_days": [0, 2],
        }
    )
    spec = charts.milestone_trend(trend).to_dict()
    assert spec["title"]["text"] == "Milestone trend"
    baseline, forecast = layers(spec)
    assert forecast["encoding"]["y"]["title"] == "Finish date"
    assert baseline["mark"]["strokeDash"] == [4, 4]


def test_milestone_trend_keeps_same_named_milestones_apart():
    trend = pd.DataFrame(
        {
            "snapshot_as_of": [day(1), day(2)] * 2,
            "task_uid": [3, 3, 42, 42],
            "milestone": ["Go-live"] * 4,
            "baseline_finish": [day(5)] * 4,
            "forecast_finish": [day(5), day(7), day(9), day(9)],
            "done": [False] * 4,
            "slip_days": [0, 2, 0, 0],
        }
    )
    spec = charts.milestone_trend(trend).to_dict()
    _, forecast = layers(spec)
    field = forecast["encoding"]["color"]["field"]
    rows = spec["datasets"][spec["data"]["name"]] if "data" in spec else next(iter(spec["datasets"].values()))
    assert sorted({row[field] for row in rows}) == ["Go-live (#3)", "Go-live (#42)"]
    single = charts.milestone_trend(trend[trend["task_uid"] == 3]).to_dict()
    rows = next(iter(single["datasets"].values()))
    assert {row[field] for row in rows} == {"Go-live"}  # no uid suffix when the name is unique
