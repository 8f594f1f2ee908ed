"""The contract every loader follows: bytes in, canonical frames and problems out.

A loader module in this package exposes

    SOURCE: str                                   # msproject | jira | finance | register
    def sniff(sample: Sample) -> bool             # is this file mine? (cheap, from the bytes)
    def parse(data: bytes, file_name: str) -> Parsed

``parse`` never touches the database and never prints. It raises :class:`Refused` when the file
cannot be loaded at all (one or two plain sentences naming the format and what to export
instead) and otherwise returns every row it could read plus a :class:`Problem` for every cell or
row that was not loaded as written.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from loaders.encoding import utf16_without_bom
from loaders.errors import LoaderError, NeedsMapping, Refused
from loaders.tabular import OpenWorkbook, decode, sniff_header

__all__ = ["MAX_UPLOAD_BYTES", "LoaderError", "NeedsMapping", "Parsed", "Problem", "Refused", "Sample"]

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class Problem:
    """One row or cell that was not loaded as written.

    ``row_number`` is the row as the user sees it in the file (the header is row 1 of a CSV or
    sheet; for XML it is the task's position, 1-based). ``severity``: ``error`` = the row was
    rejected, ``warning`` = loaded with a field left empty or changed, ``info`` = noted.
    """

    message: str
    severity: str = "warning"
    row_number: int | None = None
    column_name: str | None = None
    value: str | None = None


@dataclass
class Parsed:
    """What a loader read from one file.

    ``tables`` maps a canonical table name (``tasks``, ``issues``, ``issue_sprints``,
    ``budget_lines``, ``projects``, ``resources``, ``assignments``, ``task_baselines``,
    ``timephased_baseline``) to its rows. Frames carry canonical column names and no
    ``upload_id``; ``project_id`` may be left out (the ingest step fills it in).
    """

    source: str
    format: str
    tables: dict[str, pd.DataFrame]
    problems: list[Problem] = field(default_factory=list)
    as_of: dt.date | None = None
    project_id: str | None = None
    project_name: str | None = None
    rows_rejected: int = 0
    meta: dict = field(default_factory=dict)

    @property
    def rows_loaded(self) -> int:
        main = {
            "msproject": "tasks",
            "jira": "issues",
            "asana": "issues",
            "finance": "budget_lines",
            "register": "projects",
            "contracts": "contracts",
            "risk": "risks",
            "resources": "allocations",
        }
        frame = self.tables.get(main.get(self.source, ""))
        return 0 if frame is None else len(frame)


@dataclass
class Sample:
    """Cheap views of a file's bytes for format sniffing."""

    data: bytes
    file_name: str

    @property
    def head(self) -> bytes:
        return self.data[:65536]

    @cached_property
    def text_head(self) -> str:
        """The first 64 KiB decoded (:func:`loaders.encoding.decide`), '' for binaries (more than 1 %
        NUL bytes, unless in the pattern of UTF-16); a stray NUL byte is dropped."""
        if self.is_zip or self.is_ole2:
            return ""
        nuls = self.head[:4096].count(0)
        bom16 = self.head[:2] in (b"\xff\xfe", b"\xfe\xff")
        if nuls > max(len(self.head[:4096]) // 100, 4) and not bom16 and utf16_without_bom(self.head) is None:
            return ""  # a binary file: UTF-16 text has a byte-order mark or NULs in every other byte
        return decode(self.head)[0].replace("\x00", "")

    @property
    def is_zip(self) -> bool:
        return self.data[:4] == b"PK\x03\x04"

    @property
    def is_ole2(self) -> bool:
        return self.data[:8] == bytes.fromhex("d0cf11e0a1b11ae1")

    @cached_property
    def workbook(self) -> OpenWorkbook | None:
        """For a workbook (.xlsx, or .xls read by calamine): the workbook opened once for every
        sniffer (:class:`loaders.tabular.OpenWorkbook`); None for other files. Raises what opening
        raises, each time it is asked (a sniffer treats that as "not mine")."""
        return OpenWorkbook.of(self.data, self.file_name) if self.is_zip or self.is_ole2 else None

    @cached_property
    def sheets(self) -> dict[str, list[str]]:
        """For a workbook: sheet name -> its first non-empty row as text ({} otherwise)."""
        if not self.is_zip:
            return {}
        try:
            return self.workbook.first_rows()
        except Exception:
            return {}

    @cached_property
    def csv_header(self) -> list[str]:
        """For delimited text: the header cells (first non-empty line), else []."""
        text = self.text_head
        if not text:
            return []
        return sniff_header(text)
