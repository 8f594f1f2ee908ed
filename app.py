"""PMO Portfolio Analytics — wiring only: page config, first-start demo build, sidebar, navigation."""

import os
import re
import subprocess
import sys
from pathlib import Path

import streamlit as st

import access
import ui
from store import DatabaseError

ROOT = Path(__file__).parent
PROGRESS = re.compile(r"\[(\d+)/(\d+)\] (.*)")

# The favicon is a file of ours, served by the app itself: a ":material/...:" icon would be
# fetched from fonts.gstatic.com, and a page makes no request outside the app (issue 14).
st.set_page_config(page_title="PMO Portfolio Analytics", page_icon=str(ROOT / "static" / "favicon.png"), layout="wide")


def first_start() -> None:
    """No database yet: generate the demo portfolio and load it through the real loaders. The
    build runs as ``python -m data demo`` in its own process (it parses on every core)."""
    st.title("Setting up the demo portfolio")
    st.caption("First start: generating demo MS Project, Jira, finance and register exports and loading them.")
    bar = st.progress(0.0, text="Generating export files…")
    command = [sys.executable, "-m", "data", "demo", "--if-missing", "--db", ui.store().path]
    with subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True) as proc:
        output = []
        for line in proc.stdout:
            output.append(line.rstrip())
            if match := PROGRESS.match(line):
                done, total, label = int(match[1]), int(match[2]), match[3]
                bar.progress(done / total, text=f"Loading {done} of {total} files: {label}")
    if proc.returncode:
        st.error("The demo portfolio could not be built:")
        st.code("\n".join(output[-20:]))
        st.stop()
    st.rerun()


PAGES = {
    "Portfolio": [
        st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    ],
    "Projects": [
        st.Page("app_pages/project.py", title="Earned value", icon=":material/show_chart:", url_path="project"),
        st.Page("app_pages/delivery.py", title="Agile delivery", icon=":material/view_kanban:", url_path="delivery"),
        st.Page("app_pages/status.py", title="Weekly status", icon=":material/edit_note:", url_path="status"),
        st.Page("app_pages/risks.py", title="Risks & issues", icon=":material/warning:", url_path="risks"),
    ],
    "Finance": [
        st.Page("app_pages/finance.py", title="Budget & variance", icon=":material/payments:", url_path="finance"),
        st.Page(
            "app_pages/contracts.py", title="Vendors & contracts", icon=":material/handshake:", url_path="contracts"
        ),
    ],
    "People": [
        st.Page("app_pages/capacity.py", title="People & capacity", icon=":material/groups:", url_path="capacity"),
    ],
    "Data": [
        st.Page("app_pages/data.py", title="Uploads & problems", icon=":material/upload_file:", url_path="data"),
        st.Page(
            "app_pages/notifications.py", title="Notifications", icon=":material/campaign:", url_path="notifications"
        ),
    ],
}


def sign_in() -> None:
    """Access control is on (PMO_ROLES): nobody sees anything before signing in."""
    st.title("PMO Portfolio Analytics")
    try:
        configured = bool(st.secrets.get("auth"))
    except FileNotFoundError:
        configured = False
    if not configured:
        st.error(
            "Access control is on (PMO_ROLES is set) but no identity provider is configured: add an [auth] "
            "section to .streamlit/secrets.toml (see the README, 'Who sees what')."
        )
        return
    st.write("Sign in with your organisation's account to see the projects your role allows.")
    st.button("Sign in", type="primary", on_click=st.login)


if access.roles_file() and not ui.current_user():
    st.navigation([st.Page(sign_in, title="Sign in")], position="hidden").run()
    st.stop()


def missing_database() -> None:
    """PMO_DB names a file that does not exist (deleted, or a typo): say so, build nothing."""
    path = ui.store().path
    st.title("The database does not exist")
    st.error(f"PMO_DB is set to {ui.escape_md(path)}, and there is no file there.")
    st.markdown(
        "Nothing was created: a mistyped or deleted path is not silently refilled with the demo portfolio.\n\n"
        "- If the path is wrong, correct `PMO_DB` and restart the app.\n"
        "- To build the demo portfolio there: `python -m data demo --db PATH`, or restart with `PMO_DEMO=1`.\n"
        "- To start an empty database there and upload your own exports: restart with `PMO_DEMO=0`."
    )


def database_error(err: DatabaseError) -> None:
    """The database cannot be used (busy, read-only, not a database, damaged): say what and what to do."""
    st.title("The database cannot be used")
    st.error(ui.escape_md(str(err)))


def first_start_wanted() -> bool:
    """Build the demo into a missing database only when asked: PMO_DEMO=1, or the default path
    (PMO_DB unset) on first start unless PMO_DEMO=0."""
    demo = os.environ.get("PMO_DEMO", "")
    return demo == "1" or (demo == "" and not os.environ.get("PMO_DB"))


try:
    if not Path(ui.store().path).exists():
        if os.environ.get("PMO_DEMO", "") == "0":
            ui.store().schema_version()  # PMO_DEMO=0: start with an empty database instead of the demo
        elif first_start_wanted():
            st.navigation([st.Page(first_start, title="Setting up")], position="hidden").run()
            st.stop()
        else:
            st.navigation([st.Page(missing_database, title="No database")], position="hidden").run()
            st.stop()
    navigation = st.navigation(PAGES)
    ui.sidebar()
    if user := ui.current_user():
        st.sidebar.text(f"Signed in as {user} ({ui.store().scope.role})")
        st.sidebar.button("Sign out", on_click=st.logout)
    try:
        navigation.run()
    finally:  # the settings belong to this run only; a page run on its own draws its own sidebar
        st.session_state.pop("_settings", None)
except DatabaseError as err:
    database_error(err)
