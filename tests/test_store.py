"""The store: schema and migrations, atomic idempotent snapshot writes, as-of reads, undo,
and concurrent use from several threads and processes."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import textwrap
import threading

import duckdb
import pandas as pd
import pytest
from conftest import ROOT

import store as store_module
from loaders.ingest import ingest_bytes
from store import MIGRATIONS, Store, StoreError, project_for_jira_key

REGISTER = b"project_id,name,program,portfolio,manager,budget,jira_keys\nA,Alpha,P1,Core,Ann,1000,ALP\nB,Beta,P1,Core,Bob,2000,BET\n"


def tasks(n: int, project="A") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "project_id": project,
            "task_uid": range(1, n + 1),
            "name": [f"Task {i}" for i in range(1, n + 1)],
            "baseline_cost": 100.0,
            "percent_complete": 50.0,
        }
    )


def write(store: Store, as_of: dt.date, frame: pd.DataFrame, sha: str = "x", project="A", **kw):
    return store.write_upload(
        source="msproject",
        fmt="test",
        file_name=f"{sha}.xml",
        sha256=sha,
        project_id=project,
        as_of=as_of,
        tables={"tasks": frame},
        problems=pd.DataFrame(columns=["row_number", "column_name", "value", "severity", "message"]),
        rows_loaded=len(frame),
        rows_rejected=0,
        **kw,
    )


def counts(store: Store) -> dict[str, int]:
    return {
        t: int(store.query(f"SELECT count(*) AS n FROM {t}").n.iloc[0])
        for t in ("uploads", "tasks", "problems", "upload_projects", "projects")
    }


def test_schema_is_versioned_and_migrates_once(store):
    assert store.schema_version() == len(MIGRATIONS)
    assert Store(store.path).schema_version() == len(MIGRATIONS)
    assert store.query("SELECT count(*) AS n FROM schema_version").n.iloc[0] == len(MIGRATIONS)


def test_newer_schema_is_refused(store):
    store.schema_version()
    con = duckdb.connect(store.path)
    con.execute("INSERT INTO schema_version VALUES (999)")
    con.close()
    with pytest.raises(StoreError, match="newer version"):
        store.schema_version()


def test_forward_migration_applies_only_new_steps(tmp_path, monkeypatch):
    s = Store(tmp_path / "m.duckdb")
    s.schema_version()
    write(s, dt.date(2026, 1, 9), tasks(3), sha="before")
    monkeypatch.setattr(
        store_module,
        "MIGRATIONS",
        [*MIGRATIONS, lambda con: store_module.add_snapshot_column(con, "tasks", "risk", "VARCHAR")],
    )
    assert s.schema_version() == len(MIGRATIONS) + 1
    assert "risk" in set(s.query("SELECT column_name FROM (DESCRIBE tasks)").column_name)
    write(s, dt.date(2026, 1, 16), tasks(3).assign(risk="high"), sha="after")
    assert list(s.snapshot("tasks", dt.date(2026, 1, 9)).risk.isna()) == [True] * 3
    assert list(s.snapshot("tasks").risk) == ["high"] * 3


def test_bulk_holds_uploads_until_a_read_and_stores_them_in_order(store):
    with store.bulk():
        first = write(store, dt.date(2026, 1, 9), tasks(3), sha="first")
        again = write(store, dt.date(2026, 1, 9), tasks(3), sha="first")  # a held upload repeated
        assert again == store_module.WriteResult(first.upload_id, True)
        second = write(store, dt.date(2026, 1, 16), tasks(4), sha="second")
        assert second.upload_id > first.upload_id and not second.duplicate
        assert sorted(store.uploads().sha256) == ["first", "second"]  # a read stores what is held first
        third = write(store, dt.date(2026, 1, 23), tasks(5), sha="third")
        with pytest.raises(ValueError, match="unknown columns"):  # refused when written, not later
            write(store, dt.date(2026, 1, 30), tasks(1).assign(bogus=1), sha="bad")
    assert sorted(store.uploads().upload_id) == [first.upload_id, second.upload_id, third.upload_id]
    assert list(store.snapshot("tasks").task_uid) == [1, 2, 3, 4, 5]
    assert list(store.snapshot("tasks", dt.date(2026, 1, 9)).task_uid) == [1, 2, 3]
    assert counts(store)["upload_projects"] == 3


def test_bulk_stores_what_one_by_one_writes_store_for_frames_duckdb_types_by_sampling(tmp_path):
    """Object columns DuckDB types from a sample (naive and zoned datetimes here) are staged per
    frame, so a bulk flush reads them as writing each upload alone does."""
    naive = tasks(2).assign(start=[dt.datetime(2026, 1, 5, 8), None]).astype({"start": object})
    zoned = tasks(2).assign(start=[dt.datetime(2026, 1, 6, 8, tzinfo=dt.UTC), None]).astype({"start": object})
    one, bulk = Store(tmp_path / "one.duckdb"), Store(tmp_path / "bulk.duckdb")
    for n, frame in enumerate([naive, zoned]):
        write(one, dt.date(2026, 1, 9 + 7 * n), frame, sha=f"s{n}", loaded_at=dt.datetime(2026, 2, 1))
    with bulk.bulk():
        for n, frame in enumerate([naive, zoned]):
            write(bulk, dt.date(2026, 1, 9 + 7 * n), frame, sha=f"s{n}", loaded_at=dt.datetime(2026, 2, 1))
    for table in ("uploads", "tasks", "tasks_members"):
        pd.testing.assert_frame_equal(
            bulk.query(f"SELECT * FROM {table} ORDER BY ALL"), one.query(f"SELECT * FROM {table} ORDER BY ALL")
        )


def test_bulk_knows_a_held_upload_again_whatever_type_its_date_has(store):
    with store.bulk():
        first = write(store, dt.date(2026, 1, 9), tasks(1), sha="same")
        again = write(store, pd.Timestamp("2026-01-09"), tasks(1), sha="same")
    assert again == store_module.WriteResult(first.upload_id, True)
    assert len(store.uploads()) == 1


def test_a_held_upload_that_cannot_be_stored_is_named_and_none_is_stored(store):
    with pytest.raises(StoreError, match=r"2 upload\(s\) held together \(good.xml, bad.xml\)"), store.bulk():
        write(store, dt.date(2026, 1, 9), tasks(2), sha="good")
        write(store, dt.date(2026, 1, 16), tasks(2).assign(task_uid=["x", "y"]), sha="bad")  # not a number
    assert store.uploads().empty


def test_leaving_bulk_by_an_exception_stores_none_of_the_held_uploads(store):
    write(store, dt.date(2026, 1, 2), tasks(2), sha="before")
    before = counts(store)
    with pytest.raises(RuntimeError, match="stop"), store.bulk():
        write(store, dt.date(2026, 1, 9), tasks(3), sha="held")
        raise RuntimeError("stop")
    assert counts(store) == before
    assert list(store.uploads().sha256) == ["before"]


def test_failure_midway_leaves_database_exactly_as_it_was(store, monkeypatch):
    write(store, dt.date(2026, 1, 9), tasks(3), sha="first")
    before = counts(store)
    real_insert = store_module._insert_snapshot_rows
    calls = []

    def failing_insert(con, table, frames, layout):
        real_insert(con, table, frames, layout)  # the rows ARE written inside the transaction ...
        calls.append(table)
        raise RuntimeError("disk full")  # ... and then the upload fails

    monkeypatch.setattr(store_module, "_insert_snapshot_rows", failing_insert)
    with pytest.raises(RuntimeError, match="disk full"):
        write(store, dt.date(2026, 1, 16), tasks(500), sha="second")
    assert calls == ["tasks"]
    monkeypatch.setattr(store_module, "_insert_snapshot_rows", real_insert)
    assert counts(store) == before
    assert list(store.uploads().sha256) == ["first"]


def test_a_bad_row_in_a_later_table_rolls_back_the_earlier_ones(store):
    bad_problems = pd.DataFrame(
        [{"row_number": 1, "column_name": "x", "value": "v", "severity": "fatal", "message": "m"}]
    )
    with pytest.raises(duckdb.ConstraintException):
        store.write_upload(
            source="msproject",
            fmt="t",
            file_name="f",
            sha256="s",
            project_id="A",
            as_of=dt.date(2026, 1, 1),
            tables={"tasks": tasks(10)},
            problems=bad_problems,
            rows_loaded=10,
            rows_rejected=0,
        )
    assert counts(store) == {"uploads": 0, "tasks": 0, "problems": 0, "upload_projects": 0, "projects": 0}


def test_identical_bytes_same_project_and_date_are_stored_once(store):
    first = ingest_bytes(store, REGISTER, "register.csv", as_of=dt.date(2026, 1, 1))
    again = ingest_bytes(store, REGISTER, "renamed.csv", as_of=dt.date(2026, 1, 1))
    assert (first.status, again.status) == ("stored", "duplicate")
    assert again.upload_id == first.upload_id
    assert "already stored" in again.message
    assert len(store.uploads()) == 1
    later = ingest_bytes(store, REGISTER, "register.csv", as_of=dt.date(2026, 2, 1))
    assert later.status == "stored"


def test_as_of_reads_take_the_latest_snapshot_on_or_before_the_date(store):
    write(store, dt.date(2026, 1, 9), tasks(2), sha="a1")
    write(store, dt.date(2026, 1, 23), tasks(5), sha="a2")
    write(store, dt.date(2026, 1, 16), tasks(3, project="B"), sha="b1", project="B")
    at = lambda d: store.snapshot("tasks", d).groupby("project_id").size().to_dict()  # noqa: E731
    assert at(dt.date(2026, 1, 8)) == {}
    assert at(dt.date(2026, 1, 9)) == {"A": 2}
    assert at(dt.date(2026, 1, 20)) == {"A": 2, "B": 3}
    assert at(dt.date(2026, 1, 23)) == {"A": 5, "B": 3}
    assert at(None) == {"A": 5, "B": 3}
    assert store.snapshot("tasks", dt.date(2026, 1, 23), ["B"]).project_id.unique().tolist() == ["B"]
    history = store.history("tasks", "A")
    assert history.groupby("snapshot_as_of").size().tolist() == [2, 5]


def test_a_reload_for_the_same_date_supersedes_the_earlier_one(store):
    write(store, dt.date(2026, 1, 9), tasks(2), sha="old", loaded_at=dt.datetime(2026, 1, 9, 10))
    write(store, dt.date(2026, 1, 9), tasks(4), sha="new", loaded_at=dt.datetime(2026, 1, 9, 11))
    assert len(store.snapshot("tasks", dt.date(2026, 1, 9))) == 4
    assert store.history("tasks", "A").snapshot_as_of.nunique() == 1


def test_delete_upload_removes_everything_it_brought(store):
    kept = write(store, dt.date(2026, 1, 9), tasks(2), sha="keep")
    gone = ingest_bytes(store, b"project_id,name,program\nA,Alpha,P1\n", "reg.csv", as_of=dt.date(2026, 1, 10))
    assert gone.status == "stored", gone.message
    assert store.delete_upload(gone.upload_id)
    assert not store.delete_upload(gone.upload_id)
    assert list(store.uploads().upload_id) == [kept.upload_id]
    assert counts(store)["problems"] == 0
    assert counts(store)["projects"] == 0


def test_register_rows_win_over_projects_first_seen_in_a_plan(store):
    write(store, dt.date(2026, 1, 9), tasks(1), sha="plan")
    store.write_upload(
        source="msproject",
        fmt="t",
        file_name="p",
        sha256="p2",
        project_id="A",
        as_of=dt.date(2026, 1, 9),
        tables={"projects": pd.DataFrame([{"project_id": "A", "name": "from plan"}])},
        problems=pd.DataFrame(),
        rows_loaded=0,
        rows_rejected=0,
    )
    assert store.projects().set_index("project_id").loc["A", "name"] == "from plan"
    ingest_bytes(store, REGISTER, "register.csv", as_of=dt.date(2026, 1, 1))
    projects = store.projects().set_index("project_id")
    assert projects.loc["A", "name"] == "Alpha"
    assert bool(projects.loc["A", "registered"])
    assert project_for_jira_key(store.projects(), "bet") == "B"


def test_two_threads_upload_at_once_and_both_land(store):
    store.schema_version()
    errors = []

    def upload(i):
        try:
            write(store, dt.date(2026, 1, 9), tasks(2000, project=f"P{i}"), sha=f"t{i}", project=f"P{i}")
        except Exception as err:  # pragma: no cover - the assertion below reports it
            errors.append(err)

    threads = [threading.Thread(target=upload, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(store.uploads().project_id) == ["P0", "P1", "P2", "P3"]
    assert len(store.snapshot("tasks", dt.date(2026, 1, 9))) == 8000


READER = textwrap.dedent(
    """
    import sys, time, json
    sys.path.insert(0, {root!r})
    from store import Store
    s = Store({db!r})
    seen, end = set(), time.monotonic() + {seconds}
    while time.monotonic() < end:
        with s.connect() as con:
            # one consistent read: per upload, the stored row count must equal rows_loaded
            rows = con.execute(
                "SELECT u.upload_id, u.rows_loaded, count(t.task_uid) FROM uploads u "
                "LEFT JOIN tasks t USING (upload_id) WHERE u.source = 'msproject' GROUP BY ALL").fetchall()
            time.sleep(0.01)  # hold the file like a page render does
        for upload_id, expected, found in rows:
            assert expected == found, (upload_id, expected, found)
            seen.add(upload_id)
    print(json.dumps(sorted(seen)))
    """
)


def test_ingest_succeeds_while_another_process_keeps_reading(store, tmp_path):
    """A dashboard process reading in a loop never blocks an ingest process for good, and never
    sees half an upload."""
    store.schema_version()
    script = tmp_path / "reader.py"
    script.write_text(READER.format(root=str(ROOT), db=store.path, seconds=6))
    reader = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    plan = tmp_path / "register.csv"
    plan.write_bytes(REGISTER)
    writers = [
        subprocess.run(
            [sys.executable, "-m", "loaders", "ingest", str(plan), "--db", store.path, "--as-of", f"2026-01-0{i}"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        for i in range(1, 4)
    ]
    for w in writers:
        assert w.returncode == 0, w.stdout + w.stderr
        assert "STORED" in w.stdout
    _, err = reader.communicate(timeout=120)
    assert reader.returncode == 0, err
    assert len(store.uploads()) == 3


def test_two_processes_ingesting_at_once_both_land(store, tmp_path):
    store.schema_version()
    files = []
    for i in range(2):
        path = tmp_path / f"reg{i}.csv"
        path.write_bytes(REGISTER.replace(b"Alpha", f"Alpha {i}".encode()))
        files.append(path)
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "loaders", "ingest", str(f), "--db", store.path],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in files
    ]
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, out + err
    assert len(store.uploads()) == 2


def test_uploads_cli_prints_json(store, tmp_path):
    path = tmp_path / "register.csv"
    path.write_bytes(REGISTER)
    subprocess.run(
        [sys.executable, "-m", "loaders", "ingest", str(path), "--db", store.path, "--as-of", "2026-01-05"],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    result = subprocess.run(
        [sys.executable, "-m", "loaders", "uploads", "--db", store.path, "--json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    rows = json.loads(result.stdout)
    assert rows[0]["as_of"] == "2026-01-05"
    assert rows[0]["source"] == "register"
    assert rows[0]["rows_loaded"] == 2


def test_histories_reads_many_projects_in_one_query_exactly_as_history_does(store):
    from access import Scope

    write(store, dt.date(2026, 1, 9), tasks(2), sha="a1")
    write(store, dt.date(2026, 1, 23), tasks(5), sha="a2", loaded_at=dt.datetime(2026, 1, 23, 10))
    write(store, dt.date(2026, 1, 23), tasks(4), sha="a3", loaded_at=dt.datetime(2026, 1, 23, 11))  # supersedes a2
    write(store, dt.date(2026, 1, 16), tasks(3, project="B"), sha="b1", project="B")
    write(store, dt.date(2026, 2, 6), tasks(1, project="C"), sha="c1", project="C")
    both = store.histories("tasks", ["A", "B", "C"], dt.date(2026, 1, 31))
    assert both.groupby(["project_id", "snapshot_as_of"]).size().tolist() == [2, 4, 3]  # C is after `until`
    assert both.project_id.tolist() == ["A"] * 6 + ["B"] * 3  # ordered by project, then date
    for pid in ("A", "B"):
        one = store.history("tasks", pid, dt.date(2026, 1, 31))
        mine = both[both.project_id == pid].reset_index(drop=True)
        pd.testing.assert_frame_equal(
            mine.sort_values(["snapshot_as_of", "task_uid"]).reset_index(drop=True),
            one.sort_values(["snapshot_as_of", "task_uid"]).reset_index(drop=True),
        )
    assert store.histories("tasks", []).empty
    pm = store.as_user(Scope(user="pm@x", role="pm", projects=frozenset({"B"})))
    assert set(pm.histories("tasks", ["A", "B"]).project_id) == {"B"}  # the scope still applies


def test_a_batch_inside_a_batch_keeps_the_one_connection(store, monkeypatch):
    write(store, dt.date(2026, 1, 9), tasks(2), sha="a1")
    opened = []
    real = store_module.duckdb.connect
    monkeypatch.setattr(store_module.duckdb, "connect", lambda *a, **k: opened.append(a) or real(*a, **k))
    with store.batch():
        with store.batch():
            store.snapshot("tasks")
        store.history("tasks", "A")  # still on the outer batch's connection
        store.data_version()
    assert len(opened) == 1


def test_reads_version_changes_only_with_the_uploads_a_read_depends_on(store):
    from access import Scope

    write(store, dt.date(2026, 1, 9), tasks(2), sha="a1")
    write(store, dt.date(2026, 1, 9), tasks(2, project="B"), sha="b1", project="B")
    a_jan16 = lambda: store.reads_version(dt.date(2026, 1, 16), ("msproject",), ["A"])  # noqa: E731
    everything = lambda: store.reads_version(dt.date(2026, 1, 16))  # noqa: E731
    before, before_all = a_jan16(), everything()
    write(store, dt.date(2026, 1, 12), tasks(3, project="B"), sha="b2", project="B")  # another project
    write(store, dt.date(2026, 1, 23), tasks(3), sha="a3")  # after the date
    assert a_jan16() == before
    assert everything() != before_all  # B's new snapshot is read by a portfolio-wide view
    assert store.reads_version(dt.date(2026, 1, 16), ("jira",), ["A"]) == "0-"  # no such uploads
    new = write(store, dt.date(2026, 1, 16), tasks(4), sha="a2")  # on the date: read
    changed = a_jan16()
    assert changed != before
    assert store.delete_upload(new.upload_id)
    assert a_jan16() == before  # deleting it gives back the same key
    pm = store.as_user(Scope(user="pm@x", role="pm", projects=frozenset({"B"})))
    assert pm.reads_version(dt.date(2026, 1, 16), ("msproject",), ["A"]) == "0-"  # nothing of A is visible
