"""The only code that talks to DuckDB: schema, migrations, snapshot writes and as-of reads.

Concurrency design. DuckDB lets one *process* hold a database file read-write, and then locks
every other process out, readers included. So nobody holds the file open: every operation opens
a connection, does its work inside one transaction and closes it again (``Store.connect``).
Processes take turns in arrival order: a process that wants the file takes a ticket in the
queue folder beside it (``<db>.queue``) and opens the file when every older ticket is gone, so
eight processes ingesting at once all land, one after the other, however long the queue
(``_turn``). A waiter gives up, saying who holds the file, only when the queue has not moved for
``LOCK_TIMEOUT_S``; writers parse files *before* they open the database and hold it only for
the inserts. Errors that are not "busy" say what they are: a read-only file or folder, a file
that is not a DuckDB database (a text file, 0 bytes), a damaged database (``DatabaseError``).
Inside one process DuckDB shares a single database instance between connections, so the
Streamlit server's sessions (one thread each) can read and write at the same time; readers never
see half an upload because every upload is written in one transaction.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from access import OPEN, Scope

DEFAULT_DB = Path(os.environ.get("PMO_DB", Path(__file__).parent / "data" / "portfolio.duckdb"))
LOCK_TIMEOUT_S = 60.0
AS_OF_MARGIN = dt.timedelta(days=31)  # a default as-of date is never later than today + this
# Dates read back are clipped into this window: a stored 9999-12-31 (a typo in a Jira export,
# stored before the loaders refused such dates) reads as 2199-12-31, which pandas' nanosecond
# timestamps and date arithmetic (+ a week, + a month) survive. The Uploads page lists uploads
# unclipped, so the user sees the date as stored.
READ_DATE_WINDOW = (pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"))

WORK_SOURCES = ("jira", "asana")
DEMO_USER = "demo"  # uploads.uploaded_by of the generated demo portfolio: the Data page removes it in one action
SOURCES = ("msproject", "jira", "finance", "register", "risk", "resources", "contracts", "asana")

# Snapshot tables of schema 1: rows belong to one upload. Columns named here are the contract
# (DESIGN.md §3). Frozen: later tables and columns come in later migrations.
_SNAPSHOT_TABLES_V1: dict[str, str] = {
    "tasks": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER,
        task_uid BIGINT, task_id BIGINT, wbs VARCHAR, outline_number VARCHAR, name VARCHAR,
        outline_level INTEGER, is_summary BOOLEAN, is_milestone BOOLEAN,
        start TIMESTAMP, finish TIMESTAMP, actual_start TIMESTAMP, actual_finish TIMESTAMP,
        baseline_start TIMESTAMP, baseline_finish TIMESTAMP, deadline TIMESTAMP,
        duration_hours DOUBLE, baseline_duration_hours DOUBLE, work_hours DOUBLE,
        baseline_work_hours DOUBLE, percent_complete DOUBLE, physical_percent_complete DOUBLE,
        cost DOUBLE, baseline_cost DOUBLE, actual_cost DOUBLE, remaining_cost DOUBLE,
        fixed_cost DOUBLE, fixed_cost_accrual VARCHAR, bcws DOUBLE, bcwp DOUBLE, acwp DOUBLE,
        earned_value_method VARCHAR, resource_names VARCHAR, predecessors VARCHAR, notes VARCHAR""",
    "task_baselines": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, task_uid BIGINT,
        baseline_number INTEGER, start TIMESTAMP, finish TIMESTAMP, duration_hours DOUBLE,
        work_hours DOUBLE, cost DOUBLE, bcws DOUBLE, bcwp DOUBLE""",
    "timephased_baseline": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, task_uid BIGINT,
        baseline_number INTEGER, start TIMESTAMP, finish TIMESTAMP, cost DOUBLE, work_hours DOUBLE""",
    "resources": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, resource_uid BIGINT,
        resource_id BIGINT, name VARCHAR, type VARCHAR, initials VARCHAR, "group" VARCHAR,
        max_units DOUBLE, standard_rate DOUBLE, overtime_rate DOUBLE, cost_per_use DOUBLE,
        cost DOUBLE, baseline_cost DOUBLE, actual_cost DOUBLE, work_hours DOUBLE""",
    "assignments": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, task_uid BIGINT, task_name VARCHAR,
        resource_uid BIGINT, resource_name VARCHAR, units DOUBLE, work_hours DOUBLE,
        baseline_work_hours DOUBLE, actual_work_hours DOUBLE, cost DOUBLE, baseline_cost DOUBLE,
        actual_cost DOUBLE, start TIMESTAMP, finish TIMESTAMP""",
    "issues": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER,
        issue_key VARCHAR, issue_id VARCHAR, project_key VARCHAR, issue_type VARCHAR,
        is_subtask BOOLEAN, summary VARCHAR, status VARCHAR, status_category VARCHAR,
        resolution VARCHAR, priority VARCHAR, assignee VARCHAR, reporter VARCHAR,
        created TIMESTAMP, updated TIMESTAMP, resolved TIMESTAMP, due TIMESTAMP,
        story_points DOUBLE, original_estimate_hours DOUBLE, remaining_estimate_hours DOUBLE,
        time_spent_hours DOUBLE, parent_key VARCHAR, epic_key VARCHAR, team VARCHAR,
        sprint VARCHAR, fix_versions VARCHAR, labels VARCHAR, components VARCHAR,
        sprint_count INTEGER""",
    "issue_sprints": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, issue_key VARCHAR,
        sprint VARCHAR, position INTEGER""",
    "budget_lines": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER,
        period DATE, cost_category VARCHAR, vendor VARCHAR, budget DOUBLE, actual DOUBLE,
        forecast DOUBLE, committed DOUBLE, currency VARCHAR""",
    "projects": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, name VARCHAR, program VARCHAR,
        portfolio VARCHAR, manager VARCHAR, sponsor VARCHAR, currency VARCHAR, budget DOUBLE,
        jira_keys VARCHAR, stage VARCHAR, extra JSON""",
}

# Snapshot tables of DESIGN.md §9 (schema 2): risks, people, contracts.
_SNAPSHOT_TABLES_V2: dict[str, str] = {
    "risks": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER, sheet VARCHAR,
        risk_id VARCHAR, kind VARCHAR, title VARCHAR, description VARCHAR, category VARCHAR, system VARCHAR,
        probability_raw VARCHAR, impact_raw VARCHAR, probability DOUBLE, impact DOUBLE, score DOUBLE,
        exposure DOUBLE, currency VARCHAR, owner VARCHAR, status VARCHAR, is_closed BOOLEAN,
        raised DATE, due DATE, closed DATE, response VARCHAR, escalate BOOLEAN, extra JSON""",
    "allocations": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER, resource VARCHAR,
        email VARCHAR, role VARCHAR, team VARCHAR, task_name VARCHAR, start DATE, finish DATE,
        percent DOUBLE, hours DOUBLE, origin VARCHAR""",
    "capacity": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER, resource VARCHAR,
        role VARCHAR, team VARCHAR, period_start DATE, period_finish DATE, hours DOUBLE, points DOUBLE""",
    "contracts": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, row_number INTEGER, sheet VARCHAR,
        contract_id VARCHAR, po_number VARCHAR, vendor VARCHAR, vendor_raw VARCHAR, project_ids VARCHAR,
        description VARCHAR, value DOUBLE, invoiced DOUBLE, committed DOUBLE, remaining DOUBLE,
        currency VARCHAR, start DATE, finish DATE, type VARCHAR, status VARCHAR, extra JSON""",
    "contract_invoices": """
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, contract_id VARCHAR, period DATE,
        amount DOUBLE, currency VARCHAR""",
}

SNAPSHOT_TABLES: dict[str, str] = {**_SNAPSHOT_TABLES_V1, **_SNAPSHOT_TABLES_V2}

MIGRATIONS: list = [  # SQL text, or a function of the connection when it needs the columns it finds
    # 1: the whole schema of DESIGN.md §3
    "\n".join(
        [
            """CREATE SEQUENCE upload_seq START 1;
            CREATE TABLE uploads (
                upload_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, format VARCHAR,
                file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, project_id VARCHAR,
                as_of DATE NOT NULL, loaded_at TIMESTAMP NOT NULL, rows_loaded INTEGER NOT NULL,
                rows_rejected INTEGER NOT NULL, meta JSON,
                CHECK (source IN ('msproject', 'jira', 'finance', 'register')));
            CREATE TABLE upload_projects (upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL);
            CREATE TABLE problems (
                upload_id BIGINT NOT NULL, row_number INTEGER, column_name VARCHAR, value VARCHAR,
                severity VARCHAR NOT NULL, message VARCHAR NOT NULL,
                CHECK (severity IN ('error', 'warning', 'info')));
            CREATE TABLE sprints (
                project_id VARCHAR NOT NULL, sprint VARCHAR NOT NULL, start DATE, finish DATE,
                goal VARCHAR, origin VARCHAR, PRIMARY KEY (project_id, sprint));"""
        ]
        + [f"CREATE TABLE {name} ({cols});" for name, cols in _SNAPSHOT_TABLES_V1.items()]
    ),
    # 2: DESIGN.md §9 — more sources (the CHECK is rebuilt), who uploaded, risks, people,
    # contracts, PM status reports, notifications sent, settings, aliases and saved column mappings
    "\n".join(
        [
            """CREATE TABLE uploads_v2 (
                upload_id BIGINT PRIMARY KEY, source VARCHAR NOT NULL, format VARCHAR,
                file_name VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, project_id VARCHAR,
                as_of DATE NOT NULL, loaded_at TIMESTAMP NOT NULL, rows_loaded INTEGER NOT NULL,
                rows_rejected INTEGER NOT NULL, meta JSON, uploaded_by VARCHAR,
                CHECK (source IN ('msproject', 'jira', 'finance', 'register', 'risk', 'resources',
                                  'contracts', 'asana')));
            INSERT INTO uploads_v2 SELECT *, NULL FROM uploads;
            DROP TABLE uploads;
            ALTER TABLE uploads_v2 RENAME TO uploads;
            CREATE TABLE status_reports (
                project_id VARCHAR NOT NULL, as_of DATE NOT NULL, author VARCHAR, rag VARCHAR,
                rag_reason VARCHAR, summary VARCHAR, accomplishments VARCHAR, next_steps VARCHAR,
                asks VARCHAR, computed_status VARCHAR, created_at TIMESTAMP NOT NULL,
                CHECK (rag IS NULL OR rag IN ('green', 'amber', 'red')));
            CREATE TABLE notifications (
                project_id VARCHAR, event VARCHAR NOT NULL, as_of DATE, channel VARCHAR NOT NULL,
                sent_at TIMESTAMP, payload_sha256 VARCHAR NOT NULL, status VARCHAR, detail VARCHAR);
            CREATE TABLE settings (key VARCHAR PRIMARY KEY, value JSON NOT NULL, updated_at TIMESTAMP);
            CREATE TABLE aliases (
                kind VARCHAR NOT NULL, alias VARCHAR NOT NULL, canonical VARCHAR NOT NULL,
                PRIMARY KEY (kind, alias));
            CREATE TABLE column_mappings (
                shape VARCHAR PRIMARY KEY, source VARCHAR NOT NULL, mapping JSON NOT NULL,
                saved_at TIMESTAMP NOT NULL);"""
        ]
        + [f"CREATE TABLE {name} ({cols});" for name, cols in _SNAPSHOT_TABLES_V2.items()]
    ),
    # 3: Asana work items: start dates and custom fields beside the Jira columns
    "ALTER TABLE issues ADD COLUMN start TIMESTAMP; ALTER TABLE issues ADD COLUMN extra JSON;",
    # 4: people and capacity (issue 16) — what a capacity row is (a dated plan, a headcount grid
    # or a resource sheet's max units), its resource type and e-mail
    """ALTER TABLE capacity ADD COLUMN email VARCHAR;
    ALTER TABLE capacity ADD COLUMN resource_type VARCHAR;
    ALTER TABLE capacity ADD COLUMN max_units DOUBLE;
    ALTER TABLE capacity ADD COLUMN headcount DOUBLE;
    ALTER TABLE capacity ADD COLUMN sprint VARCHAR;
    ALTER TABLE capacity ADD COLUMN origin VARCHAR;""",
    # 5: MS Project plans as MS Project sees them (issue 13) — a task's actual work, for EVM in hours
    "ALTER TABLE tasks ADD COLUMN actual_work_hours DOUBLE;",
    # 6: issue kind decided once by the Jira loader (initiative, epic, item, bug, subtask); issues
    # stored before it get the kind their type name and sub-task flag give
    """ALTER TABLE issues ADD COLUMN issue_kind VARCHAR;
    UPDATE issues SET issue_kind = CASE
        WHEN is_subtask THEN 'subtask'
        WHEN lower(trim(issue_type)) IN ('epic', 'épica', 'epica', 'epik', 'épico', 'epico', 'epos', 'épique',
                                         'épopée', 'epopee', 'エピック') THEN 'epic'
        WHEN lower(trim(issue_type)) IN ('initiative', 'iniciativa', 'inicjatywa', 'theme', 'tema', 'thème',
                                         'legend') THEN 'initiative'
        WHEN lower(trim(issue_type)) IN ('bug', 'error', 'fehler', 'bogue', 'błąd', 'erro', 'defect', 'defekt')
            THEN 'bug'
        ELSE 'item' END;""",
    # 7: snapshots share the rows that did not change (issue 22), see "Shared rows" below
    lambda con: _share_unchanged_rows(con),
    # 8: each plan snapshot's EVM point, computed once when it is stored (metrics.evm_points, issue 22);
    # a file migrated here gets its points from the first ingest or `python -m metrics rebuild-points`
    """CREATE TABLE evm_points (
        upload_id BIGINT NOT NULL, project_id VARCHAR NOT NULL, version INTEGER NOT NULL, status_date DATE,
        unit VARCHAR, task_rows INTEGER NOT NULL, bac DOUBLE, pv DOUBLE, ev DOUBLE, ac DOUBLE, spi DOUBLE,
        cpi DOUBLE, spi_t DOUBLE, eac DOUBLE, PRIMARY KEY (upload_id, project_id, version));""",
]


# What else an upload brought, besides its snapshot rows (deleted with it, last the upload itself).
_UPLOAD_TABLES = ("evm_points", "problems", "upload_projects", "uploads")


# Per project, the upload of $source that is its latest snapshot on or before $as_of.
_LATEST = """WITH latest AS (
    SELECT p.project_id, arg_max(u.upload_id, (u.as_of, u.loaded_at, u.upload_id)) AS upload_id
    FROM uploads u JOIN upload_projects p USING (upload_id)
    WHERE list_contains($sources, u.source) AND ($as_of IS NULL OR u.as_of <= $as_of)
      AND ($projects IS NULL OR list_contains($projects, p.project_id))
    GROUP BY p.project_id)"""


# A line without a period, in join keys: "IS NOT DISTINCT FROM" in a join condition makes DuckDB
# compare every pair of rows (0.9 s for 9k lines x 1,200 winners); equality on coalesce() hashes.
# No stored period is this day: ingest leaves dates outside the plausible window empty.
_NO_PERIOD = "DATE '0001-01-01'"

# Per project and period, the finance upload on or before $as_of that holds it and is latest
# (as-of date, then loaded_at, then id); $exclude leaves one upload out (what it replaced).
_PERIOD_WINNERS = """WITH held AS (
    SELECT DISTINCT b.project_id, b.period, u.upload_id, u.as_of, u.loaded_at
    FROM budget_lines b JOIN uploads u USING (upload_id)
    WHERE u.source = 'finance' AND ($as_of IS NULL OR u.as_of <= $as_of)
      AND ($exclude IS NULL OR u.upload_id <> $exclude)
      AND ($projects IS NULL OR list_contains($projects, b.project_id))),
winners AS (
    SELECT project_id, period, arg_max(upload_id, (as_of, loaded_at, upload_id)) AS upload_id
    FROM held GROUP BY project_id, period)"""


class StoreError(Exception):
    """A store operation failed in a way the user should be told about."""


class AccessDenied(StoreError):
    """The user's role does not allow this read or write (see :mod:`access`)."""


class DatabaseError(StoreError):
    """The database file itself is the problem (missing, busy, read-only, not a database, damaged);
    ``kind`` says which, the message says what to do."""

    kind = "error"


class DatabaseMissing(DatabaseError):
    kind = "missing"


class DatabaseBusy(DatabaseError):
    kind = "busy"


class DatabaseReadOnly(DatabaseError):
    kind = "read-only"


class NotADatabase(DatabaseError):
    kind = "not-a-database"


class DatabaseDamaged(DatabaseError):
    kind = "damaged"


_HOLDER = re.compile(r"Conflicting lock is held in (?P<program>.*?) \(PID (?P<pid>\d+)\)")
_DAMAGE_SIGNS = ("corrupt database", "checksum", "could not read enough bytes", "invalidated")


def _holder_text(message: str) -> str:
    """'/usr/bin/python3 (PID 123)' from DuckDB's lock message, else 'another program'."""
    found = _HOLDER.search(message)
    return f"{found['program']} (PID {found['pid']})" if found else "another program"


def _busy(path: str, holder: str) -> DatabaseBusy:
    return DatabaseBusy(f"The database {path} is busy: {holder} holds it. Try again in a minute, or stop that program.")


def _read_only(path: str, reason: str) -> DatabaseReadOnly:
    return DatabaseReadOnly(
        f"The database {path} cannot be written: {reason}. Point PMO_DB (or --db) at a copy in a writable "
        "folder, or set PMO_DB_READ_ONLY=1 to browse it without uploads."
    )


def _damaged(path: str, detail: str) -> DatabaseDamaged:
    return DatabaseDamaged(
        f"The database {path} is damaged ({detail.strip().splitlines()[0][:200]}). Restore it from a backup or a "
        "published copy (python -m store publish), or move it away and rebuild it: python -m data demo --db PATH "
        "for the demo, or python -m loaders ingest FILE... --db PATH with your exports."
    )


def _explain_open(path: str, err: duckdb.Error) -> DatabaseError | None:
    """The :class:`DatabaseError` a failed ``duckdb.connect`` means, or None for a lock conflict
    (the caller waits its turn and retries)."""
    message = str(err)
    lower = message.lower()
    if ("lock" in lower and "conflicting" in lower) or "could not set lock" in lower:
        return None
    if "read-only file system" in lower:
        return _read_only(path, "it is on a read-only file system")
    if "permission denied" in lower:
        return _read_only(path, "this program may not write the file or its folder (permission denied)")
    if "not a valid duckdb database" in lower:
        size = Path(path).stat().st_size if Path(path).exists() else 0
        what = "an empty (0-byte) file" if size == 0 else f"a {size:,}-byte file of something else"
        return NotADatabase(
            f"{path} is not a DuckDB database: it is {what}. Point PMO_DB (or --db) at the portfolio database, "
            "or move this file away to start a new database there."
        )
    if any(sign in lower for sign in _DAMAGE_SIGNS) or isinstance(
        err, duckdb.InternalException | duckdb.FatalException
    ):
        return _damaged(path, message)
    return DatabaseError(f"The database {path} cannot be opened: {message.strip().splitlines()[0][:200]}")


def _is_damage(err: duckdb.Error) -> bool:
    """A query failed because the file is damaged (not because of the query)."""
    lower = str(err).lower()
    return any(sign in lower for sign in _DAMAGE_SIGNS) or isinstance(err, duckdb.FatalException)


class _Turn:
    """This process's turn at one database file: shared by its threads (DuckDB shares one
    instance between a process's connections), released when the last of them closes."""

    def __init__(self) -> None:
        self.count = 0
        self.ticket: Path | None = None
        self.ready = threading.Event()
        self.error: BaseException | None = None


_turns: dict[str, _Turn] = {}
_turns_lock = threading.Lock()


def _forget_turns() -> None:
    """A forked child holds none of its parent's turns (nor its connections)."""
    global _turns_lock
    _turns.clear()
    _turns_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_turns)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError):
        return True
    return True


def _program(pid: int) -> str:
    """What process ``pid`` runs ('python -m streamlit run app.py'), from /proc where there is one."""
    try:
        words = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "the program"
    text = " ".join(" ".join(w.decode(errors="replace") for w in words).split())[:120]
    return text or "the program"


def _wait_in_queue(path: Path, timeout: float) -> Path | None:
    """Take a ticket in ``<db>.queue`` and return it once every older ticket is gone (their
    processes closed the file, or died). None when the folder is not writable: then DuckDB's lock
    alone decides. Raises :class:`DatabaseBusy` when the queue has not moved for ``timeout`` s."""
    queue = path.with_name(path.name + ".queue")
    try:
        queue.mkdir(exist_ok=True)
        ticket = queue / f"{time.time_ns():020d}-{os.getpid()}-{threading.get_ident()}"
        ticket.write_text(str(os.getpid()))
    except OSError:
        return None
    head_seen, since = None, time.monotonic()
    while True:
        try:
            ahead = sorted(name for name in os.listdir(queue) if name < ticket.name)
        except OSError:
            ahead = []
        if not ahead:
            return ticket
        head = ahead[0]
        pid = int(head.split("-")[1]) if head.count("-") >= 2 and head.split("-")[1].isdigit() else 0
        if pid and pid != os.getpid() and not _alive(pid):
            with contextlib.suppress(OSError):  # a process that died holding a ticket
                (queue / head).unlink()
            continue
        if head != head_seen:
            head_seen, since = head, time.monotonic()
        elif time.monotonic() - since > timeout:
            with contextlib.suppress(OSError):
                ticket.unlink()
            raise _busy(str(path), f"{_program(pid)} (PID {pid})" if pid else "another program")
        time.sleep(0.01 + random.random() * 0.01)


@contextlib.contextmanager
def _turn(path: Path, timeout: float) -> Iterator[None]:
    """Hold this process's turn at ``path`` (see :func:`_wait_in_queue`) while the body runs."""
    key = str(path.resolve())
    with _turns_lock:
        turn = _turns.get(key)
        leader = turn is None
        if leader:
            turn = _turns[key] = _Turn()
        turn.count += 1
    if leader:
        try:
            turn.ticket = _wait_in_queue(path, timeout)
        except BaseException as err:
            with _turns_lock:
                if _turns.get(key) is turn:
                    del _turns[key]
            turn.error = err
            turn.ready.set()
            raise
        turn.ready.set()
    else:
        turn.ready.wait()
        if turn.error is not None:
            raise turn.error
    try:
        yield
    finally:
        with _turns_lock:
            turn.count -= 1
            if turn.count == 0:
                if _turns.get(key) is turn:
                    del _turns[key]
                if turn.ticket is not None:
                    with contextlib.suppress(OSError):
                        turn.ticket.unlink()


@dataclass(frozen=True)
class WriteResult:
    upload_id: int
    duplicate: bool  # True: identical bytes for this project and as-of date were already stored


@dataclass(frozen=True)
class _Upload:
    """One upload ready to be written: its ``uploads`` row, snapshot frames, problems, projects."""

    row: tuple
    tables: dict[str, pd.DataFrame]
    problems: pd.DataFrame
    projects: tuple[str, ...]

    @property
    def upload_id(self) -> int:
        return self.row[0]

    @property
    def identity(self) -> tuple:
        """(sha256, project_id, as_of): the same bytes for the same project and date are one upload."""
        return (self.row[4], self.row[5], self.row[6])


_migrate_lock = threading.Lock()


class Store:
    """One DuckDB file. Cheap to create; every method opens and closes its own connection."""

    def __init__(
        self,
        path: str | os.PathLike | None = None,
        *,
        lock_timeout: float = LOCK_TIMEOUT_S,
        scope: Scope = OPEN,
        create: bool = True,
    ):
        self.path = str(path or DEFAULT_DB)
        self.lock_timeout = lock_timeout
        self.create = create  # False: a missing file is an error (CLIs that only read), never a new database
        self.scope = scope  # every read and write below is limited to what this scope allows
        self._held: duckdb.DuckDBPyConnection | None = None
        self._pending: list[_Upload] | None = None  # inside ``bulk``: uploads written, not yet stored
        self._layout: dict | None = None  # inside ``batch``: ``_snapshot_layout`` of the held connection
        # an app replica on a published copy (``publish``): read-only connections, so any number of
        # processes read the file at once; writes fail with DuckDB's read-only error
        self.read_only = os.environ.get("PMO_DB_READ_ONLY", "") not in ("", "0")

    def as_user(self, scope: Scope) -> Store:
        """The same database seen through another user's scope."""
        other = Store(self.path, lock_timeout=self.lock_timeout, scope=scope, create=self.create)
        other.read_only = self.read_only
        return other

    def _deny(self, reason: str | None) -> None:
        if reason:
            raise AccessDenied(reason)

    def _visible(self, project_ids=None, table: str | None = None) -> list[str] | None:
        """The project filter a read must apply: None = all, [] = nothing."""
        if table is not None and not self.scope.sees_table(table):
            return []
        return self.scope.visible(_as_list(project_ids))

    # -- connections -------------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[Store]:
        """Hold one connection for a batch of operations from this thread (bulk loads): the
        file stays locked to other processes until the batch ends."""
        if self._held is not None:  # already inside a batch: keep the one connection
            yield self
            return
        with self.connect() as con:
            self._held = con
            try:
                yield self
            finally:
                self._held = self._layout = None

    @contextlib.contextmanager
    def bulk(self) -> Iterator[Store]:
        """A batch (one connection) in which uploads are stored together: ``write_upload``
        checks and numbers each upload at once but writes it with the ones after it, in one
        transaction and a few statements per table, when a read needs them or the block ends.
        For loads of trusted files into a file nobody else writes meanwhile (the demo build's own
        new file): other ``Store`` objects do not see held uploads; a write that fails there fails
        every upload held with it, and raises a :class:`StoreError` naming them. Leaving the block
        by an exception stores none of the held ones."""
        with self.batch():
            if self._pending is not None:  # already bulk: one pending list
                yield self
                return
            self._pending = []
            try:
                yield self
                self._flush(self._held)
            finally:
                self._pending = None

    def _layout_of(self, con: duckdb.DuckDBPyConnection) -> dict:
        """:func:`_snapshot_layout` of ``con``, read once per batch: the schema cannot change while
        a batch holds the file (migrations run when a connection opens)."""
        if con is not self._held:
            return _snapshot_layout(con)
        if self._layout is None:
            self._layout = _snapshot_layout(con)
        return self._layout

    def _flush(self, con: duckdb.DuckDBPyConnection) -> None:
        """Store the uploads held by ``bulk``, all in one transaction."""
        pending, self._pending = self._pending, []
        if not pending:
            return
        try:
            _in_transaction(con, lambda: _store_uploads(con, pending, self._layout_of(con)))
        except (duckdb.Error, ValueError) as err:
            names = ", ".join(u.row[3] for u in pending[:5]) + (" …" if len(pending) > 5 else "")
            raise StoreError(
                f"{len(pending)} upload(s) held together ({names}) could not be stored, so none of them was: {err}"
            ) from None

    @contextlib.contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A fresh read-write connection, once it is this process's turn (``_turn``). Raises a
        :class:`DatabaseError` saying what is wrong with the file (missing when ``create`` is
        False, busy, read-only, not a database, damaged), never DuckDB's raw error. Inside
        ``bulk``, the held uploads are stored first, so a read sees them."""
        if self._held is not None:
            if self._pending:
                self._flush(self._held)
            yield self._held
            return
        path = Path(self.path)
        if not path.exists() and (not self.create or self.read_only):
            raise DatabaseMissing(
                f"The database {self.path} does not exist. Check the path (PMO_DB or --db), build the demo there "
                f"with python -m data demo --db {self.path}, or store your exports with python -m loaders ingest."
            )
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            raise _read_only(self.path, f"its folder cannot be created ({err.strerror})") from None
        if self.read_only:  # a published copy: read-only connections never conflict, no queue
            con = self._open(time.monotonic() + self.lock_timeout)
        else:
            turn = _turn(path, self.lock_timeout)
            turn.__enter__()
            try:
                con = self._open(time.monotonic() + self.lock_timeout)
            except BaseException:
                turn.__exit__(None, None, None)
                raise
        try:
            if not self.read_only:  # a published copy is already at the schema that wrote it
                self._migrate(con)
            yield con
        except duckdb.Error as err:
            if _is_damage(err):
                raise _damaged(self.path, str(err)) from None
            raise
        finally:
            with contextlib.suppress(duckdb.Error):
                con.close()
            if not self.read_only:
                turn.__exit__(None, None, None)

    def _open(self, deadline: float) -> duckdb.DuckDBPyConnection:
        """``duckdb.connect``, retried while a program outside the queue holds the file."""
        while True:
            try:
                return duckdb.connect(self.path, read_only=self.read_only)
            except duckdb.Error as err:
                explained = _explain_open(self.path, err)
                if explained is not None:
                    raise explained from None
                if time.monotonic() > deadline:
                    raise _busy(self.path, _holder_text(str(err))) from None
                time.sleep(0.02 + random.random() * 0.05)

    def _migrate(self, con: duckdb.DuckDBPyConnection) -> None:
        """Bring the file's schema up to date: apply, in order, each migration it lacks. Checked
        on every connection (one cheap query), so a file replaced under a running process is
        migrated too."""
        try:
            current = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0] or 0
        except duckdb.CatalogException:
            current = None
        if current == len(MIGRATIONS):
            return
        if current is not None and current > len(MIGRATIONS):
            raise StoreError(
                f"{self.path} was written by a newer version of this program (schema {current}); upgrade it."
            )
        with _migrate_lock:
            con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            current = con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0] or 0
            for version in range(current + 1, len(MIGRATIONS) + 1):
                con.begin()
                try:
                    step = MIGRATIONS[version - 1]
                    step(con) if callable(step) else con.execute(step)
                    con.execute("INSERT INTO schema_version VALUES (?)", [version])
                    con.commit()
                except Exception:
                    con.rollback()
                    raise

    def schema_version(self) -> int:
        with self.connect() as con:
            return con.execute("SELECT max(version) FROM schema_version").fetchall()[0][0]

    def query(self, sql: str, params: list | dict | None = None) -> pd.DataFrame:
        """Run one read query with bound parameters and return the rows. Raw SQL sees every row,
        so a restricted user (a PM, finance) must go through the scoped methods instead."""
        if not self.scope.unrestricted:
            raise AccessDenied(
                f"{self.scope.user} ({self.scope.role}): raw queries are not scoped; use the store's reads."
            )
        return self._read(sql, params)

    def _read(self, sql: str, params: list | dict | None = None, *, clip: bool = True) -> pd.DataFrame:
        """Rows of one query; dates and timestamps clipped into ``READ_DATE_WINDOW`` unless ``clip``
        is False (only a value outside the window changes)."""
        with self.connect() as con:
            frame = con.execute(sql, params or []).df()
        return _clip_dates(frame) if clip else frame

    # -- writes ------------------------------------------------------------------------------

    def write_upload(
        self,
        *,
        source: str,
        fmt: str,
        file_name: str,
        sha256: str,
        project_id: str | None,
        as_of: dt.date,
        tables: dict[str, pd.DataFrame],
        problems: pd.DataFrame,
        rows_loaded: int,
        rows_rejected: int,
        meta: dict | None = None,
        loaded_at: dt.datetime | None = None,
        uploaded_by: str | None = None,
    ) -> WriteResult:
        """Store one upload and everything it brought, atomically: all of it or none of it.

        ``tables`` frames must carry ``project_id`` on every row. Identical bytes for the same
        project and as-of date are not stored again: the existing upload id is returned with
        ``duplicate=True``.
        """
        unknown = set(tables) - set(SNAPSHOT_TABLES)
        if unknown:
            raise ValueError(f"unknown tables {sorted(unknown)}")
        named = {p for f in tables.values() if "project_id" in f for p in f["project_id"].dropna().unique()}
        self._deny(self.scope.may_upload(source, sorted(named | ({project_id} if project_id else set()))))
        uploaded_by = uploaded_by or self.scope.user
        loaded_at = loaded_at or dt.datetime.now().replace(microsecond=0)
        projects: set[str] = {project_id} if project_id else set()
        for name, frame in tables.items():
            if frame.empty:
                continue
            if frame["project_id"].isna().any():
                raise ValueError(f"{name}: rows without project_id")
            projects.update(frame["project_id"].unique())
        identity = (sha256, project_id, None if as_of is None else pd.Timestamp(as_of).date())  # as DATE compares
        details = [source, fmt, file_name, sha256, project_id, as_of, loaded_at, rows_loaded, rows_rejected]
        details += [json.dumps(meta or {}, default=str), uploaded_by]
        kept = {name: frame for name, frame in tables.items() if not frame.empty}

        def upload(con: duckdb.DuckDBPyConnection) -> _Upload | WriteResult:
            """The upload numbered, or the stored one it repeats."""
            existing = con.execute(
                "SELECT upload_id FROM uploads WHERE sha256 = ? AND project_id IS NOT DISTINCT FROM ? AND as_of = ?",
                list(identity),
            ).fetchall()
            if existing:
                return WriteResult(int(existing[0][0]), True)
            upload_id = con.execute("SELECT nextval('upload_seq')").fetchall()[0][0]
            return _Upload((upload_id, *details), kept, problems, tuple(sorted(projects)))

        if self._pending is not None:  # bulk: numbered now, stored with the next ones
            held = next((u for u in self._pending if u.identity == identity), None)
            if held is not None:
                return WriteResult(held.upload_id, True)
            found = upload(self._held)
            if isinstance(found, _Upload):
                _check_columns(self._layout_of(self._held), found.tables)
                self._pending.append(found)
                return WriteResult(found.upload_id, False)
            return found
        with self.connect() as con:

            def write() -> WriteResult:
                found = upload(con)
                if isinstance(found, WriteResult):
                    return found
                _store_uploads(con, [found], self._layout_of(con))
                return WriteResult(found.upload_id, False)

            return _in_transaction(con, write)

    def delete_upload(self, upload_id: int) -> bool:
        """Undo an upload: remove it and every row it brought. Returns False if it did not exist."""
        self._deny(self.scope.may_administer())
        with self.connect() as con:
            return _in_transaction(con, lambda: _delete_uploads(con, [upload_id])) > 0

    def delete_uploads_by(self, uploaded_by: str) -> int:
        """Undo every upload made by ``uploaded_by`` (e.g. the demo portfolio) in one transaction;
        returns how many there were."""
        self._deny(self.scope.may_administer())
        with self.connect() as con:

            def work() -> int:
                found = con.execute("SELECT upload_id FROM uploads WHERE uploaded_by = ?", [uploaded_by]).fetchall()
                return _delete_uploads(con, [r[0] for r in found])

            return _in_transaction(con, work)

    def sprints(self, project_id: str) -> pd.DataFrame:
        """The stored sprint calendar of one project (sprint, start, finish, goal, origin), by start."""
        return self.sprint_calendar(project_id).drop(columns="project_id")

    def save_sprints(self, project_id: str, frame: pd.DataFrame) -> None:
        """Replace the sprint calendar of one project (columns sprint, start, finish, goal, origin)."""
        self._deny(self.scope.may_write_project(project_id))
        with self.connect() as con:
            con.begin()
            try:
                con.execute("DELETE FROM sprints WHERE project_id = ?", [project_id])
                if not frame.empty:
                    rows = frame.assign(project_id=project_id)
                    with _registered(con, "_sprints", rows):
                        con.execute(
                            "INSERT INTO sprints (project_id, sprint, start, finish, goal, origin) "
                            "SELECT project_id, sprint, start, finish, goal, origin FROM _sprints"
                        )
                con.commit()
            except BaseException:
                con.rollback()
                raise

    # -- settings, aliases and saved column mappings ------------------------------------------

    def settings(self) -> dict:
        """Every stored setting (key -> JSON value); pages and CLIs merge these over their defaults."""
        rows = self._read("SELECT key, value FROM settings")
        return {row.key: json.loads(row.value) for row in rows.itertuples()}

    def save_settings(self, values: dict) -> None:
        """Store (insert or replace) the given settings in one transaction."""
        self._deny(self.scope.may_administer())
        with self.connect() as con:
            con.begin()
            try:
                for key, value in values.items():
                    con.execute(
                        "INSERT OR REPLACE INTO settings VALUES (?, ?, ?)",
                        [key, json.dumps(value, default=str), dt.datetime.now().replace(microsecond=0)],
                    )
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def aliases(self, kind: str) -> dict[str, str]:
        """The alias list of one kind (``person``, ``vendor``, ...): alias -> canonical name."""
        rows = self._read("SELECT alias, canonical FROM aliases WHERE kind = ? ORDER BY alias", [kind])
        return dict(zip(rows.alias, rows.canonical, strict=True))

    def save_aliases(self, kind: str, mapping: dict[str, str]) -> None:
        """Replace the alias list of one kind."""
        self._deny(self.scope.may_administer())
        with self.connect() as con:
            con.begin()
            try:
                con.execute("DELETE FROM aliases WHERE kind = ?", [kind])
                for alias, canonical in mapping.items():
                    con.execute("INSERT INTO aliases VALUES (?, ?, ?)", [kind, alias, canonical])
                con.commit()
            except BaseException:
                con.rollback()
                raise

    def column_mapping(self, shape: str) -> dict | None:
        """The column mapping a user saved for a workbook of this shape, if any."""
        rows = self._read("SELECT mapping FROM column_mappings WHERE shape = ?", [shape])
        return None if rows.empty else json.loads(rows.mapping.iloc[0])

    def save_column_mapping(self, shape: str, source: str, mapping: dict) -> None:
        with self.connect() as con:
            con.execute(
                "INSERT OR REPLACE INTO column_mappings VALUES (?, ?, ?, ?)",
                [shape, source, json.dumps(mapping), dt.datetime.now().replace(microsecond=0)],
            )

    # -- notifications -----------------------------------------------------------------------

    def record_notification(
        self,
        *,
        project_id: str | None,
        event: str,
        as_of: dt.date,
        channel: str,
        payload_sha256: str,
        status: str,
        detail: str | None,
    ) -> None:
        """Remember one notification outcome (``sent``, ``failed`` or a run's ``checked`` mark)."""
        with self.connect() as con:
            con.execute(
                "INSERT INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    project_id,
                    event,
                    as_of,
                    channel,
                    dt.datetime.now().replace(microsecond=0),
                    payload_sha256,
                    status,
                    detail,
                ],
            )

    def notification_log(self, channel: str | None = None) -> pd.DataFrame:
        """Every notification outcome (of one channel), oldest first."""
        return self._read(
            "SELECT * FROM notifications WHERE ($channel IS NULL OR channel = $channel) AND $all ORDER BY sent_at, as_of",
            {"channel": channel, "all": self.scope.unrestricted},
        )

    def previous_as_of(self, before: dt.date) -> dt.date | None:
        """The newest snapshot date (any source but the register) strictly before ``before``."""
        rows = self._read(
            "SELECT max(u.as_of) AS d FROM uploads u JOIN upload_projects p USING (upload_id) WHERE u.source <> "
            "'register' AND u.as_of < $before AND ($projects IS NULL OR list_contains($projects, p.project_id))",
            {"before": before, "projects": self._visible()},
        )
        value = rows.d.iloc[0]
        return None if pd.isna(value) else pd.Timestamp(value).date()

    # -- PM status reports -------------------------------------------------------------------

    STATUS_FIELDS = (
        "project_id",
        "as_of",
        "author",
        "rag",
        "rag_reason",
        "summary",
        "accomplishments",
        "next_steps",
        "asks",
        "computed_status",
    )

    def save_status_reports(self, rows: pd.DataFrame | list[dict]) -> int:
        """Store PM status reports (columns of ``STATUS_FIELDS``), all or none; a later report for
        the same project and week supersedes an earlier one on read. Returns the rows stored."""
        frame = pd.DataFrame(rows)
        if frame.empty:
            return 0
        for project_id in frame["project_id"].unique():
            self._deny(self.scope.may_write_project(project_id))
        rows = frame.reindex(columns=list(self.STATUS_FIELDS)).assign(created_at=dt.datetime.now())
        with self.connect() as con:
            con.begin()
            try:
                names = ", ".join([*self.STATUS_FIELDS, "created_at"])
                with _registered(con, "_status", rows):
                    con.execute(f"INSERT INTO status_reports ({names}) SELECT {names} FROM _status")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        return len(rows)

    def status_reports(self, project_ids=None, until: dt.date | None = None) -> pd.DataFrame:
        """Per project and as-of date the latest report written (all dates up to ``until``)."""
        return self._read(
            """SELECT * EXCLUDE (rank) FROM (
                   SELECT *, row_number() OVER (PARTITION BY project_id, as_of ORDER BY created_at DESC) AS rank
                   FROM status_reports
                   WHERE ($until IS NULL OR as_of <= $until)
                     AND ($projects IS NULL OR list_contains($projects, project_id)))
               WHERE rank = 1 ORDER BY project_id, as_of""",
            {"until": until, "projects": self._visible(project_ids, "status_reports")},
        )

    # -- reads -------------------------------------------------------------------------------

    def contract_registers(self, as_of: dt.date | None = None) -> dict[str, pd.DataFrame]:
        """The contract registers in force on ``as_of``: per register (a contracts upload's
        ``project_id`` is its register key), the rows of its latest upload on or before the date —
        ``contracts`` and ``contract_invoices`` frames."""
        return {table: self.snapshot(table, as_of) for table in ("contracts", "contract_invoices")}

    def uploads(self) -> pd.DataFrame:
        """Every stored upload, newest first, with its count of problems by severity."""
        return self._read(
            """SELECT u.upload_id, u.source, u.format, u.file_name, u.project_id, u.as_of, u.loaded_at,
                      u.rows_loaded, u.rows_rejected,
                      count(p.message) FILTER (p.severity = 'error') AS errors,
                      count(p.message) FILTER (p.severity = 'warning') AS warnings,
                      count(p.message) FILTER (p.severity = 'info') AS notes,
                      u.sha256, u.meta, u.uploaded_by
               FROM uploads u LEFT JOIN problems p USING (upload_id)
               WHERE $projects IS NULL OR u.uploaded_by = $user OR u.upload_id IN (
                   SELECT upload_id FROM upload_projects WHERE list_contains($projects, project_id))
               GROUP BY ALL ORDER BY u.loaded_at DESC, u.upload_id DESC""",
            {"projects": self._visible(), "user": self.scope.user},
            clip=False,  # the dates as stored: a far-future upload must be recognisable to delete it
        )

    def problems(self, upload_id: int) -> pd.DataFrame:
        if self._visible() is not None and upload_id not in set(self.uploads().upload_id):
            raise AccessDenied(f"{self.scope.user} ({self.scope.role}) cannot see upload {upload_id}.")
        return self._read(
            "SELECT row_number, column_name, value, severity, message FROM problems WHERE upload_id = ? "
            "ORDER BY CASE severity WHEN 'error' THEN 0 WHEN 'warning' THEN 1 ELSE 2 END, row_number",
            [upload_id],
        )

    def data_version(self) -> str:
        """Changes whenever an upload is stored or deleted: a cache key for the pages."""
        rows = self._read("SELECT count(*) AS n, coalesce(max(upload_id), 0) AS m FROM uploads")
        return f"{rows.n.iloc[0]}-{rows.m.iloc[0]}"

    def reads_version(self, as_of: dt.date | None = None, sources=None, project_ids=None) -> str:
        """A cache key for what a read depends on: the uploads of ``sources`` (all when None) for
        ``project_ids`` (all in scope when None) with an as-of date on or before ``as_of``. It
        changes when such an upload is stored or deleted, and only then: a new snapshot of another
        project, another source or a later date leaves it unchanged (:meth:`data_version` changes
        on every upload)."""
        rows = self._read(
            """SELECT count(DISTINCT u.upload_id) AS n,
                      coalesce(md5(string_agg(DISTINCT u.upload_id::VARCHAR, ',' ORDER BY u.upload_id::VARCHAR)), '')
                          AS digest
               FROM uploads u LEFT JOIN upload_projects p USING (upload_id)
               WHERE ($sources IS NULL OR list_contains($sources, u.source))
                 AND ($as_of IS NULL OR u.as_of IS NULL OR u.as_of <= $as_of)
                 AND ($wanted IS NULL OR list_contains($wanted, p.project_id))
                 AND ($projects IS NULL OR list_contains($projects, p.project_id))""",
            {
                "sources": _as_list(sources),
                "as_of": as_of,
                "wanted": _as_list(project_ids),
                "projects": self._visible(project_ids),
            },
        )
        return f"{rows.n.iloc[0]}-{rows.digest.iloc[0][:16]}"

    def project_versions(self, as_of: dt.date | None = None) -> dict[str, str]:
        """Per project in scope, a key of the uploads that name it (its snapshots of any source, the
        registers and finance workbooks that list it) dated on or before ``as_of`` (any date when
        None): it changes when such an upload is stored or deleted, and only then. A computation
        per project as of that date (a portfolio health row) kept under it stays valid while other
        projects, or later dates, change."""
        rows = self._read(
            """WITH named AS (SELECT project_id, upload_id FROM upload_projects
                              UNION SELECT project_id, upload_id FROM projects)
               SELECT n.project_id, md5(string_agg(n.upload_id::VARCHAR, ',' ORDER BY n.upload_id)) AS digest
               FROM named n JOIN uploads u USING (upload_id)
               WHERE ($as_of IS NULL OR u.as_of IS NULL OR u.as_of <= $as_of)
                 AND ($projects IS NULL OR list_contains($projects, n.project_id))
               GROUP BY n.project_id""",
            {"as_of": as_of, "projects": self._visible()},
        )
        return dict(zip(rows.project_id, rows.digest, strict=True))

    def latest_as_of(self, include_register: bool = False, not_after: dt.date | None = None) -> dt.date | None:
        """The newest as-of date of a progress snapshot (registers only with ``include_register``),
        of those on or before ``not_after`` when given."""
        rows = self._read(
            "SELECT max(u.as_of) AS d FROM uploads u JOIN upload_projects p USING (upload_id) WHERE (u.source <> "
            "'register' OR $register) AND ($projects IS NULL OR list_contains($projects, p.project_id)) "
            "AND ($not_after IS NULL OR u.as_of <= $not_after)",
            {"projects": self._visible(), "register": include_register, "not_after": not_after},
            clip=False,
        )
        value = rows.d.iloc[0]
        return None if pd.isna(value) else pd.Timestamp(value).date()

    def default_as_of(self, today: dt.date) -> dt.date | None:
        """The as-of date pages and CLIs start from: the newest snapshot on or before
        ``today + AS_OF_MARGIN`` (with only a register, the register's), so one upload dated
        9999-12-31 does not become everybody's default; ``today + AS_OF_MARGIN`` when every
        snapshot is later than that; None when nothing is stored."""
        limit = clamp_as_of(None, today)
        found = self.latest_as_of(not_after=limit) or self.latest_as_of(include_register=True, not_after=limit)
        if found is None and self.latest_as_of(include_register=True) is not None:
            return limit
        return found

    def snapshot_uploads(
        self, source: str | tuple[str, ...], as_of: dt.date | None = None, project_ids=None
    ) -> pd.DataFrame:
        """Per project, the latest upload of ``source`` (or of any of several sources) on or before
        ``as_of`` (all dates if None). Latest = greatest as-of date, then the most recently loaded."""
        return self._read(
            f"{_LATEST} SELECT l.project_id, l.upload_id, u.as_of FROM latest l JOIN uploads u USING (upload_id) "
            "ORDER BY l.project_id",
            {"sources": _as_list(source), "as_of": as_of, "projects": self._visible(project_ids)},
        )

    def latest_snapshots(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Per project and source, the as-of date of its latest snapshot on or before ``as_of`` and
        how many snapshots it has up to then: columns project_id, source, as_of, snapshots. Contract
        registers and people files are not project snapshots (their keys name files, like in
        :meth:`projects`)."""
        return self._read(
            """SELECT p.project_id, u.source, max(u.as_of) AS as_of, count(DISTINCT u.as_of) AS snapshots
               FROM uploads u JOIN upload_projects p USING (upload_id)
               WHERE u.source <> 'register' AND ($as_of IS NULL OR u.as_of <= $as_of)
                 AND u.source NOT IN ('contracts', 'resources') AND p.project_id <> ''  -- their keys name files
                 AND ($projects IS NULL OR list_contains($projects, p.project_id))
               GROUP BY ALL ORDER BY ALL""",
            {"as_of": as_of, "projects": self._visible()},
        )

    def snapshot(self, table: str, as_of: dt.date | None = None, project_ids=None) -> pd.DataFrame:
        """Rows of ``table`` from, per project, the latest snapshot on or before ``as_of``;
        with a ``snapshot_as_of`` column telling which snapshot each row came from.
        ``budget_lines`` are snapshots by period (:meth:`finance_lines`)."""
        if table == "budget_lines":
            return self.finance_lines(as_of, project_ids)
        return self._read(
            f"""{_LATEST}
                SELECT t.* EXCLUDE (_pos), u.as_of AS snapshot_as_of
                FROM {table} t JOIN latest USING (upload_id, project_id) JOIN uploads u USING (upload_id)
                ORDER BY t.upload_id, t._pos""",
            {"sources": list(_sources_of(table)), "as_of": as_of, "projects": self._visible(project_ids, table)},
        )

    def finance_lines(self, as_of: dt.date | None = None, project_ids=None) -> pd.DataFrame:
        """Finance snapshots by period: per project and period (month), the rows of the latest
        finance upload on or before ``as_of`` that holds that period (latest = greatest as-of
        date, then the most recently loaded). A one-month correction replaces that month only;
        the other months keep the upload they came from. ``snapshot_as_of`` per row."""
        return self._read(
            f"""{_PERIOD_WINNERS}
                SELECT b.* EXCLUDE (_pos), u.as_of AS snapshot_as_of
                FROM budget_lines b
                SEMI JOIN winners w ON w.upload_id = b.upload_id AND w.project_id = b.project_id
                     AND coalesce(w.period, {_NO_PERIOD}) = coalesce(b.period, {_NO_PERIOD})
                JOIN uploads u ON u.upload_id = b.upload_id
                ORDER BY b.project_id, b.period, b.row_number, b.upload_id, b._pos""",
            {"as_of": as_of, "projects": self._visible(project_ids, "budget_lines"), "exclude": None},
        )

    def superseded_periods(self, upload_id: int) -> pd.DataFrame:
        """What a finance upload replaced: per project and period it holds, the upload that held
        that period just before it (as of the upload's own date, without it). Columns
        project_id, period, replaced_upload_id; empty when it replaced nothing."""
        return self._read(
            f"""WITH mine AS (SELECT DISTINCT project_id, period FROM budget_lines WHERE upload_id = $upload),
                     me AS (SELECT as_of, loaded_at FROM uploads WHERE upload_id = $upload),
                {_PERIOD_WINNERS.removeprefix("WITH ")}
                SELECT w.project_id, w.period, w.upload_id AS replaced_upload_id
                FROM winners w JOIN mine m ON m.project_id = w.project_id
                     AND coalesce(m.period, {_NO_PERIOD}) = coalesce(w.period, {_NO_PERIOD})
                WHERE EXISTS (SELECT 1 FROM uploads u, me WHERE u.upload_id = w.upload_id
                              AND (u.as_of, u.loaded_at, u.upload_id) < (me.as_of, me.loaded_at, $upload))
                ORDER BY ALL""",
            {
                "upload": upload_id,
                "as_of": pd.Timestamp(
                    self._read("SELECT as_of FROM uploads WHERE upload_id = ?", [upload_id]).as_of.iloc[0]
                ).date(),
                "projects": None,
                "exclude": upload_id,
            },
        )

    def history(self, table: str, project_id: str, until: dt.date | None = None) -> pd.DataFrame:
        """Rows of ``table`` from every snapshot of one project up to ``until``, one snapshot per
        as-of date (the latest loaded wins), with ``snapshot_as_of``."""
        return self._read(
            f"""WITH snaps AS (
                    SELECT u.as_of, arg_max(u.upload_id, (u.loaded_at, u.upload_id)) AS upload_id
                    FROM uploads u JOIN upload_projects p USING (upload_id)
                    WHERE list_contains($sources, u.source) AND p.project_id = $project
                      AND ($until IS NULL OR u.as_of <= $until)
                      AND ($projects IS NULL OR list_contains($projects, p.project_id))
                    GROUP BY u.as_of)
                SELECT t.* EXCLUDE (_pos), s.as_of AS snapshot_as_of
                FROM {table} t JOIN snaps s USING (upload_id)
                WHERE t.project_id = $project ORDER BY s.as_of, t._pos""",
            {
                "sources": list(_sources_of(table)),
                "project": project_id,
                "until": until,
                "projects": self._visible([project_id], table),
            },
        )

    def histories(self, table: str, project_ids, until: dt.date | None = None) -> pd.DataFrame:
        """:meth:`history` of several projects in one query: rows of ``table`` from every snapshot
        of each of ``project_ids`` up to ``until``, one snapshot per project and as-of date (the
        latest loaded wins), with ``snapshot_as_of``; ordered by project, then as-of date."""
        return self._read(
            f"""WITH snaps AS (
                    SELECT p.project_id, u.as_of, arg_max(u.upload_id, (u.loaded_at, u.upload_id)) AS upload_id
                    FROM uploads u JOIN upload_projects p USING (upload_id)
                    WHERE list_contains($sources, u.source) AND list_contains($wanted, p.project_id)
                      AND ($until IS NULL OR u.as_of <= $until)
                      AND ($projects IS NULL OR list_contains($projects, p.project_id))
                    GROUP BY ALL)
                SELECT t.* EXCLUDE (_pos), s.as_of AS snapshot_as_of
                FROM {table} t JOIN snaps s USING (upload_id, project_id)
                ORDER BY t.project_id, s.as_of, t._pos""",
            {
                "sources": list(_sources_of(table)),
                "wanted": [str(p) for p in project_ids],
                "until": until,
                "projects": self._visible(list(project_ids), table),
            },
        )

    # -- summaries computed at ingest (metrics.evm_points) ------------------------------------

    def plan_rows(self, table: str, upload_ids) -> pd.DataFrame:
        """Rows of a plan table (``tasks``, ``timephased_baseline``) of the given uploads, as
        :meth:`history` returns them (with ``snapshot_as_of``), ordered by upload and file order."""
        return self._read(
            f"""SELECT t.* EXCLUDE (_pos), u.as_of AS snapshot_as_of
                FROM {table} t JOIN uploads u USING (upload_id)
                WHERE list_contains($ids, t.upload_id)
                  AND ($projects IS NULL OR list_contains($projects, t.project_id))
                ORDER BY t.upload_id, t._pos""",
            {"ids": [int(i) for i in upload_ids], "projects": self._visible(None, table)},
        )

    def upload_meta(self, upload_ids) -> dict[int, dict]:
        """The loader's ``meta`` of each of the given uploads (a plan's calendar, status time...)."""
        rows = self._read(
            "SELECT upload_id, meta FROM uploads WHERE list_contains($ids, upload_id)",
            {"ids": [int(i) for i in upload_ids]},
        )
        return {int(r.upload_id): json.loads(r.meta) if r.meta else {} for r in rows.itertuples()}

    def evm_points(
        self, version: int, project_ids=None, until: dt.date | None = None, latest: bool = False
    ) -> pd.DataFrame:
        """The stored EVM points (formula ``version``) of the plan snapshots a read sees: per project
        and as-of date up to ``until`` the snapshot :meth:`history` reads (the latest loaded wins),
        or with ``latest`` only each project's latest one (the snapshot :meth:`snapshot` reads).
        Columns project_id, upload_id, snapshot_as_of, ``stored`` (False: no point of that version
        yet, its columns NULL), then the point's columns; ordered by project and date."""
        return self._read(
            f"""WITH snaps AS (
                    SELECT p.project_id, u.as_of, arg_max(u.upload_id, (u.loaded_at, u.upload_id)) AS upload_id
                    FROM uploads u JOIN upload_projects p USING (upload_id)
                    WHERE u.source = 'msproject' AND ($wanted IS NULL OR list_contains($wanted, p.project_id))
                      AND ($until IS NULL OR u.as_of <= $until)
                      AND ($projects IS NULL OR list_contains($projects, p.project_id))
                    GROUP BY p.project_id, u.as_of),
                chosen AS (SELECT * FROM snaps
                           {"QUALIFY row_number() OVER (PARTITION BY project_id ORDER BY as_of DESC) = 1" if latest else ""})
                SELECT s.project_id, s.upload_id, s.as_of AS snapshot_as_of, e.upload_id IS NOT NULL AS stored,
                       e.* EXCLUDE (upload_id, project_id, version)
                FROM chosen s LEFT JOIN evm_points e
                     ON e.upload_id = s.upload_id AND e.project_id = s.project_id AND e.version = $version
                ORDER BY s.project_id, s.as_of""",
            {
                "version": version,
                "wanted": _as_list(project_ids),
                "until": until,
                "projects": self._visible(project_ids, "tasks"),
            },
        )

    def plan_uploads_without_points(self, version: int) -> list[int]:
        """Plan uploads that hold no EVM point of formula ``version`` (stored before it existed)."""
        rows = self._read(
            """SELECT upload_id FROM uploads WHERE source = 'msproject'
               AND upload_id NOT IN (SELECT upload_id FROM evm_points WHERE version = $version) ORDER BY upload_id""",
            {"version": version},
        )
        return [int(i) for i in rows.upload_id]

    def save_evm_points(self, points: pd.DataFrame, *, replace_all: bool = False) -> int:
        """Store EVM points (one row per upload, project and version; a point stored again replaces
        it). ``replace_all`` first forgets every stored point (a rebuild after a formula change)."""
        self._deny(self.scope.may_administer() if replace_all else None)
        with self.connect() as con:
            con.begin()
            try:
                if replace_all:
                    con.execute("DELETE FROM evm_points")
                if not points.empty:
                    with _registered(con, "_points", points):
                        con.execute("INSERT OR REPLACE INTO evm_points BY NAME SELECT * FROM _points")
                con.commit()
            except BaseException:
                con.rollback()
                raise
        return len(points)

    # -- publishing for readers on other machines ----------------------------------------------

    def publish(self, out_dir: str | os.PathLike) -> dict[str, int]:
        """Write a consistent read-only publication of the database into ``out_dir``:
        ``parquet/<table>.parquet`` for every table (DuckDB ``COPY ... (FORMAT parquet)``) and
        ``portfolio.duckdb``, a copy of the file for app replicas (``PMO_DB=...`` with
        ``PMO_DB_READ_ONLY=1``). Everything is written from one connection (nothing is stored
        meanwhile) into a new folder that then replaces ``out_dir`` (readers never see half of
        it). Unscoped: the PMO publishes everything. Returns table -> rows."""
        if not self.scope.unrestricted:
            raise AccessDenied(f"{self.scope.user} ({self.scope.role}): only the PMO publishes the database.")
        out = Path(out_dir)
        out.parent.mkdir(parents=True, exist_ok=True)
        building = out.with_name(f"{out.name}.building-{os.getpid()}")
        shutil.rmtree(building, ignore_errors=True)
        (building / "parquet").mkdir(parents=True)
        counts: dict[str, int] = {}
        with self.batch(), self.connect() as con:
            stored = con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
                "AND schema_name = 'main' ORDER BY table_name"
            ).fetchall()
            internal = {f"{t}_{part}" for t in SNAPSHOT_TABLES for part in ("rows", "members")}
            for table in sorted({r[0] for r in stored} - internal | set(SNAPSHOT_TABLES)):
                target = building / "parquet" / f"{table}.parquet"
                # snapshot tables as readers know them (every upload's rows, in order), not their shared storage
                select = (
                    f"SELECT * EXCLUDE (_pos) FROM {table} ORDER BY upload_id, _pos"
                    if table in SNAPSHOT_TABLES
                    else f"SELECT * FROM {_quote(table)}"
                )
                con.execute(f"COPY ({select}) TO '{_sql_path(target)}' (FORMAT parquet)")
                counts[table] = con.execute(f"SELECT count(*) FROM {_quote(table)}").fetchone()[0]
            con.execute(f"ATTACH '{_sql_path(building / 'portfolio.duckdb')}' AS published")
            try:
                con.execute(f"COPY FROM DATABASE {_sql_ident(con)} TO published")
            finally:
                con.execute("DETACH published")
        old = out.with_name(f"{out.name}.old-{os.getpid()}")
        if out.exists():
            os.replace(out, old)
        os.replace(building, out)
        shutil.rmtree(old, ignore_errors=True)
        return counts

    # -- people and capacity (DESIGN.md §9) ----------------------------------------------------

    def plan_assignments(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """MS Project assignments of every project's latest plan on or before ``as_of``, dated by
        their task where the export gave none, with the resource's max units and the plan's
        calendar hours per week (``minutes_per_week`` of the upload, 2400 = 40 h when absent).
        Plans without an assignment table give one row per name in a leaf task's Resource Names
        (``Ana Silva,Ben Carter[50%]``) with ``resource_names`` set and ``work_hours`` empty."""
        return self._read(
            f"""{_LATEST},
                meta AS (SELECT l.upload_id, l.project_id,
                                coalesce(TRY_CAST(json_extract(u.meta, '$.minutes_per_week') AS DOUBLE), 2400) / 60
                                    AS hours_per_week
                         FROM latest l JOIN uploads u USING (upload_id)),
                res AS (SELECT upload_id, lower(trim(name)) AS key, max(max_units) AS max_units,
                               any_value("group") AS team
                        FROM resources WHERE upload_id IN (SELECT upload_id FROM latest) GROUP BY ALL),
                asg AS (SELECT a.project_id, a.upload_id, a.task_uid, coalesce(a.task_name, t.name) AS task_name,
                               a.resource_name, a.units, a.work_hours, coalesce(a.start, t.start) AS start,
                               coalesce(a.finish, t.finish) AS finish, NULL::VARCHAR AS resource_names
                        FROM assignments a JOIN meta m USING (upload_id, project_id)
                        LEFT JOIN tasks t ON t.upload_id = a.upload_id AND t.task_uid = a.task_uid),
                named AS (SELECT t.project_id, t.upload_id, t.task_uid, t.name AS task_name, NULL AS resource_name,
                                 NULL::DOUBLE AS units, NULL::DOUBLE AS work_hours, t.start, t.finish, t.resource_names
                          FROM tasks t JOIN meta m USING (upload_id, project_id)
                          WHERE NOT coalesce(t.is_summary, false) AND coalesce(t.resource_names, '') <> ''
                            AND t.upload_id NOT IN (SELECT upload_id FROM assignments))
            SELECT x.*, m.hours_per_week, r.max_units, r.team, u.as_of AS snapshot_as_of
            FROM (SELECT * FROM asg UNION ALL SELECT * FROM named) x
            JOIN meta m USING (upload_id, project_id) JOIN uploads u USING (upload_id)
            LEFT JOIN res r ON r.upload_id = x.upload_id AND r.key = lower(trim(x.resource_name))
            ORDER BY x.project_id, x.task_uid, x.resource_name""",
            {"sources": ["msproject"], "as_of": as_of, "projects": self._visible(None, "assignments")},
        )

    def plan_resources(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Work resources of every project's latest plan on or before ``as_of``: name, max units,
        group, with the plan's calendar hours per week."""
        return self._read(
            f"""{_LATEST}
            SELECT r.project_id, r.name, r.type, r.max_units, r."group" AS team,
                   coalesce(TRY_CAST(json_extract(u.meta, '$.minutes_per_week') AS DOUBLE), 2400) / 60
                       AS hours_per_week
            FROM resources r JOIN latest USING (upload_id, project_id) JOIN uploads u USING (upload_id)
            WHERE r.name IS NOT NULL AND coalesce(lower(r.type), 'work') IN ('work', '1')""",
            {"sources": ["msproject"], "as_of": as_of, "projects": self._visible(None, "resources")},
        )

    def capacity_plan(self, as_of: dt.date | None = None) -> pd.DataFrame:
        """Capacity rows on or before ``as_of``: for each person (else role, else team) and period,
        the rows of the newest upload that mentions it, so a new plan for one team supersedes that
        team's old plan and leaves the others alone."""
        return self._read(
            """SELECT c.* EXCLUDE (upload_id, _pos), u.as_of AS snapshot_as_of, u.file_name
               FROM capacity c JOIN uploads u USING (upload_id)
               WHERE u.source = 'resources' AND ($as_of IS NULL OR u.as_of <= $as_of) AND $people
               QUALIFY dense_rank() OVER (
                   PARTITION BY lower(coalesce(c.resource, '')), lower(coalesce(c.role, '')),
                                lower(coalesce(c.team, '')), c.period_start
                   ORDER BY u.as_of DESC, u.loaded_at DESC, c.upload_id DESC) = 1
               ORDER BY c.team, c.role, c.resource, c.period_start""",
            {"as_of": as_of, "people": self.scope.unrestricted},
        )

    def risk_history(self, until: dt.date | None = None, project_ids=None) -> pd.DataFrame:
        """Rows of ``risks`` from every risk-register snapshot of every project up to ``until``,
        one snapshot per project and as-of date (the latest loaded wins), with ``snapshot_as_of``."""
        return self._read(
            """WITH snaps AS (
                   SELECT p.project_id, u.as_of, arg_max(u.upload_id, (u.loaded_at, u.upload_id)) AS upload_id
                   FROM uploads u JOIN upload_projects p USING (upload_id)
                   WHERE u.source = 'risk' AND ($until IS NULL OR u.as_of <= $until)
                     AND ($projects IS NULL OR list_contains($projects, p.project_id))
                   GROUP BY ALL)
               SELECT r.* EXCLUDE (_pos), s.as_of AS snapshot_as_of
               FROM risks r JOIN snaps s USING (upload_id, project_id)
               ORDER BY r.project_id, s.as_of, r.row_number, r._pos""",
            {"until": until, "projects": self._visible(project_ids, "risks")},
        )

    def issue_history_of_types(self, types, until: dt.date | None = None, project_ids=None) -> pd.DataFrame:
        """Jira issues whose type is one of ``types`` (case-insensitive), from every Jira snapshot
        of every project up to ``until`` (one per project and as-of date), with ``snapshot_as_of``."""
        return self._read(
            """WITH snaps AS (
                   SELECT p.project_id, u.as_of, arg_max(u.upload_id, (u.loaded_at, u.upload_id)) AS upload_id
                   FROM uploads u JOIN upload_projects p USING (upload_id)
                   WHERE u.source = 'jira' AND ($until IS NULL OR u.as_of <= $until)
                     AND ($projects IS NULL OR list_contains($projects, p.project_id))
                   GROUP BY ALL)
               SELECT i.upload_id, i.project_id, i.issue_key, i.issue_type, i.summary, i.status,
                      i.status_category, i.priority, i.assignee, i.created, i.due, i.resolved, i.labels,
                      i.components, s.as_of AS snapshot_as_of
               FROM issues i JOIN snaps s USING (upload_id, project_id)
               WHERE list_contains($types, lower(i.issue_type))
               ORDER BY i.project_id, s.as_of, i.issue_key""",
            {"types": [t.lower() for t in types], "until": until, "projects": self._visible(project_ids, "issues")},
        )

    def plan_meta(self, project_id: str, until: dt.date | None = None) -> dict[dt.date, dict]:
        """Per as-of date of one project's MS Project snapshots up to ``until`` (the latest loaded
        wins, as in :meth:`history`), the loader's ``meta`` of that upload: the file's calendar,
        status date and time, project summary task totals."""
        rows = self._read(
            """SELECT u.as_of, arg_max(u.meta, (u.loaded_at, u.upload_id)) AS meta
               FROM uploads u JOIN upload_projects p USING (upload_id)
               WHERE u.source = 'msproject' AND p.project_id = $project AND ($until IS NULL OR u.as_of <= $until)
                 AND ($projects IS NULL OR list_contains($projects, p.project_id))
               GROUP BY u.as_of ORDER BY u.as_of""",
            {"project": project_id, "until": until, "projects": self._visible([project_id], "tasks")},
        )
        return {pd.Timestamp(r.as_of).date(): json.loads(r.meta) if r.meta else {} for r in rows.itertuples()}

    def projects(self) -> pd.DataFrame:
        """Every known project: the latest register row, else what the first plan, Jira export
        or finance workbook that mentioned it said (``registered`` tells which); a project only
        an upload's rows name (a finance workbook's lines) is listed with its id as its name."""
        return self._read(
            """WITH ranked AS (
                   SELECT p.* EXCLUDE (_pos), u.source = 'register' AS registered,
                          row_number() OVER (PARTITION BY p.project_id ORDER BY (u.source = 'register') DESC,
                              CASE WHEN u.source = 'register' THEN -epoch(u.loaded_at) ELSE epoch(u.loaded_at) END,
                              p.upload_id DESC) AS rank
                   FROM projects p JOIN uploads u USING (upload_id)
                   WHERE $projects IS NULL OR list_contains($projects, p.project_id)),
               named AS (SELECT * EXCLUDE (rank, upload_id) FROM ranked WHERE rank = 1)
               SELECT * FROM (
                   SELECT * FROM named
                   UNION ALL BY NAME
                   SELECT DISTINCT up.project_id, up.project_id AS name, false AS registered
                   FROM upload_projects up JOIN uploads u USING (upload_id)
                   WHERE up.project_id NOT IN (SELECT project_id FROM named) AND up.project_id <> ''
                     AND u.source NOT IN ('contracts', 'resources')  -- their keys name files, not projects
                     AND ($projects IS NULL OR list_contains($projects, up.project_id)))
               ORDER BY project_id""",
            {"projects": self._visible()},
        )

    def sprint_calendar(self, project_id: str | None = None) -> pd.DataFrame:
        """The stored sprint calendar (project_id, sprint, start, finish, goal, origin) of one project,
        or of every project in scope."""
        return self._read(
            "SELECT project_id, sprint, start, finish, goal, origin FROM sprints "
            "WHERE ($project IS NULL OR project_id = $project) "
            "AND ($projects IS NULL OR list_contains($projects, project_id)) ORDER BY project_id, start, sprint",
            {"project": project_id, "projects": self._visible(None if project_id is None else [project_id], "issues")},
        )

    def register_managers(self) -> dict[str, str]:
        """Project id -> the register's manager, read without a scope (it decides the scopes)."""
        rows = Store(self.path, lock_timeout=self.lock_timeout, create=self.create)._read(
            "SELECT p.project_id, arg_max(p.manager, u.loaded_at) AS manager FROM projects p JOIN uploads u USING (upload_id) "
            "WHERE u.source = 'register' GROUP BY p.project_id"
        )
        return dict(zip(rows.project_id, rows.manager, strict=True))

    @classmethod
    def for_user(cls, path=None, email: str | None = None, environ=None, *, create: bool = True) -> Store:
        """The store as ``email`` may see it under ``PMO_ROLES`` (open when access is not configured);
        ``create=False``: a missing file raises :class:`DatabaseMissing` on first use."""
        import access

        roles = access.roles_file(environ)
        store = cls(path, create=create)
        if roles is None:
            return store
        try:
            users = access.load_roles(roles)
        except access.AccessError as err:
            raise StoreError(str(err)) from None
        managers = store.register_managers() if Path(store.path).exists() else {}
        return store.as_user(access.scope_for(email, users, managers))


def clamp_as_of(as_of: dt.date | None, today: dt.date) -> dt.date:
    """``as_of`` no later than ``today + AS_OF_MARGIN`` (that limit itself when ``as_of`` is None)."""
    limit = today + AS_OF_MARGIN
    return limit if as_of is None or as_of > limit else as_of


def _clip_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Dates and timestamps outside ``READ_DATE_WINDOW`` set to its nearest end; other values
    unchanged (a column is copied only when one of its values is outside)."""
    low, high = READ_DATE_WINDOW
    for column in frame.columns:
        values = frame[column]
        if not pd.api.types.is_datetime64_any_dtype(values) or values.empty:
            continue
        if getattr(values.dt, "tz", None) is not None:
            continue
        outside = (values < low) | (values > high)
        if outside.any():
            frame[column] = values.clip(low, high).astype("datetime64[us]")
    return frame


def project_for_jira_key(projects: pd.DataFrame, key: str) -> str | None:
    """The registered project (in a ``Store.projects()`` frame) whose ``jira_keys`` (comma or
    semicolon separated) lists ``key``, case-insensitively."""
    for row in projects[projects.registered.fillna(False)].itertuples():
        keys = [k.strip().upper() for k in str(row.jira_keys or "").replace(";", ",").split(",")]
        if key.upper() in keys:
            return row.project_id
    return None


def _sql_path(path: Path) -> str:
    """A file path as a SQL string literal's content (COPY and ATTACH take no bound parameters)."""
    return str(path).replace("'", "''")


def _sql_ident(con: duckdb.DuckDBPyConnection) -> str:
    name = con.execute("SELECT current_database()").fetchone()[0]
    return '"' + name.replace('"', '""') + '"'


def _as_list(values) -> list[str] | None:
    if values is None:
        return None
    return [values] if isinstance(values, str) else list(values)


def _sources_of(table: str) -> tuple[str, ...]:
    """The upload sources whose snapshots hold rows of ``table``: work items come from Jira or
    Asana (a project's latest export of either is its snapshot)."""
    if table in ("issues", "issue_sprints"):
        return WORK_SOURCES
    return (_source_of(table),)


def _source_of(table: str) -> str:
    sources = {
        "tasks": "msproject",
        "task_baselines": "msproject",
        "timephased_baseline": "msproject",
        "resources": "msproject",
        "assignments": "msproject",
        "issues": "jira",
        "issue_sprints": "jira",
        "budget_lines": "finance",
        "risks": "risk",
        "allocations": "resources",
        "capacity": "resources",
        "contracts": "contracts",
        "contract_invoices": "contracts",
    }
    if table not in sources:
        raise ValueError(f"{table} is not a snapshot table")
    return sources[table]


def _in_transaction(con: duckdb.DuckDBPyConnection, work):
    """``work()`` in one transaction: committed when it returns, rolled back when it raises
    (or when it returns a duplicate's ``WriteResult``: nothing was written)."""
    con.begin()
    try:
        result = work()
    except BaseException:
        con.rollback()
        raise
    if isinstance(result, WriteResult) and result.duplicate:
        con.rollback()
    else:
        con.commit()
    return result


def _store_uploads(con: duckdb.DuckDBPyConnection, uploads: list[_Upload], layout) -> None:
    """Write numbered uploads (inside the caller's transaction): their ``uploads`` rows, their
    snapshot rows (one pass per table over all of them, in upload order), projects and problems.
    ``layout``: :func:`_snapshot_layout`."""
    con.executemany(f"INSERT INTO uploads VALUES ({', '.join('?' * len(uploads[0].row))})", [u.row for u in uploads])
    for table in SNAPSHOT_TABLES:
        frames = [(u.upload_id, u.tables[table]) for u in uploads if table in u.tables]
        if frames:
            _insert_snapshot_rows(con, table, frames, layout)
    pairs = [(u.upload_id, p) for u in uploads for p in u.projects]
    if pairs:
        ids, names = zip(*pairs, strict=True)
        con.execute(
            "INSERT INTO upload_projects SELECT unnest(?::BIGINT[]), unnest(?::VARCHAR[])", [list(ids), list(names)]
        )
    for u in uploads:
        if not u.problems.empty:
            _insert(con, "problems", u.problems, u.upload_id)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, upload_id: int) -> None:
    """INSERT the frame's columns (by name) into ``table``, tagging each row with the upload."""
    columns = [c for c in frame.columns if c != "upload_id"]
    known = {r[0] for r in con.execute(f"SELECT column_name FROM (DESCRIBE {table})").fetchall()}
    unknown = set(columns) - known
    if unknown:
        raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
    view = f"_incoming_{table}"
    names = ", ".join(f'"{c}"' for c in columns)
    with _registered(con, view, frame):
        con.execute(f"INSERT INTO {table} (upload_id, {names}) SELECT ?, {names} FROM {view}", [upload_id])


#: DuckDB's scan of a registered pandas frame is not safe while another thread of the process
#: registers one ("Table Function with name pandas_scan does not exist" under two concurrent
#: uploads), so frames are registered, scanned and unregistered one at a time per process.
_SCAN_LOCK = threading.Lock()


@contextlib.contextmanager
def _registered(con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame):
    """``frame`` visible to ``con`` as the view ``name`` for the ``with`` block (one at a time per process)."""
    with _SCAN_LOCK:
        con.register(name, frame)
        try:
            yield
        finally:
            with contextlib.suppress(duckdb.Error):  # in an aborted transaction; the connection closes anyway
                con.unregister(name)


# -- Shared rows (schema 7) ---------------------------------------------------------------------
#
# Every snapshot table ``T`` (``SNAPSHOT_TABLES``) is stored as two tables and read through a view:
#
# * ``T_rows``: each distinct row content once: ``row_id``, ``row_key`` (the MD5 of the row's
#   content as JSON, 128 bits) and the table's columns except ``upload_id`` and ``row_number``;
# * ``T_members``: which rows each upload holds, in the file's order: ``upload_id, pos, row_id``
#   and the row's ``row_number`` in that file (a new Jira issue at the top of an export moves every
#   line number below it: line numbers belong to the upload, not to the content);
# * the view ``T``: the table's columns as before, and ``_pos`` (the row's position in its upload;
#   reads order by it and leave it out).
#
# A weekly export that repeats 95 % of last week's rows stores only the 5 % that changed, plus
# one small membership row per row (upload, position, row id, line: a few bytes compressed). A
# read of "the snapshot as of D" is still one query: the view joins the members of the chosen
# uploads to their rows. Identical content across projects is never shared (``project_id`` is
# part of it). A later migration adds a column with ``add_snapshot_column``; rows stored before
# it keep their keys, so they are shared again from the next upload on.

_PER_UPLOAD = "row_number"  # the one column kept in the members, not in the shared content


def _table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    """(name, type) of a table's or view's columns, in order."""
    return con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _row_key(columns: list[tuple[str, str]]) -> str:
    """SQL for a row's content key: MD5 of its columns as a JSON object (JSON columns as their text,
    so two spellings of the same JSON stay two contents)."""
    fields = ", ".join(f"{_quote(n)} := {_quote(n)}{'::VARCHAR' if k == 'JSON' else ''}" for n, k in columns)
    return f"md5_number(to_json(struct_pack({fields}))::VARCHAR)"


def _create_snapshot_view(con: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> None:
    """The view ``table``: ``columns`` (its columns in order, upload_id first) over members and rows."""
    picked = ", ".join(f"m.{_quote(n)}" if n in ("upload_id", _PER_UPLOAD) else f"r.{_quote(n)}" for n in columns)
    con.execute(
        f"CREATE OR REPLACE VIEW {table} AS SELECT {picked}, m.pos AS _pos "
        f"FROM {table}_members m JOIN {table}_rows r ON r.row_id = m.row_id"
    )


def add_snapshot_column(con: duckdb.DuckDBPyConnection, table: str, column: str, kind: str) -> None:
    """A migration step adding ``column`` (SQL type ``kind``) to snapshot table ``table``."""
    columns = [n for n, _ in _table_columns(con, table) if n != "_pos"]
    con.execute(f"ALTER TABLE {table}_rows ADD COLUMN {_quote(column)} {kind}")
    _create_snapshot_view(con, table, [*columns, column])


def _share_unchanged_rows(con: duckdb.DuckDBPyConnection) -> None:
    """Migration 7: each snapshot table's rows become shared content rows and per-upload members
    (see above), keeping every upload's rows and their order exactly; the old table is dropped."""
    for table in SNAPSHOT_TABLES:
        columns = _table_columns(con, table)
        content = [(n, k) for n, k in columns if n not in ("upload_id", _PER_UPLOAD)]
        defs = ", ".join(f"{_quote(n)} {k}" for n, k in content)
        names = ", ".join(_quote(n) for n, _ in content)
        line = _PER_UPLOAD if any(n == _PER_UPLOAD for n, _ in columns) else "NULL"
        con.execute(f"CREATE TABLE {table}_rows (row_id BIGINT NOT NULL, row_key UHUGEINT NOT NULL, {defs})")
        con.execute(
            f"CREATE TABLE {table}_members (upload_id BIGINT NOT NULL, pos INTEGER NOT NULL, "
            f"row_id BIGINT NOT NULL, {_PER_UPLOAD} INTEGER)"
        )
        con.execute(
            f"CREATE TEMP TABLE _old AS SELECT upload_id, "
            f"(row_number() OVER (PARTITION BY upload_id ORDER BY rowid) - 1)::INTEGER AS pos, "
            f"{line}::INTEGER AS _line, {_row_key(content)} AS row_key, {names} FROM {table}"
        )
        con.execute(
            f"""INSERT INTO {table}_rows
                SELECT row_number() OVER (ORDER BY upload_id, pos), row_key, {names} FROM _old
                QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY upload_id, pos) = 1"""
        )
        con.execute(
            f"INSERT INTO {table}_members SELECT o.upload_id, o.pos, r.row_id, o._line FROM _old o "
            f"JOIN {table}_rows r USING (row_key) ORDER BY o.upload_id, o.pos"
        )
        con.execute("DROP TABLE _old")
        count = con.execute(f"SELECT count(*) FROM {table}_rows").fetchone()[0]
        con.execute(f"CREATE SEQUENCE {table}_row_seq START {count + 1}")
        con.execute(f"DROP TABLE {table}")
        _create_snapshot_view(con, table, [n for n, _ in columns])


def _snapshot_layout(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[list[tuple[str, str]], set[str]]]:
    """For each snapshot table: its shared content columns as (name, type) in order, and the
    names of its view's columns (what a frame may carry). One catalog query for all tables."""
    found = con.execute(
        "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = 'main' AND list_contains(?, table_name) ORDER BY table_name, column_index",
        [[*SNAPSHOT_TABLES, *(f"{t}_rows" for t in SNAPSHOT_TABLES)]],
    ).fetchall()
    content = {t: [] for t in SNAPSHOT_TABLES}
    view = {t: set() for t in SNAPSHOT_TABLES}
    for name, column, kind in found:
        if name in view:
            view[name].add(column)
        elif column not in ("row_id", "row_key"):
            content[name.removesuffix("_rows")].append((column, kind))
    return {t: (content[t], view[t] - {"_pos"}) for t in SNAPSHOT_TABLES}


def _check_columns(layout, tables: dict[str, pd.DataFrame]) -> None:
    """Refuse a frame carrying a column its snapshot table does not have."""
    for table, frame in tables.items():
        unknown = {c for c in frame.columns if c != "upload_id"} - layout[table][1]
        if unknown:
            raise ValueError(f"{table}: unknown columns {sorted(unknown)}")


#: Kinds of Python values in an object column that DuckDB reads the same whichever rows it samples
#: to type the column. Others (datetimes naive or with a time zone, decimals of any scale, integers
#: of any size, mixed) make a frame staged alone.
_SAMPLE_SAFE = ("string", "empty", "date", "floating", "boolean")


def _alike(frames: list[tuple[int, pd.DataFrame]]) -> Iterator[pd.DataFrame]:
    """The frames tagged with ``_upload`` (their upload id) and ``_pos`` (their row positions),
    concatenated where DuckDB reads them exactly as it reads each alone: the same columns of the
    same dtypes and, for object columns, the same one kind of Python value of :data:`_SAMPLE_SAFE`
    (DuckDB types an object column from a sample of its rows)."""
    groups: dict[tuple, list[pd.DataFrame]] = {}
    for upload_id, frame in frames:
        tagged = frame.assign(_upload=upload_id, _pos=range(len(frame)))
        kinds = tuple(
            (name, str(kind), pd.api.types.infer_dtype(tagged[name], skipna=True) if kind.kind == "O" else "")
            for name, kind in tagged.dtypes.items()
        )
        alone = any(k and k not in _SAMPLE_SAFE for _, _, k in kinds)
        groups.setdefault(("alone", upload_id) if alone else kinds, []).append(tagged)
    for group in groups.values():
        yield group[0] if len(group) == 1 else pd.concat(group, ignore_index=True)


def _insert_snapshot_rows(
    con: duckdb.DuckDBPyConnection, table: str, frames: list[tuple[int, pd.DataFrame]], layout
) -> None:
    """Store each (upload id, frame) of ``frames`` as that upload's rows of snapshot table
    ``table``: contents not stored yet become new rows (numbered in upload, then frame order, as
    storing the uploads one by one would), every row becomes a member in its frame's order.
    ``layout`` is :func:`_snapshot_layout`. Each frame is first inserted into a staging table of
    the table's types, so its content key is the stored row's key."""
    columns, _ = layout[table]
    for _, frame in frames:
        _check_columns(layout, {table: frame})
    listed = ", ".join(_quote(n) for n, _ in columns)
    defs = ", ".join(f"{_quote(n)} {k}" for n, k in columns)
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _incoming (upload_id BIGINT, pos INTEGER, {_PER_UPLOAD} INTEGER, {defs})"
    )
    try:
        for group in _alike(frames):
            given = ", ".join(_quote(c) for c in group.columns if c not in ("upload_id", "_upload", "_pos"))
            with _registered(con, f"_incoming_{table}", group):
                con.execute(
                    f"INSERT INTO _incoming (upload_id, pos, {given}) "
                    f"SELECT _upload, _pos, {given} FROM _incoming_{table}"
                )
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE _keyed AS "
            f"SELECT upload_id, pos, {_PER_UPLOAD}, {_row_key(columns)} AS row_key, {listed} FROM _incoming"
        )
        con.execute(
            f"""INSERT INTO {table}_rows
                SELECT nextval('{table}_row_seq'), row_key, {listed}
                FROM (SELECT * FROM _keyed k
                      WHERE NOT EXISTS (SELECT 1 FROM {table}_rows r WHERE r.row_key = k.row_key)
                      QUALIFY row_number() OVER (PARTITION BY row_key ORDER BY upload_id, pos) = 1
                      ORDER BY upload_id, pos)"""
        )
        # one row id per content: two uploads stored at once by two threads may both have added it
        con.execute(
            f"""INSERT INTO {table}_members
                SELECT k.upload_id, k.pos, r.row_id, k.{_PER_UPLOAD} FROM _keyed k
                JOIN (SELECT row_key, min(row_id) AS row_id FROM {table}_rows
                      WHERE row_key IN (SELECT row_key FROM _keyed) GROUP BY row_key) r USING (row_key)
                ORDER BY k.upload_id, k.pos"""
        )
    finally:
        with contextlib.suppress(duckdb.Error):  # in an aborted transaction: the error above is the one to tell
            con.execute("DROP TABLE IF EXISTS _incoming; DROP TABLE IF EXISTS _keyed")


def _delete_uploads(con: duckdb.DuckDBPyConnection, upload_ids: list[int]) -> int:
    """Remove the uploads and every row they brought (inside the caller's transaction); returns
    how many of them existed."""
    found = con.execute("SELECT count(*) FROM uploads WHERE list_contains(?, upload_id)", [upload_ids]).fetchone()[0]
    _delete_snapshot_rows(con, upload_ids)
    for table in _UPLOAD_TABLES:
        con.execute(f"DELETE FROM {table} WHERE list_contains(?, upload_id)", [upload_ids])
    return int(found)


def _delete_snapshot_rows(con: duckdb.DuckDBPyConnection, upload_ids: list[int]) -> None:
    """Forget the uploads' members of every snapshot table, then the rows no upload holds any more."""
    for table in SNAPSHOT_TABLES:
        gone = con.execute(
            f"SELECT DISTINCT row_id FROM {table}_members WHERE list_contains(?, upload_id)", [upload_ids]
        ).fetchall()
        if not gone:
            continue
        con.execute(f"DELETE FROM {table}_members WHERE list_contains(?, upload_id)", [upload_ids])
        con.execute(
            f"DELETE FROM {table}_rows WHERE list_contains($gone, row_id) "
            f"AND row_id NOT IN (SELECT row_id FROM {table}_members WHERE list_contains($gone, row_id))",
            {"gone": [r[0] for r in gone]},
        )


def main(argv: list[str] | None = None) -> int:
    """``python -m store publish --out DIR [--db PATH]``: Parquet files of every table and a
    read-only copy of the database, for replicas and for Spark/Trino (README, "Beyond one machine")."""
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m store", description="Publish the portfolio database.")
    commands = parser.add_subparsers(dest="command", required=True)
    publish = commands.add_parser("publish", help="write Parquet files and a read-only copy into --out")
    publish.add_argument("--out", required=True, type=Path, help="folder to (re)write")
    publish.add_argument("--db", type=Path, default=None, help=f"database (default {DEFAULT_DB})")
    args = parser.parse_args(argv)
    db = Path(args.db or DEFAULT_DB)
    if not db.exists():
        print(f"error: {db} does not exist; ingest files first (python -m loaders ingest ...).", file=sys.stderr)
        return 1
    try:
        counts = Store(db).publish(args.out)
    except (StoreError, OSError, duckdb.Error) as err:
        print(f"error: publishing {db} to {args.out} failed: {err}", file=sys.stderr)
        return 1
    rows = sum(counts.values())
    print(
        f"published {db} to {args.out}: {len(counts)} tables, {rows:,} rows "
        f"({args.out / 'parquet'} and {args.out / 'portfolio.duckdb'})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
