"""Issue 14, the database and page parts: a database file that is not what it should be (read-only,
a text file, 0 bytes, truncated, damaged, held by another process) gets a true message and changes
nothing; eight processes ingesting at once all land; a configured database path that is missing
is an error page, never a new demo; dates like 9999-12-31 already stored break no page and no CLI."""

from __future__ import annotations

import datetime as dt
import glob
import importlib
import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest
from builders import cli, copy_db, point_app_at
from conftest import ROOT
from streamlit.testing.v1 import AppTest

from loaders.ingest import ingest_path
from store import (
    DatabaseBusy,
    DatabaseDamaged,
    DatabaseMissing,
    NotADatabase,
    Store,
    StoreError,
    clamp_as_of,
)

SAMPLES = ROOT / "data" / "samples"
JIRA = SAMPLES / "PAY_jira_2026-11-20.csv"
FAR = dt.datetime(9999, 12, 31)
NO_PROBLEMS = pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"])


def _small(path: Path) -> Store:
    """A real portfolio database with one Jira upload."""
    store = Store(path)
    assert ingest_path(store, JIRA).ok
    return store


# -- files that are not a usable database -------------------------------------------------------


def test_a_text_file_is_not_a_database_and_stays_as_it_was(tmp_path):
    path = tmp_path / "portfolio.duckdb"
    path.write_text("project_id,name\nA,Alpha\n")
    with pytest.raises(NotADatabase, match="is not a DuckDB database: it is a 24-byte file") as err:
        Store(path).uploads()
    assert "busy" not in str(err.value)
    assert path.read_text() == "project_id,name\nA,Alpha\n"


def test_a_zero_byte_file_is_not_a_database_and_stays_empty(tmp_path):
    path = tmp_path / "portfolio.duckdb"
    path.touch()
    with pytest.raises(NotADatabase, match=r"empty \(0-byte\) file"):
        Store(path).write_upload(
            source="jira",
            fmt="t",
            file_name="x.csv",
            sha256="x",
            project_id="A",
            as_of=dt.date(2026, 1, 1),
            tables={},
            problems=NO_PROBLEMS,
            rows_loaded=0,
            rows_rejected=0,
        )
    assert path.stat().st_size == 0


@pytest.mark.parametrize("keep", [0.6, 0.1])
def test_a_truncated_database_is_damaged_with_what_to_do(tmp_path, keep):
    good = _small(tmp_path / "good.duckdb")
    data = Path(good.path).read_bytes()
    path = tmp_path / "truncated.duckdb"
    path.write_bytes(data[: int(len(data) * keep)])
    with pytest.raises(DatabaseDamaged, match="is damaged") as err:
        Store(path).snapshot("issues")
    assert "Restore it from a backup" in str(err.value) and "python -m data demo" in str(err.value)


def test_a_database_with_a_damaged_block_is_damaged_not_a_traceback(tmp_path):
    good = _small(tmp_path / "good.duckdb")
    data = bytearray(Path(good.path).read_bytes())
    for i in range(8192, 8192 + 4096):  # scribble over the first metadata block
        data[i] ^= 0x5A
    path = tmp_path / "damaged.duckdb"
    path.write_bytes(bytes(data))
    with pytest.raises(DatabaseDamaged, match=r"damaged \(Corrupt database file"):
        Store(path).uploads()


def test_a_damaged_database_is_an_error_page_not_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "portfolio.duckdb"
    path.write_bytes(b"\0" * 4096 + b"not a database")
    point_app_at(monkeypatch, path)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "The database cannot be used"
    assert "is not a DuckDB database" in at.error[0].value


READ_ONLY_PROBE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from store import Store, StoreError
    for path in sys.argv[1:]:
        try:
            Store(path, lock_timeout=1).uploads()
            print("OPENED", path)
        except StoreError as err:
            print(type(err).__name__, err)
    """
)


def _read_only_run(folder: Path, *paths: Path) -> str:
    """Run the probe with ``folder`` read-only: a read-only bind mount in a private mount
    namespace when this runs as root (root writes through file modes), else file modes."""
    probe = folder.parent / "probe.py"
    probe.write_text(READ_ONLY_PROBE.format(root=str(ROOT)))
    args = [sys.executable, str(probe), *map(str, paths)]
    if os.geteuid() != 0:
        for p in folder.iterdir():
            p.chmod(0o444)
        folder.chmod(0o555)
        try:
            return subprocess.run(args, capture_output=True, text=True, timeout=120).stdout
        finally:
            folder.chmod(0o755)
    if shutil.which("unshare") is None:
        pytest.skip("running as root without unshare: no way to make a folder read-only")
    script = f"mount --bind -o ro {folder} {folder} && exec {' '.join(args)}"
    done = subprocess.run(["unshare", "-m", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    if "mount" in done.stderr and not done.stdout:
        pytest.skip(f"cannot make a read-only mount here: {done.stderr.strip()}")
    return done.stdout


def test_a_read_only_database_says_read_only_not_busy(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    _small(folder / "portfolio.duckdb")
    before = (folder / "portfolio.duckdb").read_bytes()
    out = _read_only_run(folder, folder / "portfolio.duckdb", folder / "new.duckdb")
    lines = out.strip().splitlines()
    assert len(lines) == 2, out
    for line in lines:
        assert line.startswith("DatabaseReadOnly "), line
        assert "busy" not in line and "cannot be written" in line and "PMO_DB_READ_ONLY=1" in line
    assert (folder / "portfolio.duckdb").read_bytes() == before
    assert not (folder / "new.duckdb").exists()


# -- busy: who holds it -------------------------------------------------------------------------

HOLDER = textwrap.dedent(
    """
    import sys, time
    sys.path.insert(0, {root!r})
    import duckdb
    from store import Store
    if sys.argv[2] == "raw":
        con = duckdb.connect(sys.argv[1])  # a program that does not queue (the duckdb CLI, a notebook)
        print("holding", flush=True)
        time.sleep(60)
    else:
        with Store(sys.argv[1]).connect():  # another app process, queued like us
            print("holding", flush=True)
            time.sleep(60)
    """
)


@pytest.mark.parametrize("how", ["raw", "queued"])
def test_a_busy_database_names_the_process_that_holds_it(tmp_path, how):
    store = _small(tmp_path / "portfolio.duckdb")
    script = tmp_path / "holder.py"
    script.write_text(HOLDER.format(root=str(ROOT)))
    holder = subprocess.Popen([sys.executable, str(script), store.path, how], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        started = time.monotonic()
        with pytest.raises(DatabaseBusy, match=rf"is busy: .*PID {holder.pid}\b.* holds it") as err:
            Store(store.path, lock_timeout=1.5).uploads()
        assert time.monotonic() - started < 30
        assert "Try again in a minute" in str(err.value)
    finally:
        holder.kill()
        holder.wait()
    assert len(Store(store.path).uploads()) == 1  # once it lets go, the database is fine


def test_a_waiter_behind_a_dead_process_ticket_is_not_stuck(tmp_path):
    store = _small(tmp_path / "portfolio.duckdb")
    queue = Path(store.path + ".queue")
    (queue / f"{1:020d}-999999999-1").write_text("999999999")  # a ticket left by a killed process
    assert len(Store(store.path, lock_timeout=2).uploads()) == 1
    assert os.listdir(queue) == []


# -- eight writers at once ---------------------------------------------------------------------


def test_eight_processes_ingesting_at_once_all_land(tmp_path):
    """Eight ``python -m loaders ingest`` processes started together: every one lands (they take
    turns in arrival order); the run's seconds are printed for the report."""
    store = Store(tmp_path / "portfolio.duckdb")
    store.schema_version()
    started = time.monotonic()
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "loaders", "ingest", str(JIRA), "--db", store.path, "--as-of", f"2026-11-{i:02d}"],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(1, 9)
    ]
    results = [(*p.communicate(timeout=600), p.returncode) for p in procs]
    seconds = time.monotonic() - started
    print(f"\n8 concurrent writers: {seconds:.1f} s, {sum(r[2] == 0 for r in results)}/8 landed")
    for out, err, code in results:
        assert code == 0, out + err
        assert out.startswith("STORED"), out + err
    uploads = store.uploads()
    assert sorted(uploads.as_of.dt.day) == list(range(1, 9))
    assert (uploads.rows_loaded == 236).all()
    assert os.listdir(store.path + ".queue") == []  # every ticket given back


# -- deletes act on the id the user saw ------------------------------------------------------


def test_delete_of_a_vanished_id_says_so_and_changes_nothing(tmp_path):
    store = _small(tmp_path / "portfolio.duckdb")
    before = store.uploads()
    assert store.delete_upload(int(before.upload_id.iloc[0]) + 1) is False
    pd.testing.assert_frame_equal(store.uploads(), before)
    assert len(store.snapshot("issues")) == 236


# -- a missing database is never silently refilled -----------------------------------------------


def test_a_missing_configured_database_is_an_error_page_and_nothing_is_created(tmp_path, monkeypatch):
    path = tmp_path / "typo" / "portfolo.duckdb"
    point_app_at(monkeypatch, path)
    monkeypatch.delenv("PMO_DEMO", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert at.title[0].value == "The database does not exist"
    assert str(path) in at.error[0].value.replace("\\", "")
    assert "PMO_DEMO=1" in at.markdown[0].value and "python -m data demo" in at.markdown[0].value
    assert not path.exists() and not path.parent.exists()


def test_pmo_demo_0_starts_an_empty_database_at_a_configured_path(tmp_path, monkeypatch):
    path = tmp_path / "new.duckdb"
    point_app_at(monkeypatch, path)
    monkeypatch.setenv("PMO_DEMO", "0")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).run()
    assert not at.exception
    assert path.exists() and Store(path).uploads().empty


@pytest.mark.parametrize(
    "command",
    [
        ["-m", "metrics", "portfolio", "--json"],
        ["-m", "metrics", "evm", "--project", "A", "--json"],
        ["-m", "reports", "pack", "--out", "{tmp}/pack.pptx"],
        ["-m", "notify", "escalations", "--webhook", "https://hooks.invalid/x", "--dry-run"],
    ],
    ids=["metrics-portfolio", "metrics-evm", "reports", "notify"],
)
def test_clis_that_only_read_never_create_a_database(tmp_path, command):
    path = tmp_path / "missing" / "portfolio.duckdb"
    module, *args = [c.format(tmp=tmp_path) for c in command[1:]]  # python -m MODULE ARGS, in-process
    done = cli(importlib.import_module(f"{module}.__main__").main, *args, "--db", str(path))
    assert done.returncode != 0
    assert f"The database {path} does not exist" in done.stderr
    assert "Traceback" not in done.stderr
    assert not path.exists() and not path.parent.exists()


def test_a_missing_database_with_create_off_raises_and_creates_nothing(tmp_path):
    path = tmp_path / "nothing.duckdb"
    with pytest.raises(DatabaseMissing, match="does not exist"):
        Store(path, create=False).latest_as_of()
    assert not path.exists()
    assert isinstance(DatabaseMissing("x"), StoreError)


def test_listing_uploads_of_a_missing_database_is_an_error_and_creates_nothing(tmp_path, capsys):
    from loaders.__main__ import main

    path = tmp_path / "typo.duckdb"
    assert main(["uploads", "--db", str(path), "--json"]) == 1
    assert f"The database {path} does not exist" in capsys.readouterr().err
    assert not path.exists()


# -- dates like 9999-12-31 already stored -----------------------------------------------------


def _far_dated(store: Store) -> Store:
    """The sample portfolio plus what a typo in an export stores: a Jira upload as of
    9999-12-31, and uploads of the latest date whose rows hold 9999-12-31 dates."""
    latest = store.latest_as_of()

    def again(table, source, columns, sha):
        snap = store.snapshot(table, latest)
        project = snap.project_id.iloc[0]
        frame = snap[snap.project_id == project].drop(columns=["upload_id", "snapshot_as_of"]).copy()
        for column in columns:
            frame[column] = frame[column].astype(object)
            frame.loc[frame.index[:3], column] = FAR
        store.write_upload(
            source=source,
            fmt="test",
            file_name=f"{sha}.csv",
            sha256=sha,
            project_id=None if source == "finance" else project,
            as_of=latest,
            tables={table: frame},
            problems=NO_PROBLEMS,
            rows_loaded=len(frame),
            rows_rejected=0,
        )

    again("issues", "jira", ["created", "updated", "resolved", "due"], "far-issues")
    again("tasks", "msproject", ["start", "finish", "baseline_start", "baseline_finish"], "far-tasks")
    again("budget_lines", "finance", ["period"], "far-budget")
    issues = store.snapshot("issues", latest)
    frame = issues[issues.project_id == "PAY-GATEWAY"].drop(columns=["upload_id", "snapshot_as_of"]).copy()
    frame["updated"] = frame["updated"].astype(object)
    frame.loc[frame.index[0], "updated"] = FAR
    store.write_upload(
        source="jira",
        fmt="test",
        file_name="typo.csv",
        sha256="far-as-of",
        project_id="PAY-GATEWAY",
        as_of=FAR.date(),
        tables={"issues": frame},
        problems=NO_PROBLEMS,
        rows_loaded=len(frame),
        rows_rejected=0,
    )
    return store


@pytest.fixture(scope="module")
def far_db(tmp_path_factory, samples_db):
    store = _far_dated(Store(copy_db(samples_db, tmp_path_factory.mktemp("far") / "far.duckdb")))
    assert store.latest_as_of() == FAR.date()
    return store


def test_the_default_as_of_is_never_beyond_today_plus_31_days(far_db):
    today = dt.date(2026, 12, 2)
    assert far_db.default_as_of(today) == dt.date(2026, 11, 20)
    assert far_db.default_as_of(dt.date(2026, 1, 1)) == dt.date(2026, 2, 1)  # every snapshot later: the limit
    assert clamp_as_of(FAR.date(), today) == dt.date(2027, 1, 2)
    assert clamp_as_of(dt.date(2026, 5, 1), today) == dt.date(2026, 5, 1)


def test_reads_clip_far_dates_and_the_uploads_list_shows_them_as_stored(far_db):
    issues = far_db.snapshot("issues", dt.date(2026, 11, 20))
    assert issues.updated.max() == pd.Timestamp("2199-12-31")
    assert far_db.uploads().as_of.max() == pd.Timestamp(FAR.date())


PAGES = sorted(Path(p).name for p in glob.glob(str(ROOT / "app_pages" / "*.py")))


@pytest.mark.parametrize("page", PAGES)
def test_every_page_survives_far_dates(far_db, monkeypatch, page):
    point_app_at(monkeypatch, far_db.path)
    at = AppTest.from_file(str(ROOT / "app_pages" / page), default_timeout=120).run()
    assert not at.exception, [e.value for e in at.exception]
    pickers = [d for d in at.sidebar.date_input if d.key == "as_of"]
    assert all(d.value <= dt.date.today() + dt.timedelta(days=31) for d in pickers)


def test_the_uploads_page_points_at_far_dated_uploads(far_db, monkeypatch):
    point_app_at(monkeypatch, far_db.path)
    at = AppTest.from_file(str(ROOT / "app_pages" / "data.py"), default_timeout=120).run()
    assert not at.exception
    assert any("as of 9999-12-31" in w.value and "delete the upload" in w.value for w in at.warning)


def test_a_far_as_of_in_the_session_is_clamped(far_db, monkeypatch):
    point_app_at(monkeypatch, far_db.path)
    at = AppTest.from_file(str(ROOT / "app_pages" / "overview.py"), default_timeout=120)
    at.session_state["as_of"] = FAR.date()
    at.session_state["_as_of_default"] = far_db.default_as_of(dt.date.today())  # FAR was picked, not defaulted
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.sidebar.date_input(key="as_of").value == dt.date.today() + dt.timedelta(days=31)


def test_metrics_portfolio_json_survives_far_dates(far_db):
    import json

    from metrics.__main__ import main

    done = cli(main, "portfolio", "--db", far_db.path, "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["as_of"] <= (dt.date.today() + dt.timedelta(days=31)).isoformat()
    assert len(out["projects"]) >= 6
    assert "9999-12-31" in done.stderr  # it says why it did not report as of the latest snapshot
    asked = cli(main, "portfolio", "--db", far_db.path, "--as-of", "9999-12-31", "--json")
    assert asked.returncode == 0, asked.stderr
    assert json.loads(asked.stdout)["as_of"] == (dt.date.today() + dt.timedelta(days=31)).isoformat()


def test_fiscal_year_of_9999_survives():
    from metrics.budget import fiscal_year

    assert fiscal_year(dt.date(9999, 12, 31), 1) == (dt.date(9999, 1, 1), dt.date.max)
    assert fiscal_year(dt.date(9999, 12, 31), 4) == (dt.date(9999, 4, 1), dt.date.max)
    assert fiscal_year(dt.date(9999, 2, 1), 4) == (dt.date(9998, 4, 1), dt.date(9999, 4, 1))


# -- uploaded text never becomes a link; a page requests nothing outside the app ----------------


def test_escape_md_stops_autolinks_and_keeps_the_text():
    import ui

    for text, broken in [
        ("Proj https://evil.example/x", "https\\:\u2060//evil"),
        ("HTTP://evil.example", "HTTP\\:\u2060//evil"),
        ("www.evil.example", "www\u2060\\.evil"),
        ("WWW.evil.example", "WWW\u2060\\.evil"),
        ("pm@evil.example", "pm\u2060@evil"),
        ("[click](https://evil.example)", "\\[click\\]\\(https\\:\u2060//"),
    ]:
        escaped = ui.escape_md(text)
        assert broken in escaped, escaped
        assert escaped.replace(ui.WORD_JOINER, "").replace("\\", "") == text  # what the user reads is unchanged


# In Chromium (no request outside the app, no uploaded text as a link): tests/test_browser.py,
# test_every_page_renders_on_a_partial_portfolio.
