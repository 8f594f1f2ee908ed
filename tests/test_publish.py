"""Publishing the database for readers beyond one machine: Parquet files of every table read
back with DuckDB's Parquet reader, and a read-only copy app replicas open at the same time."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest
from conftest import ROOT

import store as store_module
from access import Scope
from store import AccessDenied, Store

D = dt.date


def _write(store: Store, project: str, day: dt.date, n: int) -> None:
    frame = pd.DataFrame(
        {
            "project_id": project,
            "task_uid": range(1, n + 1),
            "name": [f"T{i}" for i in range(n)],
            "baseline_cost": 100.0,
            "percent_complete": 10.0 * n,
        }
    )
    store.write_upload(
        source="msproject",
        fmt="test",
        file_name=f"{project}-{day}.xml",
        sha256=f"{project}{day}",
        project_id=project,
        as_of=day,
        tables={"tasks": frame},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=n,
        rows_rejected=0,
    )


@pytest.fixture
def published(store, tmp_path):
    _write(store, "A", D(2026, 1, 9), 2)
    _write(store, "A", D(2026, 1, 23), 5)
    _write(store, "B", D(2026, 1, 16), 3)
    out = tmp_path / "pub"
    counts = store.publish(out)
    return store, out, counts


def test_parquet_files_read_back_with_duckdb_give_the_same_rows_and_as_of_reads(published):
    store, out, counts = published
    assert counts["tasks"] == 10 and counts["uploads"] == 3
    con = duckdb.connect()
    for table in ("uploads", "upload_projects", "tasks", "issues", "budget_lines", "problems", "projects"):
        path = str(out / "parquet" / f"{table}.parquet")
        assert con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()[0] == counts[table]
    # "as of 20 January": per project, the latest plan on or before the date, read from Parquet only
    rows = con.execute(
        """WITH u AS (SELECT * FROM read_parquet($u)), p AS (SELECT * FROM read_parquet($p)),
                latest AS (SELECT p.project_id, arg_max(u.upload_id, (u.as_of, u.loaded_at, u.upload_id)) AS upload_id
                           FROM u JOIN p USING (upload_id) WHERE u.source = 'msproject' AND u.as_of <= $d
                           GROUP BY p.project_id)
           SELECT t.project_id, count(*) AS n FROM read_parquet($t) t JOIN latest USING (upload_id, project_id)
           GROUP BY ALL ORDER BY ALL""",
        {
            "u": str(out / "parquet" / "uploads.parquet"),
            "p": str(out / "parquet" / "upload_projects.parquet"),
            "t": str(out / "parquet" / "tasks.parquet"),
            "d": D(2026, 1, 20),
        },
    ).fetchall()
    expected = store.snapshot("tasks", D(2026, 1, 20)).groupby("project_id").size()
    assert rows == [("A", 2), ("B", 3)] == list(expected.items())


def test_the_read_only_copy_answers_like_the_original_and_refuses_writes(published, monkeypatch):
    store, out, _ = published
    monkeypatch.setenv("PMO_DB_READ_ONLY", "1")
    replica = Store(out / "portfolio.duckdb")
    for day in (D(2026, 1, 9), D(2026, 1, 20), None):
        pd.testing.assert_frame_equal(replica.snapshot("tasks", day), store.snapshot("tasks", day))
    assert replica.data_version() == store.data_version()
    with pytest.raises(duckdb.Error, match="read-only"):
        _write(replica, "C", D(2026, 2, 6), 1)


def test_several_replica_processes_read_the_copy_at_once(published, monkeypatch):
    """A read-only connection held in this process does not lock out another process's reader
    (a read-write one would)."""
    _, out, _ = published
    monkeypatch.setenv("PMO_DB_READ_ONLY", "1")
    copy = out / "portfolio.duckdb"
    script = textwrap.dedent(f"""
        import os, sys
        sys.path.insert(0, {str(ROOT)!r})
        os.environ["PMO_DB_READ_ONLY"] = "1"
        from store import Store
        print(len(Store({str(copy)!r}, lock_timeout=0).snapshot("tasks")))
    """)
    with Store(copy).batch() as held:
        assert len(held.snapshot("tasks")) == 8
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "8"


def test_publish_replaces_the_folder_whole_and_only_the_pmo_publishes(published, tmp_path):
    store, out, _ = published
    (out / "parquet" / "stale.parquet").write_bytes(b"old")
    _write(store, "B", D(2026, 1, 30), 4)
    counts = store.publish(out)
    assert counts["tasks"] == 14 and not (out / "parquet" / "stale.parquet").exists()
    assert not list(tmp_path.glob("pub.*"))  # no building/old folders left behind
    pm = store.as_user(Scope(user="pm@x", role="pm", projects=frozenset({"A"})))
    with pytest.raises(AccessDenied):
        pm.publish(tmp_path / "pm")


def test_cli_publish_prints_one_line_and_names_a_missing_database(published, tmp_path, capsys):
    store, _, _ = published
    assert store_module.main(["publish", "--db", store.path, "--out", str(tmp_path / "cli")]) == 0
    assert "published" in capsys.readouterr().out and (tmp_path / "cli" / "parquet" / "tasks.parquet").exists()
    assert store_module.main(["publish", "--db", str(tmp_path / "nope.duckdb"), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "nope.duckdb does not exist" in err and "Traceback" not in err
