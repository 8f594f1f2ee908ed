"""Jira exports -> dated issue snapshots (``issues`` and ``issue_sprints``).

Reads, detected from the bytes (never the extension):

* CSV "all fields" (starts ``Summary,Issue key,…``) and "current fields" (starts ``Issue Type,…``,
  may lack ``Issue key``), UTF-8 with or without BOM or cp1252 (Excel), delimiter sniffed;
* the old "Excel" export: an HTML table named ``.xls``;
* a CSV opened and re-saved by Excel as ``.csv`` (cp1252, ``dd/mm/yyyy HH:MM`` dates, ``;``
  separators) or as ``.xlsx`` (dates as serial numbers).

Headers are read **positionally** and repeated headers are grouped (Sprint ×N, Labels ×N, …; values
left-packed, the last Sprint = the latest). Header names go through :data:`HEADER_ALIASES` (English
old and new names, Spanish, German, French, Polish, Portuguese, whose gendered labels such as
``Atualizado(a)`` lose their ``(a)``/``(o)`` suffix); ``Custom field (…)`` prefixes in
any of those languages are stripped before matching. Story points: several candidate columns can each
be filled for some issues (one export spanning company- and team-managed projects: ``Story Points``
and ``Story point estimate``); per row the most filled column wins, else the next one holding a value,
and rows where the columns disagree are counted in one warning.

The heavy lifting is DuckDB: the CSV is read once with ``read_csv(all_varchar)`` keeping only the
columns this loader maps (rows whose cell count differs from the header are collected with
``store_rejects`` and reported as errors with their row number, never shifted); every conversion is
vectorised SQL over that table — dates through the grammar in :func:`loaders.jira.dates.setup_macros` (a fast
``%d/%b/%y %I:%M %p`` path, then localized month names in en/es/de/fr/pl/pt, 24-hour, AM/PM,
Excel day-first or month-first numbers, ISO, Excel serials), numbers with ``.`` or ``,``, seconds ->
hours, status categories, parent ids -> keys, epic names -> keys, sprint lists. Statuses and issue
types are classified per *distinct* value in Python; the result rows come back as one Arrow table.

Modules, in pipeline order: :mod:`~loaders.jira.headers` (alias tables, header -> field),
:mod:`~loaders.jira.containers` and :mod:`~loaders.jira.csvfile` (bytes -> the raw table),
:mod:`~loaders.jira.cells` and :mod:`~loaders.jira.dates` (SQL over raw cells),
:mod:`~loaders.jira.vocabulary` (statuses, resolutions, issue-type families),
:mod:`~loaders.jira.build` (the named steps raw table -> ``issues``), with
:mod:`~loaders.jira.story_points`, :mod:`~loaders.jira.links` (parents, epics, sub-tasks) and
:mod:`~loaders.jira.statuses` (categories).

Public API: ``SOURCE``, :func:`sniff`, :func:`parse`, :data:`STATUS_CATEGORY_DEFAULTS` (editable
status-name -> category defaults used when the file has no ``Status Category`` column),
:data:`HEADER_ALIASES`, :data:`CATEGORY_VALUES`, :func:`type_kind`, :func:`issue_kind` (stored as
``issues.issue_kind``, one of :data:`ISSUE_KINDS`).
"""

from __future__ import annotations

import os
import re
import tempfile

import duckdb

from loaders.base import Parsed, Refused, Sample
from loaders.generated_at import footer_text, generated_at, use_generated_as_of, without_footer
from loaders.jira import csvfile
from loaders.jira.build import SOURCE, build
from loaders.jira.containers import (
    Raw,
    html_headers_from_text,
    html_rows,
    html_table_head,
    rows_to_raw,
    split_html_multi,
    workbook_rows,
)
from loaders.jira.dates import setup_macros
from loaders.jira.headers import HEADER_ALIASES, column_groups, looks_like_jira
from loaders.jira.vocabulary import CATEGORY_VALUES, ISSUE_KINDS, STATUS_CATEGORY_DEFAULTS, issue_kind, type_kind

__all__ = [
    "CATEGORY_VALUES",
    "HEADER_ALIASES",
    "ISSUE_KINDS",
    "SOURCE",
    "STATUS_CATEGORY_DEFAULTS",
    "issue_kind",
    "parse",
    "sniff",
    "type_kind",
]


# Sizes read at each parse (so a caller or a test can change them on this module)
MAX_LINE_SIZE = 8_000_000  # bytes in one CSV record (long descriptions and comments)
MAX_CSV_BUFFER = 1 << 30  # the CSV reader's buffer for big files: the whole file up to this size
BIG_CSV_BYTES = 16 * MAX_LINE_SIZE  # DuckDB's default buffer; bigger files get MAX_CSV_BUFFER
SMALL_ROWS = 100_000  # below this many rows the typed cells are materialised once (query binding dominates)


def sniff(sample: Sample) -> bool:
    """Jira CSV (any language), Jira HTML "Excel" export, or a workbook whose first row has Jira headers."""
    if sample.is_zip:
        return any(looks_like_jira(row) for row in sample.sheets.values())
    if sample.is_ole2:
        return False
    text = sample.text_head
    if not text:
        return False
    if text.lstrip()[:1] == "<":
        return (
            html_table_head(text)
            and bool(re.search(r"<th[^>]*>", text[:65536], re.IGNORECASE))
            and (looks_like_jira(html_headers_from_text(text)) or "issuetable" in text[:65536].lower())
        )
    header = sample.csv_header
    return bool(header) and looks_like_jira(header)


def _scratch_dir(size: int) -> str | None:
    """Where DuckDB reads the bytes from: RAM-backed /dev/shm when it has room (no disk write-back
    on a busy machine), else the system temp folder."""
    try:
        stats = os.statvfs("/dev/shm")
    except (OSError, AttributeError):
        return None
    return "/dev/shm" if stats.f_bavail * stats.f_frsize > 4 * size + (256 << 20) else None


def parse(data: bytes, file_name: str) -> Parsed:
    """Read a Jira export (CSV, HTML .xls, Excel re-save) into ``issues`` and ``issue_sprints``."""
    sample = Sample(data, file_name)
    with tempfile.TemporaryDirectory(prefix="jira-", dir=_scratch_dir(len(data))) as tmpdir:
        con = duckdb.connect(config={"temp_directory": tmpdir})
        con.execute("SET enable_progress_bar = false; SET arrow_large_buffer_size = true")
        try:
            return _parse(con, sample, file_name, tmpdir)
        finally:
            con.close()


def _parse(con, sample: Sample, file_name: str, tmpdir: str) -> Parsed:
    """The container read into the raw table (only the mapped columns), then :func:`build`."""
    data = sample.data
    meta: dict = {}
    rows, first_row, fmt = None, 2, None
    if sample.is_zip:
        header, rows, first_row, sheet = workbook_rows(data, file_name)
        rows, meta["generated_at"] = without_footer(rows)
        raw = Raw(header, "xlsx")
        raw.excel_resave = True
        meta["sheet"] = sheet
        fmt = "Jira CSV re-saved by Excel (.xlsx)"
    elif sample.is_ole2:
        raise Refused(
            f"{file_name}: this is a binary Excel file. Export CSV (all fields) from Jira and upload it unchanged."
        )
    elif sample.text_head.lstrip()[:1] == "<":
        header, rows, first_row = html_rows(data, file_name)
        header, rows = split_html_multi(header, rows)
        raw = Raw(header, "html", "utf-8")
        fmt = "Jira HTML .xls"
        meta["generated_at"] = generated_at(footer_text(data))
    else:
        raw = csvfile.read_csv(data, file_name, tmpdir)
    groups = column_groups(raw.header)
    keep = sorted({i for idxs in groups.values() for i in idxs})
    if raw.kind == "csv":
        csvfile.load_csv(con, raw, keep, file_name, csvfile.Limits(MAX_LINE_SIZE, BIG_CSV_BYTES, MAX_CSV_BUFFER))
    else:
        rows_to_raw(con, raw, rows, first_row, keep)
    setup_macros(con)
    return use_generated_as_of(build(con, raw, groups, fmt, meta, file_name, small_rows=SMALL_ROWS))
