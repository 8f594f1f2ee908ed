"""Weekly status: the PM's RAG and words for the week beside the computed health, and their history."""

import datetime as dt

import streamlit as st

import ui
from charts.status import rag_history
from loaders.base import Refused
from loaders.status_reports import parse as parse_reports
from metrics import MetricsError, status

RAG_LABELS = {"green": "Green", "amber": "Amber", "red": "Red"}


def computed(as_of) -> dict:
    """Project id -> (status, reasons): the Overview's health as of the date (the rows it keeps)."""
    try:
        frame = ui.portfolio_health(as_of, ui.portfolio_settings())
    except MetricsError:
        return {}
    return {row.project_id: (row.status, list(row.reasons)) for row in frame.itertuples()}


settings = ui.settings()
st.title("Weekly status")
known = ui.projects()
if known.empty:
    st.info("No project is known yet. Upload a portfolio register, a plan or a Jira export first.")
    st.stop()
health = computed(settings.as_of)
project_id = ui.project_picker(settings.project_ids or list(known.project_id))
computed_status, reasons = health.get(project_id, ("unknown", []))
st.caption(f"Computed health as of {settings.as_of:%d %b %Y}: **{computed_status}**.")
for reason in reasons:
    st.caption("• " + ui.escape_md(reason))

with st.form("status_form", clear_on_submit=False):
    st.subheader("This week's report")
    left, right = st.columns([1, 2])
    latest_week = dt.date.today() + dt.timedelta(days=7)
    week = left.date_input(
        "Week (as-of date)", value=settings.as_of and min(settings.as_of, latest_week), max_value=latest_week
    )
    default = list(RAG_LABELS).index(computed_status) if computed_status in RAG_LABELS else 0
    rag = right.radio("PM's RAG", list(RAG_LABELS), index=default, format_func=RAG_LABELS.get, horizontal=True)
    reason = st.text_input("Why the RAG differs from the computed health (required when it does)")
    summary = st.text_area("Summary", height=80)
    accomplishments = st.text_area("Accomplishments this week", height=80)
    next_steps = st.text_area("Next steps", height=80)
    asks = st.text_area("Decisions or help needed", height=68)
    author = st.text_input("Author", value="")
    submitted = st.form_submit_button("Save the report", type="primary")

if submitted:
    draft = status.StatusReport(
        project_id=project_id,
        as_of=week,
        rag=rag,
        summary=summary,
        accomplishments=accomplishments,
        next_steps=next_steps,
        asks=asks,
        rag_reason=reason,
        author=author or None,
        computed_status=computed_status if computed_status in RAG_LABELS else None,
    )
    if problems := draft.problems():
        for problem in problems:
            st.error("The report was not saved: " + problem)
    else:
        ui.store().save_status_reports([draft.row()])
        st.success(f"Saved the report for {ui.escape_md(project_id)} as of {week:%d %b %Y}.")

st.subheader("History")
history = ui.store().status_reports([project_id])
if history.empty:
    st.caption("No report has been written for this project yet.")
else:
    st.altair_chart(rag_history(status.rag_history(history)), width="stretch")
    st.dataframe(
        history[["as_of", "rag", "computed_status", "rag_reason", "summary", "next_steps", "asks", "author"]],
        hide_index=True,
        width="stretch",
    )

with st.expander("Import reports from a spreadsheet"):
    st.caption(
        "One row per project and week: project, week, RAG, reason, summary, accomplishments, next steps, "
        "decisions or help needed, author (header names in any order; title rows above the header are fine)."
    )
    upload = st.file_uploader("Status reports (.xlsx or .csv)", type=["xlsx", "csv"], key="status_upload")
    if upload is not None:
        try:
            rows, problems = parse_reports(upload.getvalue(), upload.name, {k: v[0] for k, v in health.items()})
        except Refused as err:
            st.error(str(err))
        else:
            st.write(f"{len(rows)} reports read, {len(problems)} rows not stored.")
            if problems:
                st.dataframe(ui.problems_frame(problems), hide_index=True, width="stretch")
            if len(rows) and st.button(f"Store {len(rows)} reports", key="store_status"):
                ui.store().save_status_reports(rows)
                st.success(f"Stored {len(rows)} reports.")
