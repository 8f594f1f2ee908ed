"""Shared fixtures: a fresh store per test and the real-export corpus (../shared/fixtures)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from store import Store  # noqa: E402


def real_exports_dir() -> Path | None:
    """The corpus folder: $PMO_REAL_EXPORTS, else ../shared/fixtures beside the checkout."""
    configured = os.environ.get("PMO_REAL_EXPORTS")
    folder = Path(configured) if configured else ROOT.parent / "shared" / "fixtures"
    return folder if folder.is_dir() else None


@pytest.fixture
def real_exports() -> Path:
    folder = real_exports_dir()
    if folder is None:
        pytest.skip("real-export corpus not found: set PMO_REAL_EXPORTS to the shared/fixtures folder")
    return folder


@pytest.fixture
def store(tmp_path) -> Store:
    return Store(tmp_path / "test.duckdb")
