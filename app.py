"""PMO Portfolio Analytics — wiring only: page config, first-start demo build, sidebar, navigation."""

from pathlib import Path

import streamlit as st

import ui

st.set_page_config(page_title="PMO Portfolio Analytics", page_icon=":material/insights:", layout="wide")


def first_start() -> None:
    """No database yet: generate the demo portfolio and load it through the real loaders."""
    from data.demo import build_demo

    st.title("Setting up the demo portfolio")
    st.caption("First start: generating demo MS Project, Jira, finance and register exports and loading them.")
    bar = st.progress(0.0, text="Generating export files…")
    summary = build_demo(
        ui.store(),
        progress=lambda done, total, label: bar.progress(done / total, text=f"Loading {label}"),
        only_if_missing=True,
    )
    bar.empty()
    if summary.refused:
        st.warning(summary.line())
    st.rerun()


if not Path(ui.store().path).exists():
    first_start()

PAGES = {
    "Portfolio": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
    "Projects": [
        st.Page("pages/project.py", title="Earned value", icon=":material/show_chart:", url_path="project"),
        st.Page("pages/delivery.py", title="Agile delivery", icon=":material/view_kanban:", url_path="delivery"),
    ],
    "Finance": [
        st.Page("pages/finance.py", title="Budget & variance", icon=":material/payments:", url_path="finance"),
    ],
    "Data": [
        st.Page("pages/data.py", title="Uploads & problems", icon=":material/upload_file:", url_path="data"),
    ],
}
navigation = st.navigation(PAGES)
ui.sidebar()
try:
    navigation.run()
finally:  # the settings belong to this run only; a page run on its own draws its own sidebar
    st.session_state.pop("_settings", None)
