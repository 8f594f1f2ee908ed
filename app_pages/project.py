"""Project performance: earned value, Earned Schedule, S-curve, trends, milestones, late tasks."""

import streamlit as st

import ui
from charts import evm as evm_charts
from exports import to_excel
from metrics import MetricsError, evm
from metrics.changes import changes_since
from views import changes as changes_view
from views import evm as evm_view


@st.cache_data(show_spinner=False)
def plans(as_of, version) -> list[str]:
    return evm.projects_with_plans(ui.store(), as_of)


@st.cache_data(show_spinner="Computing earned value…")
def view(project_id, as_of, version) -> dict:
    return evm.project_view(ui.store(), project_id, as_of)


@st.cache_data(show_spinner=False)
def earlier(project_id, since, version) -> dict | None:
    """The plan's EVM at its latest snapshot on or before ``since``, None when there is none."""
    try:
        return evm.project_view(ui.store(), project_id, since)["current"]
    except MetricsError:
        return None


@st.cache_data(show_spinner="Comparing with the earlier date…")
def project_changes(project_id, since, as_of, since_reads, reads, rules):
    """What changed for the project: the portfolio's health at both dates is the Overview's (cached)."""
    before = ui.portfolio_health(since, rules)
    after = ui.portfolio_health(as_of, rules)
    with ui.store().batch() as store:
        return changes_since(store, since, as_of, [project_id], before=before, after=after)


def show_value(tile: dict) -> str:
    value = tile["value"]
    if tile["kind"] == "money":
        return ui.money(value)
    if tile["kind"] == "hours":
        return "—" if value is None else f"{value:,.1f} h"
    if tile["kind"] == "ratio":
        return ui.ratio(value)
    return "—" if value is None else f"{value:%d %b %Y}"


def show_delta(tile: dict) -> str | None:
    delta = tile["delta"]
    if delta is None:
        return None
    if tile["kind"] == "money":
        return ("+" if delta >= 0 else "") + ui.money(delta)
    if tile["kind"] == "hours":
        return f"{delta:+,.1f} h"
    if tile["kind"] == "ratio":
        return f"{delta:+.3f}"
    return f"{delta:+d} working days"


settings = ui.settings()
st.title("Project performance")

# keyed by the plan uploads each read sees, so an upload of another source or project keeps them cached
with_plans = plans(settings.as_of, ui.reads_version(settings.as_of, ("msproject",)))
in_scope = [p for p in (settings.project_ids or with_plans) if p in with_plans]
if not in_scope:
    st.info(
        "No MS Project plan is stored for the projects in scope on or before this date. "
        "Upload a plan on the **Uploads & problems** page."
    )
    st.stop()

known = ui.projects()
currencies = dict(zip(known.project_id, known.currency, strict=False)) if not known.empty else {}
project_id = ui.project_picker(in_scope)
currency = currencies.get(project_id) or ""
currency = currency if isinstance(currency, str) else ""

try:
    data = view(project_id, settings.as_of, ui.reads_version(settings.as_of, ("msproject",), [project_id]))
except MetricsError as err:
    st.info(ui.escape_md(err))  # names a project id from an upload: never markdown
    st.stop()

current = data["current"]
since = ui.compare_with(settings.as_of, st.columns([1, 4])[0])
cannot_compare = changes_view.problem(since, settings.as_of)
previous = None
if not cannot_compare:
    previous = earlier(project_id, since, ui.reads_version(since, ("msproject",), [project_id]))
in_hours = current.get("unit") == "hours"
unit = "hours" if in_hours else currency
st.caption(
    f"Status date {data['status_date']:%d %b %Y} (the latest plan snapshot on or before the as-of date) · "
    f"{data['snapshots']} snapshot(s) · {current['leaf_tasks']} leaf tasks · days are working days of "
    f"{ui.escape_md(current.get('calendar') or 'Mon–Fri')}. "
    + changes_view.plan_caption(since, previous and previous["status_date"], data["status_date"], cannot_compare)
)

if data["missing_columns"]:
    st.warning(
        "This plan has no baseline, so earned value cannot be computed. In MS Project set a baseline "
        "(Project › Set Baseline), then export with **File › Save As › Excel or CSV › Selected Data** and add "
        "these columns to the task map: **" + "**, **".join(data["missing_columns"]) + "** "
        "(optionally BCWS, BCWP, ACWP and Physical_Percent_Complete). An MSPDI .xml export carries them all."
    )
elif current["ev"] is None and current["bac"] is not None:  # baseline present, % complete missing
    st.warning(f"Earned value cannot be computed: {ui.escape_md(current['reasons'].get('ev', 'EV is undefined'))}.")
for note in current["notes"]:
    st.info(ui.escape_md(note))

tiles = evm_view.kpis(current, previous)
for row in (tiles[:5], tiles[5:]):
    for column, tile in zip(st.columns(len(row)), row, strict=True):
        column.metric(
            f"{tile['label']} ({ui.escape_md(unit)})" if unit and tile["kind"] in ("money", "hours") else tile["label"],
            show_value(tile),
            delta=show_delta(tile),
            delta_color="inverse" if tile["key"] in ("ac", "forecast_finish", "eac_cpi") else "normal",
            delta_arrow="off" if tile["delta"] == 0 else "auto",  # unchanged: no arrow
            help=tile["help"],
        )
if current.get("planned_finish"):
    slip = current.get("sv_t_days")
    st.caption(
        f"Planned finish {current['planned_finish']:%d %b %Y} · forecast finish "
        + (f"{current['forecast_finish']:%d %b %Y}" if current.get("forecast_finish") else "not available")
        + (f" · SV(t) {slip:+.1f} working days" if slip is not None else "")
        + (f" · TSPI {current['tspi']:.2f}" if current.get("tspi") is not None else "")
    )

if not cannot_compare:
    changes = project_changes(
        project_id,
        since,
        settings.as_of,
        ui.portfolio_reads(since),
        ui.portfolio_reads(settings.as_of),
        ui.portfolio_settings(),
    )
    with st.expander(f"What changed since {since:%d %b %Y}: {changes_view.headline(changes)}"):
        st.caption(changes_view.caption(changes))
        for title, table, empty in (
            ("Status", changes_view.status_table(changes), "The computed status did not change."),
            ("New red and amber reasons", changes_view.reasons_table(changes), "No red or amber reason is new."),
            (
                "Risks escalated",
                changes_view.risks_table(changes),
                "No risk was escalated (open and escalated now, not then).",
            ),
            ("Milestones slipped", changes_view.slips_table(changes), "No milestone's finish moved later."),
        ):
            st.markdown(f"**{title}**")
            if table.empty:
                st.caption(empty)
            else:
                st.dataframe(table, hide_index=True, width="stretch")

with st.expander("Definitions and every number"):
    st.dataframe(evm_view.definitions_table(), hide_index=True, width="stretch")
    shown = {k: current.get(k) for k in evm.KEYS if k not in ("project_id",)}
    st.json({k: (v if not hasattr(v, "isoformat") else v.isoformat()) for k, v in shown.items()}, expanded=False)
    if current["reasons"]:
        st.write("Why some values are empty:")
        st.dataframe(
            [{"metric": k, "reason": v} for k, v in current["reasons"].items()], hide_index=True, width="stretch"
        )

ms_table = evm_view.ms_project_table(current)
if not ms_table.empty:
    with st.expander("MS Project's own BCWS / BCWP / ACWP beside ours", expanded=bool(ms_table.differs.any())):
        st.caption(
            f"MS Project's values from {current['ms_project'].get('source', 'the file')}, computed at the file's "
            "status date (or its current date when none was set); a difference flags a different date, baseline "
            "or earned value method."
        )
        st.dataframe(ms_table, hide_index=True, width="stretch")

if not data["s_curve"].empty:
    st.altair_chart(evm_charts.s_curve(data["s_curve"], unit), width="stretch")

left, right = st.columns(2)
with left:
    if data["index_trend"].empty:
        st.info("No index trend yet: indices need a baseline and actual cost.")
    else:
        st.altair_chart(evm_charts.index_trend(data["index_trend"]), width="stretch")
with right:
    if data["wbs"].empty:
        st.info("No variance by WBS element: the plan has no baseline.")
    else:
        wbs = evm_view.top_wbs(data["wbs"], limit=12)
        st.altair_chart(evm_charts.wbs_variance(wbs, unit), width="stretch")
        if len(wbs) < len(data["wbs"]):
            st.caption(f"The {len(wbs)} of {len(data['wbs'])} top-level elements with the largest variance are shown.")

milestones = evm_view.top_milestones(data["milestones"], limit=8)
if milestones.empty:
    st.info("No milestones in this plan (tasks flagged Milestone = Yes).")
else:
    st.altair_chart(evm_charts.milestone_trend(milestones), width="stretch")
    st.caption("The eight milestones with the largest latest slip are shown.")

st.subheader("Late and slipping tasks")
late = data["late"]
if late.empty:
    st.success("No leaf task is late or finishing after its baseline.")
else:
    st.caption(
        f"{len(late)} task(s): late = baseline finish on or before the status date and not complete; "
        "slip = working days from baseline finish to the forecast (or actual) finish."
    )
    st.dataframe(
        late.head(500),
        hide_index=True,
        width="stretch",
        column_config={
            "task_id": st.column_config.NumberColumn("ID", format="%d"),
            "wbs": "WBS",
            "task": "Task",
            "baseline_finish": st.column_config.DateColumn("Baseline finish"),
            "finish": st.column_config.DateColumn("Forecast/actual finish"),
            "percent_complete": st.column_config.NumberColumn("% complete", format="%.0f%%"),
            "late": "Late",
            "slip_days": st.column_config.NumberColumn("Slip (wd)", format="%d"),
            "slip_since_previous": st.column_config.NumberColumn("Moved since last (wd)", format="%d"),
        },
    )

st.download_button(
    "Export this project (.xlsx)",
    lambda: to_excel(evm.export_tables(data)),  # built only when clicked
    f"evm_{project_id}_{data['status_date']:%Y-%m-%d}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    help="Every number on this page: metrics with their definitions, history per snapshot, WBS variance, "
    "milestones and late tasks. Text is written as text, never as formulas.",
)
