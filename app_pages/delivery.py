"""Agile delivery: velocity, burn-down, burn-up with forecast cone, throughput, lead time, ageing WIP.

Text from uploaded files (project, sprint, version, epic and status names) is never put in a markdown
string (st.markdown/caption/write/info/…): it goes only into widgets, dataframes, chart data or st.text."""

import pandas as pd
import streamlit as st

import ui
from charts import delivery as charts
from exports import to_excel
from metrics import MetricsError, due_dates
from metrics import delivery as dl
from store import WORK_SOURCES
from views import delivery as delivery_view
from views.delivery import UNIT_NAMES, fmt_date, fmt_num


@st.cache_data(show_spinner=False)
def jira_projects(as_of, project_ids, version) -> list[str]:
    return dl.jira_projects(ui.store(), as_of, project_ids or None)


@st.cache_data(show_spinner="Computing delivery metrics…")
def view(project_id, as_of, version, team, done, unit, calendar) -> dl.Delivery:
    with ui.store().batch() as store:  # one connection for the whole computation
        return dl.dashboard(store, project_id, as_of, team=team or None, done_statuses=list(done), unit=unit)


@st.cache_data(show_spinner=False)
def sprint_view(project_id, as_of, version, team, done, unit, calendar, sprint):
    return dl.sprint_burndown(view(project_id, as_of, version, team, done, unit, calendar), sprint, unit)


@st.cache_data(show_spinner="Running the Monte Carlo forecast…")
def burnup_view(project_id, as_of, version, team, done, unit, calendar, kind, value):
    return dl.burnup(view(project_id, as_of, version, team, done, unit, calendar), kind, value, unit)


@st.cache_data(show_spinner="Recomputing past forecasts…")
def accuracy_view(project_id, as_of, version, team, done, unit, calendar, kind, value):
    d = view(project_id, as_of, version, team, done, unit, calendar)
    return dl.forecast_history(d.history, unit, kind, value, d.done_statuses)


settings = ui.settings()
st.title("Delivery")

with_jira = jira_projects(
    settings.as_of,
    tuple(settings.project_ids),
    ui.reads_version(settings.as_of, WORK_SOURCES, settings.project_ids or None),
)
if not with_jira:
    st.info(
        "No Jira or Asana export is stored for the projects in scope on or before this date. "
        "Upload one on the **Uploads & problems** page."
    )
    st.stop()

top = st.columns([3, 2, 2])
project_id = ui.project_picker(with_jira, top[0])

calendar_key = dl.calendar_version(ui.store(), project_id)
reads = ui.reads_version(settings.as_of, WORK_SOURCES, [project_id])  # this project's work-item uploads only
try:
    base = view(project_id, settings.as_of, reads, "", (), None, calendar_key)
except MetricsError as err:
    st.info("The delivery metrics cannot be computed for this project:")
    st.text(str(err))  # names the project: user text, never markdown
    st.stop()

team = ""
if base.teams:
    team = top[1].selectbox("Team / board", ["", *base.teams], key="team", format_func=lambda t: t or "All teams")
measures = ["points", "issues"] if base.items.loc[base.items["is_item"], "estimated"].any() else ["issues"]
unit = top[2].radio(  # keyed per project: each project starts on its own measure (points only where it has them)
    "Measure",
    measures,
    index=measures.index(base.unit),
    key=f"unit_{project_id}",
    horizontal=True,
    format_func=UNIT_NAMES.get,
    help="Story points when at least half the issues are estimated; issue counts otherwise.",
)
statuses = dl.status_options(base.items)
with st.expander("Definition of done"):
    done = st.multiselect(
        "Statuses that count as done",
        statuses,
        default=[s for s in ui.portfolio_settings().done_statuses if s in statuses],  # the stored definition
        key=f"done_statuses_{project_id}",
        help="Empty: every issue whose status category is Done. Completion time is the Resolved date.",
    )

d = view(project_id, settings.as_of, reads, team, tuple(done), unit, calendar_key)
st.caption(delivery_view.summary_caption(d))
for note in d.notes:
    st.info(note)

unit_label = UNIT_NAMES[d.unit].lower()
for col, tile in zip(st.columns(4), delivery_view.tiles(d), strict=True):
    col.metric(tile.label, tile.value, help=tile.help)
st.caption(delivery_view.forecast_caption(d))

tab_sprints, tab_burnup, tab_flow, tab_calendar, tab_due = st.tabs(
    ["Sprints", "Burn-up & forecast", "Flow", "Sprint calendar", "Due dates"]
)

with tab_sprints:
    if d.velocity.empty:
        st.info(
            "This export has no sprints (a Kanban board or unplanned work), so there is no velocity or sprint "
            "burn-down. Throughput, lead time and the forecast are on the other tabs."
        )
    else:
        st.altair_chart(charts.velocity(d.velocity, d.unit), width="stretch")
        st.caption(
            "Completed is sound: Σ of done issues whose *last* sprint is the sprint. Planned is approximate: "
            "Σ of every issue that ever listed the sprint, at today's estimates (Jira's commitment at sprint "
            f"start is not in a CSV). Carry-over: {d.carry_over['carried_over_issues']} issues sat in more than "
            f"one sprint ({d.carry_over['carry_overs']} extra memberships)."
        )
        sprints = list(d.velocity["sprint"])
        chosen = dl.default_sprint(d)
        default = sprints.index(chosen) if chosen in sprints else len(sprints) - 1
        sprint = st.selectbox(
            "Sprint",
            sprints,
            index=default,
            key="sprint",
            help="Opens on the current sprint once it has two days of data, else on the last closed sprint.",
        )
        burn, caption = sprint_view(project_id, settings.as_of, reads, team, tuple(done), unit, calendar_key, sprint)
        if burn.empty:
            st.info(caption)
        else:
            guide = dl.guideline(burn, d.calendar, sprint)
            st.altair_chart(charts.burndown(burn, d.unit, f"Burn-down: {sprint}", guide), width="stretch")
            st.caption(caption + " Dashed grey: the guideline from the first value to zero at the sprint's finish.")

with tab_burnup:
    options = dl.scope_options(d.items)
    kinds = ["project"] + [k for k in ("version", "epic") if options[k]]
    left, right = st.columns(2)
    kind = left.selectbox(
        "Scope",
        kinds,
        key="scope_kind",
        format_func={"project": "Whole project", "version": "Fix version", "epic": "Epic"}.get,
    )
    value = right.selectbox("Which", options[kind], key="scope_value") if kind != "project" else None
    up, cone, scope_fc, caption = burnup_view(
        project_id, settings.as_of, reads, team, tuple(done), unit, calendar_key, kind, value
    )
    remaining = scope_fc["remaining_points"] if d.unit == "points" else scope_fc["remaining_issues"]
    st.write(f"Remaining: **{fmt_num(remaining, 1 if d.unit == 'points' else 0)} {unit_label}**")
    cols = st.columns(3)
    for col, p in zip(cols, ("p50", "p85", "p95"), strict=True):
        col.metric(f"{p.upper()} finish", fmt_date(scope_fc[p]), help=f"{p[1:]} % of trials finish by this date.")
    if up.empty:
        st.info("Nothing in this scope yet.")
    else:
        st.altair_chart(charts.burnup(up, cone, d.unit), width="stretch")
        st.caption(caption)
    if scope_fc["unestimated_issues"] and d.unit == "points":
        st.caption(f"{scope_fc['unestimated_issues']} remaining issues have no story points and are not counted.")
    if d.snapshots >= 2:
        history = accuracy_view(project_id, settings.as_of, reads, team, tuple(done), unit, calendar_key, kind, value)
        if not history.empty and history[["p50", "p85", "p95"]].notna().any().any():
            st.altair_chart(charts.forecast_accuracy(history), width="stretch")
            st.caption(
                "Exact for what each snapshot held: the forecast is recomputed at every snapshot with the same "
                "seed, so these are the dates this page showed then; the rule is the first snapshot with nothing left."
            )

with tab_flow:
    if d.throughput.empty:
        st.info("No completed work yet, so there is no throughput.")
    else:
        st.altair_chart(charts.throughput(d.throughput, d.unit), width="stretch")
        st.caption(
            "Sound from a CSV: work items counted in the week of their Resolved date (Updated where a done issue "
            "has none). The as-of week is faded while it is incomplete and is not sampled by the forecast."
        )
    if not d.flow.empty:
        st.altair_chart(charts.created_resolved(d.flow), width="stretch")
        st.caption(
            "Approximate: built from Created and Resolved dates of the current snapshot; deleted issues and "
            "reopened issues (which lose their Resolved date) are invisible."
        )
    if d.lead.empty:
        st.info("No completed items with both Created and Resolved dates, so there is no lead time.")
    else:
        st.altair_chart(charts.lead_time(d.lead, d.lead_percentiles), width="stretch")
        st.caption(
            f"Exact: lead time = Resolved − Created for {d.lead_percentiles['n']} completed items; P50 "
            f"{fmt_num(d.lead_percentiles['p50'])}, P85 {fmt_num(d.lead_percentiles['p85'])}, P95 "
            f"{fmt_num(d.lead_percentiles['p95'])} days. Cycle time needs status history, which a CSV lacks."
        )
    if d.wip.empty:
        st.info("Nothing is in progress now.")
    else:
        st.altair_chart(charts.ageing_wip(d.wip), width="stretch")
        st.caption(
            "Approximate age: days since Created, because the export holds no date the work started. "
            "Items are those whose status category is In Progress in this snapshot."
        )
        st.dataframe(d.wip, hide_index=True, width="stretch")

with tab_calendar:
    st.write(
        "Jira CSV exports carry no sprint dates. These were inferred from resolution dates and snapshots; "
        "correct them here and save. Saved rows are marked **user** and win over inferred ones."
    )
    if d.calendar.empty:
        st.info("This export has no sprints, so there is no sprint calendar.")
    else:
        frame = d.calendar.assign(
            start=pd.to_datetime(d.calendar["start"]), finish=pd.to_datetime(d.calendar["finish"])
        )
        with st.form("calendar"):
            edited = st.data_editor(
                frame,
                key="calendar_editor",
                hide_index=True,
                num_rows="fixed",
                disabled=["sprint", "origin"],
                column_config={
                    "sprint": st.column_config.TextColumn("Sprint"),
                    "start": st.column_config.DateColumn("Start", format="YYYY-MM-DD"),
                    "finish": st.column_config.DateColumn("Finish", format="YYYY-MM-DD"),
                    "goal": st.column_config.TextColumn("Goal"),
                    "origin": st.column_config.TextColumn("Origin"),
                },
            )
            saved = st.form_submit_button("Save sprint calendar")
        if saved:
            problems = dl.calendar_problems(edited)
            if problems:
                # the sentences name sprints (text from the Jira file): shown as data, never as markdown
                st.error(f"{len(problems)} calendar row(s) cannot be saved; correct them and save again.")
                st.dataframe(pd.DataFrame({"Problem": problems}), hide_index=True, width="stretch")
            else:
                dl.save_sprint_calendar(ui.store(), project_id, edited, d.inferred_calendar)
                st.success("Sprint calendar saved.")
                st.rerun()

st.download_button(
    "Export delivery metrics (.xlsx)",
    lambda: to_excel(dl.export_tables(d)),  # built only when clicked
    f"delivery_{project_id}_{d.snapshot_as_of:%Y-%m-%d}.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    on_click="ignore",
    help="Velocity, throughput, lead times, work in progress, flow, the sprint calendar and the forecast.",
)

with tab_due:
    late = due_dates.overdue(d.items, d.measured_as_of)
    moved = due_dates.slips(d.history)
    cols = st.columns(3)
    cols[0].metric("Overdue", len(late), help="Open work items whose due date is before the as-of date.")
    cols[1].metric(
        "Due dates moved later",
        int((moved["slip_days"] > 0).sum()),
        help="Between the first snapshot that had the item's due date and now.",
    )
    cols[2].metric("Open items", int((~d.items["is_done"] & d.items["is_item"]).sum()))
    if late.empty:
        st.caption("Nothing is overdue.")
    else:
        st.dataframe(late, hide_index=True, width="stretch")
    if not moved.empty:
        st.subheader("Due-date slippage between snapshots")
        st.dataframe(moved, hide_index=True, width="stretch")
    st.subheader("Open work by status")
    st.dataframe(due_dates.open_by_status(d.items), hide_index=True, width="stretch")
