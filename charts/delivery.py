"""Agile delivery charts: burn-down, burn-up with forecast cone, velocity, throughput, lead time,
ageing WIP, created vs resolved, forecast accuracy.

Pure builders ``frame -> alt.Chart`` over the frames of :mod:`metrics.delivery`. Colours come from
``SERIES`` only (red/amber/green mean status and never appear here).
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from charts import SERIES

UNIT_LABEL = {"points": "story points", "issues": "issues"}
PADDING = {"top": 18, "left": 5, "right": 5, "bottom": 5}  # room for the title inside Streamlit's frame
DAY_AXIS = alt.Axis(format="%d %b", labelOverlap=True, tickCount="day")


def _unit(unit: str) -> str:
    return UNIT_LABEL.get(unit, unit)


def _dated(frame: pd.DataFrame, *cols: str) -> pd.DataFrame:
    """Python dates -> datetime64, so the chart data serialises as Vega-Lite temporal values."""
    out = frame.copy()
    for col in cols:
        if col in out.columns:
            out[col] = pd.to_datetime(out[col])
    return out


def _date_tip(field: str = "date:T", title: str = "Date") -> alt.Tooltip:
    return alt.Tooltip(field, title=title, format="%Y-%m-%d")


def burndown(
    frame: pd.DataFrame, unit: str, title: str = "Sprint burn-down", guide: pd.DataFrame | None = None
) -> alt.LayerChart:
    """Remaining scope per date (line; a step at each snapshot when exact), with scope added (+) and removed (−) between snapshots as
    bars when the frame is exact (has ``scope_change``). ``frame``: date, scope, done, remaining[, added, removed]."""
    u = _unit(unit)
    exact = "added" in frame.columns
    frame = _dated(frame, "date")
    base = alt.Chart(frame).encode(x=alt.X("date:T", title="Date", axis=DAY_AXIS))
    tips = [
        _date_tip(),
        alt.Tooltip("remaining:Q", title=f"Remaining ({u})", format=",.1f"),
        alt.Tooltip("scope:Q", title=f"Scope ({u})", format=",.1f"),
        alt.Tooltip("done:Q", title=f"Done ({u})", format=",.1f"),
    ]
    # exact frames are known only at snapshot dates: the value holds until the next snapshot (a step)
    line = {"point": True, "interpolate": "step-after"} if exact else {"point": False}
    y_title = f"Remaining, scope change ({u})" if exact else f"Remaining ({u})"
    remaining = base.mark_line(color=SERIES[0], **line).encode(y=alt.Y("remaining:Q", title=y_title), tooltip=tips)
    layers = [remaining]
    if guide is not None and not guide.empty:
        layers.insert(
            0,
            alt.Chart(_dated(guide, "date"))
            .mark_line(color=SERIES[2], strokeDash=[4, 4])
            .encode(
                x=alt.X("date:T", title="Date", axis=DAY_AXIS),
                y=alt.Y("remaining:Q", title=y_title),
                tooltip=[_date_tip(), alt.Tooltip("remaining:Q", title=f"Guideline ({u})", format=",.1f")],
            ),
        )
    if exact and not frame.empty:
        changes = pd.concat(
            [
                frame.assign(change=frame["added"], kind="added"),
                frame.assign(change=-frame["removed"], kind="removed"),
                frame.assign(change=frame["reestimated"], kind="re-estimated"),
            ]
        )
        changes = changes[changes["change"] != 0]
        if not changes.empty:
            bars = (
                alt.Chart(changes)
                .mark_bar(size=8, opacity=0.7)
                .encode(
                    x=alt.X("date:T", title="Date", axis=DAY_AXIS),
                    y=alt.Y("change:Q", title=y_title),  # shares the remaining axis: same title, shown once
                    color=alt.Color(
                        "kind:N",
                        title="Scope change",
                        scale=alt.Scale(domain=["added", "removed", "re-estimated"], range=SERIES[1:4]),
                    ),
                    tooltip=[
                        _date_tip(),
                        alt.Tooltip("kind:N", title="Change"),
                        alt.Tooltip("change:Q", title=f"Change ({u})", format="+,.1f"),
                    ],
                )
            )
            layers.append(bars)
    subtitle = "Exact, from snapshots" if exact else "Approximate, from Created/Resolved"
    return alt.layer(*layers).properties(
        padding=PADDING, title=alt.Title(title, subtitle=subtitle, anchor="start"), height=300
    )


def burnup(frame: pd.DataFrame, cone: pd.DataFrame, unit: str, title: str = "Burn-up with forecast") -> alt.LayerChart:
    """Scope and done over time, and the Monte Carlo cone from today's done to the scope at the
    P50/P85/P95 dates (shaded between P50 and P95). ``frame``: date, scope, done; ``cone``: see
    :func:`metrics.delivery.cone`."""
    u = _unit(unit)
    frame, cone = _dated(frame, "date"), _dated(cone, "date")
    long = frame.melt(id_vars=["date"], value_vars=["scope", "done"], var_name="series", value_name="value")
    long["series"] = long["series"].map({"scope": "Scope", "done": "Done"})
    domain = ["Scope", "Done", "P50", "P85", "P95"]
    color = alt.Color("series:N", title="Series", scale=alt.Scale(domain=domain, range=SERIES[:5]))
    lines = (
        alt.Chart(long)
        .mark_line()
        .encode(
            x=alt.X("date:T", title="Date"),
            y=alt.Y("value:Q", title=f"Cumulative {u}"),
            color=color,
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                _date_tip(),
                alt.Tooltip("value:Q", title=u.capitalize(), format=",.1f"),
            ],
        )
    )
    layers = []
    if not cone.empty:
        area = cone[cone["percentile"] == "range"]
        layers.append(
            alt.Chart(area)
            .mark_area(opacity=0.15, color=SERIES[2])
            .encode(
                x=alt.X("date:T", title="Date"),
                y=alt.Y("low:Q", title=f"Cumulative {u}"),
                y2="high:Q",
                tooltip=[
                    _date_tip(),
                    alt.Tooltip("low:Q", title="P95 line", format=",.1f"),
                    alt.Tooltip("high:Q", title="P50 line", format=",.1f"),
                ],
            )
        )
        pct = cone[cone["percentile"] != "range"].rename(columns={"percentile": "series"})
        layers.append(
            alt.Chart(pct)
            .mark_line(strokeDash=[6, 4])
            .encode(
                x=alt.X("date:T", title="Date"),
                y=alt.Y("value:Q", title=f"Cumulative {u}"),
                color=color,
                tooltip=[
                    alt.Tooltip("series:N", title="Forecast"),
                    _date_tip(title="Finish date"),
                    alt.Tooltip("value:Q", title=u.capitalize(), format=",.1f"),
                ],
            )
        )
    layers.append(lines)
    return alt.layer(*layers).properties(
        padding=PADDING,
        title=alt.Title(title, subtitle="Dashed: P50/P85/P95 finish from Monte Carlo over weekly throughput"),
        height=320,
    )


def velocity(frame: pd.DataFrame, unit: str) -> alt.LayerChart:
    """Completed per sprint (bars), planned (approx., ticks) and the rolling average of the last
    three closed sprints (line). ``frame``: the velocity frame of :mod:`metrics.delivery`."""
    u = _unit(unit)
    data = frame.assign(
        completed=frame[f"completed_{unit}"].astype(float),
        planned=frame[f"planned_{unit}"].astype(float),
        rolling=pd.to_numeric(frame[f"rolling_{unit}"], errors="coerce"),
        state=frame["closed"].map({True: "closed", False: "open"}),
    )
    order = list(data["sprint"])
    x = alt.X("sprint:N", title="Sprint", sort=order, axis=alt.Axis(labelAngle=-30, labelLimit=160))
    tips = [
        alt.Tooltip("sprint:N", title="Sprint"),
        alt.Tooltip("state:N", title="Sprint state"),
        alt.Tooltip("completed:Q", title=f"Completed ({u})", format=",.1f"),
        alt.Tooltip("planned:Q", title=f"Planned, approx. ({u})", format=",.1f"),
        alt.Tooltip("rolling:Q", title=f"Rolling avg ({u})", format=",.1f"),
        alt.Tooltip("carried_over_issues:Q", title="Carried over (issues)"),
    ]
    base = alt.Chart(data).encode(x=x, tooltip=tips)
    bars = base.mark_bar(color=SERIES[0]).encode(
        y=alt.Y("completed:Q", title=f"Completed per sprint ({u})"),
        opacity=alt.Opacity("state:N", title="Sprint", scale=alt.Scale(domain=["closed", "open"], range=[1.0, 0.4])),
    )
    planned = base.mark_tick(color=SERIES[2], thickness=2, size=30).encode(
        y=alt.Y("planned:Q", title=f"Completed per sprint ({u})")
    )
    rolling = base.mark_line(color=SERIES[1], point=True).encode(
        y=alt.Y("rolling:Q", title=f"Completed per sprint ({u})")
    )
    return alt.layer(bars, planned, rolling).properties(
        padding=PADDING,
        title=alt.Title(
            "Velocity",
            subtitle="Bars: completed (by last sprint) · grey ticks: planned (approx.) · line: 3-sprint rolling average",
        ),
        height=300,
    )


def throughput(frame: pd.DataFrame, unit: str) -> alt.Chart:
    """Completed per week (Monday), the as-of week faded when incomplete. ``frame``: week, issues, points, complete."""
    u = _unit(unit)
    frame = _dated(frame, "week")
    data = frame.assign(
        value=frame[unit].astype(float), state=frame["complete"].map({True: "complete", False: "in progress"})
    )
    size = max(2, min(24, 480 // max(len(data), 1)))
    return (
        alt.Chart(data)
        .mark_bar(color=SERIES[0], size=size)
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)"),
            y=alt.Y("value:Q", title=f"Completed per week ({u})"),
            opacity=alt.Opacity(
                "state:N", title="Week", scale=alt.Scale(domain=["complete", "in progress"], range=[1.0, 0.4])
            ),
            tooltip=[
                _date_tip("week:T", "Week of"),
                alt.Tooltip("issues:Q", title="Issues"),
                alt.Tooltip("points:Q", title="Story points", format=",.1f"),
                alt.Tooltip("state:N", title="Week"),
            ],
        )
        .properties(
            padding=PADDING,
            title=alt.Title("Weekly throughput", subtitle="Work items completed (Resolved) per week"),
            height=260,
        )
    )


def lead_time(frame: pd.DataFrame, percentiles: dict) -> alt.LayerChart:
    """Histogram of lead time (days) with P50/P85/P95 rules. ``frame``: lead_time_days per issue."""
    hist = (
        alt.Chart(frame)
        .mark_bar(color=SERIES[0])
        .encode(
            x=alt.X("lead_time_days:Q", bin=alt.Bin(maxbins=30), title="Lead time (days, Created → Resolved)"),
            y=alt.Y("count():Q", title="Issues"),
            tooltip=[
                alt.Tooltip("lead_time_days:Q", bin=alt.Bin(maxbins=30), title="Days"),
                alt.Tooltip("count():Q", title="Issues"),
            ],
        )
    )
    marks = pd.DataFrame(
        [
            {"percentile": p.upper(), "days": percentiles[p]}
            for p in ("p50", "p85", "p95")
            if percentiles.get(p) is not None
        ]
    )
    layers = [hist]
    if not marks.empty:
        layers.append(
            alt.Chart(marks)
            .mark_rule(strokeDash=[4, 3], size=2)
            .encode(
                x=alt.X("days:Q", title="Lead time (days, Created → Resolved)"),
                color=alt.Color(
                    "percentile:N", title="Percentile", scale=alt.Scale(domain=["P50", "P85", "P95"], range=SERIES[1:4])
                ),
                tooltip=[
                    alt.Tooltip("percentile:N", title="Percentile"),
                    alt.Tooltip("days:Q", title="Days", format=",.1f"),
                ],
            )
        )
    return alt.layer(*layers).properties(
        padding=PADDING, title=alt.Title("Lead time distribution", subtitle="Completed work items"), height=260
    )


def ageing_wip(frame: pd.DataFrame, limit: int = 30) -> alt.Chart:
    """Work in progress now, oldest first: age in days since Created. ``frame``: see :func:`metrics.delivery.wip_now`."""
    data = _dated(frame.head(limit), "created")
    return (
        alt.Chart(data)
        .mark_bar(color=SERIES[0])
        .encode(
            y=alt.Y("issue_key:N", title="Issue", sort=list(data["issue_key"])),
            x=alt.X("age_days:Q", title="Age (days since Created)"),
            tooltip=[
                alt.Tooltip("issue_key:N", title="Issue"),
                alt.Tooltip("summary:N", title="Summary"),
                alt.Tooltip("status:N", title="Status"),
                alt.Tooltip("assignee:N", title="Assignee"),
                alt.Tooltip("age_days:Q", title="Age (days)"),
            ],
        )
        .properties(
            padding=PADDING,
            title=alt.Title("Ageing work in progress", subtitle=f"Oldest {len(data)} items in progress"),
            height=alt.Step(22),
        )
    )


def created_resolved(frame: pd.DataFrame) -> alt.LayerChart:
    """Created and resolved work items per week (lines, left axis) and the open count at the end
    of each week (dashed, right axis). ``frame``: week, created, resolved, net, open."""
    frame = _dated(frame, "week")
    long = frame.melt(id_vars=["week"], value_vars=["created", "resolved"], var_name="series", value_name="issues")
    long["series"] = long["series"].str.capitalize()
    domain = ["Created", "Resolved", "Open"]
    flows = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)"),
            y=alt.Y("issues:Q", title="Issues per week"),
            color=alt.Color("series:N", title="Series", scale=alt.Scale(domain=domain, range=SERIES[:3])),
            tooltip=[
                _date_tip("week:T", "Week of"),
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("issues:Q", title="Issues"),
            ],
        )
    )
    open_line = (
        alt.Chart(frame.assign(series="Open"))
        .mark_line(strokeDash=[5, 3])
        .encode(
            x=alt.X("week:T", title="Week starting (Monday)"),
            y=alt.Y("open:Q", title="Open issues (end of week)"),
            color=alt.Color("series:N", title="Series", scale=alt.Scale(domain=domain, range=SERIES[:3])),
            tooltip=[_date_tip("week:T", "Week of"), alt.Tooltip("open:Q", title="Open issues")],
        )
    )
    return (
        alt.layer(flows, open_line)
        .resolve_scale(y="independent")
        .properties(
            padding=PADDING,
            title=alt.Title("Created vs resolved", subtitle="Per week; dashed: open work items"),
            height=260,
        )
    )


def forecast_accuracy(frame: pd.DataFrame) -> alt.LayerChart:
    """P50/P85/P95 finish dates as forecast at each snapshot, and the actual finish when known."""
    frame = _dated(frame, "snapshot_as_of", "p50", "p85", "p95", "actual_finish")
    long = frame.melt(
        id_vars=["snapshot_as_of"], value_vars=["p50", "p85", "p95"], var_name="percentile", value_name="finish"
    )
    long = long.dropna(subset=["finish"])
    long["percentile"] = long["percentile"].str.upper()
    lines = (
        alt.Chart(long)
        .mark_line(point=True)
        .encode(
            x=alt.X("snapshot_as_of:T", title="Forecast made on (snapshot)"),
            y=alt.Y("finish:T", title="Forecast finish date"),
            color=alt.Color(
                "percentile:N", title="Percentile", scale=alt.Scale(domain=["P50", "P85", "P95"], range=SERIES[:3])
            ),
            tooltip=[
                _date_tip("snapshot_as_of:T", "Forecast made on"),
                alt.Tooltip("percentile:N", title="Percentile"),
                _date_tip("finish:T", "Forecast finish"),
            ],
        )
    )
    layers = [lines]
    actual = frame["actual_finish"].dropna()
    if not actual.empty:
        layers.append(
            alt.Chart(pd.DataFrame({"actual": [actual.iloc[0]]}))
            .mark_rule(color=SERIES[3], strokeDash=[2, 2])
            .encode(y=alt.Y("actual:T", title="Forecast finish date"), tooltip=[_date_tip("actual:T", "Actual finish")])
        )
    return alt.layer(*layers).properties(
        padding=PADDING,
        title=alt.Title("Forecast accuracy", subtitle="How the forecast moved from snapshot to snapshot"),
        height=260,
    )
