"""Budget charts: titles, axis titles with units, tooltips, status colours only for status."""

from __future__ import annotations

import datetime as dt

import pandas as pd
from finance_golden import wide_workbook

from charts import SERIES, STATUS_COLORS
from charts import budget as charts
from loaders.finance import parse
from metrics import budget


def _prepared():
    lines = parse(wide_workbook(), "golden.xlsx").tables["budget_lines"]
    return budget.prepare(lines[lines["currency"] == "EUR"], dt.date(2026, 4, 30))


def _layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_cumulative_chart():
    spec = charts.cumulative(budget.monthly(_prepared()), "EUR").to_dict()
    assert spec["title"]["text"] == "Cumulative budget vs actual vs forecast"
    enc = spec["encoding"]
    assert enc["y"]["title"] == "Cumulative spend (EUR)" and enc["x"]["title"] == "Month"
    colours = enc["color"]["scale"]["range"]
    assert len(set(colours)) == 3 and set(colours) <= set(SERIES) and not set(colours) & set(STATUS_COLORS.values())
    assert enc["color"]["legend"]["title"] == enc["strokeDash"]["legend"]["title"] == "Measure"  # one merged legend
    assert enc["strokeDash"]["scale"]["range"][2] != [1, 0]  # forecast dashed
    assert {t["title"] for t in enc["tooltip"]} == {"Measure", "Month", "Cumulative (EUR)"}
    values = next(iter(spec["datasets"].values()))
    assert values[-1]["Budget"] == 19200 and values[-1]["Actual"] is None


def test_cumulative_forecast_starts_at_the_last_actual_month():
    """Before the last month with actuals the forecast equals the actual: it is left out so it does
    not hide the actual line; from that month on it is drawn (joined to the actual line)."""
    monthly = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-01", "2026-02-01", "2026-03-01"]),
            "cum_budget": [10.0, 20.0, 30.0],
            "cum_actual": [9.0, 19.0, None],
            "cum_outlook": [9.0, 19.0, 31.0],
        }
    )
    values = next(iter(charts.cumulative(monthly).to_dict()["datasets"].values()))
    assert [v["Forecast (actual + estimate)"] for v in values] == [None, 19.0, 31.0]
    no_actuals = monthly.assign(cum_actual=None)
    values = next(iter(charts.cumulative(no_actuals).to_dict()["datasets"].values()))
    assert [v["Forecast (actual + estimate)"] for v in values] == [9.0, 19.0, 31.0]


def test_variance_bars_are_coloured_by_status():
    summary = budget.summarise(_prepared(), ["project_id"])
    spec = charts.variance_bars(summary, "project_id", "Project", currency="EUR").to_dict()
    enc = spec["encoding"]
    assert enc["color"]["scale"]["domain"] == ["green", "amber"]  # the statuses shown, in status order
    assert enc["color"]["scale"]["range"] == [STATUS_COLORS["green"], STATUS_COLORS["amber"]]
    assert enc["x"]["title"] == "Variance (EUR)" and "negative = over budget" in spec["title"]["subtitle"]
    assert enc["y"]["title"] == "Project"
    assert len(enc["tooltip"]) == 4
    rows = next(iter(spec["datasets"].values()))
    assert {r["project_id"]: r["_status"] for r in rows} == {"P1": "amber", "P2": "green"}


def test_variance_bars_give_every_row_its_height():
    """The plot height is set (not squeezed by Streamlit's "fit"): a short list keeps a readable
    minimum, a long one gets BAR_STEP px per bar and never drops a label for overlap."""
    summary = budget.summarise(_prepared(), ["cost_category"])
    spec = charts.variance_bars(summary, "cost_category", "Cost category", currency="EUR").to_dict()
    assert spec["autosize"] == {"type": "fit-x", "contains": "padding"}
    assert spec["height"] == charts.MIN_BAR_HEIGHT == 160
    assert spec["encoding"]["y"]["axis"]["labelOverlap"] is False
    assert spec["encoding"]["color"]["legend"]["orient"] == "top"  # not eating a half-width column
    many = pd.DataFrame(
        {
            "project_id": [f"P{i}" for i in range(30)],
            "name": [f"Project {i}" for i in range(30)],
            "ytd_variance": range(30),
            "ytd_variance_pct": [0.01] * 30,
            "ytd_status": ["green"] * 30,
        }
    )
    spec = charts.variance_bars(many, "project_id", "Project", detail="name").to_dict()
    assert spec["height"] == 30 * charts.BAR_STEP
    assert [t["title"] for t in spec["encoding"]["tooltip"]] == [
        "Project",
        "Name",
        "Variance (currency units)",
        "Variance %",
        "Status",
    ]
    assert charts.bar_height(0) == charts.bar_height(None) == 160


def test_vendor_spend_uses_series_colours():
    vendors = budget.summarise(_prepared(), ["vendor"])
    spec = charts.vendor_spend(vendors, "EUR").to_dict()
    assert spec["title"]["text"] == "Spend by vendor, year to date"
    marks = [layer["mark"]["color"] for layer in _layers(spec)]
    assert marks == [SERIES[0], SERIES[2]] and not set(marks) & set(STATUS_COLORS.values())
    for layer in _layers(spec):
        assert layer["encoding"]["x"]["title"] == "Spend (EUR)" and layer["encoding"]["tooltip"]


def test_vendor_spend_names_the_grouped_vendors():
    vendors = pd.DataFrame(
        {
            "vendor": [f"V{i:02d}" for i in range(20)],
            "ytd_actual": [100.0 - i for i in range(20)],
            "ytd_budget": [90.0] * 20,
        }
    )
    shown = budget.top_vendors(vendors)
    spec = charts.vendor_spend(shown, "EUR").to_dict()
    assert spec["title"]["subtitle"][:2] == [
        "Top 15 of 20 vendors by spend;",
        "the rest grouped as “Other vendors (5)”",
    ]
    assert spec["height"] == 16 * charts.BAR_STEP and spec["autosize"]["type"] == "fit-x"
    assert _layers(spec)[0]["encoding"]["y"]["sort"][-1] == "Other vendors (5)"  # the group stays last
    small = charts.vendor_spend(budget.top_vendors(vendors.head(3)), "EUR").to_dict()
    assert small["title"]["subtitle"] == ["Bars: actual; grey ticks: budget"] and small["height"] == 160
