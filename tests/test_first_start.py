"""The app's first start (no database yet): it runs ``python -m data demo --if-missing --db PATH``,
shows the loader's progress, then reruns onto the portfolio. The build itself is the session's
demo build (conftest ``demo_build``, the same ``build_demo``); here the command is checked and its
stand-in copies that build to the path, printing progress as the real one does."""

from __future__ import annotations

import subprocess
import sys

from builders import point_app_at, run
from conftest import ROOT
from streamlit.testing.v1 import AppTest

STAND_IN = """
import pathlib, shutil, sys
source, target = sys.argv[1:]
pathlib.Path(target).parent.mkdir(parents=True, exist_ok=True)
for done in (1, 2):
    print(f"[{done}/2] file_{done}.csv", flush=True)
shutil.copyfile(source, target)
print("demo portfolio: 2 files stored, 0 already there, 0 refused")
"""


def test_first_start_builds_the_demo_then_shows_the_overview(demo_build, tmp_path, monkeypatch):
    db = tmp_path / "fresh" / "portfolio.duckdb"
    point_app_at(monkeypatch, db)
    monkeypatch.setenv("PMO_DEMO", "1")
    monkeypatch.delenv("PMO_ROLES", raising=False)
    commands = []
    real_popen = subprocess.Popen

    def popen(command, **kwargs):
        commands.append((list(command), kwargs.get("cwd")))
        return real_popen([sys.executable, "-c", STAND_IN, str(demo_build.db), command[-1]], **kwargs)

    monkeypatch.setattr(subprocess, "Popen", popen)
    at = run(AppTest.from_file(str(ROOT / "app.py")), timeout=120)
    assert commands == [([sys.executable, "-m", "data", "demo", "--if-missing", "--db", str(db)], ROOT)]
    assert db.exists()
    assert [t.value for t in at.title] == ["Portfolio overview"], [t.value for t in at.title]
    assert not at.error


def test_the_demo_cli_prints_progress_and_the_summary_and_fails_plainly(demo_build, tmp_path, monkeypatch, capsys):
    """``python -m data demo`` (what the first start runs), in-process: the build is the session's
    (the same ``build_demo``), replayed with its progress; a refused file exits 1, a busy database
    is one plain line."""
    from data import __main__ as demo_cli
    from data.demo import DemoSummary
    from store import StoreError

    seen = []

    def replay(store, *, progress, only_if_missing):
        seen.append((store.path, only_if_missing))
        progress(1, 1, "portfolio_register.xlsx")
        return demo_build.summary

    monkeypatch.setattr(demo_cli, "build_demo", replay)
    assert demo_cli.main(["demo", "--if-missing", "--db", str(tmp_path / "p.duckdb")]) == 0
    assert seen == [(str(tmp_path / "p.duckdb"), True)]
    out = capsys.readouterr().out
    assert out.startswith("[1/1] portfolio_register.xlsx\n") and f"{demo_build.summary.stored} files stored" in out
    monkeypatch.setattr(demo_cli, "build_demo", lambda store, **_: DemoSummary(stored=1, refused=1, messages=["x"]))
    assert demo_cli.main(["demo", "--db", str(tmp_path / "q.duckdb")]) == 1

    def busy(store, **_):
        raise StoreError("The database is busy")

    monkeypatch.setattr(demo_cli, "build_demo", busy)
    assert demo_cli.main(["demo", "--db", str(tmp_path / "r.duckdb")]) == 1
    assert capsys.readouterr().err == "error: The database is busy\n"
