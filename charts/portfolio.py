"""Portfolio charts: the SPI × CPI health map."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import STATUS_COLORS


def can_map(frame: pd.DataFrame) -> bool:
    """True when some project has both SPI and CPI: :func:`health_map` has a point to draw."""
    return bool(frame[["spi", "cpi"]].notna().all(axis=1).any()) if not frame.empty else False


def health_map(frame: pd.DataFrame) -> alt.Chart:
    """Each project at (SPI, CPI), coloured by its health status, with the 1.0 lines that split
    the map into on/behind schedule and under/over cost. Projects without EVM are left out.
    Clicking a project selects it (selection ``pick`` on ``project_id``) for a drill-down."""
    data = frame.dropna(subset=["spi", "cpi"])[["project_id", "name", "program", "status", "spi", "cpi", "bac"]]
    scale = alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values()))
    pick = alt.selection_point(name="pick", fields=["project_id"], on="click")
    points = (
        alt.Chart(data)
        .mark_circle(opacity=0.85, stroke="white", strokeWidth=1, cursor="pointer")
        .add_params(pick)
        .encode(
            x=alt.X("spi:Q", title="SPI (schedule: EV / PV)", scale=alt.Scale(zero=False, padding=20)),
            y=alt.Y("cpi:Q", title="CPI (cost: EV / AC)", scale=alt.Scale(zero=False, padding=20)),
            size=alt.Size("bac:Q", title="BAC", legend=None, scale=alt.Scale(range=[80, 900])),
            color=alt.Color("status:N", title="Health", scale=scale, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("name:N", title="Project"),
                alt.Tooltip("program:N", title="Program"),
                alt.Tooltip("status:N", title="Health"),
                alt.Tooltip("spi:Q", title="SPI", format=".2f"),
                alt.Tooltip("cpi:Q", title="CPI", format=".2f"),
                alt.Tooltip("bac:Q", title="BAC", format=",.0f"),
            ],
        )
    )
    labels = (
        alt.Chart(data)
        .mark_text(align="left", dx=9, dy=-6, fontSize=11, color="#333")
        .encode(x="spi:Q", y="cpi:Q", text="project_id:N")
    )
    rules = alt.Chart(pd.DataFrame({"v": [1.0]}))
    lines = rules.mark_rule(strokeDash=[4, 4], color="#888").encode(x="v:Q") + rules.mark_rule(
        strokeDash=[4, 4], color="#888"
    ).encode(y="v:Q")
    return (lines + points + labels).properties(
        title=alt.Title(
            "Schedule and cost performance",
            subtitle="Right of 1.0 = ahead of plan; above 1.0 = under cost · click a project to open it",
        ),
        height=360,
    )
