"""Recognising MS Project files from their first bytes: MSPDI roots, task sheets, CSV headers."""

from __future__ import annotations

import io
import re

from loaders.base import Sample
from loaders.msproject.aliases import TASK_ALIASES
from loaders.msproject.fields import NS
from loaders.values import (
    normalize_header,
)


def task_header_score(header: list[str]) -> int:
    """How many task fields a header row names; 0 unless it has a name and start/finish."""
    found = {TASK_ALIASES.get(normalize_header(h)) for h in header if str(h).strip()}
    if "name" not in found or not ({"start", "finish", "duration_hours"} & found):
        return 0
    extra = found & {
        "task_id",
        "task_uid",
        "outline_level",
        "wbs",
        "duration_hours",
        "percent_complete",
        "baseline_start",
        "baseline_cost",
        "predecessors",
        "resource_names",
        "is_summary",
        "is_milestone",
    }
    return len(found) if extra else 0


def task_header_index(rows: list[list], limit: int = 30) -> int:
    """The task table's header row: the first of the first ``limit`` rows naming task fields (a title
    or notes above it are preamble), else the first non-empty row."""
    for i, row in enumerate(rows[:limit]):
        if task_header_score([str(c) for c in row]):
            return i
    for i, row in enumerate(rows[:50]):
        if any(str(c).strip() for c in row):
            return i
    return 0


_PROLOG = re.compile(r"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)


_DOCTYPE = re.compile(r"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[^\[>]*(?:\[.*?\]\s*)?>", re.S)


_ROOT = re.compile(r"<(?:([A-Za-z_][\w.-]*):)?([A-Za-z_][\w.-]*)(\s[^>]*)?/?>", re.S)


_XMLNS = re.compile(r"\bxmlns(?::([A-Za-z_][\w.-]*))?\s*=\s*[\"']([^\"']*)[\"']")


# elements only MSPDI's <Project> has near its top: a root <Project> without a namespace (hand-made
# files, other writers) counts as MSPDI when one of them follows
_MSPDI_CHILDREN = re.compile(r"<(?:[A-Za-z_][\w.-]*:)?(?:SaveVersion|Tasks|Calendars|MinutesPerDay|StatusDate)\b")


def is_mspdi(text: str) -> bool:
    """True when the root element is ``Project`` in MSPDI's namespace (default or any prefix,
    ``<p:Project xmlns:p="...">``), or ``Project`` without a namespace followed by MSPDI's own
    elements. Reads only the prolog and the root's start tag, so a KB or two is enough."""
    text = text.lstrip("\ufeff")
    pos = _PROLOG.match(text).end()
    if text.startswith("<!DOCTYPE", pos):
        doctype = _DOCTYPE.match(text, pos)
        if doctype is None:  # an internal subset longer than the window: judge by its name
            name = re.match(r"<!DOCTYPE\s+(?:[A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)", text[pos:])
            return bool(name) and name.group(1) == "Project"
        pos = _PROLOG.match(text, doctype.end()).end()
    root = _ROOT.match(text, pos)
    if root is None or root.group(2) != "Project":
        return False
    prefix, attrs = root.group(1), root.group(3) or ""
    namespaces = {p: uri for p, uri in _XMLNS.findall(attrs)}
    uri = namespaces.get(prefix or "")
    if uri == NS:
        return True
    return uri is None and prefix is None and bool(_MSPDI_CHILDREN.search(text, root.end()))


_SHEET_NAME = re.compile(rb"<(?:\w+:)?sheet\b[^>]*?\bname=\"([^\"]*)\"")


def workbook_sheet_names(data: bytes) -> list[str]:
    """Sheet names from the workbook's own index (xl/workbook.xml), without loading any sheet."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            info = zf.getinfo("xl/workbook.xml")
            if info.file_size > 5_000_000:
                return []
            index = zf.read(info)
    except (KeyError, zipfile.BadZipFile, OSError):
        return []
    from html import unescape

    return [unescape(m.decode("utf-8", "replace")) for m in _SHEET_NAME.findall(index)]


_MPP_MARKERS = (
    b"MSProject",
    b"Microsoft Project",
    "MSProject".encode("utf-16-le"),
    "Microsoft Project".encode("utf-16-le"),
)
_WORKBOOK_STREAMS = ("Workbook".encode("utf-16-le"), "Book\x00".encode("utf-16-le"))
OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")
_MPP_STREAM = re.compile(r"^(?:Props\d+|   \d+)$")


def _ole2_streams(data: bytes) -> set[str] | None:
    """Top-level stream and storage names of an OLE2 file (olefile), None when it cannot be parsed."""
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except (OSError, ValueError, IndexError):  # olefile's errors for damaged or truncated files
        return None
    try:
        return {entry[0] for entry in ole.listdir(streams=True, storages=True)}
    finally:
        ole.close()


def ole2_kind(data: bytes) -> str | None:
    """An OLE2 compound file -> ``"xls"`` (a top-level ``Workbook``/``Book`` stream: Excel 97–2003),
    ``"doc"`` (``WordDocument``: Word 97–2003), ``"mpp"`` (MS Project's ``Props14``/``   114``
    storages) or None. Embedded objects sit below the top level, so an .mpp holding a pasted
    workbook stays an .mpp. A file olefile cannot parse is judged by the markers in its bytes."""
    if data[:8] != OLE2:
        return None
    names = _ole2_streams(data)
    if names is not None:
        if names & {"Workbook", "Book"}:
            return "xls"
        if "WordDocument" in names:
            return "doc"
        return "mpp" if any(_MPP_STREAM.match(n) for n in names) else None
    window = data[: 8 * 1024 * 1024]
    if any(m in window for m in _WORKBOOK_STREAMS):
        return "xls"
    if "WordDocument".encode("utf-16-le") in window:
        return "doc"
    return "mpp" if any(m in window for m in _MPP_MARKERS) else None


def _xls_sheets(data: bytes) -> dict[str, list[list]]:
    from loaders.tabular import read_workbook

    try:
        return read_workbook(data, "workbook.xls")
    except Exception:  # a damaged or password-protected workbook is not ours to judge
        return {}


def sniff(sample: Sample) -> bool:
    kind = ole2_kind(sample.data) if sample.is_ole2 else None
    if kind == "mpp":
        return True
    if kind == "xls":
        sheets = _xls_sheets(sample.data)
        if any(name.startswith("Task_Table") for name in sheets):
            return True
        return any(task_header_score([str(c) for c in row]) >= 3 for rows in sheets.values() for row in rows[:30])
    if sample.is_zip:
        if any(name.startswith("Task_Table") for name in workbook_sheet_names(sample.data)):
            return True  # MS Project's own sheet names: no need to load a sheet to know
        sheets = sample.sheets
        if any(name.startswith("Task_Table") for name in sheets):
            return True
        return any(task_header_score(row) >= 3 for row in sheets.values())
    text = sample.text_head
    if not text:
        return False
    if is_mspdi(text[:4096]) or (text.lstrip().startswith("<") and is_mspdi(text)):
        return True
    return bool(sample.csv_header) and task_header_score(sample.csv_header) >= 3


def xml_head(data: bytes, size: int = 65536) -> str:
    """The first bytes as text: UTF-16 (with a BOM, or ``<`` followed by a NUL byte) or UTF-8."""
    head = data[:size]
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    elif head[:2] == b"<\x00":
        encoding = "utf-16-le"
    elif head[:2] == b"\x00<":
        encoding = "utf-16-be"
    else:
        encoding = "utf-8"
    if encoding != "utf-8":
        head = head[: len(head) // 2 * 2]
    return head.decode(encoding, errors="replace")
