"""Risks & issues: what to escalate this week, from every project's risk register and RAID log.

The 5×5 heat map (click a cell to list its risks), the escalation list with the reason for each,
the top risks with owner, mitigation and due date, exposure over time, and the register itself,
filtered by program (sidebar), project, category and kind; Excel export of what is shown.
"""

import streamlit as st

import ui
from charts import risk as charts
from exports import to_excel
from metrics import risk
from store import WORK_SOURCES

TABLE = {
    "project_id": "Project",
    "risk_id": "ID",
    "kind": "Kind",
    "title": "Title",
    "category": "Category",
    "system": "System",
    "probability": "P",
    "impact": "I",
    "score": "Score",
    "exposure": "Exposure",
    "currency": "Currency",
    "owner": "Owner",
    "status": "Status",
    "due": "Due",
    "trend": "Trend",
    "response": "Mitigation",
    "why": "Why escalate",
    "overdue": "Overdue",
    "escalations": "Escalate",
    "high": "At/above threshold",
    "open_threats": "Open risks & issues",
    "max_open_score": "Highest score",
    "score_load": "Score load",
    "opportunities": "Opportunities",
    "closed": "Closed",
}
ESCALATION_COLUMNS = ["project_id", "risk_id", "score", "why", "title", "owner"]
TOP_COLUMNS = ["project_id", "risk_id", "title", "score", "owner", "response", "due"]
REGISTER_COLUMNS = [
    *risk.SCORED_COLUMNS,
    "trend",
    "exposure",
    "currency",
    "owner",
    "status",
    "due",
    "overdue",
    "response",
]
ESCALATION_WIDTHS = {
    "Project": st.column_config.TextColumn(width=110),
    "ID": st.column_config.TextColumn(width=80),
    "Score": st.column_config.NumberColumn(width=52),
    "Why escalate": st.column_config.TextColumn(width=430, help="Every rule that fired, with its numbers"),
}
PROJECT_COLUMNS = [
    "project_id",
    "escalations",
    "high",
    "overdue",
    "open_threats",
    "max_open_score",
    "score_load",
    "exposure",
    "currency",
    "opportunities",
    "closed",
]
NUMBERS = {
    "Score": "{:g}",
    "P": "{:g}",
    "I": "{:g}",
    "Exposure": "{:,.0f}",
    "Highest score": "{:g}",
    "Score load": "{:g}",
}


@st.cache_data(show_spinner="Reading the risk registers…")
def load(as_of, project_ids, threshold, version):
    return risk.view(ui.store(), as_of, list(project_ids) or None, threshold)


@st.cache_data(show_spinner=False)
def stored_threshold(version) -> float:
    return risk.threshold_setting(ui.store())


def show(frame, columns, key, height=None, **kwargs):
    """A read-only table with the page's labels; user text is shown as plain text."""
    shown = frame.reindex(columns=columns).rename(columns=TABLE)
    fmt = {c: f for c, f in NUMBERS.items() if c in shown.columns}
    return st.dataframe(
        shown.style.format(fmt, na_rep="—"),
        hide_index=True,
        width="stretch",
        key=key,
        height=height or "auto",
        **kwargs,
    )


settings = ui.settings()
st.title("Risks & issues")
scoped = settings.project_ids if (settings.programs or settings.portfolios) else ()

bar = st.columns([2, 2, 2, 1])
with bar[3].popover("Threshold"):
    threshold = st.number_input(
        "Escalate at score ≥",
        1.0,
        25.0,
        stored_threshold(settings.data_version),
        1.0,
        key="risk_threshold",
        help="Score = probability × impact on 1–5 each. Also escalated: rising twice, overdue, marked.",
    )
# cached by what it reads: the RAID logs and the work items (Jira risks and issues) in scope up to the date
reads = ui.reads_version(settings.as_of, ("risk", *WORK_SOURCES), scoped or None)
view = load(settings.as_of, tuple(scoped), threshold, reads)
if view.current.empty:
    st.info(
        "No risk register, RAID log or Jira Risk/Issue is stored for the projects in scope on or before this date. "
        "Upload one on the **Uploads & problems** page."
    )
    st.stop()

known = ui.projects()
names = dict(zip(known.project_id, known.name, strict=False)) if not known.empty else {}
programs = dict(zip(known.project_id, known.program, strict=False)) if not known.empty else {}
choices = risk.options(view.current)
chosen = {
    "projects": bar[0].multiselect(
        "Project",
        choices["project_id"],
        key="risk_projects",
        format_func=lambda p: f"{p} — {names[p]}" if names.get(p) else p,
    ),
    "categories": bar[1].multiselect("Category", choices["category"], key="risk_categories"),
    "kinds": bar[2].multiselect("Kind", choices["kind"], key="risk_kinds"),
}
current = risk.narrow(view.current, **chosen)
escalated = risk.escalations_in(view.escalations, current)
summary = risk.summary(current, escalated)
st.caption(
    f"As of {view.as_of:%d %b %Y} · {current.project_id.nunique()} projects · each at its latest register (and Jira) "
    f"snapshot on or before that date · score = probability × impact on 1–5 · trend against the previous snapshot."
)
tiles = st.columns(5)
tiles[0].metric("Escalate this week", summary.escalations, help="Open entries that meet an escalation rule")
tiles[1].metric(f"Score ≥ {threshold:g}", summary.high, help="Open risks and issues at or above the threshold")
tiles[2].metric("Open risks & issues", summary.open_threats, help="Opportunities, assumptions and dependencies apart")
tiles[3].metric("Overdue", summary.overdue, help="Open entries whose due date has passed")
tiles[4].metric(
    f"Threat exposure {summary.currency or ''}".strip(),
    ui.money(summary.exposure),
    help="Σ probability × cost impact of open threats in that currency; opportunities are never added",
)

left, right = st.columns([4, 7])
with left:
    event = st.altair_chart(charts.heatmap(risk.heatmap(current), threshold), on_select="rerun", key="risk_heatmap")
    picked = (event or {}).get("selection", {}).get(charts.CELL) or []
with right:
    st.subheader("Escalate this week")
    if escalated.empty:
        st.success("Nothing meets an escalation rule.")
    else:
        show(
            escalated,
            ESCALATION_COLUMNS,
            "risk_escalations",
            height=min(35 * (len(escalated) + 1) + 8, 420),
            column_config=ESCALATION_WIDTHS,
        )

if picked:
    cell = picked[0]
    in_cell = risk.in_cell(current, int(cell["probability"]), int(cell["impact"]))
    st.subheader(f"Probability {cell['probability']} × impact {cell['impact']}: {len(in_cell)} open")
    show(in_cell, REGISTER_COLUMNS, "risk_cell")
else:
    st.caption("Click a cell of the heat map to list its risks; double-click to clear.")

st.subheader("Top risks")
show(risk.top_risks(current, n=10), TOP_COLUMNS, "risk_top")

st.subheader("Exposure over time")
over_time = risk.narrow(view.over_time, projects=chosen["projects"])
if over_time.exposure.notna().any():
    st.altair_chart(charts.exposure_over_time(over_time, names, programs, summary.currency or ""), width="stretch")
else:
    st.altair_chart(charts.score_load(over_time, names), width="stretch")

with st.expander("By project"):
    show(risk.by_project(current, escalated), PROJECT_COLUMNS, "risk_projects_table")

with st.expander(f"Register: {len(current)} entries (opportunities {summary.opportunities}, closed {summary.closed})"):
    show(current, REGISTER_COLUMNS, "risk_register")

export = {
    "Escalations": escalated.reindex(columns=ESCALATION_COLUMNS).rename(columns=TABLE),
    "Register": current.reindex(columns=REGISTER_COLUMNS).rename(columns=TABLE),
}
st.download_button(
    "Download Excel",
    to_excel(export),
    "risks_and_issues.xlsx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    key="risk_export",
)
