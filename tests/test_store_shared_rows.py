"""Snapshots share the rows that did not change (schema 7, issue #22): every read is exactly what
the full-snapshot model (schema 6, every upload's rows stored in full) returned.

One slice of the demo portfolio (the register, finance, people, contracts, two plans, a Jira
project and its risk register: every snapshot table) is stored twice through the real ingest
path: into the current store, and, upload by upload with the same arguments, into a store kept
at schema 6 with the old insert. Then:

* every upload's rows of every snapshot table, in order, are identical in both;
* the schema-6 file migrated to the current schema answers every as-of read (each table at
  every as-of date, histories, finance by period, plan assignments, capacity, risks, projects)
  exactly as the file written in the current schema does;
* the shared storage holds far fewer rows than the snapshots it serves.
"""

from __future__ import annotations

import contextlib
import copy
import datetime as dt

import duckdb
import pandas as pd
import pytest
from builders import copy_db
from conftest import built_once

import store as store_module
from data.demo import _parse, _store
from loaders.ingest import store_parsed
from metrics import evm_points
from store import DEMO_USER, MIGRATIONS, SNAPSHOT_TABLES, Store

FULL_SNAPSHOT_SCHEMA = 6  # the last schema that stored every upload's rows in full
PROJECTS = {"CORE-LEDGER", "CRM-UPGRADE"}


@pytest.fixture(scope="module")
def pair(tmp_path_factory):
    """(current store, schema-6 store): the same uploads written into each. Built once per run
    (the workers share it: ``built_once``); each module gets its own copies."""
    built = built_once(tmp_path_factory, "shared-rows", _build_pair)
    mine = tmp_path_factory.mktemp("shared-rows")
    current = Store(copy_db(built / "current.duckdb", mine / "current.duckdb"))
    old = Store(copy_db(built / "full.duckdb", mine / "full.duckdb"))  # raw reads only: a Store would migrate it
    return current, old


def _old_insert(con, table, frames, _layout) -> None:
    """The schema-6 write: each upload's frame inserted whole into the plain snapshot table."""
    for upload_id, frame in frames:
        store_module._insert(con, table, frame, upload_id)


def _build_pair(folder) -> None:
    from data.generate import generate

    files = [f for f in generate(folder / "files") if f.project_id is None or f.project_id in PROJECTS]
    current, old = Store(folder / "current.duckdb"), Store(folder / "full.duckdb")
    stack = contextlib.ExitStack()  # each file's one connection held for the whole build (as the demo build does)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:FULL_SNAPSHOT_SCHEMA])
        old.schema_version()  # created at schema 6: plain snapshot tables
        stack.enter_context(old.batch())
    stack.enter_context(current.batch())
    clock = iter(dt.datetime(2026, 12, 1, 9, 0) + dt.timedelta(minutes=n) for n in range(10_000))
    real_write = Store.write_upload

    def write_both(self, **kwargs):
        kwargs["loaded_at"] = kwargs.get("loaded_at") or next(clock)  # the same in both files
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(store_module, "MIGRATIONS", MIGRATIONS[:FULL_SNAPSHOT_SCHEMA])
            patch.setattr(store_module, "_insert_snapshot_rows", _old_insert)
            real_write(old, **kwargs)
        return real_write(self, **kwargs)

    parsed_files = {}
    with stack, pytest.MonkeyPatch.context() as patch:
        patch.setattr(Store, "write_upload", write_both)
        for item in files:
            parsed = _parse((str(item.path), item.source))
            assert not isinstance(parsed, str), parsed
            parsed_files[item.path] = copy.deepcopy(parsed)  # parsed once for the three stores
            report = store_parsed(
                current,
                parsed,
                item.path.read_bytes(),
                item.path.name,
                project_id=item.project_id,
                as_of=item.as_of,
                uploaded_by=DEMO_USER,
            )
            assert report.status == "stored", report.message
    _build_bulk(files, Store(folder / "bulk.duckdb"), parsed_files)


def _build_bulk(files, bulk: Store, parsed_files: dict) -> None:
    """The same uploads stored the demo build's way: held in ``Store.bulk``, points at the end."""
    clock = iter(dt.datetime(2026, 12, 1, 9, 0) + dt.timedelta(minutes=n) for n in range(10_000))
    real_write = Store.write_upload

    def write_timed(self, **kwargs):
        return real_write(self, **kwargs, loaded_at=next(clock))

    with pytest.MonkeyPatch.context() as patch, bulk.bulk():
        patch.setattr(Store, "write_upload", write_timed)
        for n, item in enumerate([*files, files[0]]):  # the first file again: a duplicate of a held upload
            report = _store(bulk, item, copy.deepcopy(parsed_files[item.path]))  # the demo build's store
            assert report.status == ("duplicate" if n == len(files) else "stored"), report.message
        evm_points.record_missing(bulk)


def _rows_of(path, table: str, shared: bool, upload_id: int | None = None) -> pd.DataFrame:
    """Every upload's rows of ``table`` (or one upload's), in upload and file order."""
    con = duckdb.connect(str(path), read_only=True)  # raw: a Store would migrate a schema-6 file
    where = "" if upload_id is None else f" WHERE upload_id = {int(upload_id)}"
    try:
        if shared:
            return con.execute(f"SELECT * EXCLUDE (_pos) FROM {table}{where} ORDER BY upload_id, _pos").df()
        return con.execute(f"SELECT * FROM {table}{where} ORDER BY upload_id, rowid").df()
    finally:
        con.close()


def test_every_uploads_rows_are_the_full_snapshots_rows_in_order(pair):
    current, old = pair
    uploads = current.uploads()
    assert len(uploads) > 50 and set(uploads.source) >= {"msproject", "jira", "finance", "risk", "register"}
    con = duckdb.connect(str(old.path), read_only=True)
    try:
        assert con.execute("SELECT max(version) FROM schema_version").fetchone()[0] == FULL_SNAPSHOT_SCHEMA
        old_uploads = con.execute("SELECT * FROM uploads ORDER BY upload_id").df()
    finally:
        con.close()
    pd.testing.assert_frame_equal(old_uploads, current.query("SELECT * FROM uploads ORDER BY upload_id"))
    compared = 0
    for table in SNAPSHOT_TABLES:
        want = _rows_of(old.path, table, shared=False)
        pd.testing.assert_frame_equal(_rows_of(current.path, table, shared=True), want, obj=table)
        compared += len(want)
    assert compared > 10_000


def _reads(store: Store) -> dict[str, pd.DataFrame]:
    """Every as-of read the pages and CLIs make, at every as-of date stored (and with none)."""
    stored = sorted(set(store.uploads().as_of.dt.date))
    dates = [None, *stored[::3], stored[-1]]
    out: dict[str, pd.DataFrame] = {"projects": store.projects()}
    for day in dates:
        for table in set(SNAPSHOT_TABLES) - {"projects"}:  # the register: projects() above
            out[f"{table}@{day}"] = store.snapshot(table, day)
        out[f"assignments@{day}"] = store.plan_assignments(day)
        out[f"resources@{day}"] = store.plan_resources(day)
        out[f"capacity@{day}"] = store.capacity_plan(day)
        out[f"contracts@{day}"] = pd.concat(store.contract_registers(day), names=["table"])
        out[f"risk history@{day}"] = store.risk_history(day)
    for pid in sorted(PROJECTS):
        for table in ("tasks", "issues", "issue_sprints", "timephased_baseline", "task_baselines"):
            out[f"{table} history {pid}"] = store.history(table, pid)
    out["tasks histories"] = store.histories("tasks", sorted(PROJECTS))
    return out


def test_the_migrated_full_snapshot_file_answers_every_read_as_before(pair, tmp_path):
    current, old = pair
    migrated = Store(copy_db(old.path, tmp_path / "migrated.duckdb"))
    assert migrated.schema_version() == len(MIGRATIONS)
    with current.batch(), migrated.batch():  # one connection for each file's reads
        want, got = _reads(current), _reads(migrated)
    assert want.keys() == got.keys()
    for name, frame in want.items():
        pd.testing.assert_frame_equal(got[name], frame, obj=name)
    assert sum(len(f) for f in want.values()) > 10_000


def test_unchanged_rows_are_stored_once(pair):
    current, _ = pair
    served = current.query("SELECT count(*) AS n FROM issues").n.iloc[0]
    stored = current.query("SELECT count(*) AS n FROM issues_rows").n.iloc[0]
    tasks_served = current.query("SELECT count(*) AS n FROM tasks").n.iloc[0]
    tasks_stored = current.query("SELECT count(*) AS n FROM tasks_rows").n.iloc[0]
    assert stored * 4 < served and tasks_stored * 2 < tasks_served, (stored, served, tasks_stored, tasks_served)


def test_deleting_an_upload_keeps_the_rows_other_snapshots_share(pair, tmp_path):
    current, _ = pair
    copy = Store(copy_db(current.path, tmp_path / "copy.duckdb"))
    jira = copy.uploads().query("source == 'jira'").sort_values("as_of")
    middle = int(jira.upload_id.iloc[len(jira) // 2])
    before = _rows_of(copy.path, "issues", shared=True)
    assert copy.delete_upload(middle)
    pd.testing.assert_frame_equal(
        _rows_of(copy.path, "issues", shared=True), before[before.upload_id != middle].reset_index(drop=True)
    )
    orphans = copy.query(
        "SELECT count(*) AS n FROM issues_rows WHERE row_id NOT IN (SELECT row_id FROM issues_members)"
    ).n.iloc[0]
    assert orphans == 0
    remaining = len(copy.uploads())
    assert copy.delete_uploads_by(DEMO_USER) == remaining > 0
    for table in SNAPSHOT_TABLES:
        assert copy.query(f"SELECT count(*) AS n FROM {table}_rows").n.iloc[0] == 0, table


def test_a_bulk_load_stores_exactly_what_one_upload_at_a_time_stores(tmp_path_factory):
    """``Store.bulk`` (the demo build's write) against ``write_upload`` one by one: every table,
    row ids, members and EVM points included, is the same."""
    built = built_once(tmp_path_factory, "shared-rows", _build_pair)
    one = duckdb.connect(str(built / "current.duckdb"), read_only=True)
    bulk = duckdb.connect(str(built / "bulk.duckdb"), read_only=True)
    try:
        tables = [r[0] for r in one.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()]
        assert {"uploads", "evm_points", "tasks_rows", "issues_members"} <= set(tables)
        for table in tables:
            keyed = " REPLACE (row_key::VARCHAR AS row_key)" if table.endswith("_rows") else ""  # UHUGEINT
            want = one.execute(f"SELECT *{keyed} FROM {table} ORDER BY ALL").df()
            got = bulk.execute(f"SELECT *{keyed} FROM {table} ORDER BY ALL").df()
            pd.testing.assert_frame_equal(got, want, obj=table)
        assert len(one.execute("SELECT * FROM evm_points").fetchall()) > 20
    finally:
        one.close()
        bulk.close()
