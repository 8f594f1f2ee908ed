"""Budget charts: cumulative budget vs actual vs forecast, variance bars, spend by vendor.

Pure builders ``frame -> alt.Chart`` over the frames of :mod:`metrics.budget`. Every chart is in
one currency (the caller never mixes currencies). Series colours come from ``SERIES``; variance
bars are coloured by threshold status (``STATUS_COLORS``), which is what those colours mean.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES, STATUS_COLORS

CUMULATIVE_SERIES = ["Budget", "Actual", "Forecast (actual + estimate)"]
CUMULATIVE_COLORS = [SERIES[2], SERIES[0], SERIES[4]]  # grey budget, dark-blue actual, teal forecast: distinct
STATUS_LABELS = {"green": "within threshold", "amber": "watch", "red": "outside threshold", "unknown": "no budget"}


def _unit(currency: str) -> str:
    return f" ({currency})" if currency else " (currency units)"


def cumulative(monthly: pd.DataFrame, currency: str = "") -> alt.Chart:
    """Running totals per month: budget, actual (to date) and forecast (actual to date, then the
    estimate). ``monthly``: period, cum_budget, cum_actual, cum_outlook (one currency).

    Each measure has its own ``SERIES`` colour (``CUMULATIVE_COLORS``) and one legend titled
    "Measure"; the forecast is dashed and drawn from the last month with actuals on (before that it
    equals the actual line, which it would hide). With no actuals at all the whole forecast shows."""
    unit = _unit(currency)
    frame = monthly[["period", "cum_budget", "cum_actual", "cum_outlook"]].rename(
        columns={"cum_budget": "Budget", "cum_actual": "Actual", "cum_outlook": "Forecast (actual + estimate)"}
    )
    with_actuals = frame.loc[frame["Actual"].notna(), "period"]
    if not with_actuals.empty:
        frame = frame.assign(
            **{
                "Forecast (actual + estimate)": frame["Forecast (actual + estimate)"].where(
                    frame["period"] >= with_actuals.max()
                )
            }
        )
    legend = alt.Legend(
        orient="top", title="Measure", symbolType="stroke", symbolStrokeWidth=3, symbolSize=500, labelLimit=260
    )
    color = alt.Color(
        "series:N", title="Measure", legend=legend, scale=alt.Scale(domain=CUMULATIVE_SERIES, range=CUMULATIVE_COLORS)
    )
    dash = alt.StrokeDash(
        "series:N",
        title="Measure",
        legend=legend,
        scale=alt.Scale(domain=CUMULATIVE_SERIES, range=[[1, 0], [1, 0], [6, 4]]),
    )
    return (
        alt.Chart(frame)
        .transform_fold(CUMULATIVE_SERIES, as_=["series", "value"])
        .transform_filter("isValid(datum.value)")
        .mark_line(point=True, strokeWidth=2.5)
        .encode(
            x=alt.X("period:T", title="Month", timeUnit="yearmonth", axis=alt.Axis(format="%b %Y")),
            y=alt.Y("value:Q", title=f"Cumulative spend{unit}", axis=alt.Axis(format="~s")),
            color=color,
            strokeDash=dash,
            tooltip=[
                alt.Tooltip("series:N", title="Measure"),
                alt.Tooltip("period:T", title="Month", format="%b %Y"),
                alt.Tooltip("value:Q", title=f"Cumulative{unit}", format=",.0f"),
            ],
        )
        .properties(
            title=alt.Title(
                "Cumulative budget vs actual vs forecast",
                subtitle="Running totals by month; the dashed forecast continues from the last month with actuals",
            ),
            height=320,
            autosize=FIT_WIDTH,
        )
    )


BAR_STEP = 22  # pixels per bar row: every label shows at the default 11 px font
MIN_BAR_HEIGHT = 160
# Width fills the container, height is the plot height we set (Streamlit's default "fit" squeezes the
# plot into the height once the title, axes and legend are taken off: a few pixels for a short list).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def bar_height(rows: int, step: int = BAR_STEP, minimum: int = MIN_BAR_HEIGHT) -> int:
    """Plot height in pixels for ``rows`` horizontal bars: ``step`` per row, at least ``minimum``."""
    return max(minimum, step * int(rows or 0))


def variance_bars(
    frame: pd.DataFrame,
    label: str,
    label_title: str,
    value: str = "ytd_variance",
    pct: str = "ytd_variance_pct",
    status: str = "ytd_status",
    currency: str = "",
    title: str = "Variance",
    detail: str | None = None,
    detail_title: str = "Name",
) -> alt.Chart:
    """Horizontal bars of variance (budget − actual; negative = over budget), one per ``label``
    (every label shown, ``BAR_STEP`` px per bar), coloured by threshold status. ``frame``: label,
    value, pct, status columns; ``detail`` (e.g. the project name) is added to the tooltip."""
    unit = _unit(currency)
    data = frame.assign(_status=frame[status].fillna("unknown"))
    present = set(data["_status"])
    domain = [s for s in STATUS_COLORS if s in present]  # only the statuses shown: the legend fits a half column
    tooltip = [alt.Tooltip(f"{label}:N", title=label_title)]
    if detail and detail in data.columns:
        tooltip.append(alt.Tooltip(f"{detail}:N", title=detail_title))
    tooltip += [
        alt.Tooltip(f"{value}:Q", title=f"Variance{unit}", format=",.0f"),
        alt.Tooltip(f"{pct}:Q", title="Variance %", format="+.1%"),
        alt.Tooltip("_status:N", title="Status"),
    ]
    return (
        alt.Chart(data)
        .mark_bar()
        .encode(
            y=alt.Y(
                f"{label}:N",
                title=label_title,
                sort=alt.EncodingSortField(field=value, order="ascending"),
                axis=alt.Axis(labelOverlap=False, labelLimit=220),
            ),
            x=alt.X(f"{value}:Q", title=f"Variance{unit}", axis=alt.Axis(format="~s")),
            color=alt.Color(
                "_status:N",
                title="Status (|variance %|)",
                scale=alt.Scale(domain=domain, range=[STATUS_COLORS[s] for s in domain]),
                legend=alt.Legend(orient="top", direction="horizontal", columns=len(domain) if len(domain) < 4 else 2),
            ),
            tooltip=tooltip,
        )
        .properties(
            title=alt.Title(title, subtitle="Budget − actual; negative = over budget"),
            height=bar_height(data[label].nunique()),
            autosize=FIT_WIDTH,
        )
    )


def vendor_spend(
    frame: pd.DataFrame,
    currency: str = "",
    actual: str = "ytd_actual",
    budget: str = "ytd_budget",
    title: str = "Spend by vendor, year to date",
) -> alt.Chart:
    """Actual spend per vendor (bars) with the vendor's budget (tick), in the frame's row order.
    ``frame``: vendor, actual, budget and optionally ``vendors`` (how many vendors a row stands for,
    as from :func:`metrics.budget.top_vendors`; a grouped "Other vendors (k)" row is named in the
    subtitle)."""
    unit = _unit(currency)
    tooltip = [
        alt.Tooltip("vendor:N", title="Vendor"),
        alt.Tooltip(f"{actual}:Q", title=f"Actual{unit}", format=",.0f"),
        alt.Tooltip(f"{budget}:Q", title=f"Budget{unit}", format=",.0f"),
    ]
    subtitle = ["Bars: actual; grey ticks: budget"]
    counts = frame["vendors"] if "vendors" in frame.columns else pd.Series(1, index=frame.index)
    grouped = frame.loc[counts > 1, "vendor"]
    if not grouped.empty:
        shown = int((counts == 1).sum())
        # Short lines: the chart sits in a half-width column and Vega does not wrap titles.
        subtitle[:0] = [
            f"Top {shown} of {int(counts.sum())} vendors by spend;",
            f"the rest grouped as “{grouped.iloc[0]}”",
        ]
    y = alt.Y(
        "vendor:N", title="Vendor", sort=frame["vendor"].tolist(), axis=alt.Axis(labelOverlap=False, labelLimit=200)
    )
    bars = (
        alt.Chart(frame)
        .mark_bar(color=SERIES[0])
        .encode(
            y=y, x=alt.X(f"{actual}:Q", title=f"Spend{unit}", axis=alt.Axis(format="~s", tickCount=5)), tooltip=tooltip
        )
    )
    ticks = (
        alt.Chart(frame)
        .mark_tick(color=SERIES[2], thickness=3, size=16)
        .encode(y=y, x=alt.X(f"{budget}:Q", title=f"Spend{unit}"), tooltip=tooltip)
    )
    return (bars + ticks).properties(
        title=alt.Title(title, subtitle=subtitle), height=bar_height(len(frame)), autosize=FIT_WIDTH
    )
