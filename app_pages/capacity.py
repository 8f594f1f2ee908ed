"""People & capacity: who is booked beyond their capacity, in which weeks, because of which projects.

Load per person and ISO week from MS Project assignments and allocation sheets against capacity
plans (else max units × the calendar), the over-allocated list, demand vs capacity by role, a
drill-down to one person's assignments, Jira open work in active sprints, the editable list of
people aliases and an Excel export of what is shown (metrics.capacity).
"""

import pandas as pd
import streamlit as st

import ui
from charts import capacity as capacity_charts
from exports import to_excel
from metrics import MetricsError, capacity
from metrics.delivery import calendar_version
from store import WORK_SOURCES


@st.cache_data(show_spinner="Adding up load and capacity…")
def load(as_of, weeks, threshold, aliases, version):
    store = ui.store()
    view = capacity.load(store, as_of, weeks, threshold)
    return view, capacity.load_jira(store, view.as_of)


@st.cache_data(show_spinner=False)
def workbook(as_of, weeks, threshold, aliases, version) -> bytes:
    view, jira = load(as_of, weeks, threshold, aliases, version)
    return to_excel(capacity.export_frames(view, jira))


settings = ui.settings()
store = ui.store()
st.title("People & capacity")
st.caption(
    "Load per person and week (Monday–Sunday) across every project: MS Project assignments and allocation "
    "sheets against capacity plans, else max units × a 40 h week. A person is over-allocated when load exceeds "
    "the threshold × capacity; 80 % + 20 % is exactly 100 % and not flagged."
)

controls = st.columns([1, 1, 2])
weeks = controls[0].number_input("Weeks shown", min_value=1, max_value=52, value=12, step=1, key="cap_weeks")
saved = capacity.threshold_of(store)
threshold_pct = controls[1].number_input(
    "Over-allocated above (%)",
    min_value=50,
    max_value=200,
    value=round(saved * 100),
    step=5,
    key="cap_threshold",
    help="Load above this share of capacity is over-allocation. Saved for everyone with the button beside it.",
)
if controls[2].button("Save threshold as default", disabled=threshold_pct / 100 == saved, key="cap_save_threshold"):
    store.save_settings({capacity.THRESHOLD_SETTING: threshold_pct / 100})
    st.rerun()

aliases = store.aliases("person")
alias_key = tuple(sorted(aliases.items()))
# cached by what it reads: people files, plans and work items on or before the date, sprint calendars
reads = ui.reads_version(settings.as_of, ("resources", "msproject", *WORK_SOURCES)) + calendar_version(store)
try:
    view, jira = load(settings.as_of, int(weeks), threshold_pct / 100, alias_key, reads)
except MetricsError as err:
    st.info(
        f"{ui.escape_md(err)} Allocation sheets, capacity plans and MS Project plans are uploaded on **Uploads & problems**."
    )
    st.stop()

if view.people.empty and view.unstaffed.empty:
    st.info(
        f"No assignments, allocations or capacity in the {len(view.weeks)} weeks from {view.weeks[0]:%d %b %Y}. "
        "Allocation sheets, capacity plans and MS Project plans are uploaded on **Uploads & problems**."
    )
    st.stop()

tiles = capacity.tiles(view)
for column, (label, value) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
    column.metric(label, value)

if not view.people.empty:
    st.altair_chart(capacity_charts.heatmap(capacity.heatmap_frame(view), view.threshold), width="stretch")
if len(view.undated):
    st.caption(f"{len(view.undated)} booking(s) have no start or finish date and are not counted as load.")

st.subheader("Over-allocated")
over = capacity.overallocated_table(view)
if over.empty:
    st.success(f"Nobody is booked above {view.threshold:.0%} of capacity in these weeks.")
else:
    st.dataframe(
        over,
        hide_index=True,
        width="stretch",
        column_config={
            "Week of": st.column_config.DateColumn(format="D MMM YYYY"),
            "Utilisation": st.column_config.NumberColumn(format="percent"),
            "Load (h)": st.column_config.NumberColumn(format="%.1f"),
            "Capacity (h)": st.column_config.NumberColumn(format="%.1f"),
        },
    )

st.subheader("Demand vs capacity by role")
if view.by_role.empty:
    st.info("No role or team demand in these weeks.")
else:
    st.dataframe(
        capacity.role_table(view),
        hide_index=True,
        width="stretch",
        column_config={"Utilisation": st.column_config.NumberColumn(format="percent")},
    )
    st.altair_chart(capacity_charts.role_demand(view.by_role))
if not view.unstaffed.empty:
    st.caption("Unstaffed demand: allocation rows with a project and a role but no person yet.")
    st.dataframe(capacity.unstaffed_table(view), hide_index=True, width="stretch")

st.subheader("Assignments of one person")
people = sorted(view.people["person"].unique())
first = capacity.overallocated_people(view)
person = st.selectbox(
    "Person", people, index=people.index(first[0]) if first else 0, key="cap_person", disabled=not people
)
if person:
    st.dataframe(capacity.assignments_of(view, person), hide_index=True, width="stretch")

with st.expander(f"Jira: open work in active sprints ({len(jira)} assignee × project rows)"):
    st.caption(
        "A second view of load from the stored Jira exports: open items (status not Done) whose latest sprint "
        "is active on the as-of date (the sprint calendar, else the latest sprint by name)."
    )
    st.dataframe(jira, hide_index=True, width="stretch")

with st.expander("People aliases"):
    st.caption(
        "People are matched across files by normalised name (case, accents, 'Last, First') or e-mail. Add an alias "
        "when one person is written two ways: the alias (a name or e-mail as it appears) maps to the name shown."
    )
    edited = st.data_editor(
        pd.DataFrame({"alias": list(aliases), "person": list(aliases.values())}, dtype="object"),
        num_rows="dynamic",
        hide_index=True,
        key="cap_aliases",
        width="stretch",
    )
    if st.button("Save aliases", key="cap_save_aliases"):
        store.save_aliases("person", capacity.alias_mapping(edited))
        st.rerun()

st.download_button(
    "Download Excel (.xlsx)",
    workbook(settings.as_of, int(weeks), threshold_pct / 100, alias_key, reads),
    file_name=f"capacity_{view.as_of.isoformat()}.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="cap_export",
)
