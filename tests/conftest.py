"""Shared fixtures: a fresh store per test, the real-export corpus (../shared/fixtures), and
databases built once per session (every sample; the demo portfolio) that tests copy before writing."""

from __future__ import annotations

import os
import sys
import types
from collections.abc import Callable
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


@pytest.fixture(scope="session")
def samples_db(tmp_path_factory) -> Path:
    """A database holding every file of data/samples, built once: read it, or ``copy_db`` it first
    when the test writes."""
    from builders import ingest_samples

    path = tmp_path_factory.mktemp("samples") / "samples.duckdb"
    ingest_samples(Store(path))
    return path


@pytest.fixture
def samples_copy(samples_db, tmp_path) -> Path:
    """This test's own copy of ``samples_db``."""
    from builders import copy_db

    return copy_db(samples_db, tmp_path / "samples.duckdb")


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder ``name`` in the run's base temp, filled by ``build(folder)`` once per run: under
    pytest-xdist the workers share it, the first to take its lock builds it and the others wait
    for it. Copy what is in it before writing."""
    import fcntl

    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # the run's basetemp, above every worker's own
    folder = shared / name
    folder.mkdir(exist_ok=True)
    with open(folder / "build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "built").exists():
            build(folder)
            (folder / "built").touch()
    return folder


@pytest.fixture(scope="session")
def demo_build(tmp_path_factory):
    """The demo portfolio built once per run the way the app's first start builds it
    (``data.demo.build_demo``: generate the export files, load each through the real loaders):
    ``db`` (copy it before writing), ``files`` (the folder of generated exports) and ``summary``.
    Under pytest-xdist the workers share one build (``built_once``)."""
    import dataclasses
    import json
    from types import SimpleNamespace

    from data.demo import DemoSummary, build_demo

    def build(folder: Path) -> None:
        # build_demo parses in spawned workers, and spawn re-runs the parent's ``__main__`` file
        # in each: after an AppTest that is the last page script run. A neutral one, as
        # `python -m data demo` has.
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            summary = build_demo(Store(folder / "portfolio.duckdb"), out_dir=folder / "files")
        finally:
            sys.modules["__main__"] = main
        (folder / "summary.json").write_text(json.dumps(dataclasses.asdict(summary)))

    folder = built_once(tmp_path_factory, "demo-build", build)
    summary = DemoSummary(**json.loads((folder / "summary.json").read_text()))
    return SimpleNamespace(db=folder / "portfolio.duckdb", files=folder / "files", summary=summary)


def pytest_collection_modifyitems(items):
    """The tests on the demo build first: under ``--dist worksteal`` they open the first worker's
    share, so it builds the demo while the other worker runs its own share, and the idle one steals
    the short tests from the end of the other's queue."""
    items.sort(key=lambda item: "demo_build" not in getattr(item, "fixturenames", ()))
