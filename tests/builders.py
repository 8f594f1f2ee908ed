"""Builders shared by the page tests: point the app at a database, run an AppTest page."""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

import store as store_module
from store import Store


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
