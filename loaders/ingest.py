"""The one path from a file's bytes to a stored snapshot: detect, parse, resolve, store."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from dataclasses import dataclass, replace
from pathlib import Path

import duckdb
import pandas as pd

from loaders import encoding, precheck, sandbox, tabular, values
from loaders.base import MAX_UPLOAD_BYTES, LoaderError, NeedsMapping, Parsed, Problem, Refused, Sample
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
    replaced: tuple[str, ...] = ()  # finance: "PROJECT Jan–Mar 2026 (upload 7)" per superseded run of months

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


def parse_file(data: bytes, file_name: str, source: str | None = None, mapping: dict | None = None) -> Parsed:
    """Detect the format (or take ``source``) and parse, after the cheap pre-checks
    (:mod:`loaders.precheck`) and in a child process with memory and time limits
    (:mod:`loaders.sandbox`). Raises :class:`Refused` (or its :class:`NeedsMapping` when the loader
    needs to be told which column plays which role). ``mapping`` (role -> column) goes to loaders
    that declare ``ACCEPTS_MAPPING = True``. At most :data:`MAX_PROBLEMS` problems are kept."""
    precheck.check(data, file_name)
    parsed = sandbox.run(parse_in_process, data, file_name, source, mapping, file_name=file_name)
    return cap_problems(parsed)


def parse_in_process(data: bytes, file_name: str, source: str | None = None, mapping: dict | None = None) -> Parsed:
    """:func:`parse_file` in this process, without pre-checks or limits: for trusted files (the demo build)."""
    with tabular.one_workbook_per_file():  # detection and the parse load each sheet once between them
        return _parse_detected(data, file_name, source, mapping)


def _parse_detected(data: bytes, file_name: str, source: str | None, mapping: dict | None) -> Parsed:
    if source:
        candidates = [m for m in loader_modules() if getattr(m, "SOURCE", None) == source]
        if not candidates:
            raise Refused(f"{file_name}: {source} files cannot be loaded yet.")
        sample = Sample(data, file_name)
        module = next((m for m in candidates if m.sniff(sample)), candidates[-1])
    else:
        module = detect(data, file_name)
    try:
        if mapping and getattr(module, "ACCEPTS_MAPPING", False):
            parsed = module.parse(data, file_name, mapping=mapping)
        else:
            parsed = module.parse(data, file_name)
        return checked(parsed, data, file_name)
    except LoaderError:
        raise
    except Exception as err:  # a reader library's own error: still one plain sentence, no traceback
        raise Refused(
            f"{file_name}: the file could not be read as {module.SOURCE} data ({type(err).__name__}: {err})."
        ) from None


def checked(parsed: Parsed, data: bytes, file_name: str) -> Parsed:
    """What every parse ends with, whatever the loader and however it was called: the text file's
    encoding problems first (:func:`text_problems`), the last guard on the values
    (:func:`guard_values`)."""
    parsed.problems[:0] = text_problems(data, file_name, parsed)
    parsed.problems += guard_values(parsed)
    return parsed


def text_problems(data: bytes, file_name: str, parsed: Parsed) -> list[Problem]:
    """What a user should know about a delimited text file's bytes (:mod:`loaders.encoding`): a warning
    naming the lines whose bytes were not UTF-8 and were replaced, a note that a legacy file was read as
    cp1252, a warning for NUL bytes (dropped). Workbooks, XML and HTML carry their own encoding and are
    left out, as are loaders that read the bytes themselves (``meta["encoding_checked"]``)."""
    sample = Sample(data, file_name)
    if parsed.meta.get("encoding_checked") or sample.is_zip or sample.is_ole2:
        return []
    if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<":
        return []
    if len(data) >= QUOTE_CHECK_BYTES and data[:2] not in (b"\xff\xfe", b"\xfe\xff") and encoding.is_valid_utf8(data):
        return [] if b"\x00" not in data else [_nul_problem(data, file_name)]  # a big, clean file: no full decode
    decided = encoding.decide(data)
    if decided.text.lstrip("\ufeff \t\r\n")[:1] == "<":  # XML or HTML in UTF-16
        return []
    out = []
    if said := encoding.describe(decided, file_name):
        out.append(Problem(said[1], said[0]))
    if b'"' in data and len(data) < QUOTE_CHECK_BYTES:
        out += quote_problems(decided.text.replace("\x00", ""))
    if not decided.encoding.startswith("utf-16") and b"\x00" in data:
        out.append(_nul_problem(data, file_name))
    return out


def _nul_problem(data: bytes, file_name: str) -> Problem:
    first = data.count(b"\n", 0, data.index(0)) + 1
    return Problem(
        f"{file_name} holds {data.count(0):,} NUL byte(s) (first on line {first}), which text files do not; they "
        "were removed. The file may be damaged: check that line.",
        "warning",
        first,
    )


def guard_values(parsed: Parsed) -> list[Problem]:
    """The last check before anything is stored, whatever the loader: a number that is not finite or
    over :data:`loaders.values.MAX_MAGNITUDE`, or a date outside :func:`loaders.values.date_window`,
    is left empty, with one warning per table column naming the first row. The loaders refuse these
    cell by cell already; this catches a path that does not (``frames`` are changed in place)."""
    import numpy as np

    lo, hi = values.date_window()
    out = []
    for name, frame in parsed.tables.items():
        if frame is None or frame.empty:
            continue
        for column in list(frame.columns):
            series = frame[column]
            if pd.api.types.is_float_dtype(series.dtype):
                with np.errstate(invalid="ignore"):
                    bad = series.notna() & ~(series.abs() <= values.MAX_MAGNITUDE)
                what = "not finite or over 10^15 in size"
            elif pd.api.types.is_datetime64_any_dtype(series.dtype) and getattr(series.dt, "tz", None) is None:
                bad = series.notna() & ((series < lo) | (series > hi))
                what = f"dated outside {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (set {values.DATE_WINDOW_ENV} to widen)"
            elif series.dtype == object and isinstance(_first_value(series), dt.date):
                stamps = pd.to_datetime(series, errors="coerce")
                bad = stamps.notna() & ((stamps < lo) | (stamps > hi))
                what = f"dated outside {lo:%Y-%m-%d} to {hi:%Y-%m-%d} (set {values.DATE_WINDOW_ENV} to widen)"
            else:
                continue
            bad = bad.to_numpy(bool)
            if not bad.any():
                continue
            first = frame["row_number"].to_numpy()[bad][0] if "row_number" in frame.columns else None
            first = None if first is None or pd.isna(first) else int(first)
            frame.loc[bad, column] = None
            out.append(
                Problem(
                    f"{int(bad.sum()):,} {name} value(s) in {column} are {what}; left empty.", "warning", first, column
                )
            )
    return out


def _first_value(series: pd.Series):
    """The column's first value that is not empty (None when there is none)."""
    values = series.to_numpy()
    filled = pd.notna(values)
    return values[filled.argmax()] if filled.any() else None


#: Delimited files up to this size are checked for stray quotes (a second, Python reading).
QUOTE_CHECK_BYTES = 32 << 20


def quote_problems(text: str) -> list[Problem]:
    """A warning per line whose stray quote :func:`loaders.tabular.read_rows` repaired."""
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    out = []
    for repair in tabular.read_rows(text, tabular.sniff_delimiter(first))[1]:
        if repair.kind == "requoted":
            message = (
                'a stray quote (") does not follow CSV quoting; it was read as part of the text and the row '
                "was loaded (without this, the rows after it would have been read as one cell). Check the row."
            )
        else:
            message = (
                'a quote (") opened on this row is never closed, so every row after it would have been read '
                "as one cell; the row's quotes were ignored so that the rows after it load. Check this row."
            )
        out.append(Problem(message, "warning", repair.line, None, repair.text))
    return out


#: Problems kept per upload; the rest are counted in one last problem.
MAX_PROBLEMS = 2000


def cap_problems(parsed: Parsed, limit: int = MAX_PROBLEMS) -> Parsed:
    """``parsed`` with at most ``limit`` problems: the first ``limit - 1`` as found, then one that
    counts the rest by severity (the row counts are unchanged: every rejected row is still counted)."""
    if len(parsed.problems) <= limit:
        return parsed
    kept, rest = parsed.problems[: limit - 1], parsed.problems[limit - 1 :]
    by_severity: dict[str, int] = {}
    for problem in rest:
        by_severity[problem.severity] = by_severity.get(problem.severity, 0) + 1
    counted = ", ".join(f"{n:,} {severity}" for severity, n in sorted(by_severity.items()))
    worst = "error" if "error" in by_severity else next(iter(sorted(by_severity)))
    summary = Problem(f"{len(rest):,} more problems not listed ({counted}); the first {limit - 1:,} are above.", worst)
    return replace(parsed, problems=[*kept, summary])


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
        parsed = parse_with_saved_mapping(store, data, file_name, source)
    except Refused as err:
        return IngestReport(file_name, "refused", str(err))
    return store_parsed(store, parsed, data, file_name, project_id=project_id, as_of=as_of, today=today)


def parse_with_saved_mapping(
    store: Store, data: bytes, file_name: str, source: str | None = None, mapping: dict | None = None
) -> Parsed:
    """:func:`parse_file`; when the loader needs a column mapping and none is given, the mapping
    saved for a workbook of that shape (``Store.column_mapping``) is used if there is one."""
    try:
        return parse_file(data, file_name, source, mapping)
    except NeedsMapping as err:
        saved = None if mapping else store.column_mapping(err.shape)
        if not saved:
            raise
        return parse_file(data, file_name, source, saved)


@dataclass(frozen=True)
class Preview:
    """What an upload would store, before anything is stored: ``status`` ready, needs_mapping
    (``needs`` says which roles and columns) or refused; the project and as-of date it would get
    and where each came from (``project_id`` None for multi-project sources: from the rows)."""

    file_name: str
    status: str
    message: str
    parsed: Parsed | None = None
    needs: NeedsMapping | None = None
    project_id: str | None = None
    project_from: str = ""
    as_of: dt.date | None = None
    as_of_from: str = ""


def preview_table(preview: Preview) -> pd.DataFrame:
    """What was detected in a previewed file, one row per fact: what, value, where it came from."""
    parsed = preview.parsed
    problems = list(parsed.problems) if parsed else []
    counts = {sev: sum(p.severity == sev for p in problems) for sev in ("error", "warning", "note")}
    counts["note"] = sum(p.severity == "info" for p in problems)
    rows = [
        ("Source", parsed.source if parsed else "—", "the file's contents"),
        ("Format", parsed.format if parsed else "—", "the file's contents"),
        ("Project", preview.project_id or "each row's project_id", preview.project_from),
        ("As-of date", preview.as_of.isoformat() if preview.as_of else "not found: say it below", preview.as_of_from),
        ("Rows", f"{parsed.rows_loaded} read, {parsed.rows_rejected} rejected" if parsed else "—", ""),
        ("Problems", ", ".join(f"{n} {sev}{'s' if n != 1 else ''}" for sev, n in counts.items() if n) or "none", ""),
    ]
    return pd.DataFrame(rows, columns=["what", "value", "from"])


def preview_bytes(
    store: Store, data: bytes, file_name: str, *, source: str | None = None, mapping: dict | None = None
) -> Preview:
    """Parse one file and resolve its project and as-of date without storing anything."""
    file_name = Path(file_name).name
    try:
        parsed = parse_with_saved_mapping(store, data, file_name, source, mapping)
    except NeedsMapping as err:
        return Preview(file_name, "needs_mapping", str(err), needs=err)
    except Refused as err:
        return Preview(file_name, "refused", str(err))
    project, project_from = None, "the project_id of each row"
    if parsed.source not in MULTI_PROJECT_SOURCES:
        project, project_from = resolve_project(store.projects(), parsed, file_name)
    as_of, as_of_from = resolve_as_of(parsed, file_name)
    if as_of is None and parsed.source == "register":
        as_of, as_of_from = dt.date.today(), "the upload day (a register is not a progress snapshot)"
    message = f"{file_name}: {parsed.format}, {parsed.rows_loaded} rows, {parsed.rows_rejected} rejected"
    return Preview(file_name, "ready", message, parsed, None, project, project_from, as_of, as_of_from)


def store_parsed(
    store: Store,
    parsed: Parsed,
    data: bytes,
    file_name: str,
    *,
    project_id: str | None = None,
    as_of: dt.date | None = None,
    today: dt.date | None = None,
    uploaded_by: str | None = None,
    record_point: bool = True,
) -> IngestReport:
    """Resolve project and as-of date for a parsed file and store it as one snapshot
    (``uploaded_by``: who, or ``demo`` for the generated demo portfolio). At most
    :data:`MAX_PROBLEMS` problems are stored (:func:`cap_problems`). A plan's EVM point is
    recorded at once unless ``record_point`` is False (a bulk load records them all at its end,
    :func:`metrics.evm_points.record_missing`). Resolving and writing go through one connection
    (``Store.batch``); the EVM point is computed after it is let go, so readers waiting for the
    file do not wait for the computation too."""
    with store.batch():
        report = _store_parsed(store, parsed, data, file_name, project_id, as_of, today, uploaded_by=uploaded_by)
    if report.status == "stored" and parsed.source == "msproject" and record_point:
        _record_evm_point(store, report.upload_id)
    return report


def _store_parsed(
    store: Store,
    parsed: Parsed,
    data: bytes,
    file_name: str,
    project_id: str | None,
    as_of: dt.date | None,
    today: dt.date | None,
    *,
    uploaded_by: str | None,
) -> IngestReport:
    parsed = cap_problems(parsed)
    problems = list(parsed.problems)
    upload_project = None
    if parsed.source not in MULTI_PROJECT_SOURCES:  # the register is read only when no project id is given
        upload_project = project_id or resolve_project(store.projects(), parsed, file_name)[0]
    snapshot_date, where_from = (as_of, "given") if as_of else resolve_as_of(parsed, file_name)
    if snapshot_date is None and parsed.source == "register":  # a register is not a progress snapshot
        snapshot_date, where_from = today or dt.date.today(), "the upload day"
    if snapshot_date is None:
        return IngestReport(file_name, "refused", f"{file_name}: {NO_DATE}", source=parsed.source, format=parsed.format)
    if where_from in ("the date in the file name", "the upload day"):
        problems.append(
            Problem(
                f"the file carries no status date; {where_from}, {snapshot_date}, was used as its as-of date.", "info"
            )
        )
    if parsed.source == "finance":
        problems += _unregistered(store, parsed)
    tables = _with_project(parsed.tables, upload_project)
    if upload_project:  # every upload names its project, so undoing the first one keeps it known
        tables["projects"] = pd.DataFrame(
            [{"project_id": upload_project, "name": parsed.project_name or upload_project}]
        )
    try:
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
            uploaded_by=uploaded_by,
        )
    except StoreError as err:
        return IngestReport(file_name, "refused", f"{file_name}: {err}")
    except (duckdb.Error, ValueError) as err:  # the transaction rolled back: nothing was stored
        return IngestReport(
            file_name, "refused", f"{file_name}: the rows could not be stored ({err}). Nothing was changed."
        )
    replaced = ()
    if parsed.source == "finance" and not result.duplicate:
        replaced = tuple(replaced_months(store.superseded_periods(result.upload_id)))
    return _stored_report(parsed, file_name, result, upload_project, snapshot_date, problems, replaced)


def _unregistered(store: Store, parsed: Parsed) -> list[Problem]:
    """A warning per project id of a finance file that the portfolio register (when there is one)
    does not list: its lines are stored all the same."""
    known = store.projects()
    if not known.registered.any():
        return []
    registered = set(known[known.registered].project_id)
    return [
        Problem(
            f"project id {pid} is not in the portfolio register; its lines are stored but it has no name, "
            "program or manager until the register lists it.",
            "warning",
            column_name="project_id",
            value=pid,
        )
        for pid in sorted(set(parsed.meta.get("project_ids", [])) - registered)
    ]


def _stored_report(
    parsed: Parsed,
    file_name: str,
    result,
    upload_project: str | None,
    snapshot_date: dt.date,
    problems: list[Problem],
    replaced: tuple[str, ...],
) -> IngestReport:
    """What storing a parsed file did: stored (with its counts and the months it replaces) or a duplicate."""
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
        replaced=replaced,
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
        f"{parsed.rows_rejected} rejected, {common['warnings']} warnings (upload {result.upload_id})."
        + (f" It replaces {'; '.join(replaced)}." if replaced else ""),
        **common,
    )


def _record_evm_point(store: Store, upload_id: int) -> None:
    """The plan snapshot's EVM point, computed once, now (:mod:`metrics.evm_points`). When it
    cannot be stored (the database went busy or read-only meanwhile) the upload still stands:
    reads compute a missing point, and ``python -m metrics rebuild-points`` stores it."""
    from metrics import evm_points

    with contextlib.suppress(StoreError):
        evm_points.record(store, [upload_id])


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


def resolve_project(known: pd.DataFrame, parsed: Parsed, file_name: str) -> tuple[str, str]:
    """(project id, where it came from) for an upload: a Jira project key mapped through the
    register's jira_keys; a plan whose name matches a registered project's name; a registered id
    starting the file name; else an id made from the plan's title or the file name."""
    if parsed.source == "jira" and parsed.project_id:
        mapped = project_for_jira_key(known, parsed.project_id)
        if mapped:
            return mapped, f"Jira key {parsed.project_id} in the register's jira_keys"
        return parsed.project_id, "the Jira project key"
    if parsed.project_id:
        return parsed.project_id, "the file"
    if parsed.project_name and not known.empty:
        match = known[known.name.fillna("").str.casefold() == parsed.project_name.casefold()]
        if not match.empty:
            return match.project_id.iloc[0], "the plan's title matches a registered project's name"
    if named := project_in_name(known, file_name):
        return named, "a registered project id starting the file name"
    if parsed.project_name:
        return slug(parsed.project_name), "made from the plan's title"
    return slug(_DATE_IN_NAME.sub(" ", Path(file_name).stem)), "made from the file name"


NO_DATE = (
    "the file carries no status date and none is in its name; say its as-of date "
    "(--as-of YYYY-MM-DD on the command line, the as-of field of the upload preview). "
    "Nothing was stored."
)
AS_OF_FROM = {
    "msproject": "the plan's status date",
    "jira": "the latest Updated date in the export",
    "finance": "the last month holding actuals",
}


def resolve_as_of(parsed: Parsed, file_name: str) -> tuple[dt.date | None, str]:
    """(as-of date, where it came from): the file's own date (``Parsed.as_of``, which a loader
    takes from the file: a status date, a "Generated at" line, the latest dated row), else a date in
    the file name, else (None, "") — never silently the upload day."""
    if parsed.as_of is not None:
        return parsed.as_of, parsed.meta.get("as_of_source") or AS_OF_FROM.get(parsed.source, "the file")
    if (latest := _latest_dated_row(parsed)) is not None:
        return latest, "the latest dated row (Updated, Resolved or Created)"
    if named := date_in_name(file_name):
        return named, "the date in the file name"
    return None, ""


def _latest_dated_row(parsed: Parsed) -> dt.date | None:
    """The latest Updated/Resolved/Created date of a Jira export's issues (a plan's dates are
    forecasts, not the day it was saved, so only issues count)."""
    issues = parsed.tables.get("issues")
    if issues is None or issues.empty:
        return None
    columns = [c for c in ("updated", "resolved", "created") if c in issues.columns]
    stamps = pd.concat([pd.to_datetime(issues[c], errors="coerce") for c in columns]) if columns else pd.Series()
    latest = stamps.max() if len(stamps) else None
    return None if latest is None or pd.isna(latest) else pd.Timestamp(latest).date()


def replaced_months(superseded: pd.DataFrame) -> list[str]:
    """``Store.superseded_periods`` as sentences' parts: per project and replaced upload, the
    runs of consecutive months, e.g. ``P1 Jan–Mar 2026, May 2026 (upload 7)``."""
    parts = []
    if superseded.empty:
        return parts
    periods = superseded.assign(period=pd.to_datetime(superseded.period).dt.to_period("M"))
    for (project, upload), rows in periods.groupby(["project_id", "replaced_upload_id"], sort=True):
        months = sorted(rows.period.dropna().unique())
        runs: list[list] = []
        for month in months:
            if runs and month.ordinal - runs[-1][-1].ordinal == 1:
                runs[-1].append(month)
            else:
                runs.append([month])
        text = ", ".join(
            f"{r[0]:%b %Y}"
            if len(r) == 1
            else f"{r[0]:%b}–{r[-1]:%b %Y}"
            if r[0].year == r[-1].year
            else f"{r[0]:%b %Y}–{r[-1]:%b %Y}"
            for r in runs
        )
        parts.append(f"{project} {text} (upload {int(upload)})")
    return parts


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
