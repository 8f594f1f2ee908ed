"""The one path from a file's bytes to a stored snapshot: detect, parse, resolve, store."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from loaders.base import MAX_UPLOAD_BYTES, LoaderError, Parsed, Problem, Refused, Sample
from loaders.detect import detect, loader_modules
from store import Store, StoreError, project_for_jira_key

MULTI_PROJECT_SOURCES = ("register", "finance", "contracts", "resources")
_DATE_IN_NAME = re.compile(r"(?<!\d)(20\d\d)[-_.]?(0[1-9]|1[0-2])[-_.]?(0[1-9]|[12]\d|3[01])(?!\d)")


@dataclass(frozen=True)
class IngestReport:
    """What happened to one file: ``status`` is stored, duplicate or refused."""

    file_name: str
    status: str
    message: str
    source: str | None = None
    format: str | None = None
    upload_id: int | None = None
    project_id: str | None = None
    as_of: dt.date | None = None
    rows_loaded: int = 0
    rows_rejected: int = 0
    warnings: int = 0
    problems: tuple[Problem, ...] = ()

    @property
    def ok(self) -> bool:
        return self.status != "refused"

    def line(self) -> str:
        """One line for the CLI."""
        if self.status == "refused":
            return f"REFUSED  {self.message}"
        tag = "STORED  " if self.status == "stored" else "SKIPPED "
        return f"{tag} {self.message}"


def slug(text: str) -> str:
    """A project id from free text: ``Customer Portal v2.xml`` -> ``customer-portal-v2``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60] or "project"


def parse_file(data: bytes, file_name: str, source: str | None = None) -> Parsed:
    """Detect the format (or take ``source``) and parse. Raises :class:`Refused`."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise Refused(
            f"{file_name}: the file is {len(data) / 2**20:.0f} MB, over the {MAX_UPLOAD_BYTES // 2**20} MB limit."
        )
    if source:
        candidates = [m for m in loader_modules() if getattr(m, "SOURCE", None) == source]
        if not candidates:
            raise Refused(f"{file_name}: {source} files cannot be loaded yet.")
        sample = Sample(data, file_name)
        module = next((m for m in candidates if m.sniff(sample)), candidates[-1])
    else:
        module = detect(data, file_name)
    try:
        return module.parse(data, file_name)
    except LoaderError:
        raise
    except Exception as err:  # a reader library's own error: still one plain sentence, no traceback
        raise Refused(
            f"{file_name}: the file could not be read as {module.SOURCE} data ({type(err).__name__}: {err})."
        ) from None


def ingest_bytes(
    store: Store,
    data: bytes,
    file_name: str,
    *,
    project_id: str | None = None,
    as_of: dt.date | None = None,
    source: str | None = None,
    today: dt.date | None = None,
) -> IngestReport:
    """Parse and store one file. Never raises for bad input: a refused file changes nothing."""
    file_name = Path(file_name).name
    try:
        parsed = parse_file(data, file_name, source)
    except Refused as err:
        return IngestReport(file_name, "refused", str(err))
    return store_parsed(store, parsed, data, file_name, project_id=project_id, as_of=as_of, today=today)


def store_parsed(
    store: Store,
    parsed: Parsed,
    data: bytes,
    file_name: str,
    *,
    project_id: str | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
) -> IngestReport:
    """Resolve project and as-of date for a parsed file and store it as one snapshot."""
    problems = list(parsed.problems)
    upload_project = None
    known = store.projects()
    if parsed.source not in MULTI_PROJECT_SOURCES:
        upload_project = project_id or _resolve_project(known, parsed, file_name)
    snapshot_date = as_of or parsed.as_of
    if snapshot_date is None and (named := date_in_name(file_name)):
        snapshot_date = named
        problems.append(
            Problem(
                f"the file carries no status date; the date in its name, {named}, was used as its as-of date.", "info"
            )
        )
    if snapshot_date is None:
        snapshot_date = today or dt.date.today()
        problems.append(
            Problem(
                f"the file carries no status date; the upload day {snapshot_date} was used as its as-of date.", "info"
            )
        )
    if parsed.source == "finance" and known.registered.any():
        registered = set(known[known.registered].project_id)
        for pid in sorted(set(parsed.meta.get("project_ids", [])) - registered):
            problems.append(
                Problem(
                    f"project id {pid} is not in the portfolio register; its lines are stored but it has no name, "
                    "program or manager until the register lists it.",
                    "warning",
                    column_name="project_id",
                    value=pid,
                )
            )
    tables = _with_project(parsed.tables, upload_project)
    try:
        if upload_project:  # every upload names its project, so undoing the first one keeps it known
            tables["projects"] = pd.DataFrame(
                [{"project_id": upload_project, "name": parsed.project_name or upload_project}]
            )
        result = store.write_upload(
            source=parsed.source,
            fmt=parsed.format,
            file_name=file_name,
            sha256=hashlib.sha256(data).hexdigest(),
            project_id=upload_project,
            as_of=snapshot_date,
            tables=tables,
            problems=_problem_frame(problems),
            rows_loaded=parsed.rows_loaded,
            rows_rejected=parsed.rows_rejected,
            meta=parsed.meta,
        )
    except StoreError as err:
        return IngestReport(file_name, "refused", f"{file_name}: {err}")
    except (duckdb.Error, ValueError) as err:  # the transaction rolled back: nothing was stored
        return IngestReport(
            file_name, "refused", f"{file_name}: the rows could not be stored ({err}). Nothing was changed."
        )
    where = f" for project {upload_project}" if upload_project else ""
    common = dict(
        source=parsed.source,
        format=parsed.format,
        upload_id=result.upload_id,
        project_id=upload_project,
        as_of=snapshot_date,
        rows_loaded=parsed.rows_loaded,
        rows_rejected=parsed.rows_rejected,
        warnings=sum(p.severity == "warning" for p in problems),
        problems=tuple(problems),
    )
    if result.duplicate:
        return IngestReport(
            file_name,
            "duplicate",
            f"{file_name}: already stored as upload {result.upload_id}{where} as of {snapshot_date}; nothing changed.",
            **common,
        )
    return IngestReport(
        file_name,
        "stored",
        f"{file_name}: {parsed.format}{where} as of {snapshot_date} — {parsed.rows_loaded} rows loaded, "
        f"{parsed.rows_rejected} rejected, {common['warnings']} warnings (upload {result.upload_id}).",
        **common,
    )


def ingest_path(store: Store, path: str | Path, **kwargs) -> IngestReport:
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_UPLOAD_BYTES:
            return IngestReport(
                path.name, "refused", f"{path.name}: the file is {size / 2**20:.0f} MB, over the limit."
            )
        data = path.read_bytes()
    except OSError as err:
        return IngestReport(path.name, "refused", f"{path.name}: cannot be read ({err.strerror}).")
    return ingest_bytes(store, data, path.name, **kwargs)


def _resolve_project(known: pd.DataFrame, parsed: Parsed, file_name: str) -> str:
    """The project an upload belongs to: a Jira project key mapped through the register's
    jira_keys; a plan whose name matches a registered project's name; else the file's own id."""
    if parsed.source == "jira" and parsed.project_id:
        return project_for_jira_key(known, parsed.project_id) or parsed.project_id
    if parsed.project_id:
        return parsed.project_id
    if parsed.project_name and not known.empty:
        match = known[known.name.str.casefold() == parsed.project_name.casefold()]
        if not match.empty:
            return match.project_id.iloc[0]
    if named := project_in_name(known, file_name):
        return named
    if parsed.project_name:
        return slug(parsed.project_name)
    return slug(_DATE_IN_NAME.sub(" ", Path(file_name).stem))


def date_in_name(file_name: str) -> dt.date | None:
    """A date written into a file name as YYYY-MM-DD, YYYY_MM_DD or YYYYMMDD (the last one)."""
    found = None
    for y, m, d in _DATE_IN_NAME.findall(file_name):
        with contextlib.suppress(ValueError):
            found = dt.date(int(y), int(m), int(d))
    return found


def project_in_name(known: pd.DataFrame, file_name: str) -> str | None:
    """The registered project whose id starts the file name (``CRM-UPGRADE_2026-11-20.xlsx``):
    the longest id that is followed by a separator or the end of the name, case-insensitively."""
    stem = Path(file_name).stem.casefold()
    hits = [pid for pid in known.project_id if re.match(re.escape(pid.casefold()) + r"($|[\s_.\-])", stem)]
    return max(hits, key=len) if hits else None


def _with_project(tables: dict[str, pd.DataFrame], project_id: str | None) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in tables.items():
        if "project_id" not in frame.columns:
            frame = frame.assign(project_id=project_id)
        elif project_id is not None:
            frame = frame.assign(project_id=frame["project_id"].fillna(project_id))
        out[name] = frame
    return out


def _problem_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            (p.row_number, p.column_name, None if p.value is None else str(p.value)[:500], p.severity, p.message)
            for p in problems
        ],
        columns=["row_number", "column_name", "value", "severity", "message"],
    ).astype({"row_number": "Int64"})
