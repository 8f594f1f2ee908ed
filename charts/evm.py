"""Earned value charts: S-curve, index trend, variance by WBS element, milestone trend.

Pure builders ``frame -> alt.Chart`` over the frames of :mod:`metrics.evm`. Series colours come
from ``SERIES``; red/amber appear only on the index-trend threshold lines, where they mean status.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES, STATUS_COLORS

S_CURVE_SERIES = ["PV (baseline)", "EV", "AC", "EAC projection"]


def s_curve(frame: pd.DataFrame, currency: str = "") -> alt.Chart:
    """Cumulative PV per working day to completion, EV and AC per snapshot, and the EAC projection
    (dashed) from today's AC to EAC(CPI) at the forecast finish. ``frame``: date, series, value."""
    unit = f" ({currency})" if currency else " (currency units)"
    color = alt.Color(
        "series:N", title="Series", scale=alt.Scale(domain=S_CURVE_SERIES, range=SERIES[: len(S_CURVE_SERIES)])
    )
    dash = alt.StrokeDash(  # same field as the colour: Vega-Lite merges both into one legend
        "series:N",
        title="Series",
        scale=alt.Scale(domain=S_CURVE_SERIES, range=[[1, 0], [1, 0], [1, 0], [6, 4]]),
    )
    base = alt.Chart(frame).encode(
        x=alt.X("date:T", title="Date"),
        y=alt.Y("value:Q", title=f"Cumulative {'work' if currency == 'hours' else 'cost'}{unit}"),
        color=color,
        tooltip=[
            alt.Tooltip("series:N", title="Series"),
            alt.Tooltip("date:T", title="Date", format="%Y-%m-%d"),
            alt.Tooltip("value:Q", title=f"Cumulative{unit}", format=",.0f"),
        ],
    )
    lines = base.mark_line().encode(strokeDash=dash)
    points = base.transform_filter(alt.datum.series != "PV (baseline)").mark_point(filled=True, size=40)
    return (lines + points).properties(
        title=alt.Title("S-curve", subtitle="Baseline PV to completion; EV and AC at each snapshot; EAC(CPI) ahead"),
        height=340,
    )


def has_trend(frame: pd.DataFrame) -> bool:
    """True when ``frame`` (snapshot_as_of, index, value) holds a value: :func:`index_trend` draws a line."""
    return "value" in frame and bool(frame["value"].notna().any())


def index_trend(
    frame: pd.DataFrame, amber: float = 0.95, red: float = 0.9, title: str = "Performance indices per snapshot"
) -> alt.Chart:
    """CPI, SPI and SPI(t) per snapshot with the 1.0 line (on plan) and the amber/red thresholds.
    ``frame``: snapshot_as_of, index, value."""
    indices = [i for i in ("CPI", "SPI", "SPI(t)") if i in set(frame["index"])] or ["CPI", "SPI", "SPI(t)"]
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("snapshot_as_of:T", title="Snapshot (status date)"),
            y=alt.Y("value:Q", title="Index (ratio, 1.0 = on plan)", scale=alt.Scale(zero=False)),
            color=alt.Color("index:N", title="Index", scale=alt.Scale(domain=indices, range=SERIES[:3])),
            tooltip=[
                alt.Tooltip("index:N", title="Index"),
                alt.Tooltip("snapshot_as_of:T", title="Snapshot", format="%Y-%m-%d"),
                alt.Tooltip("value:Q", title="Value", format=".3f"),
            ],
        )
    )
    levels = pd.DataFrame(
        {
            "level": [1.0, amber, red],
            "meaning": ["on plan (1.0)", f"amber below {amber:g}", f"red below {red:g}"],
            "color": ["#555555", STATUS_COLORS["amber"], STATUS_COLORS["red"]],
        }
    )
    rules = (
        alt.Chart(levels)
        .mark_rule(strokeDash=[4, 4])
        .encode(
            y="level:Q",
            color=alt.Color("color:N", scale=None, legend=None),
            tooltip=[alt.Tooltip("meaning:N", title="Threshold"), alt.Tooltip("level:Q", title="Level")],
        )
    )
    return (
        (rules + lines)
        .resolve_scale(color="independent")
        .properties(
            title=alt.Title(title, subtitle="Below 1.0 = behind schedule or over cost"),
            height=300,
        )
    )


def wbs_variance(frame: pd.DataFrame, currency: str = "") -> alt.Chart:
    """Schedule and cost variance (SV = EV − PV, CV = EV − AC) per top-level WBS element.
    ``frame``: wbs_group, sv, cv, spi, cpi, bac."""
    unit = f" ({currency})" if currency else " (currency units)"
    long = frame.melt(
        id_vars=["wbs_group", "spi", "cpi", "bac"], value_vars=["sv", "cv"], var_name="measure", value_name="value"
    )
    long["measure"] = long["measure"].map({"sv": "SV (EV − PV)", "cv": "CV (EV − AC)"})
    return (
        alt.Chart(long)
        .mark_bar()
        .encode(
            y=alt.Y("wbs_group:N", title="Top-level WBS element", sort=None),
            yOffset=alt.YOffset("measure:N"),
            x=alt.X("value:Q", title=f"Variance{unit}; negative = behind or over cost"),
            color=alt.Color("measure:N", title="Variance", scale=alt.Scale(range=SERIES[:2])),
            tooltip=[
                alt.Tooltip("wbs_group:N", title="WBS element"),
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("value:Q", title=f"Variance{unit}", format=",.0f"),
                alt.Tooltip("spi:Q", title="SPI", format=".2f"),
                alt.Tooltip("cpi:Q", title="CPI", format=".2f"),
                alt.Tooltip("bac:Q", title=f"BAC{unit}", format=",.0f"),
            ],
        )
        .properties(title="Variance by top-level WBS element", height=alt.Step(14))
    )


def milestone_trend(frame: pd.DataFrame) -> alt.Chart:
    """Milestone trend analysis: each milestone's forecast (or actual) finish per snapshot (solid)
    against its baseline finish (dashed). ``frame``: snapshot_as_of, task_uid, milestone,
    forecast_finish, baseline_finish, slip_days, done.

    One line per ``task_uid`` (never per name: two milestones both named "Go-live" stay two lines).
    The legend label is the milestone's latest name, with ``(#uid)`` added when names repeat."""
    data = frame.copy()
    for column in ("snapshot_as_of", "forecast_finish", "baseline_finish"):
        data[column] = pd.to_datetime(data[column])
    data["series"] = milestone_labels(data)
    color = alt.Color("series:N", title="Milestone", scale=alt.Scale(range=SERIES))
    tooltip = [
        alt.Tooltip("series:N", title="Milestone"),
        alt.Tooltip("snapshot_as_of:T", title="Snapshot", format="%Y-%m-%d"),
        alt.Tooltip("forecast_finish:T", title="Forecast/actual finish", format="%Y-%m-%d"),
        alt.Tooltip("baseline_finish:T", title="Baseline finish", format="%Y-%m-%d"),
        alt.Tooltip("slip_days:Q", title="Slip (working days)"),
        alt.Tooltip("done:N", title="Done"),
    ]
    x = alt.X("snapshot_as_of:T", title="Snapshot (status date)")
    forecast = (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(x=x, y=alt.Y("forecast_finish:T", title="Finish date"), color=color, tooltip=tooltip)
    )
    baseline = (
        alt.Chart(data)
        .mark_line(strokeDash=[4, 4], opacity=0.6)
        .encode(x=x, y="baseline_finish:T", color=color, tooltip=tooltip)
    )
    return (baseline + forecast).properties(
        title=alt.Title("Milestone trend", subtitle="Solid: forecast or actual finish; dashed: baseline finish"),
        height=320,
    )


def milestone_labels(frame: pd.DataFrame) -> pd.Series:
    """Per row, a label unique to the row's ``task_uid``: the milestone's latest name, or
    ``"<name> (#<uid>)"`` when another milestone carries the same name. Without ``task_uid`` the
    name itself."""
    names = frame["milestone"].astype("string").fillna("(unnamed)")
    if "task_uid" not in frame or frame.empty:
        return names
    uid = pd.to_numeric(frame["task_uid"], errors="coerce")
    order = frame["snapshot_as_of"] if "snapshot_as_of" in frame else pd.Series(range(len(frame)), index=frame.index)
    latest = (
        pd.DataFrame({"uid": uid, "name": names, "order": order})
        .dropna(subset=["uid"])
        .sort_values("order", kind="stable")
        .drop_duplicates("uid", keep="last")
        .set_index("uid")["name"]
    )
    repeated = latest.duplicated(keep=False)
    text = {u: f"{name} (#{int(u)})" if repeated[u] else str(name) for u, name in latest.items()}
    label = uid.map(text)
    return label.where(label.notna(), names).astype("string")
