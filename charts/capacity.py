"""Capacity charts: the person × week utilisation heat map and demand vs capacity by role.

Utilisation uses a sequential single-hue scale (light = free, dark = booked, darkest = over),
never red/amber/green, which mean status only; over-allocated cells also carry a marker.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES

HEAT_SCHEME = "purples"


def heatmap(frame: pd.DataFrame, threshold: float = 1.0) -> alt.Chart:
    """Person × week cells coloured by utilisation (load / capacity, 0–150 %+ clamped), with
    an outlined dot on over-allocated cells. ``frame`` from ``metrics.capacity.heatmap_frame``."""
    data = frame.assign(utilisation_pct=frame["utilisation"] * 100)
    people = len(data["person"].unique())
    base = alt.Chart(data).encode(
        x=alt.X("yearmonthdate(week):O", title="Week of (Monday)", axis=alt.Axis(format="%d %b", labelAngle=0)),
        y=alt.Y("person:N", title=None, sort="ascending", axis=alt.Axis(labelOverlap=False, labelLimit=220)),
    )
    tooltip = [
        alt.Tooltip("person:N", title="Person"),
        alt.Tooltip("team:N", title="Team"),
        alt.Tooltip("yearmonthdate(week):T", title="Week of", format="%d %b %Y"),
        alt.Tooltip("load_hours:Q", title="Load (h)", format=",.1f"),
        alt.Tooltip("capacity_hours:Q", title="Capacity (h)", format=",.1f"),
        alt.Tooltip("utilisation_pct:Q", title="Utilisation (%)", format=".0f"),
        alt.Tooltip("projects:N", title="Projects"),
    ]
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color(
            "utilisation_pct:Q",
            title="Utilisation (%)",
            scale=alt.Scale(scheme=HEAT_SCHEME, domain=[0, 150], clamp=True),
            legend=alt.Legend(orient="right", gradientLength=160),
        ),
        tooltip=tooltip,
    )
    marks = (
        base.transform_filter(alt.datum.over)
        .mark_point(shape="circle", size=40, filled=True, color="white", stroke="black", strokeWidth=1)
        .encode(tooltip=tooltip)
    )
    return (cells + marks).properties(
        title=alt.Title(
            "Utilisation by person and week",
            subtitle=f"Load ÷ capacity · dot = over {threshold:.0%} of capacity · hover a cell for the projects",
        ),
        height=max(140, 24 * people),
    )


def role_demand(by_role: pd.DataFrame) -> alt.Chart:
    """Per role (else team) and week: demand hours (staffed and unstaffed, stacked bars) against
    capacity hours (a black tick), one panel per role. ``by_role`` from ``Capacity.by_role``."""
    staffed = by_role.assign(kind="Staffed demand", hours=by_role["demand_hours"] - by_role["unstaffed_hours"])
    unstaffed = by_role.assign(kind="Unstaffed demand", hours=by_role["unstaffed_hours"])
    data = pd.concat([staffed, unstaffed], ignore_index=True)[["group", "week", "kind", "hours", "capacity_hours"]]
    data["week"] = pd.to_datetime(data["week"])
    x = alt.X("yearmonthdate(week):O", title="Week of", axis=alt.Axis(format="%d %b", labelAngle=-45))
    kinds = alt.Scale(domain=["Staffed demand", "Unstaffed demand"], range=[SERIES[0], SERIES[1]])
    bars = (
        alt.Chart()
        .mark_bar()
        .encode(
            x=x,
            y=alt.Y("sum(hours):Q", title="Hours"),
            color=alt.Color("kind:N", title=None, scale=kinds, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("group:N", title="Role / team"),
                alt.Tooltip("yearmonthdate(week):T", title="Week of", format="%d %b %Y"),
                alt.Tooltip("kind:N", title="Demand"),
                alt.Tooltip("sum(hours):Q", title="Hours", format=",.1f"),
            ],
        )
    )
    ticks = (
        alt.Chart()
        .transform_filter(alt.datum.kind == "Staffed demand")
        .mark_tick(color="black", thickness=2, size=14)
        .encode(
            x=x,
            y="capacity_hours:Q",
            tooltip=[
                alt.Tooltip("group:N", title="Role / team"),
                alt.Tooltip("capacity_hours:Q", title="Capacity (h)", format=",.1f"),
            ],
        )
    )
    return (
        alt.layer(bars, ticks, data=data)
        .properties(width=220, height=150)
        .facet(facet=alt.Facet("group:N", title=None), columns=3)
        .resolve_scale(y="independent")
        .properties(
            title=alt.Title("Demand vs capacity by role", subtitle="Bars = demand hours · tick = capacity hours")
        )
    )
