"""Status report charts: the PM's RAG beside the computed health, week by week."""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import STATUS_COLORS


def rag_history(frame: pd.DataFrame) -> alt.Chart:
    """One square per week and RAG source (PM, Computed), coloured by status (``frame``:
    as_of, who, status — :func:`metrics.status.rag_history`)."""
    scale = alt.Scale(domain=list(STATUS_COLORS), range=list(STATUS_COLORS.values()))
    return (
        alt.Chart(frame)
        .mark_square(size=260)
        .encode(
            x=alt.X("as_of:T", title="Week (as-of date)", axis=alt.Axis(format="%d %b %Y")),
            y=alt.Y("who:N", title=None, sort=["PM", "Computed"]),
            color=alt.Color("status:N", title="Status", scale=scale, legend=alt.Legend(orient="bottom")),
            tooltip=[
                alt.Tooltip("as_of:T", title="Week", format="%Y-%m-%d"),
                alt.Tooltip("who:N", title="RAG from"),
                alt.Tooltip("status:N", title="Status"),
            ],
        )
        .properties(
            title=alt.Title("PM's RAG and computed health", subtitle="one square per weekly report"), height=110
        )
    )
