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
