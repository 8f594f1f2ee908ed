"""Delivery chart builders, checked through ``to_dict()``: titles, axis titles, tooltips, colours."""

import datetime as dt
import json

import pandas as pd
from test_delivery import AS_OF, SCRUM, frames, issue

from charts import SERIES, STATUS_COLORS
from charts import delivery as ch
from metrics import delivery as dl


def prepared():
    issues, sprints = frames(SCRUM)
    items = dl.prepare(issues)
    return items, dl.memberships(items, sprints)


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def check(chart, title: str) -> dict:
    spec = chart.to_dict()
    text = json.dumps(spec)
    assert title in text
    for layer in layers(spec):
        enc = layer.get("encoding", {})
        assert "tooltip" in enc, layer
        for axis in ("x", "y"):
            if axis in enc and "field" in enc[axis]:
                assert enc[axis].get("title"), (axis, enc[axis])
    for color in STATUS_COLORS.values():
        assert color not in text  # red/amber/green mean status only
    return spec


def test_velocity_chart_has_completed_planned_and_rolling():
    items, members = prepared()
    v = dl.velocity(items, members, as_of=AS_OF)
    spec = check(ch.velocity(v, "points"), "Velocity")
    assert [layer["mark"]["type"] for layer in spec["layer"]] == ["bar", "tick", "line"]
    assert spec["layer"][0]["encoding"]["x"]["sort"] == ["Sprint 1", "Sprint 2", "Sprint 10"]
    assert "story points" in spec["layer"][0]["encoding"]["y"]["title"]


def test_burndown_exact_shows_scope_change_bars_and_approx_does_not():
    exact = pd.DataFrame(
        {
            "date": [dt.date(2026, 2, 2), dt.date(2026, 2, 6)],
            "scope": [10.0, 16.0],
            "done": [0.0, 3.0],
            "remaining": [10.0, 13.0],
            "added": [0.0, 8.0],
            "removed": [0.0, 2.0],
            "reestimated": [0.0, 0.0],
        }
    )
    spec = check(ch.burndown(exact, "points"), "Exact, from snapshots")
    assert len(spec["layer"]) == 2
    assert spec["layer"][0]["mark"]["interpolate"] == "step-after"  # known only at snapshot dates
    kinds = {row["kind"] for row in spec["datasets"][spec["layer"][1]["data"]["name"]]}
    assert kinds == {"added", "removed"}
    items, _ = prepared()
    approx = dl.burn_approx(items, "issues", dt.date(2026, 1, 1), AS_OF)
    spec = check(ch.burndown(approx, "issues"), "Approximate, from Created/Resolved")
    assert len(spec["layer"]) == 1 and spec["layer"][0]["encoding"]["y"]["title"] == "Remaining (issues)"
    assert "interpolate" not in spec["layer"][0]["mark"]
    cal = pd.DataFrame({"sprint": ["S"], "start": [dt.date(2026, 1, 1)], "finish": [dt.date(2026, 1, 14)]})
    guide = dl.guideline(approx, cal, "S")
    assert list(guide["remaining"]) == [approx["remaining"].iloc[0], 0.0] and guide["date"].iloc[1] == dt.date(
        2026, 1, 14
    )
    spec = check(ch.burndown(approx, "issues", guide=guide), "Sprint burn-down")
    assert len(spec["layer"]) == 2 and spec["layer"][0]["mark"]["strokeDash"] == [4, 4]
    assert dl.guideline(approx, cal, "other").empty


def test_burnup_draws_the_forecast_cone():
    items, _ = prepared()
    burn = dl.burn_approx(items, "points", dt.date(2026, 1, 1), AS_OF)
    fc = dl.forecast(items, AS_OF, "points")
    spec = check(ch.burnup(burn, dl.cone(burn, fc, AS_OF), "points"), "Burn-up with forecast")
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["area", "line", "line"]
    no_cone = ch.burnup(burn, dl.cone(burn, {"p50": None}, AS_OF), "points").to_dict()
    assert len(no_cone["layer"]) == 1


def test_flow_charts():
    items, _ = prepared()
    check(ch.throughput(dl.weekly_throughput(items, AS_OF), "points"), "Weekly throughput")
    lead = dl.lead_times(items, AS_OF)
    spec = check(ch.lead_time(lead, dl.lead_time_percentiles(lead)), "Lead time distribution")
    rules = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert [r["percentile"] for r in rules] == ["P50", "P85", "P95"]
    check(ch.ageing_wip(dl.wip_now(items, AS_OF)), "Ageing work in progress")
    check(ch.created_resolved(dl.created_vs_resolved(items, AS_OF)), "Created vs resolved")


def test_forecast_accuracy_chart_with_actual_finish():
    hist = pd.DataFrame(
        {
            "snapshot_as_of": [dt.date(2026, 2, 2), dt.date(2026, 2, 9)],
            "remaining": [5, 0],
            "p50": [dt.date(2026, 2, 10), dt.date(2026, 2, 9)],
            "p85": [dt.date(2026, 2, 12), dt.date(2026, 2, 9)],
            "p95": [dt.date(2026, 2, 14), dt.date(2026, 2, 9)],
            "actual_finish": [dt.date(2026, 2, 9)] * 2,
        }
    )
    spec = check(ch.forecast_accuracy(hist), "Forecast accuracy")
    assert len(spec["layer"]) == 2


def test_series_colours_only():
    rows = [issue("A-1", 1, "Done", "2026-01-05", "2026-01-06")]
    items = dl.prepare(frames(rows)[0])
    text = json.dumps(ch.throughput(dl.weekly_throughput(items, AS_OF), "issues").to_dict())
    assert SERIES[0] in text
