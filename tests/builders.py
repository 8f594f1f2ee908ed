"""Builders shared by the tests: point the app at a database, run an AppTest page, copy a database
built once per session, and call a CLI in-process."""

from __future__ import annotations

import contextlib
import io
import shutil
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import streamlit as st
from streamlit.testing.v1 import AppTest

import store as store_module
from store import Store

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "samples"


def point_app_at(monkeypatch, path: str | Path) -> Store:
    """The app (``ui.store()``) reads this database; the page caches start empty (they are keyed by
    data version, which repeats across fresh test databases)."""
    monkeypatch.setenv("PMO_DB", str(path))
    monkeypatch.setattr(store_module, "DEFAULT_DB", Path(path))
    st.cache_data.clear()
    return Store(path)


def run(at: AppTest, timeout: float = 60) -> AppTest:
    """Run the page and fail with the exceptions it raised."""
    at.run(timeout=timeout)
    assert not at.exception, [e.value for e in at.exception]
    return at


def rerun_afresh(at: AppTest, timeout: float = 60) -> AppTest:
    """Run the page again as the app runs it: app.py forgets the sidebar's settings after each
    run, so the next run reads the store's versions afresh (a page run on its own keeps them)."""
    del at.session_state["_settings"]
    return run(at, timeout)


def write_rows(store: Store, source: str, table: str, rows: list[dict], *, project_id: str, as_of, sha: str):
    """One upload of ``rows`` into snapshot ``table`` straight through ``Store.write_upload``
    (no file, no loader): a change of data for a page's cache to notice or ignore."""
    import pandas as pd

    return store.write_upload(
        source=source,
        fmt="test",
        file_name=f"{sha}.csv",
        sha256=sha,
        project_id=project_id,
        as_of=as_of,
        tables={table: pd.DataFrame([{"project_id": project_id, **row} for row in rows])},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=len(rows),
        rows_rejected=0,
    )


def ingest_samples(store: Store) -> Store:
    """Every file of data/samples through the real ingest path, the register first."""
    from loaders.ingest import ingest_path

    for sample in sorted(SAMPLES.iterdir(), key=lambda p: "register" not in p.name):
        report = ingest_path(store, sample)
        assert report.ok, report.message
    return store


def copy_db(source: str | Path, target: str | Path) -> Path:
    """A private copy of a database built once (a session fixture), for a test that writes to it.
    Every Store connection is closed after use, so the file is complete without its WAL."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    wal = Path(f"{source}.wal")
    if wal.exists():
        shutil.copyfile(wal, f"{target}.wal")
    return target


def cli(main: Callable[[list[str]], int], *args: str) -> SimpleNamespace:
    """A CLI's ``main`` in-process: its exit code and what it printed, as ``subprocess.run`` gives
    them (``returncode``, ``stdout``, ``stderr``). An argparse refusal (SystemExit) is its code."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main([str(a) for a in args])
        except SystemExit as exit_:
            code = exit_.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


# -- a real browser on the real app: tests/test_browser.py, test_browser_signin.py, test_hostile_store.py

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

import pytest  # noqa: E402

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The page is idle: no "Running..." widget, no element left stale by the run before.
IDLE = "!document.querySelector('[data-testid=\"stStatusWidget\"]') && !document.querySelector('[data-stale=\"true\"]')"
# The app runs no script now.
NOT_RUNNING = (
    "document.querySelector('[data-testid=\"stApp\"]')?.getAttribute('data-test-script-state') === 'notRunning'"
)
# Counts the script runs the page has seen finish: the app element's data-test-script-state turning
# to "notRunning" from anything else. Added to every page before it loads (``app_page``).
COUNT_RUNS = """
window.__pmoRuns = 0;
new MutationObserver((changes) => {
  for (const change of changes) {
    if (change.target.getAttribute("data-test-script-state") === "notRunning" && change.oldValue !== "notRunning") {
      window.__pmoRuns += 1;
    }
  }
}).observe(document, {attributes: true, attributeOldValue: true, subtree: true, attributeFilter: ["data-test-script-state"]});
"""


def need_chromium() -> str:
    """Debian's Chromium, or the test skips (fails under PMO_REQUIRE_BROWSER=1, as in CI)."""
    if CHROMIUM is None:
        if os.environ.get("PMO_REQUIRE_BROWSER"):
            pytest.fail("Chromium is not installed (apt-get install -y chromium)")
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_app(
    db, log: Path, *, host: str = "127.0.0.1", port: int | None = None, env=None, args=(), usage_stats_flag=True
):
    """``streamlit run app.py`` on ``db`` (its output in ``log``): yields its base URL once the
    health check answers; stopped afterwards. ``usage_stats_flag=False``: the app's own
    .streamlit/config.toml alone says whether usage statistics are gathered."""
    port = port or free_port()
    env = {**os.environ, "PMO_DB": str(db), **(env or {})}
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", host, "--server.headless", "true", *args]
    if usage_stats_flag:
        command += ["--browser.gatherUsageStats", "false"]
    url = f"http://{host}:{port}"
    with open(log, "w") as out:
        proc = subprocess.Popen(command, cwd=SAMPLES.parent.parent, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                        break
                except OSError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"streamlit did not start within 60 s (its output: {log})")
                time.sleep(0.1)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


@contextlib.contextmanager
def debian_chromium():
    """Debian's Chromium under Playwright, headless, with no background network traffic."""
    from playwright.sync_api import sync_playwright

    executable = need_chromium()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=executable,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-quic",
                "--disable-sync",
            ],
        )
        try:
            yield browser
        finally:
            browser.close()


def app_page(browser, **kwargs):
    """A new page that counts the app's finished script runs (``settle``, ``app_run``)."""
    page = browser.new_page(**kwargs)
    page.add_init_script(COUNT_RUNS)
    return page


def finished_runs(page) -> int:
    return page.evaluate("window.__pmoRuns || 0")


def settle(page, after: int = 0, timeout: float = 60_000) -> None:
    """Until the page has seen more than ``after`` script runs finish and is idle: a condition
    waited for, never a fixed time."""
    page.wait_for_function(f"n => window.__pmoRuns > n && {NOT_RUNNING} && {IDLE}", arg=after, timeout=timeout)


def idle(page, timeout: float = 60_000) -> None:
    """Until the run now going (one that has already drawn something waited for) is over."""
    page.wait_for_function(f"() => {NOT_RUNNING} && {IDLE}", timeout=timeout)


@contextlib.contextmanager
def app_run(page, timeout: float = 60_000):
    """Around an action that makes the app run its script (a click, an upload): on leaving, that
    run is over and the page idle."""
    before = finished_runs(page)
    yield
    settle(page, before, timeout)
