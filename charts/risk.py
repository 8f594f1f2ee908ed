"""Risk charts: the 5×5 heat map (click a cell to list its risks) and exposure over time.

Pure builders over the frames of :mod:`metrics.risk`. The heat map's cells are shaded by count in
a blue ramp (counts, not a status); the cells at or above the escalation threshold carry a dark
outline, so the map reads "how many, and which are escalation-grade" without red/amber/green.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES

CELL = "cell"  # the heat map's selection name: {"probability": p, "impact": i}


def heatmap(grid: pd.DataFrame, threshold: float = 20) -> alt.Chart:
    """Count of open threats per (probability, impact) cell on 1–5 × 1–5. ``grid``: probability,
    impact, count (every cell). Clicking a cell selects it (selection ``cell`` on probability and
    impact); cells with probability × impact ≥ ``threshold`` are outlined."""
    data = grid.assign(
        score=grid["probability"] * grid["impact"],
        escalate=grid["probability"] * grid["impact"] >= threshold,
        label=grid["count"].map(lambda n: str(int(n)) if n else ""),
    )
    pick = alt.selection_point(name=CELL, fields=["probability", "impact"], on="click", clear="dblclick")
    base = alt.Chart(data).encode(
        x=alt.X("impact:O", title="Impact (1–5)", axis=alt.Axis(labelAngle=0), sort=[1, 2, 3, 4, 5]),
        y=alt.Y("probability:O", title="Probability (1–5)", sort=[5, 4, 3, 2, 1]),
    )
    cells = (
        base.mark_rect(cursor="pointer", stroke="white", strokeWidth=2)
        .add_params(pick)
        .encode(
            color=alt.Color("count:Q", title="Open risks", scale=alt.Scale(scheme="blues", domainMin=0)),
            opacity=alt.condition(pick, alt.value(1.0), alt.value(0.35)),
            tooltip=[
                alt.Tooltip("probability:O", title="Probability"),
                alt.Tooltip("impact:O", title="Impact"),
                alt.Tooltip("score:Q", title="Score (P × I)", format="d"),
                alt.Tooltip("count:Q", title="Open risks", format="d"),
            ],
        )
    )
    outline = (
        alt.Chart(data[data.escalate])
        .mark_rect(filled=False, stroke="#1a1a1a", strokeWidth=2, strokeDash=[4, 2])
        .encode(x=alt.X("impact:O", sort=[1, 2, 3, 4, 5]), y=alt.Y("probability:O", sort=[5, 4, 3, 2, 1]))
    )
    text = base.mark_text(fontSize=15, fontWeight="bold").encode(
        text="label:N",
        color=alt.condition(
            alt.datum.count >= max(2, int(grid["count"].max() * 0.6)), alt.value("white"), alt.value("#1a1a1a")
        ),
    )
    return (cells + outline + text).properties(
        title=alt.Title(
            "Open risks by probability and impact",
            subtitle=f"Count per cell · dashed = score ≥ {threshold:g} · click a cell to list it",
        ),
        height=320,
        width=360,
    )


def exposure_over_time(
    over_time: pd.DataFrame, names: dict | None = None, programs: dict | None = None, currency: str = ""
) -> alt.Chart:
    """Money exposure of open threats per snapshot date, stacked by program. ``over_time``: project_id, snapshot_as_of, exposure, score_load, open_threats, high
    (metrics.risk.exposure_over_time). Projects without money in their register are left out
    (:func:`score_load` shows every project)."""
    data = over_time.dropna(subset=["exposure"]).assign(
        date=lambda f: pd.to_datetime(f["snapshot_as_of"]),
        project=lambda f: f["project_id"].map(lambda p: (names or {}).get(p) or p),
        program=lambda f: f["project_id"].map(lambda p: (programs or {}).get(p) or "—"),
    )
    unit = f" ({currency})" if currency else " (currency units)"
    return (
        alt.Chart(data)
        .mark_bar(size=38)
        .encode(
            x=alt.X("yearmonthdate(date):O", title="Register snapshot", axis=alt.Axis(labelAngle=0, format="%d %b %Y")),
            y=alt.Y("sum(exposure):Q", title=f"Threat exposure{unit}", stack="zero"),
            color=alt.Color("program:N", title="Program", scale=alt.Scale(range=SERIES)),
            tooltip=[
                alt.Tooltip("program:N", title="Program"),
                alt.Tooltip("yearmonthdate(date):T", title="Snapshot"),
                alt.Tooltip("sum(exposure):Q", title=f"Exposure{unit}", format=",.0f"),
                alt.Tooltip("sum(open_threats):Q", title="Open risks & issues"),
                alt.Tooltip("sum(high):Q", title="At or above threshold"),
            ],
        )
        .properties(
            title=alt.Title(
                "Threat exposure over time",
                subtitle="Σ probability × cost impact of open risks and issues, by program (opportunities never added)",
            ),
            height=300,
        )
    )


def score_load(over_time: pd.DataFrame, names: dict[str, str] | None = None) -> alt.Chart:
    """Σ score of open threats per snapshot date and project (for registers without money)."""
    data = over_time.assign(
        date=lambda f: pd.to_datetime(f["snapshot_as_of"]),
        project=lambda f: f["project_id"].map(lambda p: (names or {}).get(p) or p),
    )
    return (
        alt.Chart(data)
        .mark_line(point=True)
        .encode(
            x=alt.X("date:T", title="Register snapshot"),
            y=alt.Y("score_load:Q", title="Score load (Σ P × I of open threats)"),
            color=alt.Color("project:N", title="Project", scale=alt.Scale(range=SERIES)),
            tooltip=[
                alt.Tooltip("project:N", title="Project"),
                alt.Tooltip("date:T", title="Snapshot"),
                alt.Tooltip("score_load:Q", title="Score load", format=",.1f"),
                alt.Tooltip("open_threats:Q", title="Open threats"),
                alt.Tooltip("high:Q", title="At or above threshold"),
            ],
        )
        .properties(title=alt.Title("Risk score load over time"), height=300)
    )
