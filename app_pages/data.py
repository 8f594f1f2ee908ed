"""Uploads & problems: preview each file (what was detected, project and as-of date changeable),
store it, see what was read and what was wrong, undo an upload, set the portfolio's settings."""

import dataclasses
import datetime as dt
import hashlib
import json

import streamlit as st

import ui
from loaders.ingest import preview_bytes, preview_table, store_parsed
from store import DEMO_USER, clamp_as_of

SOURCE_LABEL = {"msproject": "MS Project", "jira": "Jira", "finance": "Finance", "register": "Register"}
SOURCE_LABEL.update(contracts="Contracts", risk="Risk register", resources="Resources", asana="Asana")
OPEN_PAGE = {
    "msproject": "app_pages/project.py",
    "jira": "app_pages/delivery.py",
    "finance": "app_pages/finance.py",
    "register": "app_pages/overview.py",
}
NO_COLUMN = "(none)"


def preview(data: bytes, name: str, key: str):
    """The file's preview, parsed once per file and chosen mapping (kept for this session)."""
    mapping = st.session_state.get(f"mapping_{key}")
    cache = st.session_state.setdefault("_previews", {})
    slot = (key, json.dumps(mapping, sort_keys=True))
    if slot not in cache:
        cache[slot] = preview_bytes(ui.store(), data, name, mapping=mapping)
    return cache[slot]


def mapping_form(found, key: str) -> None:
    """A role -> column selector for a file whose loader needs to be told (suggestions preselected)."""
    needs = found.needs
    st.warning(ui.escape_md(found.message))
    if needs.preview:
        st.dataframe(needs.preview, hide_index=True, width="stretch", key=f"rows_{key}")
    options = [NO_COLUMN, *needs.columns]
    choice = {}
    cols = st.columns(min(len(needs.roles), 4) or 1)
    for i, role in enumerate(needs.roles):
        suggested = needs.suggested.get(role)
        choice[role] = cols[i % len(cols)].selectbox(
            role, options, index=options.index(suggested) if suggested in options else 0, key=f"role_{key}_{role}"
        )
    if st.button("Read with these columns", key=f"remap_{key}"):
        st.session_state[f"mapping_{key}"] = {r: c for r, c in choice.items() if c != NO_COLUMN}
        st.session_state[f"shape_{key}"] = (needs.shape, needs.source)
        st.rerun()


def store_form(found, data: bytes, key: str) -> None:
    """Project and as-of date (changeable) and the Store button of a file that can be loaded."""
    parsed = found.parsed
    c1, c2, c3 = st.columns([2, 2, 1])
    multi = found.project_id is None
    project = c1.text_input(
        "Project id",
        found.project_id or "",
        key=f"project_{key}",
        disabled=multi,
        help="Each row's project_id is used" if multi else f"Detected from {found.project_from}",
    )
    as_of = c2.date_input(
        "As-of date",
        found.as_of,
        key=f"as_of_{key}",
        format="YYYY-MM-DD",
        help=f"Detected from {found.as_of_from}" if found.as_of else "The file carries no date: say it",
    )
    if c3.button("Store", key=f"store_{key}", type="primary", disabled=not isinstance(as_of, dt.date)):
        report = store_parsed(
            ui.store(), parsed, data, found.file_name, project_id=project.strip() or None, as_of=as_of
        )
        if report.ok and f"shape_{key}" in st.session_state:
            shape, source = st.session_state[f"shape_{key}"]
            ui.store().save_column_mapping(shape, source, st.session_state[f"mapping_{key}"])
        st.session_state.setdefault("_stored", {})[key] = report
        st.cache_data.clear()
        st.rerun()
    if not isinstance(as_of, dt.date):
        st.caption("Nothing is stored until the file has an as-of date.")


def show_stored(report, key: str) -> None:
    """The report of a stored file, and a way to open what it brought."""
    {"stored": st.success, "duplicate": st.info, "refused": st.error}[report.status](ui.escape_md(report.message))
    if report.ok and st.button("Open it", key=f"open_{key}", icon=":material/open_in_new:"):
        if report.project_id:
            st.session_state["project"] = report.project_id
        st.switch_page(OPEN_PAGE.get(report.source, "app_pages/overview.py"))


def upload_section() -> None:
    files = st.file_uploader("Export files", accept_multiple_files=True, key="files")
    for f in files or []:
        data = f.getvalue()
        key = hashlib.sha256(data).hexdigest()[:16]
        with st.container(border=True):
            st.markdown(f"**{ui.escape_md(f.name)}**")
            stored = st.session_state.get("_stored", {}).get(key)
            if stored is not None:
                show_stored(stored, key)
                continue
            found = preview(data, f.name, key)
            if found.status == "refused":
                st.error(ui.escape_md(found.message))
                continue
            if found.status == "needs_mapping":
                mapping_form(found, key)
                continue
            st.dataframe(
                preview_table(found),
                hide_index=True,
                width="stretch",
                key=f"detected_{key}",
                column_config={"what": "Detected", "value": "Value", "from": "Where it came from"},
            )
            if found.parsed.problems:
                count = len(found.parsed.problems)
                with st.expander(f"{count} problem{'s' if count != 1 else ''}"):
                    st.dataframe(ui.problems_frame(found.parsed.problems), hide_index=True, width="stretch")
            store_form(found, data, key)


def settings_section() -> None:
    """The portfolio's settings, stored once for every page and the CLI."""
    current = ui.portfolio_settings()
    with st.expander("Portfolio settings (fiscal year, thresholds, done statuses)"), st.form("settings"):
        c1, c2, c3 = st.columns(3)
        fy = c1.selectbox("Fiscal year starts in", ui.MONTH_NAMES, index=current.fy_start_month - 1)
        green = c2.number_input("Budget green up to |variance| %", 0.0, 100.0, 100 * current.budget_green, 0.5)
        amber = c3.number_input("Budget amber up to |variance| %", 0.0, 100.0, 100 * current.budget_amber, 0.5)
        under = c1.selectbox(
            "Underspend at worst",
            ["amber", "red", "green"],
            index=["amber", "red", "green"].index(current.underspend_max_status),
        )
        floor = c2.number_input(
            "Underspend floor (currency units)",
            0.0,
            None,
            current.underspend_floor,
            1000.0,
            help="Under budget by less than this stays green",
        )
        gap = c3.number_input(
            "Plan vs ledger gap %",
            0.0,
            1000.0,
            100 * current.reconciliation_gap,
            1.0,
            help="Over this, plan AC and ledger actual disagree: low confidence",
        )
        done = st.text_input(
            "Jira statuses that count as done (comma-separated; empty: status category Done)",
            ", ".join(current.done_statuses),
        )
        if st.form_submit_button("Save settings"):
            try:
                chosen = dataclasses.replace(
                    current,
                    fy_start_month=ui.MONTH_NAMES.index(fy) + 1,
                    budget_green=green / 100,
                    budget_amber=max(amber, green) / 100,
                    underspend_max_status=under,
                    underspend_floor=floor,
                    reconciliation_gap=gap / 100,
                    done_statuses=tuple(s.strip() for s in done.split(",") if s.strip()),
                )
            except ValueError as err:
                st.error(str(err))
            else:
                ui.store().save_settings(chosen.to_store())
                st.cache_data.clear()
                st.toast("Settings saved for every page.")


st.title("Uploads & problems")
st.caption(
    "Upload exports exactly as the tools write them: MS Project (.xlsx, .csv, .xml), Jira (.csv, old .xls), "
    "finance workbooks (.xlsx, .csv) and the portfolio register. The format is detected from the contents; "
    "each file shows what was detected before anything is stored. Each upload is kept as a dated snapshot; "
    "uploading the same file again for the same date changes nothing."
)
upload_section()
settings_section()

uploads = ui.store().uploads()
st.subheader(f"Stored uploads ({len(uploads)})")
if uploads.empty:
    st.info("No uploads yet.")
    st.stop()

limit = clamp_as_of(None, dt.date.today())
far = uploads[uploads.as_of.dt.date > limit]
if not far.empty:
    first = far.iloc[0]
    st.warning(
        f"{len(far)} upload(s) are dated after {limit:%Y-%m-%d} (upload {int(first.upload_id)}, "
        f"{ui.escape_md(first.file_name)}, as of {first.as_of:%Y-%m-%d}): the pages start at most 31 days after "
        "today, so they do not show these by default. If a date is a typo, delete the upload and load the file "
        "again with the right as-of date."
    )

demo = int((uploads.uploaded_by == DEMO_USER).sum())
if demo:
    with st.popover(f"Remove the demo portfolio ({demo} uploads)", icon=":material/delete_sweep:"):
        st.write("Removes every upload of the generated demo portfolio; your own uploads stay.")
        if st.button("Remove the demo", type="primary", key="remove_demo"):
            removed = ui.store().delete_uploads_by(DEMO_USER)
            st.cache_data.clear()
            st.toast(f"Demo removed ({removed} uploads).")
            st.rerun()


def remember_choice() -> None:
    """The upload the user clicked, as an id: the row position is looked up in the ids shown in
    that run (a concurrent ingest shifts the positions of a fresh list, never the id)."""
    rows = st.session_state["uploads"]["selection"]["rows"]
    shown = st.session_state.get("_uploads_shown", [])
    st.session_state["_chosen_upload"] = shown[rows[0]] if rows and rows[0] < len(shown) else None


def delete(upload_id: int) -> None:
    """Delete the upload the user saw and confirmed (bound to the button when it was drawn)."""
    if ui.store().delete_upload(upload_id):
        st.session_state["_deleted"] = ("success", f"Upload {upload_id} deleted.")
    else:
        st.session_state["_deleted"] = (
            "warning",
            f"Upload {upload_id} was already gone (deleted meanwhile, in another session); nothing changed.",
        )
    st.session_state["_chosen_upload"] = None
    st.cache_data.clear()


if outcome := st.session_state.pop("_deleted", None):
    getattr(st, outcome[0])(outcome[1])

st.dataframe(
    uploads.assign(
        source=uploads.source.map(lambda s: SOURCE_LABEL.get(s, s)),
        project_id=uploads.project_id.fillna("from its rows"),
    ),
    hide_index=True,
    width="stretch",
    on_select=remember_choice,
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
st.session_state["_uploads_shown"] = [int(i) for i in uploads.upload_id]
wanted = st.session_state.get("_chosen_upload")
if wanted is not None and wanted not in set(st.session_state["_uploads_shown"]):
    st.info(f"Upload {wanted} is no longer stored (deleted meanwhile); showing the newest upload.")
    wanted = None
chosen = uploads[uploads.upload_id == wanted].iloc[0] if wanted is not None else uploads.iloc[0]
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
        problems.fillna({"column_name": "", "value": ""}),  # a file-wide problem names no column or cell
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
    st.button(f"Delete upload {upload_id} for good", type="primary", key="delete", on_click=delete, args=(upload_id,))
