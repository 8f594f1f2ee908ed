"""Uploads & problems: upload exports, see what was read and what was wrong, undo an upload."""

import streamlit as st

import ui
from loaders.ingest import ingest_bytes

SOURCE_LABEL = {"msproject": "MS Project", "jira": "Jira", "finance": "Finance", "register": "Register"}
SOURCE_LABEL["contracts"] = "Contracts"

st.title("Uploads & problems")
st.caption(
    "Upload exports exactly as the tools write them: MS Project (.xlsx, .csv, .xml), Jira (.csv, old .xls), "
    "finance workbooks (.xlsx, .csv) and the portfolio register. The format is detected from the contents. "
    "Each upload is kept as a dated snapshot; uploading the same file again for the same date changes nothing."
)

with st.form("upload", clear_on_submit=True):
    files = st.file_uploader("Export files", accept_multiple_files=True, key="files")
    c1, c2 = st.columns(2)
    project = c1.text_input(
        "Project id (optional)", help="Default: from the file (Jira project key, plan title or file name)"
    )
    as_of = c2.date_input(
        "As-of date (optional)", value=None, key="upload_as_of", help="Default: the file's status date or latest update"
    )
    submitted = st.form_submit_button("Load files", type="primary")

if submitted and files:
    for f in files:
        report = ingest_bytes(ui.store(), f.getvalue(), f.name, project_id=project.strip() or None, as_of=as_of)
        {"stored": st.success, "duplicate": st.info, "refused": st.error}[report.status](ui.escape_md(report.message))
        if report.problems:
            count = len(report.problems)
            with st.expander(f"{count} problem{'s' if count != 1 else ''} in {ui.escape_md(report.file_name)}"):
                st.dataframe(ui.problems_frame(report.problems), hide_index=True, width="stretch")
    st.cache_data.clear()

uploads = ui.store().uploads()
st.subheader(f"Stored uploads ({len(uploads)})")
if uploads.empty:
    st.info("No uploads yet.")
    st.stop()

event = st.dataframe(
    uploads.assign(source=uploads.source.map(SOURCE_LABEL)),
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="uploads",
    column_order=[
        "upload_id",
        "source",
        "format",
        "file_name",
        "project_id",
        "as_of",
        "loaded_at",
        "rows_loaded",
        "rows_rejected",
        "errors",
        "warnings",
        "notes",
    ],
    column_config={
        "upload_id": st.column_config.NumberColumn("Upload", format="%d"),
        "source": "Source",
        "format": "Format",
        "file_name": "File",
        "project_id": "Project",
        "errors": st.column_config.NumberColumn("Errors", help="Rows rejected or cells not loaded"),
        "warnings": st.column_config.NumberColumn("Warnings", help="Loaded with a field left empty or changed"),
        "notes": st.column_config.NumberColumn("Notes", help="Information only"),
        "as_of": st.column_config.DateColumn("As of"),
        "loaded_at": st.column_config.DatetimeColumn("Loaded at", format="YYYY-MM-DD HH:mm"),
        "rows_loaded": "Rows loaded",
        "rows_rejected": "Rejected",
    },
)
rows = event["selection"]["rows"] if event else []
chosen = uploads.iloc[rows[0]] if rows else uploads.iloc[0]
upload_id = int(chosen.upload_id)
st.subheader(f"Upload {upload_id}: {ui.escape_md(chosen.file_name)}")
st.caption(
    f"{chosen.format} · project {ui.escape_md(chosen.project_id if isinstance(chosen.project_id, str) else 'several')} · as of {chosen.as_of:%Y-%m-%d} · select a row above to see another upload"
)
problems = ui.store().problems(upload_id)
if problems.empty:
    st.success("Every row of this file was loaded as written.")
else:
    st.dataframe(
        problems,
        hide_index=True,
        width="stretch",
        column_config={
            "row_number": st.column_config.NumberColumn("Row", format="%d"),
            "column_name": "Column",
            "value": "Value as written",
            "severity": "Severity",
            "message": st.column_config.TextColumn("What happened", width="large"),
        },
    )

with st.popover("Delete this upload", icon=":material/delete:"):
    st.write(
        f"Removes upload {upload_id} ({ui.escape_md(chosen.file_name)}) and every row it brought. Views fall back to the previous snapshot."
    )
    if st.button("Delete for good", type="primary", key="delete"):
        ui.store().delete_upload(upload_id)
        st.cache_data.clear()
        st.toast(f"Upload {upload_id} deleted.")
        st.rerun()
