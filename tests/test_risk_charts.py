"""charts.risk builders, checked through to_dict()."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts import risk as charts
from metrics import risk


def test_heatmap_has_25_cells_a_click_selection_and_the_threshold_outline():
    grid = risk.heatmap(
        pd.DataFrame(
            {
                "project_id": "P",
                "risk_id": ["R1", "R2"],
                "kind": "risk",
                "probability": [4, 1],
                "impact": [5, 2],
                "score": [20, 2],
                "is_closed": False,
                "due": None,
                "escalate": False,
                "title": "t",
                "description": None,
                "category": None,
                "system": None,
            }
        )
    )
    spec = charts.heatmap(grid, threshold=20).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [charts.CELL]
    assert params[0]["select"]["fields"] == ["probability", "impact"]
    assert spec["title"]["text"] == "Open risks by probability and impact"
    values = spec["datasets"][spec["layer"][0]["data"]["name"]]
    assert len(values) == 25 and sum(v["count"] for v in values) == 2
    outlined = spec["datasets"][spec["layer"][1]["data"]["name"]]
    assert {(v["probability"], v["impact"]) for v in outlined} == {(4, 5), (5, 4), (5, 5)}


def test_exposure_over_time_stacks_by_program_in_the_currency():
    over = pd.DataFrame(
        {
            "project_id": ["A", "B"],
            "snapshot_as_of": [dt.date(2026, 11, 20)] * 2,
            "open_threats": [2, 1],
            "high": [1, 0],
            "score_load": [30, 4],
            "exposure": [1000.0, None],
        }
    )
    spec = charts.exposure_over_time(over, {"A": "Alpha"}, {"A": "Digital"}, "USD").to_dict()
    assert spec["title"]["text"] == "Threat exposure over time"
    assert spec["encoding"]["y"]["title"] == "Threat exposure (USD)"
    assert spec["encoding"]["color"]["field"] == "program"
    rows = next(iter(spec["datasets"].values()))
    assert [(r["project"], r["program"]) for r in rows] == [("Alpha", "Digital")]  # B gives no money
    load = charts.score_load(over).to_dict()
    assert load["encoding"]["y"]["field"] == "score_load"
