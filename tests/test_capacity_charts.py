"""charts.capacity: the heat map's scale, marks and tooltips; the role panels."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from charts import STATUS_COLORS
from charts.capacity import HEAT_SCHEME, heatmap, role_demand

WEEK = dt.date(2026, 3, 2)


def test_heatmap_is_sequential_with_over_marks_and_tooltips():
    frame = pd.DataFrame(
        {
            "person": ["Ana", "Ben"],
            "team": ["T", None],
            "role": [None, None],
            "week": pd.to_datetime([WEEK, WEEK]),
            "load_hours": [40.0, 48.0],
            "capacity_hours": [40.0, 40.0],
            "utilisation": [1.0, 1.2],
            "over": [False, True],
            "projects": ["A 32 h, B 8 h", "P1 24 h, P2 24 h"],
        }
    )
    spec = heatmap(frame).to_dict()
    cells, marks = spec["layer"]
    color = cells["encoding"]["color"]
    assert color["scale"]["scheme"] == HEAT_SCHEME and color["field"] == "utilisation_pct"
    assert not set(STATUS_COLORS.values()) & set(str(spec).split("'"))  # no red/amber/green here
    assert {t["title"] for t in cells["encoding"]["tooltip"]} >= {"Person", "Load (h)", "Capacity (h)", "Projects"}
    assert marks["transform"] == [{"filter": "datum.over"}]
    assert spec["title"]["text"] == "Utilisation by person and week"
    values = next(iter(spec["datasets"].values()))
    assert [v["utilisation_pct"] for v in values] == [100.0, 120.0]


def test_role_panels_stack_staffed_and_unstaffed_demand():
    by_role = pd.DataFrame(
        {"group": ["Dev"], "week": [WEEK], "demand_hours": [60.0], "unstaffed_hours": [40.0], "capacity_hours": [80.0]}
    )
    spec = role_demand(by_role).to_dict()
    values = next(iter(spec["datasets"].values()))
    assert sorted((v["kind"], v["hours"]) for v in values) == [("Staffed demand", 20.0), ("Unstaffed demand", 40.0)]
    assert spec["facet"]["field"] == "group" and spec["title"]["text"] == "Demand vs capacity by role"
